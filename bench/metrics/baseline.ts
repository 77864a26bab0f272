/**
 * The baseline of bench/metrics: a day's dashboard computed with no roll-ups, by scanning the raw
 * messages. It reads every message of the conversations that have a message in [from, to + 1]
 * (a reply after midnight still answers the day before; a conversation's earlier messages decide
 * whether a reply is its first), replays them in time order through the core's applyMessage, joins
 * spam, agent and payments from the conversations and orders as the roll-up reader does, and
 * hands the day's rows to the same dayMetrics. Ratings and spot checks are raw records in both
 * paths, read with the repository's readers; agent names and groups are settings.
 */
import {
  applyMessage,
  bucketOf,
  dayBounds,
  dayMetrics,
  RESPONSE_BUCKETS_MS,
  shiftDay,
  touchedDays,
  type BuyerDay,
  type BuyerDayFacts,
  type ConversationTiming,
  type DayMetrics,
  type MetricMessage,
  type ResponseBuckets,
  type ShopId,
} from '@xiaoer/core';
import type { TrendDay } from '../../packages/server/src/metrics/metrics.service';
import type { Storage } from '../../packages/server/src/storage';

/**
 * The figures of each day of [from, to] from the raw messages. `extras`: with ratings, spot
 * checks, agent names and groups, as the day view has them (the trend rows need none).
 */
export async function scanDays(
  storage: Storage,
  shopId: ShopId,
  from: string,
  to: string,
  now: number,
  extras: boolean,
): Promise<DayMetrics[]> {
  const db = storage.db.kysely;
  const [settings, shop] = await Promise.all([
    storage.metrics.settings(shopId),
    storage.shops.findShop(shopId),
  ]);
  const timeZone = shop?.timeZone ?? 'Asia/Shanghai';
  const start = dayBounds(from, timeZone).start;
  const end = dayBounds(shiftDay(to, 2, timeZone), timeZone).start;
  const messages = await db
    .selectFrom('messages as m')
    .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
    .select([
      'm.id as id',
      'm.conversation_id as conversation_id',
      'm.sender as sender',
      'm.sender_id as sender_id',
      'm.created_at as created_at',
      'c.buyer_id as buyer_id',
      'c.status as status',
      'c.spam_reason as spam_reason',
      'c.agent_id as agent_id',
    ])
    .where('m.shop_id', '=', shopId)
    .where('m.sender', 'in', ['buyer', 'agent', 'bot'])
    .where('m.conversation_id', 'in', (eb) =>
      eb
        .selectFrom('messages')
        .select('conversation_id')
        .where('shop_id', '=', shopId)
        .where('created_at', '>=', start)
        .where('created_at', '<', end),
    )
    .orderBy('m.created_at')
    .orderBy('m.id')
    .execute();

  // The replay: the core's transitions over the raw messages, in time order.
  const rows = new Map<string, BuyerDay>();
  const timings = new Map<string, ConversationTiming>();
  const conversations = new Map<string, { spam: boolean; agentId: string | null }>();
  const buckets = new Map<string, ResponseBuckets & { day: string }>();
  for (const r of messages) {
    const m: MetricMessage = {
      conversationId: r.conversation_id,
      buyerId: r.buyer_id,
      sender: r.sender as MetricMessage['sender'],
      agentId: r.sender === 'agent' ? r.sender_id : null,
      at: Number(r.created_at),
    };
    if (!conversations.has(m.conversationId))
      conversations.set(m.conversationId, {
        spam: r.status === 'spam' || r.spam_reason !== null,
        agentId: r.agent_id,
      });
    const touched = touchedDays(m, timeZone).flatMap((d) => rows.get(`${d}|${m.buyerId}`) ?? []);
    const effect = applyMessage(m, touched, timings.get(m.conversationId), settings, timeZone);
    for (const b of effect.buyerDays) rows.set(`${b.day}|${b.buyerId}`, b);
    timings.set(m.conversationId, effect.timing);
    const s = effect.response;
    if (s && s.day >= from && s.day <= to) {
      const k = `${s.day}|${s.responder}|${s.first}`;
      const b = buckets.get(k) ?? {
        day: s.day,
        responder: s.responder,
        first: s.first,
        counts: new Array<number>(RESPONSE_BUCKETS_MS.length + 1).fill(0),
        sumMs: 0,
      };
      b.counts[bucketOf(s.ms)]!++;
      b.sumMs += s.ms;
      buckets.set(k, b);
    }
  }

  // Spam, agent, segment and conversion, joined as the roll-up reader joins them.
  const days = [...rows.values()]
    .filter((r) => r.day >= from && r.day <= to)
    .sort((a, b) => (a.buyerId < b.buyerId ? -1 : a.buyerId > b.buyerId ? 1 : 0));
  const buyers = [...new Set(days.map((r) => r.buyerId))];
  const paid = new Map<string, number[]>();
  for (let i = 0; i < buyers.length; i += 500) {
    const orders = await db
      .selectFrom('orders')
      .select(['buyer_id', 'paid_at'])
      .where('shop_id', '=', shopId)
      .where('buyer_id', 'in', buyers.slice(i, i + 500))
      .where('paid_at', 'is not', null)
      .execute();
    for (const o of orders) paid.set(o.buyer_id, [...(paid.get(o.buyer_id) ?? []), Number(o.paid_at)]);
  }
  const facts: BuyerDayFacts[] = days.map((r) => {
    const c = conversations.get(r.conversationId);
    const payments = paid.get(r.buyerId) ?? [];
    const until = dayBounds(shiftDay(r.day, settings.attributionDays, timeZone), timeZone).start;
    const converted = payments.filter((t) => t >= r.firstAt && t < until).sort((x, y) => x - y)[0];
    return {
      ...r,
      spam: c?.spam ?? false,
      segment: payments.some((t) => t < r.firstAt) ? 'after' : 'pre',
      agentId: c?.agentId ?? null,
      paidAt: converted ?? null,
    };
  });

  const [ratings, reviews, agents, routing] = extras
    ? await Promise.all([
        storage.metrics.ratings(shopId, from, to),
        storage.metrics.reviews(shopId, from, to),
        storage.agents.listAgents(shopId),
        storage.shops.findRoutingSettings(shopId),
      ])
    : [[], [], [], undefined];
  const agentNames = new Map(agents.map((a) => [a.id as string, a.name]));
  const out: DayMetrics[] = [];
  for (let d = from; d <= to; d = shiftDay(d, 1, timeZone))
    out.push(
      dayMetrics({
        date: d,
        timeZone,
        settings,
        now,
        rows: facts.filter((r) => r.day === d),
        responses: [...buckets.values()].filter((b) => b.day === d),
        ratings: ratings.filter((r) => r.day === d),
        reviews: reviews.filter((r) => r.day === d),
        agentNames,
        ...(routing ? { groups: routing.groups } : {}),
      }),
    );
  return out;
}

/** A day's trend row, as MetricsService.range makes it. */
export function trendDay(f: DayMetrics): TrendDay {
  return {
    date: f.date,
    consultations: f.shop.consultations,
    inquiries: f.shop.inquiries,
    replyRate: f.shop.replyRate,
    avgResponseMs: f.shop.response.avgMs,
    conversionRate: f.shop.conversion.rate,
    provisional: f.shop.conversion.provisional,
  };
}
