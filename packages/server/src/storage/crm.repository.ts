import type { JourneyCoupon, LoyaltyLadder, LogisticsWatchSettings, SegmentBounds } from '@xiaoer/core';
import type { ExpressionBuilder, Kysely, Selectable } from 'kysely';
import type { ShopId } from '@xiaoer/core';
import { buyerExternalIdIn } from './order.repository';
import type { BuyerNotesTable, Database } from './schema';
import type { WebhookRepository } from './webhook.repository';

const toNote = (r: Selectable<BuyerNotesTable>): BuyerNote => ({
  id: r.id,
  buyerId: r.buyer_id,
  text: r.text,
  authorId: r.author_id,
  authorName: r.author_name,
  createdAt: Number(r.created_at),
});

/** CRM-1: where a tag came from. */
export type TagSource = 'agent' | 'api' | 'accepted';

export interface BuyerTag {
  tag: string;
  source: TagSource;
  addedBy: string | null;
  createdAt: number;
}

export interface BuyerNote {
  id: string;
  buyerId: string;
  text: string;
  authorId: string;
  authorName: string;
  createdAt: number;
}

export interface Coupon extends JourneyCoupon {
  id: string;
  shopId: string;
  buyerId: string;
  expiresAt: number;
  source: 'journey' | 'aftersales';
  sourceKey: string;
  usedOrderId: string | null;
  createdAt: number;
}

/** A shop's CRM settings; a missing part means the defaults. */
export interface CrmSettings {
  loyalty?: LoyaltyLadder;
  logistics?: LogisticsWatchSettings;
}

/** CRM-1: a buyer in a segment, with what the segment was tested on. */
export interface SegmentRow {
  buyerId: string;
  externalId: string | null;
  nick: string;
  tags: string[];
  spentCents: number;
  /** Paid orders not closed (as loyalty counts them). */
  orders: number;
  /** The last order of any status. */
  lastOrderAt: number | null;
}

// A buyer's orders summed up as loyalty and segments count them: spend and count of the paid
// orders not closed, the last order of any status.
type OrdersEb = ExpressionBuilder<Database, 'orders'>;
const paidOpen = (eb: OrdersEb) => eb.and([eb('paid_at', 'is not', null), eb('status', '!=', 'closed')]);
const spentOf = (eb: OrdersEb) =>
  eb.fn.sum<number>(eb.case().when(paidOpen(eb)).then(eb.ref('total_cents')).else(0).end());
const paidOf = (eb: OrdersEb) => eb.fn.sum<number>(eb.case().when(paidOpen(eb)).then(1).else(0).end());
const lastOf = (eb: OrdersEb) => eb.fn.max('created_at');

/** Issue #21: the buyer's profile beyond orders (CRM-1 tags and notes), opt-outs, coupons, settings. */
export class CrmRepository {
  constructor(
    private readonly db: Kysely<Database>,
    /** `coupon.issued` goes out through the shop's webhooks, in the coupon's write. */
    private readonly outbox?: WebhookRepository,
  ) {}

  async tags(shopId: string, buyerId: string): Promise<BuyerTag[]> {
    const rows = await this.db
      .selectFrom('buyer_tags')
      .select(['tag', 'source', 'added_by', 'created_at'])
      .where('shop_id', '=', shopId)
      .where('buyer_id', '=', buyerId)
      .orderBy('created_at')
      .orderBy('tag')
      .execute();
    return rows.map((r) => ({
      tag: r.tag,
      source: r.source as TagSource,
      addedBy: r.added_by,
      createdAt: Number(r.created_at),
    }));
  }

