/**
 * bench/metrics: one simulated year of one shop (bench/metrics/simulate.ts: about 1,000,000
 * buyer, agent and bot messages, plus a system message per conversation) on SQLite (a temporary
 * file), then the reply-metric figures (issue #6, MET-1 … MET-6) read from the roll-ups beside a
 * baseline that computes the same dashboard by scanning the raw messages (bench/metrics/baseline.ts).
 *
 * 1. Setup: the demo shop, then the year's buyers, conversations, messages, orders, ratings and
 *    spot checks bulk-inserted with Kysely (not a metrics figure).
 * 2. Rebuild: the year reaches the roll-ups through MetricsService.rebuild → MetricsRepository.rebuild
 *    (every raw message replayed in time order, the roll-ups rewritten) — the year through the
 *    live path one message at a time would not fit the bench's few minutes.
 * 3. Live path: the next BENCH_METRICS_LIVE messages (the days after the year) stored, then fed
 *    one by one to MetricsService.ingest (settings and shop read, one transaction per message,
 *    on top of the year's roll-ups), as the chat path does after storing a message.
 * 4. Dashboard: MetricsService.day for random days of the year and MetricsService.range over 30
 *    days, timed, beside the baseline for the same days; the figures must be equal (printed as
 *    agree / disagree), for the sampled days and for the days the live path filled.
 * 5. Range (issue #20): the 30-day trend before (MetricsService.rangeFromFacts: every buyer-day of
 *    the range read and counted) and after (MetricsService.range: a closed day read from its daily
 *    roll-up, counted and stored on its first read) in the same run: the first reads, the rest of
 *    the year filled, then random ranges read warm; and the last 30 days to today, whose unfinal
 *    days are counted live. The figures must equal the before path's.
 *
 * The baseline reads a day's messages through the schema's (shop_id, created_at, id) index on
 * messages, the one the rebuild pages by. The baseline replays a day's conversations through the same core transitions, so it
 * is slow: it runs on fewer samples than the roll-ups (p99 of fewer than 100 samples is the
 * slowest one).
 *
 * Env: BENCH_METRICS_MESSAGES (1000000 in the year), BENCH_METRICS_LIVE (20000 through the live
 * path), BENCH_METRICS_QUERIES (200 day views and a twentieth as many 30-day ranges before the
 * roll-ups; as many warm ranges as day views), BENCH_METRICS_BASELINE (20 baseline days and a
 * tenth as many baseline ranges, at least 1).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock, type ChatEvent, type ShopId } from '@xiaoer/core';
import { mulberry32, seedDemoShop } from '../../packages/server/src/demo/demo-shop';
import { MetricsService } from '../../packages/server/src/metrics/metrics.service';
import { openStorage, type Storage } from '../../packages/server/src/storage';
import { fmt, printTable, quantile } from '../lib/stats';
import { scanDays, trendDay } from './baseline';
import {
  DAY,
  localDayOf,
  localMidnight,
  simulateDays,
  type BuyerRow,
  type ConversationRow,
  type MessageRow,
  type OrderRow,
  type RatingRow,
  type ReviewRow,
} from './simulate';

const MESSAGES = Number(process.env.BENCH_METRICS_MESSAGES ?? 1_000_000);
const LIVE = Number(process.env.BENCH_METRICS_LIVE ?? 20_000);
const QUERIES = Number(process.env.BENCH_METRICS_QUERIES ?? 200);
const RANGE_QUERIES = Math.max(2, Math.round(QUERIES / 20));
const BASE_QUERIES = Math.min(QUERIES, Number(process.env.BENCH_METRICS_BASELINE ?? 20));
const BASE_RANGE_QUERIES = Math.min(RANGE_QUERIES, Math.max(1, Math.round(BASE_QUERIES / 10)));
const SHOP = 'shop-demo' as ShopId;
const FIRST_DAY = '2025-01-01';
const YEAR = 365;
const TARGET_MS = 50;

/** Rows waiting to be inserted, flushed in one transaction. */
interface Pending {
  buyers: BuyerRow[];
  conversations: ConversationRow[];
  messages: MessageRow[];
  orders: OrderRow[];
  ratings: RatingRow[];
  reviews: ReviewRow[];
}

