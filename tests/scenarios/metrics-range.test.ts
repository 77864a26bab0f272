/**
 * Issue #20: the trend (MET-1 … MET-4, MET-3 over a range of days) read from daily roll-ups. A
 * shop in Los Angeles over nine days that take in the end of daylight saving time, with buyers
 * writing just before local midnight and answered after it, spam, payments and late data: the
 * range from the roll-ups must equal the range recounted from every buyer-day (the path before
 * the roll-ups) and a rebuild from the raw messages, on SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  dayBounds,
  daySpan,
  DEFAULT_METRICS_SETTINGS,
  FakeClock,
  shiftDay,
  type Agent,
  type Buyer,
  type Conversation,
  type Order,
  type OrderId,
  type ShopId,
  type TrendDay,
} from '@xiaoer/core';
import { scanDays, trendDay as trendRow } from '../../bench/metrics/baseline';
import { MetricsService } from '../../packages/server/src/metrics/metrics.service';
import type { Storage } from '../../packages/server/src/storage';
import {
  staleRollupDays,
  staleRollupsForConversation,
  staleRollupsForPayment,
} from '../../packages/server/src/storage/metric-rollups';
import { testDatabases } from '../support/databases';
import { makeAgent, makeBuyer, makeShop, newConversation } from '../support/fixtures';

const TZ = 'America/Los_Angeles';
const FIRST = '2026-10-27';
const LAST = '2026-11-04'; // daylight saving time ends on 2026-11-01 in Los Angeles
const BUYERS = 14;
/** A moment of a local day: `minutes` after its midnight (negative: before the next midnight). */
const on = (day: string, minutes: number) =>
  minutes >= 0 ? dayBounds(day, TZ).start + minutes * 60_000 : dayBounds(day, TZ).end + minutes * 60_000;
/** The first read is made while the data arrives: 15:00 on 2026-11-02. */
const PAUSE = on('2026-11-02', 15 * 60);
/** Every day of the nine closed. */
const NOW = on('2026-11-12', 0);

/** A small seeded random source, so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Event {
  at: number;
  buyer: number;
  visit: number;
  sender: 'buyer' | 'agent';
}

/** Visits of the buyers, day by day: a question or two, answered quickly, late, much later or never. */
function generate(rand: () => number): { events: Event[]; payments: { buyer: number; at: number }[] } {
  const events: Event[] = [];
  let visit = 0;
  const between = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo));
  for (let day = FIRST; day <= LAST; day = shiftDay(day, 1, TZ))
    for (let buyer = 0; buyer < BUYERS; buyer++) {
      if (rand() > 0.6) continue;
      visit++;
      const kind = rand();
      // A quarter just before midnight (23:54–23:59:59, some past the 23:59 window end), a tenth
      // in the night before the window opens, the rest in the day.
      const start =
        kind < 0.25
          ? on(day, -between(1, 6 * 60) / 60)
          : kind < 0.35
            ? on(day, between(0, 7 * 60))
            : on(day, between(7 * 60, 23 * 60));
      events.push({ at: start, buyer, visit, sender: 'buyer' });
      if (rand() < 0.4) events.push({ at: start + between(10_000, 90_000), buyer, visit, sender: 'buyer' });
      const r = rand();
      if (r < 0.15) continue; // never answered
      const delay =
        r < 0.55
          ? between(10_000, 240_000)
          : r < 0.8
            ? between(240_000, 720_000)
            : between(720_000, 3 * 3_600_000);
      const reply = start + 95_000 + delay;
      events.push({ at: reply, buyer, visit, sender: 'agent' });
      if (rand() < 0.3) {
        events.push({ at: reply + 60_000, buyer, visit, sender: 'buyer' });
        events.push({ at: reply + 60_000 + between(5_000, 400_000), buyer, visit, sender: 'agent' });
      }
    }
  events.sort((a, b) => a.at - b.at);
  const payments: { buyer: number; at: number }[] = [];
  const from = on(FIRST, 0) - 2 * 86_400_000;
  const span = on(LAST, 0) + 4 * 86_400_000 - from;
  for (let buyer = 0; buyer < BUYERS; buyer++)
    for (let n = 0; n < 2; n++)
      if (rand() < 0.45) payments.push({ buyer, at: from + Math.floor(rand() * span) });
  return { events, payments };
}

