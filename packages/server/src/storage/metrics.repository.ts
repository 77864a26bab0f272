import {
  applyMessage,
  bucketOf,
  DEFAULT_METRICS_SETTINGS,
  RESPONSE_BUCKETS_MS,
  touchedDays,
  type AgentScore,
  type BuyerDay,
  type BuyerDayFacts,
  type ConversationTiming,
  type DayCounts,
  type DaySpan,
  type MetricMessage,
  type MetricsSettings,
  type ResponseBuckets,
  type ResponseSample,
  type ShopId,
} from '@xiaoer/core';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema';
import { staleRollupDays } from './metric-rollups';
import { buyerExternalIdIn } from './order.repository';
import type { WebhookRepository } from './webhook.repository';
import { chunks } from './chunks';

type Db = Kysely<Database> | Transaction<Database>;

const toBuyerDay = (r: Database['metric_buyer_days']): BuyerDay => ({
  day: r.day,
  buyerId: r.buyer_id,
  conversationId: r.conversation_id,
  firstAt: Number(r.first_at),
  windowAt: r.window_at === null ? null : Number(r.window_at),
  repliedAt: r.replied_at === null ? null : Number(r.replied_at),
  repliedBy: r.replied_by,
});

const buyerDayRow = (shopId: string, r: BuyerDay): Database['metric_buyer_days'] => ({
  shop_id: shopId,
  day: r.day,
  buyer_id: r.buyerId,
  conversation_id: r.conversationId,
  first_at: r.firstAt,
  window_at: r.windowAt,
  replied_at: r.repliedAt,
  replied_by: r.repliedBy,
});

/** A buyer-day roll-up as the figures need it: with spam, segment, agent and payment (MET-1 … MET-6). */
export interface FactsQuery {
  shopId: ShopId;
  from: string;
  to: string;
  /** MET-3: a payment until this (ms) converts a buyer of day `d` when it is before `attributionEnd(d)`. */
  attributionEnd: (day: string) => number;
}

/** The stored metric roll-ups (MET-1 … MET-7) and their settings. */
export class MetricsRepository {
  constructor(
    private readonly db: Kysely<Database>,
    /** Issue #16: `rating.created` for the shop's webhooks, written with the rating. */
    private readonly outbox?: WebhookRepository,
  ) {}

  async settings(shopId: ShopId): Promise<MetricsSettings> {
    const row = await this.db
      .selectFrom('shops')
      .select('metrics_settings')
      .where('id', '=', shopId)
      .executeTakeFirst();
    return row?.metrics_settings
      ? { ...DEFAULT_METRICS_SETTINGS, ...(JSON.parse(row.metrics_settings) as Partial<MetricsSettings>) }
      : DEFAULT_METRICS_SETTINGS;
  }

  async saveSettings(shopId: ShopId, settings: MetricsSettings): Promise<void> {
    await this.db
      .updateTable('shops')
      .set({ metrics_settings: JSON.stringify(settings) })
      .where('id', '=', shopId)
      .execute();
  }

  /** Applies one message to the roll-ups, in one transaction (the live path). */
  async apply(shopId: ShopId, m: MetricMessage, settings: MetricsSettings, timeZone: string): Promise<void> {
    await this.applyBatch(shopId, [m], settings, timeZone);
  }

