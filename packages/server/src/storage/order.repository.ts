import {
  mergeLogistics,
  orderChanged,
  productChanged,
  type BuyerId,
  type LogisticsEvent,
  type UpsertOutcome,
  type Order,
  type OrderId,
  type OrderLookup,
  type OrderStatus,
  type Product,
  type ProductId,
  type ShopId,
} from '@xiaoer/core';
import type { Kysely, Selectable } from 'kysely';
import { orderOut } from '../integration/v1-out';
import { isUniqueViolation } from './db';
import { staleRollupsForPayment } from './metric-rollups';
import type { Database, OrdersTable, ProductsTable } from './schema';
import type { WebhookRepository } from './webhook.repository';
import { chunks } from './chunks';

/** An order as written, with the time of its last change. */
export type TimedOrder = Order & { updatedAt: number };

/** The shop's own id of a buyer (read in the transaction that writes an event about them). */
export async function buyerExternalIdIn(trx: Kysely<Database>, buyerId: string): Promise<string | null> {
  const row = await trx
    .selectFrom('buyers')
    .select('external_id')
    .where('id', '=', buyerId)
    .executeTakeFirst();
  return row?.external_id ?? null;
}

function toOrder(row: Selectable<OrdersTable>): Order {
  return {
    id: row.id as OrderId,
    shopId: row.shop_id as ShopId,
    buyerId: row.buyer_id as BuyerId,
    status: row.status as OrderStatus,
    totalCents: Number(row.total_cents),
    carrier: row.carrier,
    trackingNo: row.tracking_no,
    createdAt: Number(row.created_at),
    paidAt: row.paid_at === null ? null : Number(row.paid_at),
    shippedAt: row.shipped_at === null ? null : Number(row.shipped_at),
    items: JSON.parse(row.items),
    logistics: JSON.parse(row.logistics),
  };
}

/**
 * Two first writes of the same id at once: one insert wins, the other fails the key and is run
 * again (it then finds the row). A later write of the same fields is 'unchanged'.
 */
export async function onceMoreIfRaced<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return write();
  }
}

function toProduct(r: Selectable<ProductsTable>): Product {
  return {
    id: r.id as ProductId,
    shopId: r.shop_id as ShopId,
    title: r.title,
    priceCents: Number(r.price_cents),
    imageUrl: r.image_url,
    special: Number(r.special) === 1,
  };
}

const orderRow = (order: Order, updatedAt: number) => ({
  buyer_id: order.buyerId,
  status: order.status,
  total_cents: order.totalCents,
  carrier: order.carrier,
  tracking_no: order.trackingNo,
  created_at: order.createdAt,
  paid_at: order.paidAt,
  shipped_at: order.shippedAt,
  items: JSON.stringify(order.items),
  updated_at: updatedAt,
});

/** Orders and products (the shop platform's data: written through the v1 API, or the demo's). */
export class OrderRepository implements OrderLookup {
  constructor(
    private readonly db: Kysely<Database>,
    /** Issue #16: order events go out through the shop's webhooks (written with the order). */
    private readonly outbox?: WebhookRepository,
  ) {}

  /** `order.created` / `order.updated` for the shop's endpoints, in the write's transaction. */
  private async orderEvent(
    trx: Kysely<Database>,
    type: 'order.created' | 'order.updated',
    order: TimedOrder,
  ) {
    await this.outbox?.enqueueIn(trx, {
      shopId: order.shopId,
      type,
      orderKey: `order:${order.id}`,
      at: order.updatedAt,
      data: async (t) => ({ order: orderOut(order, await buyerExternalIdIn(t, order.buyerId)) }),
    });
  }

  async findOrder(shopId: ShopId, id: string): Promise<Order | undefined> {
    const row = await this.db
      .selectFrom('orders')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toOrder(row);
  }

