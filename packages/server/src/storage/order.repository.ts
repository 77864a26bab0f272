import type {
  BuyerId,
  Order,
  OrderId,
  OrderLookup,
  OrderStatus,
  Product,
  ProductId,
  ShopId,
} from '@xiaoer/core';
import type { Kysely, Selectable } from 'kysely';
import type { Database, OrdersTable } from './schema';

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

/** Orders and products (the shop platform's data; the demo seeds them). */
export class OrderRepository implements OrderLookup {
  constructor(private readonly db: Kysely<Database>) {}

  async findOrder(shopId: ShopId, id: string): Promise<Order | undefined> {
    const row = await this.db
      .selectFrom('orders')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toOrder(row);
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
      })
      .execute();
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
    return rows.map((r) => ({
      id: r.id as ProductId,
      shopId: r.shop_id as ShopId,
      title: r.title,
      priceCents: Number(r.price_cents),
      imageUrl: r.image_url,
    }));
  }
}