const empty = (): Pending => ({
  buyers: [],
  conversations: [],
  messages: [],
  orders: [],
  ratings: [],
  reviews: [],
});

/** Multi-row inserts in one transaction (SQLite allows 32,766 parameters a statement). */
async function flush(storage: Storage, p: Pending): Promise<void> {
  const chunks = <T>(rows: T[], size: number): T[][] =>
    Array.from({ length: Math.ceil(rows.length / size) }, (_, i) => rows.slice(i * size, (i + 1) * size));
  await storage.db.kysely.transaction().execute(async (trx) => {
    for (const rows of chunks(p.buyers, 1000)) await trx.insertInto('buyers').values(rows).execute();
    for (const rows of chunks(p.conversations, 500))
      await trx.insertInto('conversations').values(rows).execute();
    for (const rows of chunks(p.messages, 1000)) await trx.insertInto('messages').values(rows).execute();
    for (const rows of chunks(p.orders, 1000)) await trx.insertInto('orders').values(rows).execute();
    for (const rows of chunks(p.ratings, 1000))
      await trx.insertInto('conversation_ratings').values(rows).execute();
    for (const rows of chunks(p.reviews, 1000))
      await trx.insertInto('quality_reviews').values(rows).execute();
  });
}

/** Milliseconds of each call of fn over the inputs. */
async function timeEach<T, R>(
  inputs: readonly T[],
  fn: (x: T) => Promise<R>,
): Promise<{ ms: number[]; out: R[] }> {
  const ms: number[] = [];
  const out: R[] = [];
  for (const x of inputs) {
    const s = performance.now();
    out.push(await fn(x));
    ms.push(performance.now() - s);
  }
  return { ms, out };
}

const ratio = (a: number, b: number) => (b > 0 && Number.isFinite(a / b) ? `${fmt(a / b, 2)}×` : '');
const int = (n: number) => Math.round(n).toLocaleString('en');

