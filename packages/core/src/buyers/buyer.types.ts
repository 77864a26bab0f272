import type { BuyerId, ShopId } from '../kernel';

/** A shop's customer; anonymous (a visitor id) or identified by the shop (an external id). */
export interface Buyer {
  id: BuyerId;
  shopId: ShopId;
  /** The shop's own id for the buyer, set only through a token signed with the shop's secret. */
  externalId: string | null;
  visitorId: string | null;
  nick: string;
  phone: string | null;
  createdAt: number;
  lastSeenAt: number;
}