/** An order of the buyer paid at `paidAt`. */
function order(shopId: ShopId, buyer: Buyer, id: string, paidAt: number | null): Order {
  return {
    id: id as OrderId,
    shopId,
    buyerId: buyer.id,
    status: paidAt === null ? 'unpaid' : 'paid',
    totalCents: 9900,
    carrier: null,
    trackingNo: null,
    createdAt: (paidAt ?? NOW) - 60_000,
    paidAt,
    shippedAt: null,
    items: [],
    logistics: [],
  };
}

for (const engine of testDatabases) {
  describe(`the trend from daily roll-ups on ${engine.name} (issue #20)`, () => {
    let storage: Storage;
    let shopId: ShopId;
    let agent: Agent;
    let metrics: MetricsService;
    const buyers: Buyer[] = [];
    const clock = new FakeClock(on(FIRST, 0));
    const { events, payments } = generate(random(20261101));
    let next = 0;
    /** Each buyer's open conversation and the visit it is for. */
    const open = new Map<number, { visit: number; conversation: Conversation }>();
    const visits: Conversation[] = [];
    let factsReads = 0;

    before(async () => {
      storage = await engine.open();
      shopId = await makeShop(storage);
      await storage.shops.updateShop(shopId, { timeZone: TZ });
      // A window to 23:59, so a consultation at 23:57 answered at 00:01 counts (for the day before).
      await storage.metrics.saveSettings(shopId, {
        ...DEFAULT_METRICS_SETTINGS,
        windowStart: '07:00',
        windowEnd: '23:59',
      });
      agent = await makeAgent(storage, shopId);
      for (let i = 0; i < BUYERS; i++) buyers.push(await makeBuyer(storage, shopId, `买家${i}`));
      for (const [i, p] of payments.entries())
        await storage.orders.insertOrder(order(shopId, buyers[p.buyer]!, `order-${i}`, p.at));
      metrics = new MetricsService(storage, clock);
      // Counts the reads of buyer-day facts (what the roll-ups spare).
      const facts = storage.metrics.facts.bind(storage.metrics);
      storage.metrics.facts = (q) => {
        factsReads++;
        return facts(q);
      };
    });
    after(() => storage.close());

    /** Stores one message as the chat path does and hands it to the metrics. */
    async function say(conversation: Conversation, sender: 'buyer' | 'agent', at: number): Promise<void> {
      const { message, conversation: stored } = await storage.conversations.appendMessage(
        shopId,
        conversation.id,
        {
          kind: 'text',
          body: { text: sender === 'buyer' ? '在吗？' : '亲，在的～' },
          clientId: `${sender}-${at}-${Math.random()}`,
          sender,
          senderId: sender === 'agent' ? agent.id : null,
        },
        at,
      );
      await metrics.ingest({ type: 'message.created', shopId, conversation: stored, message });
    }

    /** Plays the generated events before `until`, the clock following them. */
    async function play(until: number): Promise<void> {
      for (; next < events.length && events[next]!.at < until; next++) {
        const e = events[next]!;
        clock.set(e.at);
        let current = open.get(e.buyer);
        if (e.sender === 'agent' && current?.visit !== e.visit) continue; // the buyer came back since
        if (e.sender === 'buyer' && current?.visit !== e.visit) {
          if (current)
            await storage.conversations.updateConversation(shopId, current.conversation.id, {
              status: 'ended',
              endedAt: e.at,
            });
          const conversation = await storage.conversations.createOrGetOpen(
            newConversation(shopId, buyers[e.buyer]!.id, e.at),
          );
          visits.push(conversation);
          open.set(e.buyer, (current = { visit: e.visit, conversation }));
        }
        await say(current!.conversation, e.sender, e.at);
      }
      await metrics.flush();
    }

    /** The range from the roll-ups, with how many facts reads it took. */
    async function range(from = FIRST, to = LAST): Promise<{ days: TrendDay[]; reads: number }> {
      factsReads = 0;
      const days = await metrics.range(shopId, from, to);
      return { days, reads: factsReads };
    }

    const storedDays = async () =>
      (
        await storage.db.kysely
          .selectFrom('metric_range_days')
          .select('day')
          .where('shop_id', '=', shopId)
          .where('basis', 'is not', null)
          .orderBy('day')
          .execute()
      ).map((r) => r.day);

    const row = (days: TrendDay[], date: string) => days.find((d) => d.date === date)!;

    it('read while the data arrives: closed days are kept as roll-ups, today and the days not final are counted live', async () => {
      await play(PAUSE);
      clock.set(PAUSE);
      const first = await range(FIRST, '2026-11-02');
      assert.deepEqual(first.days, await metrics.rangeFromFacts(shopId, FIRST, '2026-11-02'));
      // MET-3: a day's conversion is final 3 days after it; 2026-10-30 closed at midnight.
      assert.deepEqual(await storedDays(), ['2026-10-27', '2026-10-28', '2026-10-29', '2026-10-30']);
      assert.deepEqual(
        first.days.map((d) => d.provisional),
        [false, false, false, false, true, true, true],
      );
      const again = await range(FIRST, '2026-11-02');
      assert.deepEqual(again.days, first.days);
      assert.equal(again.reads, 1, 'one read for the open days 2026-10-31 … 2026-11-02, none for the closed');
    });

    it('across midnight and the end of daylight saving time: the roll-ups equal the recount and a replay of the raw messages', async () => {
      await play(Infinity);
      // SPAM-1: an ended conversation judged spam afterwards, and an open one set aside.
      await storage.conversations.updateConversation(shopId, visits[3]!.id, { spamReason: 'ad' });
      const held = [...open.values()][0]!.conversation;
      await storage.conversations.updateConversation(shopId, held.id, { status: 'spam', spamReason: 'ad' });
      clock.set(NOW);
      const counted = await range();
      const recount = await metrics.rangeFromFacts(shopId, FIRST, LAST);
      assert.deepEqual(counted.days, recount);
      const stored = await range();
      assert.equal(stored.reads, 0, 'every day of the range read from its roll-up');
      assert.deepEqual(stored.days, recount);
      assert.deepEqual(
        await storedDays(),
        recount.map((d) => d.date),
      );
      // The data are not trivial: replies in and out of time, conversions, the 25-hour day.
      assert.ok(recount.reduce((n, d) => n + d.consultations, 0) > 30);
      assert.ok(recount.some((d) => d.replyRate !== null && d.replyRate > 0 && d.replyRate < 1));
      assert.ok(recount.some((d) => d.conversionRate !== null && d.conversionRate > 0));
      assert.ok(row(recount, '2026-11-01').inquiries > 0);
      // The replay of the raw messages through the same transitions (bench/metrics' baseline).
      const replayed = await scanDays(storage, shopId, FIRST, LAST, NOW, false);
      assert.deepEqual(replayed.map(trendRow), recount);
    });

    it('late data for a past day makes its roll-up stale: the range recounts it and still equals the recount', async () => {
      clock.set(NOW);
      let before = (await range()).days;
      /** After a change: the range equals the recount; returns it and how many facts reads it took. */
      const check = async (what: string) => {
        const now = await range();
        assert.deepEqual(now.days, await metrics.rangeFromFacts(shopId, FIRST, LAST), what);
        assert.equal((await range()).reads, 0, `${what}: the recounted days are kept again`);
        const changed = now.days
          .filter((d, i) => JSON.stringify(d) !== JSON.stringify(before[i]))
          .map((d) => d.date);
        before = now.days;
        return { changed, reads: now.reads };
      };
      const late = await makeBuyer(storage, shopId, '迟到的买家');
      const at = on('2026-10-29', 12 * 60);
      const conversation = await storage.conversations.createOrGetOpen(newConversation(shopId, late.id, at));

      // A message of 2026-10-29 that reaches the metrics two weeks late (stored at its time, its
      // node stopped before counting it).
      const inquiries = row(before, '2026-10-29').inquiries;
      await say(conversation, 'buyer', at);
      await metrics.flush();
      let c = await check('a message counted late');
      assert.deepEqual(c, { changed: ['2026-10-29'], reads: 1 });
      assert.equal(row(before, '2026-10-29').inquiries, inquiries + 1);

      // The turn answered two weeks later: MET-4's response time of 2026-10-29 grows.
      const avg = row(before, '2026-10-29').avgResponseMs ?? 0;
      await say(conversation, 'agent', NOW);
      await metrics.flush();
      c = await check('a reply two weeks late');
      assert.deepEqual(c, { changed: ['2026-10-29'], reads: 1 });
      assert.ok(row(before, '2026-10-29').avgResponseMs! > avg);

      // MET-3: the buyer pays the next day (within the attribution window of 2026-10-29)…
      const paid = order(shopId, late, 'late-order', on('2026-10-30', 10 * 60));
      const rate = row(before, '2026-10-29').conversionRate ?? 0;
      await storage.orders.insertOrder(paid);
      c = await check('a payment for a past day');
      assert.deepEqual(c.changed, ['2026-10-29']);
      assert.equal(c.reads, 1, 'the days whose attribution window holds the payment, recounted in one read');
      assert.ok(row(before, '2026-10-29').conversionRate! > rate);
      // …and the shop's system moves the payment out of it (the v1 API and imports write this way).
      const { paidAt: _paid, buyerId: _buyer, logistics: _logistics, ...rest } = paid;
      await storage.orders.upsertOrder(
        { ...rest, paidAt: on('2026-11-05', 10 * 60) },
        async () => late.id,
        NOW,
      );
      c = await check('a payment moved');
      assert.deepEqual(c.changed, ['2026-10-29']);
      assert.equal(row(before, '2026-10-29').conversionRate, rate);

      // SPAM-1: the buyer set aside as spam leaves the day's counts; released, comes back.
      await storage.conversations.updateConversation(shopId, conversation.id, {
        status: 'spam',
        spamReason: 'reported',
      });
      c = await check('set aside as spam');
      assert.deepEqual(c.changed, ['2026-10-29']);
      assert.equal(row(before, '2026-10-29').inquiries, inquiries);
      await storage.conversations.updateConversation(shopId, conversation.id, {
        status: 'ended',
        spamReason: null,
      });
      c = await check('released');
      assert.deepEqual(c.changed, ['2026-10-29']);
      assert.equal(row(before, '2026-10-29').inquiries, inquiries + 1);

      // A rebuild replays every raw message into the roll-ups (and drops the trend's): the same figures.
      await metrics.rebuild(shopId);
      assert.deepEqual(await storedDays(), []);
      c = await check('rebuilt from the raw messages');
      assert.deepEqual(c.changed, []);

      // A metrics rule: 10 reply minutes instead of 5 — every day recounted under the new basis.
      await storage.metrics.saveSettings(shopId, {
        ...(await storage.metrics.settings(shopId)),
        replyMinutes: 10,
      });
      c = await check('10 reply minutes');
      assert.equal(c.reads, 1, 'the whole range recounted in one read');
      assert.ok(c.changed.length > 0, 'replies between 5 and 10 minutes now count');

      // The shop moves to Shanghai: the days are recounted at once, and again once rebuilt in the new zone.
      await storage.shops.updateShop(shopId, { timeZone: 'Asia/Shanghai' });
      c = await check('the time zone changed');
      assert.equal(c.reads, 1);
      await metrics.rebuild(shopId);
      c = await check('rebuilt in the new time zone');
      assert.ok(c.changed.length > 0, 'Shanghai days are not Los Angeles days');
    });

    it('a count read before a late change is not stored after it', async () => {
      const settings = await storage.metrics.settings(shopId);
      const span = daySpan('2026-10-28', settings, 'Asia/Shanghai');
      const counts = {
        consultations: 1,
        inquiries: 1,
        replied: 1,
        pending: 0,
        converted: 0,
        responses: 0,
        responseMs: 0,
      };
      const db = storage.db.kysely;
      const lateChanges = [
        () => staleRollupDays(db, shopId, ['2026-10-28']),
        () => staleRollupsForPayment(db, shopId, span.start + 3_600_000),
        () => staleRollupsForConversation(db, shopId, span.end - 60_000, span.end + 60_000),
      ];
      for (const change of lateChanges) {
        const claimed = await storage.metrics.claimRollups(shopId, [span]);
        await change();
        assert.equal(
          await storage.metrics.storeRollups(shopId, 'basis', [
            { day: span.day, version: claimed.get(span.day)!, counts },
          ]),
          0,
        );
        assert.equal((await storage.metrics.rollups(shopId, span.day, span.day, 'basis')).size, 0);
      }
      // Unchanged since the claim: stored.
      const claimed = await storage.metrics.claimRollups(shopId, [span]);
      assert.equal(
        await storage.metrics.storeRollups(shopId, 'basis', [
          { day: span.day, version: claimed.get(span.day)!, counts },
        ]),
        1,
      );
      assert.deepEqual(
        (await storage.metrics.rollups(shopId, span.day, span.day, 'basis')).get(span.day),
        counts,
      );
    });
  });
}