/** Runs the metrics benchmark and prints its table. */
export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'xiaoer-bench-metrics-'));
  const storage = await openStorage(`sqlite:${join(dir, 'metrics.db')}`);
  try {
    const start = localMidnight(FIRST_DAY);
    const yearEnd = start + YEAR * DAY;
    await seedDemoShop(storage, start, { bot: false });
    // Two agent groups, so the day view computes its group rows too.
    await storage.shops.saveRoutingSettings(SHOP, {
      ...(await storage.shops.findRoutingSettings(SHOP)),
      mode: 'group',
      groups: [
        { id: 'pre', name: '售前', statuses: ['none', 'unpaid'], agentIds: ['agent-demo-1', 'agent-demo-2'] },
        {
          id: 'after',
          name: '售后',
          statuses: ['paid', 'shipped', 'completed', 'after-sales'],
          agentIds: ['agent-demo-3'],
        },
      ],
    });

    // 1. The year (and the days after it, for the live path) as raw rows, bulk-inserted.
    const setupStart = performance.now();
    const later: MessageRow[] = [];
    const buyerOf = new Map<string, string>();
    let pending = empty();
    let yearMessages = 0;
    let yearCounted = 0;
    let conversations = 0;
    const extraDays = Math.ceil((LIVE * 1.5) / (MESSAGES / YEAR)) + 1;
    for (const c of simulateDays({
      shopId: SHOP,
      agents: ['agent-demo-1', 'agent-demo-2', 'agent-demo-3'],
      start,
      days: YEAR + extraDays,
      messages: MESSAGES,
      perYearDays: YEAR,
      seed: 20250101,
    })) {
      if (c.conversation.created_at < yearEnd) conversations++;
      if (c.buyer) pending.buyers.push(c.buyer);
      pending.conversations.push(c.conversation);
      pending.orders.push(...c.orders);
      if (c.rating) pending.ratings.push(c.rating);
      if (c.review) pending.reviews.push(c.review);
      for (const m of c.messages) {
        if (m.created_at < yearEnd) {
          pending.messages.push(m);
          yearMessages++;
          if (m.sender !== 'system') yearCounted++;
        } else {
          later.push(m);
          buyerOf.set(m.conversation_id, c.conversation.buyer_id);
        }
      }
      if (pending.messages.length >= 20_000) {
        await flush(storage, pending);
        pending = empty();
      }
    }
    await flush(storage, pending);
    const setupS = (performance.now() - setupStart) / 1000;

    // 2. The year into the roll-ups by the rebuild.
    const clock = new FakeClock(yearEnd);
    const metrics = new MetricsService(storage, clock);
    const rebuildStart = performance.now();
    const rebuilt = await metrics.rebuild(SHOP);
    const rebuildS = (performance.now() - rebuildStart) / 1000;

    // Then the live path after the year.
    later.sort((a, b) => a.created_at - b.created_at || (a.id < b.id ? -1 : 1));
    const live: MessageRow[] = [];
    let liveCounted = 0;
    for (const m of later) {
      if (liveCounted >= LIVE) break;
      live.push(m);
      if (m.sender !== 'system') liveCounted++;
    }
    await flush(storage, { ...empty(), messages: live });
    // System messages are stored but never reach the roll-ups (ingest returns at once): not fed.
    const fed = live.filter((m) => m.sender !== 'system');
    const ingest = await timeEach(fed, (m) => {
      // The fields ingest reads: the chat path hands it the stored message and its conversation.
      const event = {
        type: 'message.created',
        shopId: SHOP,
        conversation: { id: m.conversation_id, buyerId: buyerOf.get(m.conversation_id)! },
        message: { id: m.id, sender: m.sender, senderId: m.sender_id, createdAt: m.created_at },
      } as unknown as ChatEvent;
      return metrics.ingest(event);
    });
    const liveS = ingest.ms.reduce((a, b) => a + b, 0) / 1000;
    const lastLive = live[live.length - 1]!.created_at;

    // 3. The dashboard, every consultation decided and every conversion final.
    clock.set(localMidnight(localDayOf(lastLive)) + 5 * DAY);
    const now = clock.now();
    const rand = mulberry32(20251111);
    const yearDay = () => localDayOf(start + Math.floor(rand() * YEAR) * DAY);
    const days = Array.from({ length: QUERIES }, yearDay);
    const ranges = Array.from({ length: RANGE_QUERIES }, () => {
      const from = start + Math.floor(rand() * (YEAR - 30)) * DAY;
      return [localDayOf(from), localDayOf(from + 29 * DAY)] as const;
    });
    for (const d of days.slice(0, 5)) await metrics.day(SHOP, d); // warm-up
    const ours = await timeEach(days, (d) => metrics.day(SHOP, d));
    // 5. The range before the roll-ups, then from them: first reads (count and store), the rest of
    // the year filled, then warm reads.
    const beforeRange = await timeEach(ranges, ([from, to]) => metrics.rangeFromFacts(SHOP, from, to));
    const oursRange = await timeEach(ranges, ([from, to]) => metrics.range(SHOP, from, to));
    const fillStart = performance.now();
    await metrics.range(SHOP, FIRST_DAY, localDayOf(yearEnd - DAY));
    const fillS = (performance.now() - fillStart) / 1000;
    const warmRanges = Array.from({ length: QUERIES }, () => {
      const from = start + Math.floor(rand() * (YEAR - 30)) * DAY;
      return [localDayOf(from), localDayOf(from + 29 * DAY)] as const;
    });
    const warm = await timeEach(warmRanges, ([from, to]) => metrics.range(SHOP, from, to));
    const warmAgain = await timeEach(ranges, ([from, to]) => metrics.range(SHOP, from, to));
    // The last 30 days to today: the days not final yet are counted live on every read.
    const today = localDayOf(now);
    const last30 = [localDayOf(localMidnight(today) - 29 * DAY), today] as const;
    const recentBefore = await timeEach(
      Array.from({ length: 10 }, () => last30),
      ([from, to]) => metrics.rangeFromFacts(SHOP, from, to),
    );
    const recent = await timeEach(
      Array.from({ length: 50 }, () => last30),
      ([from, to]) => metrics.range(SHOP, from, to),
    );
    await scanDays(storage, SHOP, days[0]!, days[0]!, now, true); // warm-up
    const base = await timeEach(days.slice(0, BASE_QUERIES), (d) => scanDays(storage, SHOP, d, d, now, true));
    const baseRange = await timeEach(ranges.slice(0, BASE_RANGE_QUERIES), ([from, to]) =>
      scanDays(storage, SHOP, from, to, now, false),
    );

    // Agreement: the baseline's figures against the roll-ups' for the same days.
    let agree = 0;
    let disagree: string[] = [];
    base.out.forEach((b, i) => {
      if (isDeepStrictEqual(b[0], ours.out[i])) agree++;
      else disagree.push(days[i]!);
    });
    baseRange.out.forEach((b, i) => {
      if (isDeepStrictEqual(b.map(trendDay), oursRange.out[i])) agree++;
      else disagree.push(`${ranges[i]![0]}…${ranges[i]![1]}`);
    });
    // The roll-ups against the range before them (first reads, warm reads, the last 30 days).
    let rangeAgree = 0;
    const rangePairs: [unknown, unknown, string][] = [
      ...ranges.map(
        (r, i) =>
          [beforeRange.out[i], oursRange.out[i], `${r[0]}…${r[1]} (first read)`] as [
            unknown,
            unknown,
            string,
          ],
      ),
      ...ranges.map(
        (r, i) =>
          [beforeRange.out[i], warmAgain.out[i], `${r[0]}…${r[1]} (warm)`] as [unknown, unknown, string],
      ),
      [recentBefore.out[0], recent.out[recent.out.length - 1], `${last30[0]}…${last30[1]} (to today)`],
    ];
    for (const [a, b, label] of rangePairs) {
      if (isDeepStrictEqual(a, b)) rangeAgree++;
      else disagree.push(label);
    }
    const compared = base.out.length + baseRange.out.length;
    // The days the live path filled (the last one partly).
    const firstLive = localDayOf(yearEnd);
    const lastLiveDay = localDayOf(lastLive);
    const liveScan = await scanDays(storage, SHOP, firstLive, lastLiveDay, now, true);
    let liveAgree = 0;
    for (const b of liveScan) {
      if (isDeepStrictEqual(b, await metrics.day(SHOP, b.date))) liveAgree++;
      else disagree.push(`${b.date} (live)`);
    }
    disagree = [...new Set(disagree)];

    const rollups = await storage.db.kysely
      .selectFrom('metric_buyer_days')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const sample = ours.out[0]!;
    console.log(
      `year ${FIRST_DAY} + ${YEAR - 1} days, Asia/Shanghai: ${int(yearCounted)} buyer/agent/bot messages ` +
        `(+ ${int(yearMessages - yearCounted)} system) in ${int(conversations)} conversations; ` +
        `${int(Number(rollups.n))} buyer-day roll-ups; e.g. ${sample.date}: ${sample.shop.consultations} consultations, ` +
        `reply rate ${sample.shop.replyRate}, ${sample.agents.length} agent and ${sample.groups.length} group rows`,
    );
    console.log(
      `setup: ${int(yearMessages)} raw messages and their rows generated and bulk-inserted in ${fmt(setupS, 1)} s ` +
        `(${int(yearMessages / setupS)} messages/s, Kysely multi-row inserts; not a metrics figure)`,
    );
    console.log(
      'baseline: reads the messages by the (shop_id, created_at, id) index; it replays every message of the conversations touching the day(s)',
    );
    if (disagree.length > 0) console.log(`DISAGREE: ${disagree.slice(0, 10).join(', ')}`);

    const p99 = quantile(ours.ms, 0.99);
    printTable(
      `metrics: one shop, one year on SQLite (file); baseline: the same dashboard by scanning the raw messages`,
      [
        {
          label: 'events ingested / s, rebuild',
          ours: int(rebuilt.messages / rebuildS),
          baseline: '— (keeps no roll-ups)',
          ratio: '',
          note: `MetricsRepository.rebuild (the rebuild command): ${int(rebuilt.messages)} messages replayed, roll-ups rewritten, ${fmt(rebuildS, 1)} s`,
        },
        {
          label: 'events ingested / s, live path',
          ours: int(fed.length / liveS),
          baseline: '— (keeps no roll-ups)',
          ratio: '',
          note: `MetricsService.ingest, a message and a transaction at a time, on top of the year: ${int(fed.length)} messages; p50 ${fmt(quantile(ingest.ms, 0.5), 2)} · p99 ${fmt(quantile(ingest.ms, 0.99), 2)} ms`,
        },
        {
          label: 'day dashboard p50 (ms)',
          ours: fmt(quantile(ours.ms, 0.5), 2),
          baseline: fmt(quantile(base.ms, 0.5), 2),
          ratio: ratio(quantile(ours.ms, 0.5), quantile(base.ms, 0.5)),
          note: `MetricsService.day, ${ours.ms.length} random days (baseline ${base.ms.length})`,
        },
        {
          label: 'day dashboard p99 (ms)',
          ours: fmt(p99, 2),
          baseline: fmt(quantile(base.ms, 0.99), 2),
          ratio: ratio(p99, quantile(base.ms, 0.99)),
          note: `target dashboard p99 < ${TARGET_MS} ms: ${p99 < TARGET_MS ? 'met' : 'MISSED'}`,
        },
        {
          label: '30-day range p99 (ms), roll-ups vs before',
          ours: fmt(quantile(warm.ms, 0.99), 2),
          baseline: fmt(quantile(beforeRange.ms, 0.99), 2),
          ratio: ratio(quantile(warm.ms, 0.99), quantile(beforeRange.ms, 0.99)),
          note:
            `MetricsService.range from the daily roll-ups, ${warm.ms.length} random ranges (p50 ${fmt(quantile(warm.ms, 0.5), 2)}); ` +
            `before: rangeFromFacts (every buyer-day of the range counted), ${beforeRange.ms.length} ranges (p50 ${fmt(quantile(beforeRange.ms, 0.5), 2)}); ` +
            `target < ${TARGET_MS} ms: ${quantile(warm.ms, 0.99) < TARGET_MS ? 'met' : 'MISSED'}`,
        },
        {
          label: '30-day range p99 (ms), first read',
          ours: fmt(quantile(oursRange.ms, 0.99), 2),
          baseline: fmt(quantile(beforeRange.ms, 0.99), 2),
          ratio: ratio(quantile(oursRange.ms, 0.99), quantile(beforeRange.ms, 0.99)),
          note: `the same ${ranges.length} ranges read first from the roll-ups (their days counted and stored); the rest of the year then filled in ${fmt(fillS, 1)} s`,
        },
        {
          label: 'last 30 days to today p99 (ms)',
          ours: fmt(quantile(recent.ms, 0.99), 2),
          baseline: fmt(quantile(recentBefore.ms, 0.99), 2),
          ratio: ratio(quantile(recent.ms, 0.99), quantile(recentBefore.ms, 0.99)),
          note: `${last30[0]} … ${last30[1]}: closed days from roll-ups, the ${recent.out[0]!.filter((d) => d.provisional).length} not final counted live; ${recent.ms.length} reads (before ${recentBefore.ms.length})`,
        },
        {
          label: '30-day range p99 (ms) vs raw replay',
          ours: fmt(quantile(warmAgain.ms, 0.99), 2),
          baseline: fmt(quantile(baseRange.ms, 0.99), 2),
          ratio: ratio(quantile(warmAgain.ms, 0.99), quantile(baseRange.ms, 0.99)),
          note: `MetricsService.range (warm), ${warmAgain.ms.length} ranges; the baseline replays the raw messages (${baseRange.ms.length})`,
        },
        {
          label: 'range figures equal to before',
          ours: `${rangeAgree} / ${rangePairs.length} ${rangeAgree === rangePairs.length ? 'agree' : 'DISAGREE'}`,
          baseline: '',
          ratio: '',
          note: 'every trend row of the roll-up ranges (first and warm reads, to today) against rangeFromFacts',
        },
        {
          label: 'figures equal to the baseline',
          ours: `${agree} / ${compared} ${agree === compared ? 'agree' : 'DISAGREE'}`,
          baseline: '',
          ratio: '',
          note: 'sampled days (whole DayMetrics) and ranges (every trend row)',
        },
        {
          label: 'live-path days equal to the baseline',
          ours: `${liveAgree} / ${liveScan.length} ${liveAgree === liveScan.length ? 'agree' : 'DISAGREE'}`,
          baseline: '',
          ratio: '',
          note: `${firstLive} … ${lastLiveDay}, filled by the live path on top of the rebuild`,
        },
      ],
    );
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