  /** CRM-1: a suggested tag turned down for this buyer (false: it was already). */
  async dismissSuggestion(
    shopId: string,
    buyerId: string,
    tag: string,
    by: string,
    at: number,
  ): Promise<boolean> {
    const r = await this.db
      .insertInto('buyer_tag_dismissals')
      .values({ shop_id: shopId, buyer_id: buyerId, tag, dismissed_by: by, created_at: at })
      .onConflict((oc) => oc.columns(['shop_id', 'buyer_id', 'tag']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** The suggested tags turned down for this buyer. */
  async dismissedSuggestions(shopId: string, buyerId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('buyer_tag_dismissals')
      .select('tag')
      .where('shop_id', '=', shopId)
      .where('buyer_id', '=', buyerId)
      .execute();
    return rows.map((r) => r.tag);
  }

  /** The tags of many buyers at once (segments over an audience). */
  async tagsOf(shopId: string, buyerIds: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    for (let i = 0; i < buyerIds.length; i += 500) {
      const rows = await this.db
        .selectFrom('buyer_tags')
        .select(['buyer_id', 'tag'])
        .where('shop_id', '=', shopId)
        .where('buyer_id', 'in', buyerIds.slice(i, i + 500))
        .execute();
      for (const r of rows) {
        const list = out.get(r.buyer_id) ?? [];
        list.push(r.tag);
        out.set(r.buyer_id, list);
      }
    }
    return out;
  }

  /** Adds a tag (kept as first added when it is there already); true when it is new. */
  async addTag(
    shopId: string,
    buyerId: string,
    tag: string,
    source: TagSource,
    by: string | null,
    at: number,
  ): Promise<boolean> {
    const r = await this.db
      .insertInto('buyer_tags')
      .values({ shop_id: shopId, buyer_id: buyerId, tag, source, added_by: by, created_at: at })
      .onConflict((oc) => oc.columns(['shop_id', 'buyer_id', 'tag']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async removeTag(shopId: string, buyerId: string, tag: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('buyer_tags')
      .where('shop_id', '=', shopId)
      .where('buyer_id', '=', buyerId)
      .where('tag', '=', tag)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** The shop's tags with how many buyers carry each, most used first (for suggestions and segments). */
  async tagCounts(shopId: string, limit = 200): Promise<{ tag: string; buyers: number }[]> {
    const rows = await this.db
      .selectFrom('buyer_tags')
      .select(['tag', (eb) => eb.fn.countAll<number>().as('n')])
      .where('shop_id', '=', shopId)
      .groupBy('tag')
      .orderBy('n', 'desc')
      .orderBy('tag')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ tag: r.tag, buyers: Number(r.n) }));
  }

  async notes(shopId: string, buyerId: string, limit = 50): Promise<BuyerNote[]> {
    const rows = await this.db
      .selectFrom('buyer_notes')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('buyer_id', '=', buyerId)
      .where('deleted_at', 'is', null)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toNote);
  }

  async addNote(shopId: string, note: BuyerNote): Promise<void> {
    await this.db
      .insertInto('buyer_notes')
      .values({
        id: note.id,
        shop_id: shopId,
        buyer_id: note.buyerId,
        text: note.text,
        author_id: note.authorId,
        author_name: note.authorName,
        created_at: note.createdAt,
        deleted_at: null,
      })
      .execute();
  }

  /** Deletes a note (its author, or a supervisor: the caller decides); false when there was none. */
  async deleteNote(shopId: string, buyerId: string, id: string, at: number): Promise<boolean> {
    const r = await this.db
      .updateTable('buyer_notes')
      .set({ deleted_at: at })
      .where('shop_id', '=', shopId)
      .where('buyer_id', '=', buyerId)
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async findNote(shopId: string, buyerId: string, id: string): Promise<BuyerNote | undefined> {
    const r = await this.db
      .selectFrom('buyer_notes')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('buyer_id', '=', buyerId)
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return r && toNote(r);
  }

  /** The buyer asked for no more proactive messages (CMP-6); kept as first told. */
  async optOut(
    shopId: string,
    buyerId: string,
    source: 'buyer' | 'agent' | 'api',
    at: number,
  ): Promise<void> {
    await this.db
      .insertInto('crm_optouts')
      .values({ shop_id: shopId, buyer_id: buyerId, at, source })
      .onConflict((oc) => oc.columns(['shop_id', 'buyer_id']).doNothing())
      .execute();
  }

  async optIn(shopId: string, buyerId: string): Promise<void> {
    await this.db
      .deleteFrom('crm_optouts')
      .where('shop_id', '=', shopId)
      .where('buyer_id', '=', buyerId)
      .execute();
  }

  async optedOut(shopId: string, buyerId: string): Promise<boolean> {
    const r = await this.db
      .selectFrom('crm_optouts')
      .select('at')
      .where('shop_id', '=', shopId)
      .where('buyer_id', '=', buyerId)
      .executeTakeFirst();
    return r !== undefined;
  }

  /**
   * Gives a coupon once per source key (a step re-run gives none); returns the stored one. A new
   * coupon is announced (`coupon.issued`) in the same write, for the connector to create it on the
   * platform.
   */
  async issueCoupon(c: Omit<Coupon, 'usedOrderId'>): Promise<Coupon> {
    await this.db.transaction().execute(async (trx) => {
      const made = await trx
        .insertInto('coupons')
        .values({
          id: c.id,
          shop_id: c.shopId,
          buyer_id: c.buyerId,
          amount_cents: c.amountCents,
          min_spend_cents: c.minSpendCents,
          expires_at: c.expiresAt,
          source: c.source,
          source_key: c.sourceKey,
          used_order_id: null,
          created_at: c.createdAt,
        })
        .onConflict((oc) => oc.column('source_key').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!made) return;
      const iso = (ms: number) => new Date(ms).toISOString();
      await this.outbox?.enqueueIn(trx, {
        shopId: c.shopId as ShopId,
        type: 'coupon.issued',
        orderKey: `coupon:${c.buyerId}`,
        at: c.createdAt,
        data: async (t) => ({
          coupon: {
            id: c.id,
            buyerExternalId: await buyerExternalIdIn(t, c.buyerId),
            amountCents: c.amountCents,
            minSpendCents: c.minSpendCents,
            expiresAt: iso(c.expiresAt),
            source: c.source,
            createdAt: iso(c.createdAt),
          },
        }),
      });
    });
    const r = await this.db
      .selectFrom('coupons')
      .selectAll()
      .where('shop_id', '=', c.shopId)
      .where('source_key', '=', c.sourceKey)
      .executeTakeFirstOrThrow();
    return {
      id: r.id,
      shopId: r.shop_id,
      buyerId: r.buyer_id,
      amountCents: Number(r.amount_cents),
      minSpendCents: Number(r.min_spend_cents),
      validDays: Math.round((Number(r.expires_at) - Number(r.created_at)) / 86_400_000),
      expiresAt: Number(r.expires_at),
      source: r.source as Coupon['source'],
      sourceKey: r.source_key,
      usedOrderId: r.used_order_id,
      createdAt: Number(r.created_at),
    };
  }

  /** CRM-2: whether the buyer reviewed an order. */
  async reviewed(shopId: string, buyerId: string, orderId: string): Promise<boolean> {
    const r = await this.db
      .selectFrom('reviews')
      .select('id')
      .where('shop_id', '=', shopId)
      .where('buyer_id', '=', buyerId)
      .where('order_id', '=', orderId)
      .executeTakeFirst();
    return r !== undefined;
  }

  /** CRM-3: records a flag once (its key); true when it is new. */
  async flagParcel(f: {
    key: string;
    shopId: string;
    orderId: string;
    buyerId: string;
    kind: 'stalled' | 'abnormal';
    since: number;
    event: string | null;
    issue: string;
    at: number;
  }): Promise<boolean> {
    const r = await this.db
      .insertInto('parcel_flags')
      .values({
        key: f.key,
        shop_id: f.shopId,
        order_id: f.orderId,
        buyer_id: f.buyerId,
        kind: f.kind,
        since: f.since,
        event: f.event,
        issue: f.issue,
        created_at: f.at,
        resolved_at: null,
      })
      .onConflict((oc) => oc.column('key').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** CRM-3: an order's parcel moved on (a new scan, delivered): its open flags are resolved. */
  async resolveParcelFlags(
    shopId: string,
    orderId: string,
    exceptKey: string | null,
    at: number,
  ): Promise<void> {
    let q = this.db
      .updateTable('parcel_flags')
      .set({ resolved_at: at })
      .where('shop_id', '=', shopId)
      .where('order_id', '=', orderId)
      .where('resolved_at', 'is', null);
    if (exceptKey) q = q.where('key', '!=', exceptKey);
    await q.execute();
  }

  /** CRM-3: the buyer's parcels flagged and not yet resolved, for the agent's sidebar. */
  async openParcelFlags(
    shopId: string,
    buyerId: string,
  ): Promise<{ orderId: string; kind: string; since: number; issue: string; at: number }[]> {
    const rows = await this.db
      .selectFrom('parcel_flags')
      .select(['order_id', 'kind', 'since', 'issue', 'created_at'])
      .where('shop_id', '=', shopId)
      .where('buyer_id', '=', buyerId)
      .where('resolved_at', 'is', null)
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map((r) => ({
      orderId: r.order_id,
      kind: r.kind,
      since: Number(r.since),
      issue: r.issue,
      at: Number(r.created_at),
    }));
  }

  async settings(shopId: string): Promise<CrmSettings> {
    const r = await this.db
      .selectFrom('crm_settings')
      .selectAll()
      .where('shop_id', '=', shopId)
      .executeTakeFirst();
    const out: CrmSettings = {};
    if (r?.loyalty) out.loyalty = JSON.parse(r.loyalty) as LoyaltyLadder;
    if (r?.logistics) out.logistics = JSON.parse(r.logistics) as LogisticsWatchSettings;
    return out;
  }

  async saveSettings(shopId: string, s: CrmSettings, at: number): Promise<void> {
    const values = {
      loyalty: s.loyalty ? JSON.stringify(s.loyalty) : null,
      logistics: s.logistics ? JSON.stringify(s.logistics) : null,
      updated_at: at,
    };
    await this.db
      .insertInto('crm_settings')
      .values({ shop_id: shopId, ...values })
      .onConflict((oc) => oc.column('shop_id').doUpdateSet(values))
      .execute();
  }

  // ── CRM-1 segments, tested in the database ─────────────────────────────────────────────────
  private summed(shopId: string) {
    return this.db
      .selectFrom('orders')
      .select((eb) => ['buyer_id', spentOf(eb).as('spent'), paidOf(eb).as('paid'), lastOf(eb).as('last')])
      .where('shop_id', '=', shopId)
      .groupBy('buyer_id');
  }

  private taggedWith(shopId: string, tags: readonly string[]) {
    return this.db
      .selectFrom('buyer_tags')
      .select('buyer_id')
      .where('shop_id', '=', shopId)
      .where('tag', 'in', tags);
  }

  /** The shop's buyers who ordered and meet the bounds' order parts, as `summed` rows. */
  private summedWithin(shopId: string, b: SegmentBounds) {
    let q = this.summed(shopId);
    if (b.tags) q = q.where('buyer_id', 'in', this.taggedWith(shopId, b.tags));
    return q.having((eb) => {
      const all = [];
      if (b.minSpendCents !== undefined) all.push(eb(spentOf(eb), '>=', b.minSpendCents));
      if (b.lastOrderFrom !== undefined) all.push(eb(lastOf(eb), '>=', b.lastOrderFrom));
      if (b.lastOrderTo !== undefined) all.push(eb(lastOf(eb), '<=', b.lastOrderTo));
      if (b.tierReached)
        all.push(
          eb.or(
            b.tierReached.map((t) =>
              eb.or([eb(spentOf(eb), '>=', t.minSpendCents), eb(paidOf(eb), '>=', t.minOrders)]),
            ),
          ),
        );
      return eb.and(all);
    });
  }

  private buyersWithin(shopId: string, b: SegmentBounds) {
    let q = this.db.selectFrom('buyers').where('shop_id', '=', shopId);
    if (b.tags) q = q.where('id', 'in', this.taggedWith(shopId, b.tags));
    return q;
  }

  /**
   * A page of the shop's buyers in a segment, by id after `after`. The database tests the bounds:
   * from the orders summed per buyer when only buyers who ordered can be in it, else from the
   * buyers (by the tag index when tags are asked for).
   */
  async segmentPage(shopId: string, b: SegmentBounds, after: string, limit: number): Promise<SegmentRow[]> {
    if (b.empty) return [];
    let ids: string[];
    const sums = new Map<string, { spent: unknown; paid: unknown; last: unknown }>();
    if (b.ordersOnly) {
      const rows = await this.summedWithin(shopId, b)
        .where('buyer_id', '>', after)
        .orderBy('buyer_id')
        .limit(limit)
        .execute();
      for (const r of rows) sums.set(r.buyer_id, r);
      ids = rows.map((r) => r.buyer_id);
    } else {
      ids = (
        await this.buyersWithin(shopId, b)
          .select('id')
          .where('id', '>', after)
          .orderBy('id')
          .limit(limit)
          .execute()
      ).map((r) => r.id);
      if (ids.length > 0)
        for (const r of await this.summed(shopId).where('buyer_id', 'in', ids).execute())
          sums.set(r.buyer_id, r);
    }
    if (ids.length === 0) return [];
    const [buyers, tags] = await Promise.all([
      this.db
        .selectFrom('buyers')
        .select(['id', 'external_id', 'nick'])
        .where('shop_id', '=', shopId)
        .where('id', 'in', ids)
        .execute(),
      this.tagsOf(shopId, ids),
    ]);
    const byId = new Map(buyers.map((r) => [r.id, r]));
    const out: SegmentRow[] = [];
    for (const id of ids) {
      const buyer = byId.get(id);
      if (!buyer) continue;
      const sum = sums.get(id);
      out.push({
        buyerId: id,
        externalId: buyer.external_id,
        nick: buyer.nick,
        tags: tags.get(id) ?? [],
        spentCents: Number(sum?.spent ?? 0),
        orders: Number(sum?.paid ?? 0),
        lastOrderAt: sum?.last === null || sum?.last === undefined ? null : Number(sum.last),
      });
    }
    return out;
  }

  /** How many of the shop's buyers are in a segment: one count in the database. */
  async segmentCount(shopId: string, b: SegmentBounds): Promise<number> {
    if (b.empty) return 0;
    const row = b.ordersOnly
      ? await this.db
          .selectFrom(
            this.summedWithin(shopId, b)
              .where(
                'buyer_id',
                'in',
                this.db.selectFrom('buyers').select('id').where('shop_id', '=', shopId),
              )
              .as('s'),
          )
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      : await this.buyersWithin(shopId, b)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