  /**
   * Applies messages in their order in one transaction: each row and timing is read once, moved
   * through every message that touches it, and written once (the live path under load).
   */
  async applyBatch(
    shopId: ShopId,
    messages: readonly MetricMessage[],
    settings: MetricsSettings,
    timeZone: string,
  ): Promise<void> {
    if (messages.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      const rows = new Map<string, BuyerDay | null>();
      const timings = new Map<string, ConversationTiming | null>();
      // As stored: a timing is written back only when it changed, or to keep its `updated_at`
      // (what prune reads, by days) within an hour: not once per message (issue #20).
      const stored = new Map<string, { timing: ConversationTiming; updatedAt: number }>();
      const dirtyRows = new Set<string>();
      const dirtyTimings = new Map<string, number>();
      const samples: ResponseSample[] = [];
      // Every row and timing the batch touches, read up front: two queries a batch (in chunks),
      // not two a message (issue #20: they were most of the SQL per message under load).
      const daysOf = messages.map((m) => touchedDays(m, timeZone));
      const pairs = new Map<string, { buyerId: string; day: string }>();
      messages.forEach((m, i) => {
        for (const day of daysOf[i]!) pairs.set(`${day}|${m.buyerId}`, { buyerId: m.buyerId, day });
      });
      for (const key of pairs.keys()) rows.set(key, null);
      for (const chunk of chunks([...pairs.values()])) {
        const found = await trx
          .selectFrom('metric_buyer_days')
          .selectAll()
          .where('shop_id', '=', shopId)
          .where('buyer_id', 'in', [...new Set(chunk.map((p) => p.buyerId))])
          .where('day', 'in', [...new Set(chunk.map((p) => p.day))])
          .execute();
        // The query reads every day for every buyer of the chunk: only the pairs asked for count.
        for (const r of found) {
          const key = `${r.day}|${r.buyer_id}`;
          if (pairs.has(key)) rows.set(key, toBuyerDay(r));
        }
      }
      const conversationIds = [...new Set(messages.map((m) => m.conversationId))];
      for (const id of conversationIds) timings.set(id, null);
      for (const chunk of chunks(conversationIds)) {
        const found = await trx
          .selectFrom('metric_timings')
          .selectAll()
          .where('conversation_id', 'in', chunk)
          .execute();
        for (const t of found) {
          const timing = {
            conversationId: t.conversation_id,
            firstBuyerAt: t.first_buyer_at === null ? null : Number(t.first_buyer_at),
            firstReplyAt: t.first_reply_at === null ? null : Number(t.first_reply_at),
            waitingSince: t.waiting_since === null ? null : Number(t.waiting_since),
          };
          timings.set(t.conversation_id, timing);
          stored.set(t.conversation_id, { timing, updatedAt: Number(t.updated_at) });
        }
      }
      for (const [i, m] of messages.entries()) {
        const days = daysOf[i]!;
        const touched = days.flatMap((d) => rows.get(`${d}|${m.buyerId}`) ?? []);
        const effect = applyMessage(
          m,
          touched,
          timings.get(m.conversationId) ?? undefined,
          settings,
          timeZone,
        );
        for (const r of effect.buyerDays) {
          const key = `${r.day}|${r.buyerId}`;
          rows.set(key, r);
          dirtyRows.add(key);
        }
        timings.set(m.conversationId, effect.timing);
        dirtyTimings.set(m.conversationId, m.at);
        if (effect.response) samples.push(effect.response);
      }
      for (const key of dirtyRows) await upsertBuyerDay(trx, shopId, rows.get(key)!);
      for (const [conversationId, at] of dirtyTimings) {
        const timing = timings.get(conversationId)!;
        const before = stored.get(conversationId);
        if (
          before &&
          at - before.updatedAt < TIMING_TOUCH_MS &&
          before.timing.firstBuyerAt === timing.firstBuyerAt &&
          before.timing.firstReplyAt === timing.firstReplyAt &&
          before.timing.waitingSince === timing.waitingSince
        )
          continue;
        await upsertTiming(trx, shopId, timing, at);
      }
      await addResponses(trx, shopId, samples);
      // Issue #20: a message for a closed day (stored late, or a reply to a turn days old) makes
      // that day's trend roll-up stale, in the same transaction.
      await staleRollupDays(trx, shopId, [
        ...[...dirtyRows].map((key) => rows.get(key)!.day),
        ...samples.map((s) => s.day),
      ]);
    });
  }

  /**
   * The last message (time, then id) the shop's latest rebuild read: kept in the database so every
   * node, and the CLI, skip what a rebuild has already counted.
   */
  async rebuildMark(shopId: ShopId): Promise<{ at: number; id: string } | undefined> {
    const row = await this.db
      .selectFrom('kv')
      .select('value')
      .where('key', '=', `metrics-rebuilt:${shopId}`)
      .executeTakeFirst();
    return row ? (JSON.parse(row.value) as { at: number; id: string }) : undefined;
  }

  async setRebuildMark(shopId: ShopId, mark: { at: number; id: string }): Promise<void> {
    const value = JSON.stringify(mark);
    await this.db
      .insertInto('kv')
      .values({ key: `metrics-rebuilt:${shopId}`, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();
  }

  /**
   * Recomputes every roll-up of a shop from its messages (the rebuild command): the same
   * transitions as the live path, in memory, then written in batches.
   */
  async rebuild(
    shopId: ShopId,
    settings: MetricsSettings,
    timeZone: string,
  ): Promise<{ messages: number; last?: { at: number; id: string } }> {
    const rows = new Map<string, BuyerDay>();
    const timings = new Map<string, ConversationTiming>();
    const samples: ResponseSample[] = [];
    /** Each conversation's last message: its timing's `updated_at`, as on the live path. */
    const lastAt = new Map<string, number>();
    let messages = 0;
    let after: { at: number; id: string } | undefined;
    for (;;) {
      let q = this.db
        .selectFrom('messages')
        .innerJoin('conversations', 'conversations.id', 'messages.conversation_id')
        .select([
          'messages.id as id',
          'messages.conversation_id as conversation_id',
          'messages.sender as sender',
          'messages.sender_id as sender_id',
          'messages.kind as kind',
          // The bot's texts are read for the holding mark (issue #15); no one else's bodies.
          sql<
            string | null
          >`case when messages.sender = 'bot' and messages.kind = 'text' then messages.body end`.as(
            'bot_body',
          ),
          'messages.created_at as created_at',
          'conversations.buyer_id as buyer_id',
        ])
        .where('messages.shop_id', '=', shopId)
        .where('messages.sender', 'in', ['buyer', 'agent', 'bot']);
      if (after) {
        const a = after;
        q = q.where((eb) =>
          eb.or([
            eb('messages.created_at', '>', a.at),
            eb.and([eb('messages.created_at', '=', a.at), eb('messages.id', '>', a.id)]),
          ]),
        );
      }
      const page = await q.orderBy('messages.created_at').orderBy('messages.id').limit(5000).execute();
      if (page.length === 0) break;
      for (const r of page) {
        const m: MetricMessage = {
          conversationId: r.conversation_id,
          buyerId: r.buyer_id,
          sender: r.sender as MetricMessage['sender'],
          agentId: r.sender === 'agent' ? r.sender_id : null,
          at: Number(r.created_at),
          ...(r.bot_body && (JSON.parse(r.bot_body) as { holding?: boolean }).holding
            ? { holding: true }
            : {}),
        };
        const touched = touchedDays(m, timeZone).flatMap((d) => rows.get(`${d}|${m.buyerId}`) ?? []);
        const effect = applyMessage(m, touched, timings.get(m.conversationId), settings, timeZone);
        for (const b of effect.buyerDays) rows.set(`${b.day}|${b.buyerId}`, b);
        timings.set(m.conversationId, effect.timing);
        lastAt.set(m.conversationId, m.at);
        if (effect.response) samples.push(effect.response);
        messages++;
      }
      const last = page[page.length - 1]!;
      after = { at: Number(last.created_at), id: last.id };
    }
    await this.db.transaction().execute(async (trx) => {
      for (const table of [
        'metric_buyer_days',
        'metric_timings',
        'metric_responses',
        'metric_range_days',
      ] as const)
        await trx.deleteFrom(table).where('shop_id', '=', shopId).execute();
      const all = [...rows.values()].map((r) => buyerDayRow(shopId, r));
      for (const part of chunks(all)) await trx.insertInto('metric_buyer_days').values(part).execute();
      const ts = [...timings.values()].map((t) => ({
        conversation_id: t.conversationId,
        shop_id: shopId,
        first_buyer_at: t.firstBuyerAt,
        first_reply_at: t.firstReplyAt,
        waiting_since: t.waitingSince,
        updated_at: lastAt.get(t.conversationId)!,
      }));
      for (const part of chunks(ts)) await trx.insertInto('metric_timings').values(part).execute();
      await addResponses(trx, shopId, samples);
    });
    return after ? { messages, last: after } : { messages };
  }

  /** The buyer-day roll-ups of [from, to] with spam, segment, agent and conversion joined. */
  async facts(q: FactsQuery): Promise<BuyerDayFacts[]> {
    const rows = await this.db
      .selectFrom('metric_buyer_days as d')
      .leftJoin('conversations as c', 'c.id', 'd.conversation_id')
      .selectAll('d')
      .select(['c.status as status', 'c.spam_reason as spam_reason', 'c.agent_id as agent_id'])
      .where('d.shop_id', '=', q.shopId)
      .where('d.day', '>=', q.from)
      .where('d.day', '<=', q.to)
      .execute();
    const buyers = [...new Set(rows.map((r) => r.buyer_id))];
    const paid = new Map<string, number[]>();
    for (const part of chunks(buyers)) {
      const orders = await this.db
        .selectFrom('orders')
        .select(['buyer_id', 'paid_at'])
        .where('shop_id', '=', q.shopId)
        .where('buyer_id', 'in', part)
        .where('paid_at', 'is not', null)
        .execute();
      for (const o of orders) {
        const list = paid.get(o.buyer_id) ?? [];
        list.push(Number(o.paid_at));
        paid.set(o.buyer_id, list);
      }
    }
    return rows.map((r) => {
      const b = toBuyerDay(r);
      const payments = paid.get(r.buyer_id) ?? [];
      const end = q.attributionEnd(r.day);
      const converted = payments.filter((t) => t >= b.firstAt && t < end).sort((x, y) => x - y)[0];
      return {
        ...b,
        // SPAM-1: set aside and not released.
        spam: r.status === 'spam' || (r.spam_reason !== null && r.spam_reason !== undefined),
        segment: payments.some((t) => t < b.firstAt) ? 'after' : 'pre',
        agentId: r.agent_id ?? null,
        paidAt: converted ?? null,
      };
    });
  }

  /** MET-4: the response buckets of [from, to], per day, responder and first-ness. */
  async responses(shopId: ShopId, from: string, to: string): Promise<(ResponseBuckets & { day: string })[]> {
    const rows = await this.db
      .selectFrom('metric_responses')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('day', '>=', from)
      .where('day', '<=', to)
      .execute();
    const out = new Map<string, ResponseBuckets & { day: string }>();
    for (const r of rows) {
      const k = `${r.day}|${r.responder}|${r.first}`;
      const b = out.get(k) ?? {
        day: r.day,
        responder: r.responder,
        first: Number(r.first) === 1,
        counts: new Array<number>(RESPONSE_BUCKETS_MS.length + 1).fill(0),
        sumMs: 0,
      };
      b.counts[Number(r.bucket)] = (b.counts[Number(r.bucket)] ?? 0) + Number(r.count);
      b.sumMs += Number(r.sum_ms);
      out.set(k, b);
    }
    return [...out.values()];
  }

  /** Issue #20: the trend roll-ups of [from, to] counted under `basis` (stale and unfinished ones left out). */
  async rollups(shopId: ShopId, from: string, to: string, basis: string): Promise<Map<string, DayCounts>> {
    const rows = await this.db
      .selectFrom('metric_range_days')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('day', '>=', from)
      .where('day', '<=', to)
      .where('basis', '=', basis)
      .execute();
    const out = new Map<string, DayCounts>();
    for (const r of rows)
      if (r.consultations !== null)
        out.set(r.day, {
          consultations: Number(r.consultations),
          inquiries: Number(r.inquiries),
          replied: Number(r.replied),
          pending: 0,
          converted: Number(r.converted),
          responses: Number(r.responses),
          responseMs: Number(r.response_ms),
        });
    return out;
  }

  /**
   * Issue #20: claims the closed days a reader is about to count: each row gets the day's spans
   * under the current settings, no counts and a new version (returned), so a late change from here
   * on moves the version and the count read before it is not stored.
   */
  async claimRollups(shopId: ShopId, spans: readonly DaySpan[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const part of chunks(spans)) {
      const rows = await this.db
        .insertInto('metric_range_days')
        .values(
          part.map((s) => ({
            shop_id: shopId,
            day: s.day,
            version: 1,
            basis: null,
            day_start: s.start,
            day_end: s.end,
            attribution_end: s.attributionEnd,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['shop_id', 'day']).doUpdateSet((eb) => ({
            version: eb('metric_range_days.version', '+', 1),
            basis: null,
            day_start: eb.ref('excluded.day_start'),
            day_end: eb.ref('excluded.day_end'),
            attribution_end: eb.ref('excluded.attribution_end'),
          })),
        )
        .returning(['day', 'version'])
        .execute();
      for (const r of rows) out.set(r.day, Number(r.version));
    }
    return out;
  }

  /**
   * Issue #20: stores claimed days' counts under `basis`, each only if its version has not moved
   * since the claim (nothing late arrived meanwhile); returns how many were stored.
   */
  async storeRollups(
    shopId: ShopId,
    basis: string,
    days: readonly { day: string; version: number; counts: DayCounts }[],
  ): Promise<number> {
    if (days.length === 0) return 0;
    return this.db.transaction().execute(async (trx) => {
      let stored = 0;
      for (const { day, version, counts } of days) {
        const res = await trx
          .updateTable('metric_range_days')
          .set({
            basis,
            consultations: counts.consultations,
            inquiries: counts.inquiries,
            replied: counts.replied,
            converted: counts.converted,
            responses: counts.responses,
            response_ms: counts.responseMs,
          })
          .where('shop_id', '=', shopId)
          .where('day', '=', day)
          .where('version', '=', version)
          .executeTakeFirst();
        stored += Number(res.numUpdatedRows);
      }
      return stored;
    });
  }

  /** MET-6: the buyers' ratings of [from, to]. */
  async ratings(shopId: ShopId, from: string, to: string): Promise<(AgentScore & { day: string })[]> {
    const rows = await this.db
      .selectFrom('conversation_ratings')
      .select(['agent_id', 'score', 'day'])
      .where('shop_id', '=', shopId)
      .where('day', '>=', from)
      .where('day', '<=', to)
      .execute();
    return rows.map((r) => ({ agentId: r.agent_id ?? '', score: Number(r.score), day: r.day }));
  }

  /** MET-7: the spot-check scores of [from, to] (each review's mean of its three marks). */
  async reviews(shopId: ShopId, from: string, to: string): Promise<(AgentScore & { day: string })[]> {
    const rows = await this.db
      .selectFrom('quality_reviews')
      .select(['agent_id', 'attitude', 'accuracy', 'compliance', 'day'])
      .where('shop_id', '=', shopId)
      .where('day', '>=', from)
      .where('day', '<=', to)
      .execute();
    return rows.map((r) => ({
      agentId: r.agent_id,
      score: (Number(r.attitude) + Number(r.accuracy) + Number(r.compliance)) / 3,
      day: r.day,
    }));
  }

  async insertRating(row: Database['conversation_ratings']): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const res = await trx
        .insertInto('conversation_ratings')
        .values(row)
        .onConflict((oc) => oc.column('conversation_id').doNothing())
        .executeTakeFirst();
      if (Number(res.numInsertedOrUpdatedRows ?? 0) === 0) return false;
      await this.outbox?.enqueueIn(trx, {
        shopId: row.shop_id as ShopId,
        type: 'rating.created',
        orderKey: `conversation:${row.conversation_id}`,
        at: row.created_at,
        data: async (t) => ({
          rating: {
            conversationId: row.conversation_id,
            buyer: { id: row.buyer_id, externalId: await buyerExternalIdIn(t, row.buyer_id) },
            agentId: row.agent_id,
            score: row.score,
            comment: row.comment,
            createdAt: new Date(row.created_at).toISOString(),
          },
        }),
      });
      return true;
    });
  }

  async saveReview(row: Database['quality_reviews']): Promise<void> {
    await this.db
      .insertInto('quality_reviews')
      .values(row)
      .onConflict((oc) =>
        oc.column('conversation_id').doUpdateSet({
          reviewer_id: row.reviewer_id,
          attitude: row.attitude,
          accuracy: row.accuracy,
          compliance: row.compliance,
          solved: row.solved,
          note: row.note,
          created_at: row.created_at,
        }),
      )
      .execute();
  }

  async reviewedIds(shopId: ShopId, conversationIds: string[]): Promise<Set<string>> {
    if (conversationIds.length === 0) return new Set();
    const rows = await this.db
      .selectFrom('quality_reviews')
      .select('conversation_id')
      .where('shop_id', '=', shopId)
      .where('conversation_id', 'in', conversationIds)
      .execute();
    return new Set(rows.map((r) => r.conversation_id));
  }

  /** Drops the per-conversation timing state not touched since `before` (the raw events). */
  async prune(shopId: ShopId, before: number): Promise<number> {
    const res = await this.db
      .deleteFrom('metric_timings')
      .where('shop_id', '=', shopId)
      .where('updated_at', '<', before)
      .executeTakeFirst();
    return Number(res.numDeletedRows ?? 0);
  }
}

