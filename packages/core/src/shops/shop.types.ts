import type { ShopId } from '../kernel';

/** A shop: the tenant every record belongs to (TEAM-4). */
export interface Shop {
  id: ShopId;
  /** URL-safe key used by the widget's script tag. */
  slug: string;
  name: string;
  /** IANA time zone of the shop, for windows such as MET-1's 08:00–23:00. */
  timeZone: string;
  /** Shop-facing service hours text, e.g. "09:00–23:00". */
  serviceHours: string;
  createdAt: number;
}