  /** The shop's orders among `ids` (a page of reviews' orders, read at once). */
  async findOrders(shopId: ShopId, ids: readonly string[]): Promise<Map<string, Order>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('orders')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('id', 'in', [...new Set(ids)])
      .execute();
    return new Map(rows.map((r) => [r.id, toOrder(r)]));
  }

  /** CRM-1: a buyer's orders created since `since`, newest first. */
  async listBuyerOrders(shopId: ShopId, buyerId: BuyerId, since: number): Promise<Order[]> {
    const rows = await this.db
      .selectFrom('orders')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('buyer_id', '=', buyerId)
      .where('created_at', '>=', since)
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map(toOrder);
  }

  /**
   * Issue #21: orders written after `after` (by write time, then shop and id) and up to `until`,
   * every shop's, oldest first: the CRM sweep reads them to start journeys and count conversions.
   */
  async changedSince(
    after: { at: number; shopId: string; id: string },
    until: number,
    limit: number,
  ): Promise<TimedOrder[]> {
    const rows = await this.db
      .selectFrom('orders')
      .selectAll()
      .where('updated_at', '<=', until)
      .where((eb) =>
        eb.or([
          eb('updated_at', '>', after.at),
          eb.and([
            eb('updated_at', '=', after.at),
            eb.or([
              eb('shop_id', '>', after.shopId),
              eb.and([eb('shop_id', '=', after.shopId), eb('id', '>', after.id)]),
            ]),
          ]),
        ]),
      )
      .orderBy('updated_at')
      .orderBy('shop_id')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ ...toOrder(r), updatedAt: Number(r.updated_at) }));
  }

  /** Issue #21: a shop's orders created since `since`, newest first (a journey's dry run). */
  async recentShopOrders(shopId: ShopId, since: number, limit: number): Promise<Order[]> {
    const rows = await this.db
      .selectFrom('orders')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('created_at', '>=', since)
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toOrder);
  }

  /** Issue #21 (CRM-3): a page of every shop's shipped orders after (shop, id): the logistics watch. */
  async shippedPage(after: { shopId: string; id: string }, limit: number): Promise<Order[]> {
    const rows = await this.db
      .selectFrom('orders')
      .selectAll()
      .where('status', '=', 'shipped')
      .where((eb) =>
        eb.or([
          eb('shop_id', '>', after.shopId),
          eb.and([eb('shop_id', '=', after.shopId), eb('id', '>', after.id)]),
        ]),
      )
      .orderBy('shop_id')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toOrder);
  }

  /** Issue #21 (CRM-4): the buyer's first paid order, if any. */
  async firstPaidOrderId(shopId: ShopId, buyerId: BuyerId): Promise<string | undefined> {
    const r = await this.db
      .selectFrom('orders')
      .select('id')
      .where('shop_id', '=', shopId)
      .where('buyer_id', '=', buyerId)
      .where('paid_at', 'is not', null)
      .orderBy('paid_at')
      .orderBy('id')
      .executeTakeFirst();
    return r?.id;
  }

  /**
   * CRM-4: the shop's buyers whose last order (of any status) was placed after `from` and at or
   * before `to` — those who have just reached N days without an order.
   */
  async lastOrderedBetween(
    shopId: ShopId,
    from: number,
    to: number,
  ): Promise<{ buyerId: BuyerId; lastAt: number }[]> {
    // The orders placed within the window (by the shop-and-time index) that no later order of the
    // same buyer follows: each such buyer's last order.
    const rows = await this.db
      .selectFrom('orders as o')
      .select(['o.buyer_id', 'o.created_at'])
      .where('o.shop_id', '=', shopId)
      .where('o.created_at', '>', from)
      .where('o.created_at', '<=', to)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('orders as later')
              .select('later.id')
              .whereRef('later.shop_id', '=', 'o.shop_id')
              .whereRef('later.buyer_id', '=', 'o.buyer_id')
              .whereRef('later.created_at', '>', 'o.created_at'),
          ),
        ),
      )
      .execute();
    const out = new Map<string, number>();
    for (const r of rows) out.set(r.buyer_id, Number(r.created_at));
    return [...out].map(([buyerId, lastAt]) => ({ buyerId: buyerId as BuyerId, lastAt }));
  }

  /** Issue #21 (CRM-1, CRM-6): what a buyer spent (paid orders not closed) and when they last ordered. */
  async buyerSpend(
    shopId: ShopId,
    buyerId: BuyerId,
  ): Promise<{ spentCents: number; orders: number; lastOrderAt: number | null; orderTimes: number[] }> {
    const rows = await this.db
      .selectFrom('orders')
      .select(['total_cents', 'created_at', 'paid_at', 'status'])
      .where('shop_id', '=', shopId)
      .where('buyer_id', '=', buyerId)
      .execute();
    let spentCents = 0;
    let orders = 0;
    const orderTimes: number[] = [];
    for (const r of rows) {
      orderTimes.push(Number(r.created_at));
      if (r.paid_at !== null && r.status !== 'closed') {
        spentCents += Number(r.total_cents);
        orders++;
      }
    }
    orderTimes.sort((a, b) => a - b);
    return { spentCents, orders, lastOrderAt: orderTimes.at(-1) ?? null, orderTimes };
  }

  async insertOrder(order: Order): Promise<void> {
    await this.db
      .insertInto('orders')
      .values({
        id: order.id,
        shop_id: order.shopId,
        buyer_id: order.buyerId,
        status: order.status,
        total_cents: order.totalCents,
        carrier: order.carrier,
        tracking_no: order.trackingNo,
        created_at: order.createdAt,
        paid_at: order.paidAt,
        shipped_at: order.shippedAt,
        items: JSON.stringify(order.items),
        logistics: JSON.stringify(order.logistics),
        updated_at: order.createdAt,
      })
      .execute();
    await staleRollupsForPayment(this.db, order.shopId, order.paidAt); // issue #20 (MET-3)
  }

  async insertProduct(product: Product): Promise<void> {
    await this.db
      .insertInto('products')
      .values({
        id: product.id,
        shop_id: product.shopId,
        title: product.title,
        price_cents: product.priceCents,
        image_url: product.imageUrl,
        special: product.special ? 1 : 0,
        updated_at: 0,
      })
      .execute();
  }

  async listProducts(shopId: ShopId): Promise<Product[]> {
    const rows = await this.db
      .selectFrom('products')
      .selectAll()
      .where('shop_id', '=', shopId)
      .orderBy('title')
      .execute();
    return rows.map(toProduct);
  }

  /**
   * CRM-1: what changes when the catalogue changes (a cached index of it is rebuilt on change):
   * the count, the last write and the sum of the write times (a write at the same millisecond as
   * the last, or from a node whose clock lags, still moves the sum).
   */
  async productsVersion(shopId: ShopId): Promise<string> {
    const r = await this.db
      .selectFrom('products')
      .select((eb) => [
        eb.fn.countAll().as('n'),
        eb.fn.max('updated_at').as('at'),
        eb.fn.sum('updated_at').as('sum'),
      ])
      .where('shop_id', '=', shopId)
      .executeTakeFirstOrThrow();
    return `${String(r.n)}:${String(r.at ?? 0)}:${String(r.sum ?? 0)}`;
  }

  // ── issue #16: writes from the shop's systems, keyed by the shop's own ids ──────────────────

  async findProduct(shopId: ShopId, id: string): Promise<(Product & { updatedAt: number }) | undefined> {
    const row = await this.db
      .selectFrom('products')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && { ...toProduct(row), updatedAt: Number(row.updated_at) };
  }

  /** The shop's products among `ids`, read at once. */
  async findProducts(shopId: ShopId, ids: readonly string[]): Promise<Map<string, Product>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('products')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('id', 'in', [...new Set(ids)])
      .execute();
    return new Map(rows.map((r) => [r.id, toProduct(r)]));
  }

  /** Creates or replaces a product; a write that changes nothing writes nothing. */
  /** `whenCreated` runs in the write's transaction when it creates the product. */
  async upsertProduct(
    product: Product,
    now: number,
    whenCreated?: (trx: Kysely<Database>) => Promise<void>,
  ): Promise<UpsertOutcome> {
    return onceMoreIfRaced(() =>
      this.db.transaction().execute(async (trx) => {
        const row = await trx
          .selectFrom('products')
          .selectAll()
          .where('shop_id', '=', product.shopId)
          .where('id', '=', product.id)
          .executeTakeFirst();
        const values = {
          title: product.title,
          price_cents: product.priceCents,
          image_url: product.imageUrl,
          special: product.special ? 1 : 0,
          updated_at: now,
        };
        if (!row) {
          await trx
            .insertInto('products')
            .values({ shop_id: product.shopId, id: product.id, ...values })
            .execute();
          await whenCreated?.(trx);
          return 'created';
        }
        if (!productChanged(toProduct(row), product)) return 'unchanged';
        await trx
          .updateTable('products')
          .set(values)
          .where('shop_id', '=', product.shopId)
          .where('id', '=', product.id)
          .execute();
        return 'updated';
      }),
    );
  }

  /** CRM-5: the shop's most recently written product. */
  async latestProduct(shopId: ShopId): Promise<Product | undefined> {
    const r = await this.db
      .selectFrom('products')
      .selectAll()
      .where('shop_id', '=', shopId)
      .orderBy('updated_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return r && toProduct(r);
  }

  /** A page of the shop's products by id, after `after` (the cursor: the last id of a page). */
  async listProductsPage(shopId: ShopId, after: string | null, limit: number) {
    let q = this.db.selectFrom('products').selectAll().where('shop_id', '=', shopId);
    if (after !== null) q = q.where('id', '>', after);
    const rows = await q.orderBy('id').limit(limit).execute();
    return rows.map((r) => ({ ...toProduct(r), updatedAt: Number(r.updated_at) }));
  }

  async findOrderWithTime(shopId: ShopId, id: string): Promise<(Order & { updatedAt: number }) | undefined> {
    const row = await this.db
      .selectFrom('orders')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && { ...toOrder(row), updatedAt: Number(row.updated_at) };
  }

  /**
   * Creates or replaces an order (its tracking events are kept: they are written on their own).
   * `buyerId` resolves the shop's buyer id inside the same transaction (creating the buyer when
   * the shop has not sent it yet), so a write never half-applies.
   */
  async upsertOrder(
    order: Omit<Order, 'buyerId' | 'logistics'>,
    buyerId: (trx: Kysely<Database>) => Promise<BuyerId>,
    now: number,
  ): Promise<{ outcome: UpsertOutcome; order: TimedOrder }> {
    return onceMoreIfRaced(() =>
      this.db.transaction().execute(async (trx) => {
        const buyer = await buyerId(trx);
        const row = await trx
          .selectFrom('orders')
          .selectAll()
          .where('shop_id', '=', order.shopId)
          .where('id', '=', order.id)
          .executeTakeFirst();
        if (!row) {
          const full: TimedOrder = { ...order, buyerId: buyer, logistics: [], updatedAt: now };
          await trx
            .insertInto('orders')
            .values({ shop_id: order.shopId, id: order.id, logistics: '[]', ...orderRow(full, now) })
            .execute();
          await this.orderEvent(trx, 'order.created', full);
          await staleRollupsForPayment(trx, order.shopId, full.paidAt); // issue #20 (MET-3)
          return { outcome: 'created' as const, order: full };
        }
        const before = toOrder(row);
        const after: Order = { ...order, buyerId: buyer, logistics: before.logistics };
        if (!orderChanged(before, after))
          return { outcome: 'unchanged' as const, order: { ...before, updatedAt: Number(row.updated_at) } };
        await trx
          .updateTable('orders')
          .set(orderRow(after, now))
          .where('shop_id', '=', order.shopId)
          .where('id', '=', order.id)
          .execute();
        const written = { ...after, updatedAt: now };
        await this.orderEvent(trx, 'order.updated', written);
        // Issue #20 (MET-3): a payment made, moved, withdrawn or given to another buyer.
        if (before.paidAt !== after.paidAt || before.buyerId !== after.buyerId)
          for (const paidAt of new Set([before.paidAt, after.paidAt]))
            await staleRollupsForPayment(trx, order.shopId, paidAt);
        return { outcome: 'updated' as const, order: written };
      }),
    );
  }

  /**
   * Adds tracking events to an order (idempotent by event id): how many were new, and the order as
   * it now is; undefined: no such order.
   */
  async addLogistics(
    shopId: ShopId,
    orderId: string,
    events: readonly LogisticsEvent[],
    now: number,
  ): Promise<{ added: number; order: TimedOrder } | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('orders')
        .selectAll()
        .where('shop_id', '=', shopId)
        .where('id', '=', orderId)
        .executeTakeFirst();
      if (!row) return undefined;
      const before = toOrder(row);
      const merged = mergeLogistics(before.logistics, events);
      if (merged.added === 0) return { added: 0, order: { ...before, updatedAt: Number(row.updated_at) } };
      await trx
        .updateTable('orders')
        .set({ logistics: JSON.stringify(merged.events), updated_at: now })
        .where('shop_id', '=', shopId)
        .where('id', '=', orderId)
        .execute();
      const written = { ...before, logistics: merged.events, updatedAt: now };
      await this.orderEvent(trx, 'order.updated', written);
      return { added: merged.added, order: written };
    });
  }

  /** Which of `ids` the shop has as products or orders already (an import's preview). */
  async existingIds(
    shopId: ShopId,
    table: 'products' | 'orders',
    ids: readonly string[],
  ): Promise<Set<string>> {
    const found = new Set<string>();
    for (const part of chunks(ids)) {
      const rows = await this.db
        .selectFrom(table)
        .select('id')
        .where('shop_id', '=', shopId)
        .where('id', 'in', part)
        .execute();
      for (const r of rows) found.add(r.id);
    }
    return found;
  }

  /** A page of the shop's orders by id (optionally one buyer's), after the cursor `after`. */
  async listOrdersPage(
    shopId: ShopId,
    after: string | null,
    limit: number,
    buyerId?: BuyerId,
  ): Promise<(Order & { updatedAt: number })[]> {
    let q = this.db.selectFrom('orders').selectAll().where('shop_id', '=', shopId);
    if (buyerId) q = q.where('buyer_id', '=', buyerId);
    if (after !== null) q = q.where('id', '>', after);
    const rows = await q.orderBy('id').limit(limit).execute();
    return rows.map((r) => ({ ...toOrder(r), updatedAt: Number(r.updated_at) }));
  }
}
