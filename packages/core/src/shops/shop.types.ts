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
  /** TEAM-4: the organisation it belongs to. */
  orgId: string;
  /** The demo shop (小二旗舰店): served by /demo only while demo mode is on. */
  isDemo: boolean;
  /** BOT-3: the first line every new buyer reads; null: the default ({@link DEFAULT_WELCOME}). */
  welcomeMessage: string | null;
}

/** BOT-3: the default welcome line; `{shop}` is the shop's name. */
export const DEFAULT_WELCOME = {
  'zh-CN': '您好，欢迎光临{shop}！请问有什么可以帮您？',
  en: 'Hello, welcome to {shop}! How can we help you?',
} as const;

/** The welcome line a shop's new buyers read. */
export function welcomeLine(shop: Pick<Shop, 'name' | 'welcomeMessage'>): string {
  return (shop.welcomeMessage ?? DEFAULT_WELCOME['zh-CN']).replaceAll('{shop}', shop.name);
}