/** How stale a timing's `updated_at` may get before an unchanged timing is written anyway. */
const TIMING_TOUCH_MS = 3_600_000;

async function upsertBuyerDay(db: Db, shopId: string, r: BuyerDay): Promise<void> {
  const row = buyerDayRow(shopId, r);
  await db
    .insertInto('metric_buyer_days')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['shop_id', 'day', 'buyer_id']).doUpdateSet({
        window_at: row.window_at,
        replied_at: row.replied_at,
        replied_by: row.replied_by,
      }),
    )
    .execute();
}

async function upsertTiming(db: Db, shopId: string, t: ConversationTiming, at: number): Promise<void> {
  const row = {
    conversation_id: t.conversationId,
    shop_id: shopId,
    first_buyer_at: t.firstBuyerAt,
    first_reply_at: t.firstReplyAt,
    waiting_since: t.waitingSince,
    updated_at: at,
  };
  await db
    .insertInto('metric_timings')
    .values(row)
    .onConflict((oc) =>
      oc.column('conversation_id').doUpdateSet({
        first_buyer_at: row.first_buyer_at,
        first_reply_at: row.first_reply_at,
        waiting_since: row.waiting_since,
        updated_at: row.updated_at,
      }),
    )
    .execute();
}

async function addResponses(db: Db, shopId: string, samples: readonly ResponseSample[]): Promise<void> {
  // Summed per key first, so a rebuild writes each bucket once.
  const sums = new Map<
    string,
    { day: string; responder: string; first: number; bucket: number; count: number; sum: number }
  >();
  for (const s of samples) {
    const bucket = bucketOf(s.ms);
    const k = `${s.day}|${s.responder}|${s.first ? 1 : 0}|${bucket}`;
    const e = sums.get(k) ?? {
      day: s.day,
      responder: s.responder,
      first: s.first ? 1 : 0,
      bucket,
      count: 0,
      sum: 0,
    };
    e.count++;
    e.sum += s.ms;
    sums.set(k, e);
  }
  for (const e of sums.values())
    await db
      .insertInto('metric_responses')
      .values({
        shop_id: shopId,
        day: e.day,
        responder: e.responder,
        first: e.first,
        bucket: e.bucket,
        count: e.count,
        sum_ms: e.sum,
      })
      .onConflict((oc) =>
        oc.columns(['shop_id', 'day', 'responder', 'first', 'bucket']).doUpdateSet((eb) => ({
          count: eb('metric_responses.count', '+', e.count),
          sum_ms: eb('metric_responses.sum_ms', '+', e.sum),
        })),
      )
      .execute();
}
