import type { Order, OrderStatus, ProductId, ShopId, UpsertOutcome } from '@xiaoer/core';
import type { BuyerBody, OrderBody, ProductBody } from '@xiaoer/protocol/v1';
import type { Kysely } from 'kysely';
import type { Storage } from '../storage';
import type { Database } from '../storage/schema';
import { enrolTimer } from '../crm/journey-runner';
import { externalBuyerIn } from '../storage/buyer.repository';
import type { TimedOrder } from '../storage/order.repository';

/**
 * Issue #16: a product, buyer or order written as the v1 API writes it — one transaction each,
 * idempotent by the shop's id — for the API's PUTs and the console's imports alike.
 */
export function writeProduct(
  storage: Storage,
  shopId: ShopId,
  externalId: string,
  body: ProductBody,
  now: number,
): Promise<UpsertOutcome> {
  // CRM-5: a new product the shop announces starts its new-arrival journeys (in the same write).
  const announce = body.announce
    ? async (trx: Kysely<Database>) => {
        const context = { productId: externalId, productTitle: body.title };
        await storage.timers.schedule(enrolTimer(shopId, 'new_arrival', externalId, context, now), now, trx);
      }
    : undefined;
  return storage.orders.upsertProduct(
    {
      id: externalId as ProductId,
      shopId,
      title: body.title,
      priceCents: body.priceCents,
      imageUrl: body.imageUrl,
      special: body.special,
    },
    now,
    announce,
  );
}

export function writeBuyer(
  storage: Storage,
  shopId: ShopId,
  externalId: string,
  body: BuyerBody,
  now: number,
): Promise<UpsertOutcome> {
  return storage.buyers.upsertByExternalId(shopId, externalId, body, now);
}

/** An order; a buyer the shop has not sent yet is created in the same transaction. */
export function writeOrder(
  storage: Storage,
  shopId: ShopId,
  externalId: string,
  body: OrderBody,
  now: number,
): Promise<{ outcome: UpsertOutcome; order: TimedOrder }> {
  const ms = (moment: string) => Date.parse(moment);
  return storage.orders.upsertOrder(
    {
      id: externalId as Order['id'],
      shopId,
      status: body.status as OrderStatus,
      totalCents: body.totalCents,
      carrier: body.carrier,
      trackingNo: body.trackingNo,
      createdAt: ms(body.createdAt),
      paidAt: body.paidAt === null ? null : ms(body.paidAt),
      shippedAt: body.shippedAt === null ? null : ms(body.shippedAt),
      items: body.items.map((i) => ({
        productId: i.productExternalId as ProductId,
        title: i.title,
        quantity: i.quantity,
        priceCents: i.priceCents,
      })),
    },
    (trx) => externalBuyerIn(trx, shopId, body.buyerExternalId, now),
    now,
  );
}
