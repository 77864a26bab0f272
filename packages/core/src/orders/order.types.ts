import type { BuyerId, OrderId, ProductId, ShopId } from '../kernel';

/** The order statuses RT-3 routes on, plus closed. */
export type OrderStatus = 'unpaid' | 'paid' | 'shipped' | 'completed' | 'after_sales' | 'closed';
export const ORDER_STATUSES: readonly OrderStatus[] = [
  'unpaid',
  'paid',
  'shipped',
  'completed',
  'after_sales',
  'closed',
];

/** A line of an order. */
export interface OrderItem {
  productId: ProductId;
  title: string;
  quantity: number;
  priceCents: number;
}

/** One scan of the parcel by the carrier. */
export interface LogisticsEvent {
  /** Issue #16: the shop's (or carrier's) id for the event; the same id is the same event. */
  id?: string;
  at: number;
  description: string;
}

/** A buyer's order with its items and the parcel's journey. */
export interface Order {
  id: OrderId;
  shopId: ShopId;
  buyerId: BuyerId;
  status: OrderStatus;
  totalCents: number;
  carrier: string | null;
  trackingNo: string | null;
  createdAt: number;
  paidAt: number | null;
  shippedAt: number | null;
  items: OrderItem[];
  logistics: LogisticsEvent[];
}

/** A product of the shop. */
export interface Product {
  id: ProductId;
  shopId: ShopId;
  title: string;
  priceCents: number;
  imageUrl: string | null;
  /** AS-1 (issue #19): fresh food, fruit, virtual or custom-made — no return for no reason. */
  special?: boolean;
}

/** CRM-1: the window of orders shown beside a conversation. */
export const PROFILE_ORDER_WINDOW_DAYS = 90;
