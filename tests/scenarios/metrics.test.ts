import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeClock, type AgentId, type Conversation, type DayMetrics, type ShopId } from '@xiaoer/core';
import type { InjectOptions } from 'fastify';
import { testDatabases } from '../support/databases';
import { loginCookie, startTestServer, WidgetBuyers, type TestServer } from '../support/server';

const SHOP = 'shop-demo' as ShopId;
const at = (local: string) => Date.parse(`${local}+08:00`);

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

for (const engine of testDatabases) {
  describe(`reply metrics through the server on ${engine.name}`, () => {
    let t: TestServer;
    let owner: string;
    const agents = new Map<string, string>();
    const clock = new FakeClock(at('2026-11-24T07:00:00'));
    const inject = (o: InjectOptions) => t.server.app.inject(o);

    before(async () => {
      t = await startTestServer({
        storage: await engine.open(),
        clock,
        listen: false,
        env: {
          RATE_LIMIT_PER_MINUTE: '100000',
          WIDGET_SESSIONS_PER_MINUTE: '100000',
          BUYER_MESSAGES_PER_10S: '1000',
        },
      });
      owner = await loginCookie(t.server, 'owner@demo.xiaoer.dev');
      for (const [id, email] of [
        ['agent-demo-1', 'agent1@demo.xiaoer.dev'],
        ['agent-demo-2', 'agent2@demo.xiaoer.dev'],
      ] as const)
        agents.set(id, await loginCookie(t.server, email));
      await t.server.ctx.chat.setAgentStatus(SHOP, 'agent-demo-3' as AgentId, 'offline');
    });
    after(() => t.close());

    const buyers = new WidgetBuyers(() => t.server);
    const buyerSays = (name: string, text: string) => buyers.says(name, text);
    async function agentReplies(c: Conversation, text = '亲，在的～') {
      const fresh = (await t.storage.conversations.findConversation(SHOP, c.id))!;
      const res = await inject({
        method: 'POST',
        url: `/api/conversations/${c.id}/messages`,
        headers: { cookie: agents.get(fresh.agentId!)! },
        payload: { clientId: `a-${Math.random()}`, kind: 'text', body: { text } },
      });
      assert.equal(res.statusCode, 200, res.body);
    }
    async function day(date: string): Promise<DayMetrics> {
      await t.server.ctx.metrics.flush();
      const res = await inject({
        method: 'GET',
        url: `/api/admin/metrics/day?date=${date}`,
        headers: { cookie: owner },
      });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as DayMetrics;
    }

    it('MET-1/MET-2/MET-4 figures follow the messages live: 07:59 outside, 4:59 in time, 5:01 late', async () => {
      clock.set(at('2026-11-24T07:59:00'));
      await buyerSays('early', '在吗');
      clock.set(at('2026-11-24T10:00:00'));
      const fast = await buyerSays('fast', '这个杯子保温多久？');
      const slow = await buyerSays('slow', '能便宜点吗？');
      clock.set(at('2026-11-24T10:04:59'));
      await agentReplies(fast);
      clock.set(at('2026-11-24T10:05:01'));
      await agentReplies(slow);
      const d = await day('2026-11-24');
      assert.equal(d.shop.inquiries, 3);
      assert.equal(d.shop.consultations, 2);
      assert.equal(d.shop.replied, 1);
      assert.equal(d.shop.replyRate, 0.5);
      assert.equal(d.shop.firstResponse.n, 2);
      assert.equal(d.shop.firstResponse.avgMs, 300_000);
      assert.equal(d.byHour[10]!.consultations, 2);
      assert.equal(d.byHour[7]!.inquiries, 1);
      assert.ok(d.agents.length > 0 && d.agents.every((a) => a.name && a.segment === 'pre'));
      // Per group: the members' figures (the routing groups).
      const routing = await t.storage.shops.findRoutingSettings(SHOP);
      await t.storage.shops.saveRoutingSettings(SHOP, {
        ...routing,
        groups: [
          {
            id: 'g-all',
            name: '全部',
            statuses: [],
            agentIds: ['agent-demo-1', 'agent-demo-2'] as AgentId[],
          },
        ],
      });
      const g = (await day('2026-11-24')).groups[0]!;
      assert.equal(g.name, '全部');
      assert.equal(
        g.consultations,
        d.agents.reduce((n, a) => n + a.consultations, 0),
      );
      assert.equal(g.replied, 1);
      await t.storage.shops.saveRoutingSettings(SHOP, routing);
    });

    it('MET-5 a buyer waiting now who would sink the rate below the threshold raises the alert', async () => {
      clock.set(at('2026-11-24T11:00:00'));
      const waiting = await buyerSays('waiting', '发货了吗');
      clock.set(at('2026-11-24T11:02:00'));
      const res = await inject({
        method: 'GET',
        url: '/api/admin/metrics/alert',
        headers: { cookie: owner },
      });
      const { alert } = res.json() as {
        alert: {
          projectedRate: number;
          atRisk: { conversationId: string; secondsLeft: number; nick: string }[];
        } | null;
      };
      assert.ok(alert, 'alert raised');
      assert.equal(alert.projectedRate, 0.3333);
      assert.deepEqual(
        alert.atRisk.map((r) => [r.conversationId, r.secondsLeft]),
        [[waiting.id, 180]],
      );
      assert.ok(alert.atRisk[0]!.nick);
      await agentReplies(waiting);
      await t.server.ctx.metrics.flush();
      const after = await inject({
        method: 'GET',
        url: '/api/admin/metrics/alert',
        headers: { cookie: owner },
      });
      assert.equal((after.json() as { alert: unknown }).alert, null);
    });

    it('the rebuilt roll-ups agree with the live ones on a random day of events', async () => {
      const rand = random(20261125);
      const date = '2026-11-25';
      let now = at(`${date}T06:00:00`);
      const open: Conversation[] = [];
      for (let i = 0; i < 60; i++) {
        now += Math.floor(rand() * 25 * 60_000);
        clock.set(now);
        if (open.length > 0 && rand() < 0.45) {
          const c = open.splice(Math.floor(rand() * open.length), 1)[0]!;
          const fresh = (await t.storage.conversations.findConversation(SHOP, c.id))!;
          if (fresh.status === 'assigned') await agentReplies(fresh);
          if (rand() < 0.3 && fresh.status === 'assigned') {
            await inject({
              method: 'POST',
              url: `/api/conversations/${c.id}/end`,
              headers: { cookie: agents.get(fresh.agentId!)! },
            });
          } else open.push(c);
        } else {
          open.push(await buyerSays(`r${Math.floor(rand() * 25)}`, `第 ${i} 个问题`));
        }
      }
      const live = await day(date);
      assert.ok(live.shop.consultations > 5, `a busy enough day (${live.shop.consultations})`);
      const rebuilt = await t.server.ctx.metrics.rebuild(SHOP);
      assert.ok(rebuilt.messages > 60);
      assert.deepEqual(await day(date), live);
      assert.deepEqual(await day('2026-11-24'), await day('2026-11-24'));
    });

    it('MET-6 satisfaction: the buyer rates an ended conversation once; MET-7 spot checks join the agent table', async () => {
      clock.set(at('2026-11-26T09:00:00'));
      const c = await buyerSays('rater', '我的快递到哪了');
      await agentReplies(c);
      const open = await inject({
        method: 'POST',
        url: '/api/widget/rating',
        headers: { authorization: `Bearer ${await buyers.token('rater')}` },
        payload: { conversationId: c.id, score: 5 },
      });
      assert.equal(open.statusCode, 400, 'not ended yet');
      const fresh = (await t.storage.conversations.findConversation(SHOP, c.id))!;
      await inject({
        method: 'POST',
        url: `/api/conversations/${c.id}/end`,
        headers: { cookie: agents.get(fresh.agentId!)! },
      });
      const rate = async (score: number) =>
        inject({
          method: 'POST',
          url: '/api/widget/rating',
          headers: { authorization: `Bearer ${await buyers.token('rater')}` },
          payload: { conversationId: c.id, score, comment: '很快' },
        });
      assert.equal((await rate(4)).statusCode, 200);
      assert.equal((await rate(1)).statusCode, 409, 'once');
      const bad = await inject({
        method: 'POST',
        url: '/api/widget/rating',
        headers: { authorization: `Bearer ${await buyers.token('rater')}` },
        payload: { conversationId: c.id, score: 6 },
      });
      assert.equal(bad.statusCode, 400);
      assert.match((bad.json() as { error: { message: string } }).error.message, /score/);

      // The next day the supervisor samples yesterday's conversations and reviews this one.
      clock.set(at('2026-11-27T10:00:00'));
      const sample = await inject({
        method: 'GET',
        url: '/api/admin/quality/sample',
        headers: { cookie: owner },
      });
      const s = sample.json() as {
        date: string;
        conversations: { conversationId: string; reviewed: boolean }[];
      };
      assert.equal(s.date, '2026-11-26');
      assert.deepEqual(
        s.conversations.map((x) => [x.conversationId, x.reviewed]),
        [[c.id, false]],
      );
      const review = await inject({
        method: 'POST',
        url: '/api/admin/quality/reviews',
        headers: { cookie: owner },
        payload: { conversationId: c.id, attitude: 5, accuracy: 4, compliance: 3, solved: true },
      });
      assert.equal(review.statusCode, 200, review.body);
      const d = await day('2026-11-26');
      assert.deepEqual(d.shop.satisfaction, { avg: 4, n: 1 });
      const row = d.agents.find((a) => a.agentId === fresh.agentId)!;
      assert.deepEqual(row.satisfaction, { avg: 4, n: 1 });
      assert.deepEqual(row.quality, { avg: 4, n: 1 });
      assert.equal(row.rank, 1);
      assert.ok(row.score !== null && row.score > 0 && row.score <= 100);

      const csv = await inject({
        method: 'GET',
        url: '/api/admin/metrics/day.csv?date=2026-11-26',
        headers: { cookie: owner },
      });
      assert.equal(csv.statusCode, 200);
      assert.match(csv.headers['content-type'] as string, /text\/csv/);
      const [header, first] = csv.body
        .replace(/^\ufeff/, '')
        .trim()
        .split('\n');
      assert.ok(header!.startsWith('date,agent,segment,consultations,replied,reply_rate'));
      assert.ok(first!.startsWith('2026-11-26,'));
    });

    it('settings are validated whole and change the figures; the trend covers a range', async () => {
      const bad = await inject({
        method: 'PUT',
        url: '/api/admin/metrics/settings',
        headers: { cookie: owner },
        payload: {
          windowStart: '08:00',
          windowEnd: '07:00',
          replyMinutes: 5,
          threshold: 0.8,
          attributionDays: 3,
          weights: { conversion: 30, responseTime: 20, replyRate: 20, satisfaction: 20, quality: 10 },
          rawRetentionDays: 400,
        },
      });
      assert.equal(bad.statusCode, 400);
      assert.equal((bad.json() as { error: { field: string } }).error.field, 'windowEnd');
      const before = await day('2026-11-24');
      const ok = await inject({
        method: 'PUT',
        url: '/api/admin/metrics/settings',
        headers: { cookie: owner },
        payload: {
          windowStart: '08:00',
          windowEnd: '23:00',
          replyMinutes: 10,
          threshold: 0.9,
          attributionDays: 3,
          weights: { conversion: 30, responseTime: 20, replyRate: 20, satisfaction: 20, quality: 10 },
          rawRetentionDays: 400,
        },
      });
      assert.equal(ok.statusCode, 200, ok.body);
      const after = await day('2026-11-24');
      assert.ok(after.shop.replied > before.shop.replied, 'the 5:01 reply is in time within 10 minutes');
      const range = await inject({
        method: 'GET',
        url: '/api/admin/metrics/range?from=2026-11-23&to=2026-11-26',
        headers: { cookie: owner },
      });
      const days = (range.json() as { days: { date: string; consultations: number }[] }).days;
      assert.deepEqual(
        days.map((x) => x.date),
        ['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26'],
      );
      assert.equal(days[1]!.consultations, after.shop.consultations);

      // A wider window rebuilds the roll-ups: the 07:59 buyer becomes a consultation.
      const wider = await inject({
        method: 'PUT',
        url: '/api/admin/metrics/settings',
        headers: { cookie: owner },
        payload: { ...(ok.json() as { settings: object }).settings, windowStart: '07:00' },
      });
      assert.equal((wider.json() as { rebuilding: boolean }).rebuilding, true);
      await t.server.ctx.metrics.rebuild(SHOP); // waits for the one already running, then runs again
      assert.equal((await day('2026-11-24')).shop.consultations, after.shop.consultations + 1);
      const agentCookie = agents.get('agent-demo-1')!;
      const denied = await inject({
        method: 'GET',
        url: '/api/admin/metrics/day',
        headers: { cookie: agentCookie },
      });
      assert.equal(denied.statusCode, 403);

      const roundTrip = await day('2026-11-24');
      // Issue #20: another time zone recounts the roll-ups per local day (in the background).
      const { metrics } = t.server.ctx;
      const rebuild = metrics.rebuild.bind(metrics);
      const started: Promise<{ messages: number }>[] = [];
      metrics.rebuild = (shopId) => {
        const run = rebuild(shopId);
        started.push(run);
        return run;
      };
      try {
        for (const timeZone of ['Asia/Tokyo', 'Asia/Shanghai']) {
          const res = await inject({
            method: 'PATCH',
            url: '/api/admin/shop',
            headers: { cookie: owner },
            payload: { timeZone },
          });
          assert.equal(res.statusCode, 200, res.body);
          assert.equal(started.length, 1, `${timeZone}: a rebuild started`);
          assert.ok((await started.pop()!).messages > 0);
        }
        const same = await inject({
          method: 'PATCH',
          url: '/api/admin/shop',
          headers: { cookie: owner },
          payload: { timeZone: 'Asia/Shanghai' },
        });
        assert.equal(same.statusCode, 200, same.body);
        assert.equal(started.length, 0, 'the same time zone recounts nothing');
      } finally {
        metrics.rebuild = rebuild;
      }
      assert.deepEqual(await day('2026-11-24'), roundTrip, 'back in Shanghai, the same figures');

      // Raw timing state past the retention is pruned; the day's figures stay.
      const kept = await day('2026-11-24');
      const shorter = await inject({
        method: 'PUT',
        url: '/api/admin/metrics/settings',
        headers: { cookie: owner },
        payload: { ...(wider.json() as { settings: object }).settings, rawRetentionDays: 7 },
      });
      assert.equal(shorter.statusCode, 200, shorter.body);
      assert.equal(await t.server.ctx.metrics.prune(SHOP), 0, 'everything is within 7 days');
      clock.set(at('2026-12-30T12:00:00'));
      const pruned = await t.server.ctx.metrics.prune(SHOP);
      assert.ok(pruned > 0, `pruned ${pruned}`);
      assert.deepEqual((await t.server.ctx.metrics.day(SHOP, '2026-11-24')).shop, kept.shop);

      assert.deepEqual((await t.server.ctx.metrics.day(SHOP, '2026-11-24')).shop, kept.shop);
    });
  });
}
