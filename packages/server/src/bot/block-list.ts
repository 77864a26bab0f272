import { DEFAULT_BOT_SETTINGS, DomainError, type BuyerId, type ShopId } from '@xiaoer/core';
import type { Storage } from '../storage';
import type { FaqCache } from './faq-cache';

/** The most buyers a block list holds (PUT /api/admin/bot refuses a longer one). */
export const MAX_BLOCKED_BUYERS = 5000;

/**
 * SPAM-1: the shop's block list — the bot settings' `blockedBuyers` — as reporting an advertiser
 * and its undo change it. The caller serializes a shop's changes (the chat service runs them under
 * the shop's routing lock); the FAQ cache, which the spam judge reads, learns each change here and
 * on the other nodes.
 */
export function shopBlockList(storage: Storage, faq: FaqCache) {
  async function change(shopId: ShopId, edit: (list: readonly string[]) => readonly string[]) {
    const settings = (await storage.shops.findBotSettings(shopId)) ?? {
      ...DEFAULT_BOT_SETTINGS,
      enabled: false,
    };
    const before = settings.blockedBuyers ?? [];
    const after = edit(before);
    if (after === before) return;
    const next = { ...settings, blockedBuyers: [...after] };
    await storage.shops.saveBotSettings(shopId, next);
    await faq.settingsChanged(shopId, next);
  }
  return {
    add: (shopId: ShopId, buyerId: BuyerId) =>
      change(shopId, (list) => {
        if (list.includes(buyerId)) return list;
        if (list.length >= MAX_BLOCKED_BUYERS)
          throw new DomainError(
            'conflict',
            `the block list is full (${MAX_BLOCKED_BUYERS} buyers): remove some in the bot settings first`,
            'blockedBuyers',
          );
        return [...list, buyerId];
      }),
    remove: (shopId: ShopId, buyerId: BuyerId) =>
      change(shopId, (list) => (list.includes(buyerId) ? list.filter((id) => id !== buyerId) : list)),
  };
}
