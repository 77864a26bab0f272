import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { apiInShop, type api } from '../shared/api';

const ShopScopeContext = createContext<string | null>(null);

/**
 * TEAM-4: the shop the calls below act in — the open conversation's, for an agent serving
 * several shops (its messages, buyer, quick replies, transfer targets, order cards). Null: the
 * current shop (the switcher's).
 */
export function ShopScope(props: { shopId: string | null; children: ReactNode }) {
  return <ShopScopeContext.Provider value={props.shopId}>{props.children}</ShopScopeContext.Provider>;
}

/** The shop of the enclosing ShopScope (null: the current one). */
export function useScopeShop(): string | null {
  return useContext(ShopScopeContext);
}

/** `api`, sending the enclosing ShopScope's shop as `X-Xiaoer-Shop`. */
export function useShopApi(): typeof api {
  const shop = useScopeShop();
  return useMemo(() => apiInShop(shop), [shop]);
}
