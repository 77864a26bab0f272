import type { ShopId, UpsertOutcome } from '@xiaoer/core';
import type { Kysely, Selectable } from 'kysely';
import { externalBuyerIn } from './buyer.repository';
import { onceMoreIfRaced } from './order.repository';
import type { Database, GroupBuysTable, ReviewsTable } from './schema';
import type { WebhookRepository } from './webhook.repository';

/** CRM-7: a buyer's review, as the platform sent it, and the shop's reply. */
export interface StoredReview {
  id: string;
  shopId: string;
  externalId: string;
  buyerId: string;
  orderId: string | null;
  productId: string | null;
  rating: number;
  text: string;
  postedAt: number;
  reply: { text: string; at: number; agentId: string } | null;
  createdAt: number;
  updatedAt: number;
}

export interface ReviewInput {
  buyerExternalId: string;
  orderId: string | null;
  productId: string | null;
  rating: number;
  text: string;
  postedAt: number;
}

/** CRM-8: a group buy (拼单) of the shop's. */
export interface StoredGroupBuy {
  id: string;
  shopId: string;
  externalId: string;
  productId: string | null;
  title: string;
  priceCents: number;
  endsAt: number;
  status: 'open' | 'closed';
  createdAt: number;
  updatedAt: number;
}

export type GroupBuyInput = Pick<StoredGroupBuy, 'productId' | 'title' | 'priceCents' | 'endsAt' | 'status'>;

