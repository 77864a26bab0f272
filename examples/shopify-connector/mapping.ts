/**
 * What a Shopify webhook says, as xiaoer's v1 API takes it. Pure functions (no I/O), so a shop can
 * read — and test — exactly how its orders arrive. Shopify's side follows its Admin REST API
 * webhook payloads (shopify.dev: Webhook topics; the Order, Product and Customer resources).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The parts of Shopify's payloads this connector reads (Shopify sends many more). */
export interface ShopifyCustomer {
  id: number;
  first_name?: string | null;
  last_name?: string | null;
  email?: string | null;
  phone?: string | null;
}
export interface ShopifyLineItem {
  id: number;
  product_id?: number | null;
  variant_id?: number | null;
  sku?: string | null;
  title: string;
  quantity: number;
  price: string;
}
export interface ShopifyFulfillment {
  id: number;
  created_at: string;
  status?: string | null;
  tracking_company?: string | null;
  tracking_number?: string | null;
  tracking_numbers?: string[] | null;
}
export interface ShopifyOrder {
  id: number;
  name?: string;
  email?: string | null;
  created_at: string;
  processed_at?: string | null;
  updated_at?: string | null;
  cancelled_at?: string | null;
  closed_at?: string | null;
  financial_status?: string | null;
  fulfillment_status?: string | null;
  total_price: string;
  customer?: ShopifyCustomer | null;
  line_items: ShopifyLineItem[];
  fulfillments?: ShopifyFulfillment[] | null;
  refunds?: unknown[] | null;
}
export interface ShopifyProduct {
  id: number;
  title: string;
  variants?: { id: number; price: string; sku?: string | null }[] | null;
  image?: { src?: string | null } | null;
  images?: { src?: string | null }[] | null;
}

/**
 * Whether `X-Shopify-Hmac-Sha256` (base64 HMAC-SHA256 of the raw body with the app's secret, or the
 * store's webhook signing key) matches — compared in constant time, on the bytes as received.
 */
export function verifyShopify(rawBody: Buffer, header: string | undefined, secret: string): boolean {
  if (!header) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  const given = Buffer.from(header, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** "199.00" (Shopify's decimal strings) → 19900 cents. */
export function cents(price: string | number | null | undefined): number {
  const [whole = '0', fraction = ''] = String(price ?? '0').split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0').slice(0, 2));
}

/** The buyer's id in xiaoer: the Shopify customer, or — for a guest checkout — the order's email. */
export function buyerIdOf(order: ShopifyOrder): string {
  if (order.customer?.id) return `shopify-${order.customer.id}`;
  const email = order.email?.trim().toLowerCase();
  if (email)
    return `shopify-guest-${createHmac('sha256', 'xiaoer').update(email).digest('hex').slice(0, 16)}`;
  return `shopify-order-${order.id}`;
}

/**
 * Shopify's order state as xiaoer's status (what routing groups on, RT-3, and what the bot says,
 * BOT-4): cancelled → closed; any refund → after_sales; fulfilled → shipped (completed once
 * Shopify closes — archives — the order); paid → paid; otherwise (pending, authorized) unpaid.
 */
export function statusOf(
  order: ShopifyOrder,
): 'unpaid' | 'paid' | 'shipped' | 'completed' | 'after_sales' | 'closed' {
  if (order.cancelled_at) return 'closed';
  const money = order.financial_status ?? '';
  if ((order.refunds?.length ?? 0) > 0 || money === 'refunded' || money === 'partially_refunded')
    return 'after_sales';
  if (order.fulfillment_status === 'fulfilled' || order.fulfillment_status === 'partial')
    return order.closed_at ? 'completed' : 'shipped';
  if (money === 'paid' || money === 'partially_paid') return 'paid';
  return 'unpaid';
}

/** xiaoer's ids are `[A-Za-z0-9][A-Za-z0-9._:-]*` (≤ 64): Shopify's numeric ids fit as they are. */
const productIdOf = (item: ShopifyLineItem) =>
  item.sku?.trim() && /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/.test(item.sku.trim())
    ? item.sku.trim()
    : `shopify-${item.product_id ?? item.variant_id ?? item.id}`;

/** `PUT /api/v1/orders/{externalId}`: the order's id and body, and its shipments as tracking events. */
export function orderToXiaoer(order: ShopifyOrder) {
  const fulfillments = [...(order.fulfillments ?? [])].sort(
    (a, b) => Date.parse(a.created_at) - Date.parse(b.created_at),
  );
  const shipped = fulfillments[0];
  const status = statusOf(order);
  const paid =
    order.financial_status && !['pending', 'authorized', 'voided'].includes(order.financial_status);
  return {
    externalId: `shopify-${order.id}`,
    body: {
      buyerExternalId: buyerIdOf(order),
      status,
      totalCents: cents(order.total_price),
      items: order.line_items.slice(0, 200).map((item) => ({
        productExternalId: productIdOf(item),
        title: item.title.slice(0, 200),
        quantity: Math.max(1, item.quantity),
        priceCents: cents(item.price),
      })),
      carrier: shipped?.tracking_company ?? null,
      trackingNo: shipped?.tracking_number ?? shipped?.tracking_numbers?.[0] ?? null,
      createdAt: order.created_at,
      paidAt: paid ? (order.processed_at ?? order.created_at) : null,
      shippedAt: shipped?.created_at ?? null,
    },
    logistics: fulfillments.map((f) => ({
      id: `shopify-fulfillment-${f.id}`,
      at: f.created_at,
      description: ['已发货', f.tracking_company, f.tracking_number].filter(Boolean).join(' '),
    })),
  };
}

/** `PUT /api/v1/buyers/{externalId}`: the customer's name as the shop knows it. */
export function customerToXiaoer(customer: ShopifyCustomer) {
  const name =
    [customer.last_name, customer.first_name].filter((s) => s?.trim()).join('') ||
    customer.email ||
    `顾客${String(customer.id).slice(-4)}`;
  return {
    externalId: `shopify-${customer.id}`,
    body: { nick: name.slice(0, 64), phone: customer.phone?.slice(0, 32) ?? null },
  };
}

/** `PUT /api/v1/products/{externalId}` for each variant with a usable SKU, else the product itself. */
export function productToXiaoer(product: ShopifyProduct) {
  const image = product.image?.src ?? product.images?.[0]?.src ?? null;
  const variants = product.variants ?? [];
  const price = variants[0]?.price ?? '0';
  const rows = variants
    .filter((v) => v.sku?.trim() && /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/.test(v.sku.trim()))
    .map((v) => ({
      externalId: v.sku!.trim(),
      body: { title: product.title.slice(0, 200), priceCents: cents(v.price), imageUrl: image },
    }));
  return rows.length > 0
    ? rows
    : [
        {
          externalId: `shopify-${product.id}`,
          body: { title: product.title.slice(0, 200), priceCents: cents(price), imageUrl: image },
        },
      ];
}