const toReview = (r: Selectable<ReviewsTable>): StoredReview => ({
  id: r.id,
  shopId: r.shop_id,
  externalId: r.external_id,
  buyerId: r.buyer_id,
  orderId: r.order_id,
  productId: r.product_id,
  rating: Number(r.rating),
  text: r.text,
  postedAt: Number(r.posted_at),
  reply:
    r.reply_text !== null && r.replied_at !== null
      ? { text: r.reply_text, at: Number(r.replied_at), agentId: r.replied_by ?? '' }
      : null,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

const toGroupBuy = (r: Selectable<GroupBuysTable>): StoredGroupBuy => ({
  id: r.id,
  shopId: r.shop_id,
  externalId: r.external_id,
  productId: r.product_id,
  title: r.title,
  priceCents: Number(r.price_cents),
  endsAt: Number(r.ends_at),
  status: r.status === 'closed' ? 'closed' : 'open',
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

/** What the connector needs to post a reply: the review with the buyer's id at the platform. */
export type ReviewWithBuyer = StoredReview & { buyerExternalId: string | null };

/**
 * Issue #21: reviews (CRM-7) and group buys (CRM-8), written by the shop's systems through the
 * v1 API by their own ids — idempotent upserts — and the replies agents write.
 */
export class ReviewRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly newId: () => string,
    /** `review.replied` goes out through the shop's webhooks, in the reply's transaction. */
    private readonly outbox?: WebhookRepository,
  ) {}

  /** A review by the platform's id; a buyer the shop has not sent yet is made in the same write. */
  async upsert(
    shopId: ShopId,
    externalId: string,
    input: ReviewInput,
    now: number,
    /** Runs in the write's transaction when it creates the review. */
    whenCreated?: (trx: Kysely<Database>, review: StoredReview) => Promise<void>,
  ): Promise<{ outcome: UpsertOutcome; review: StoredReview }> {
    return onceMoreIfRaced(() =>
      this.db.transaction().execute(async (trx) => {
        const buyerId = await externalBuyerIn(trx, shopId, input.buyerExternalId, now);
        const row = await trx
          .selectFrom('reviews')
          .selectAll()
          .where('shop_id', '=', shopId)
          .where('external_id', '=', externalId)
          .executeTakeFirst();
        const values = {
          buyer_id: buyerId,
          order_id: input.orderId,
          product_id: input.productId,
          rating: input.rating,
          text: input.text,
          posted_at: input.postedAt,
          updated_at: now,
        };
        if (!row) {
          const created = { id: this.newId(), shop_id: shopId, external_id: externalId, ...values };
          const full = { ...created, reply_text: null, replied_at: null, replied_by: null, created_at: now };
          await trx.insertInto('reviews').values(full).execute();
          const review = toReview(full);
          await whenCreated?.(trx, review);
          return { outcome: 'created' as const, review };
        }
        const same =
          row.buyer_id === buyerId &&
          row.order_id === input.orderId &&
          row.product_id === input.productId &&
          Number(row.rating) === input.rating &&
          row.text === input.text &&
          Number(row.posted_at) === input.postedAt;
        if (same) return { outcome: 'unchanged' as const, review: toReview(row) };
        // An edited review keeps its reply (the platform shows both).
        await trx.updateTable('reviews').set(values).where('id', '=', row.id).execute();
        return { outcome: 'updated' as const, review: toReview({ ...row, ...values }) };
      }),
    );
  }

  async find(shopId: ShopId, id: string): Promise<StoredReview | undefined> {
    const r = await this.db
      .selectFrom('reviews')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('id', '=', id)
      .executeTakeFirst();
    return r && toReview(r);
  }

  async findExternal(shopId: ShopId, externalId: string): Promise<ReviewWithBuyer | undefined> {
    const r = await this.db
      .selectFrom('reviews')
      .leftJoin('buyers', 'buyers.id', 'reviews.buyer_id')
      .selectAll('reviews')
      .select('buyers.external_id as buyer_external_id')
      .where('reviews.shop_id', '=', shopId)
      .where('reviews.external_id', '=', externalId)
      .executeTakeFirst();
    return r && { ...toReview(r), buyerExternalId: r.buyer_external_id };
  }

  /** The v1 API's page: by the platform's id, after `after`; `answered` filters. */
  async externalPage(
    shopId: ShopId,
    after: string | null,
    limit: number,
    answered?: boolean,
  ): Promise<ReviewWithBuyer[]> {
    let q = this.db
      .selectFrom('reviews')
      .leftJoin('buyers', 'buyers.id', 'reviews.buyer_id')
      .selectAll('reviews')
      .select('buyers.external_id as buyer_external_id')
      .where('reviews.shop_id', '=', shopId);
    if (after !== null) q = q.where('reviews.external_id', '>', after);
    if (answered !== undefined) q = q.where('reviews.replied_at', answered ? 'is not' : 'is', null);
    const rows = await q.orderBy('reviews.external_id').limit(limit).execute();
    return rows.map((r) => ({ ...toReview(r), buyerExternalId: r.buyer_external_id }));
  }

  /**
   * The workbench's list: newest first, after the cursor (the last review's posted time and id);
   * `answered` false: those waiting for a reply.
   */
  async list(
    shopId: ShopId,
    opts: { answered?: boolean; before?: { postedAt: number; id: string }; limit: number },
  ): Promise<StoredReview[]> {
    let q = this.db.selectFrom('reviews').selectAll().where('shop_id', '=', shopId);
    if (opts.answered !== undefined) q = q.where('replied_at', opts.answered ? 'is not' : 'is', null);
    const before = opts.before;
    if (before)
      q = q.where((eb) =>
        eb.or([
          eb('posted_at', '<', before.postedAt),
          eb.and([eb('posted_at', '=', before.postedAt), eb('id', '<', before.id)]),
        ]),
      );
    const rows = await q.orderBy('posted_at', 'desc').orderBy('id', 'desc').limit(opts.limit).execute();
    return rows.map(toReview);
  }

  /** CRM-7: the reviews still waiting for the shop's reply. */
  async countUnanswered(shopId: ShopId): Promise<number> {
    const r = await this.db
      .selectFrom('reviews')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('shop_id', '=', shopId)
      .where('replied_at', 'is', null)
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  /**
   * The shop's reply, once (a platform takes one): false when the review was answered already.
   * `review.replied` is queued in the same write, for the connector to post.
   */
  async reply(shopId: ShopId, id: string, text: string, agentId: string, now: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const done = await trx
        .updateTable('reviews')
        .set({ reply_text: text, replied_at: now, replied_by: agentId, updated_at: now })
        .where('shop_id', '=', shopId)
        .where('id', '=', id)
        .where('replied_at', 'is', null)
        .executeTakeFirst();
      if (Number(done.numUpdatedRows) === 0) return false;
      await this.outbox?.enqueueIn(trx, {
        shopId,
        type: 'review.replied',
        orderKey: `review:${id}`,
        at: now,
        data: async (t) => {
          const r = await t
            .selectFrom('reviews')
            .leftJoin('buyers', 'buyers.id', 'reviews.buyer_id')
            .selectAll('reviews')
            .select('buyers.external_id as buyer_external_id')
            .where('reviews.shop_id', '=', shopId)
            .where('reviews.id', '=', id)
            .executeTakeFirstOrThrow();
          return { review: reviewOut({ ...toReview(r), buyerExternalId: r.buyer_external_id }) };
        },
      });
      return true;
    });
  }

  // ── group buys ───────────────────────────────────────────────────────────────────────────────
  /** A group buy by the platform's id; `opened` when this write made it open (new, or reopened). */
  async upsertGroupBuy(
    shopId: ShopId,
    externalId: string,
    input: GroupBuyInput,
    now: number,
    /** Runs in the write's transaction when the group buy opens (new and open, or reopened). */
    whenOpened?: (trx: Kysely<Database>, groupBuy: StoredGroupBuy) => Promise<void>,
  ): Promise<{ outcome: UpsertOutcome; groupBuy: StoredGroupBuy; opened: boolean }> {
    return onceMoreIfRaced(() =>
      this.db.transaction().execute(async (trx) => {
        const row = await trx
          .selectFrom('group_buys')
          .selectAll()
          .where('shop_id', '=', shopId)
          .where('external_id', '=', externalId)
          .executeTakeFirst();
        const values = {
          product_id: input.productId,
          title: input.title,
          price_cents: input.priceCents,
          ends_at: input.endsAt,
          status: input.status,
          updated_at: now,
        };
        if (!row) {
          const full = {
            id: this.newId(),
            shop_id: shopId,
            external_id: externalId,
            created_at: now,
            ...values,
          };
          await trx.insertInto('group_buys').values(full).execute();
          const groupBuy = toGroupBuy(full);
          const opened = input.status === 'open';
          if (opened) await whenOpened?.(trx, groupBuy);
          return { outcome: 'created' as const, groupBuy, opened };
        }
        const before = toGroupBuy(row);
        const same =
          before.productId === input.productId &&
          before.title === input.title &&
          before.priceCents === input.priceCents &&
          before.endsAt === input.endsAt &&
          before.status === input.status;
        if (same) return { outcome: 'unchanged' as const, groupBuy: before, opened: false };
        await trx.updateTable('group_buys').set(values).where('id', '=', row.id).execute();
        const groupBuy = toGroupBuy({ ...row, ...values });
        const opened = before.status === 'closed' && input.status === 'open';
        if (opened) await whenOpened?.(trx, groupBuy);
        return { outcome: 'updated' as const, groupBuy, opened };
      }),
    );
  }

  async findGroupBuy(shopId: ShopId, externalId: string): Promise<StoredGroupBuy | undefined> {
    const r = await this.db
      .selectFrom('group_buys')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('external_id', '=', externalId)
      .executeTakeFirst();
    return r && toGroupBuy(r);
  }

  /** The shop's open group buys not yet over, the latest first. */
  async openGroupBuys(shopId: ShopId, now: number, limit: number): Promise<StoredGroupBuy[]> {
    const rows = await this.db
      .selectFrom('group_buys')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('status', '=', 'open')
      .where('ends_at', '>', now)
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toGroupBuy);
  }

  async groupBuyPage(shopId: ShopId, after: string | null, limit: number): Promise<StoredGroupBuy[]> {
    let q = this.db.selectFrom('group_buys').selectAll().where('shop_id', '=', shopId);
    if (after !== null) q = q.where('external_id', '>', after);
    const rows = await q.orderBy('external_id').limit(limit).execute();
    return rows.map(toGroupBuy);
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A review as the v1 API and its webhooks show it. */
export function reviewOut(r: ReviewWithBuyer) {
  return {
    externalId: r.externalId,
    buyerExternalId: r.buyerExternalId,
    orderExternalId: r.orderId,
    productExternalId: r.productId,
    rating: r.rating,
    text: r.text,
    postedAt: iso(r.postedAt),
    reply: r.reply ? { text: r.reply.text, repliedAt: iso(r.reply.at), agentId: r.reply.agentId } : null,
    updatedAt: iso(r.updatedAt),
  };
}

export function groupBuyOut(g: StoredGroupBuy) {
  return {
    externalId: g.externalId,
    title: g.title,
    productExternalId: g.productId,
    priceCents: g.priceCents,
    endsAt: iso(g.endsAt),
    status: g.status,
    updatedAt: iso(g.updatedAt),
  };
}
