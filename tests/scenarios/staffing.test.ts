/**
 * Issue #18: the staffing planner through the server, on SQLite and PostgreSQL — a new shop (in
 * Berlin time) whose buyers come at known hours and whose agent ends their chats after known
 * minutes; the planner reads those arrivals and that handle time, saves and reads back the rota,
 * takes a typed forecast, and refuses bad input naming the field.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { agentsNeeded, FakeClock, type AgentId, type ShopId, type StaffingReport } from '@xiaoer/core';
import type { InjectOptions } from 'fastify';
import { testDatabases } from '../support/databases';
import {
  AGENT_PASSWORD,
  loginCookie,
  startTestServer,
  WidgetBuyers,
  type TestServer,
} from '../support/server';

/** A local time in Berlin (UTC+1 in November). */
const berlin = (local: string) => Date.parse(`${local}+01:00`);
const SLUG = 'tee-haus';

for (const engine of testDatabases) {
  describe(`staffing planner on ${engine.name}`, () => {
    let t: TestServer;
    let shopId: ShopId;
    let agentId: AgentId;
    let ownerId: string;
    let owner: string;
    let agent: string;
    const clock = new FakeClock(berlin('2026-11-18T08:00:00'));
    const buyers = new WidgetBuyers(() => t.server);
    const call = (method: InjectOptions['method'], url: string, cookie: string, payload?: unknown) => {
      const options: InjectOptions = { method, url, headers: { cookie } };
      if (payload !== undefined) options.payload = payload as InjectOptions['payload'];
      return t.server.app.inject(options);
    };
    const refused = async (method: InjectOptions['method'], url: string, payload: unknown, field: string) => {
      const res = await call(method, url, owner, payload);
      assert.equal(res.statusCode, 400, `${url} ${JSON.stringify(payload)}: ${res.body}`);
      assert.equal((res.json() as { error: { field?: string } }).error.field, field, res.body);
    };

    /** A buyer writes at `start`; the agent ends the chat `minutes` later (null: nobody takes it). */
    async function chat(name: string, start: string, minutes: number | null): Promise<void> {
      clock.set(berlin(start));
      const c = await buyers.says(name, '这款茶叶什么时候发货？', SLUG);
      if (minutes === null) {
        assert.equal(c.status, 'queued');
        return;
      }
      assert.equal(c.agentId, agentId, `${name} went to the agent`);
      clock.set(berlin(start) + minutes * 60_000);
      const res = await call('POST', `/api/conversations/${c.id}/end`, agent);
      assert.equal(res.statusCode, 200, res.body);
    }

    before(async () => {
      t = await startTestServer({
        storage: await engine.open(),
        clock,
        demo: false,
        listen: false,
        env: { DEMO: 'false', RATE_LIMIT_PER_MINUTE: '100000' },
      });
      const created = await t.server.ctx.team.createShop({
        slug: SLUG,
        name: '茶馆',
        ownerEmail: 'boss@tee-haus.de',
        password: AGENT_PASSWORD,
        timeZone: 'Europe/Berlin',
      });
      shopId = created.shop.id;
      ownerId = created.owner.id;
      const staff = await t.server.ctx.team.addAgent(
        { type: 'agent', agentId: ownerId, role: 'owner', isOrgOwner: true },
        shopId,
        {
          email: 'lena@tee-haus.de',
          name: 'Lena',
          password: AGENT_PASSWORD,
          role: 'agent',
          maxConcurrent: 4,
          takesRouting: true,
        },
      );
      agentId = staff.id;
      owner = await loginCookie(t.server, 'boss@tee-haus.de', AGENT_PASSWORD);
      agent = await loginCookie(t.server, 'lena@tee-haus.de', AGENT_PASSWORD);
      await t.server.ctx.chat.setAgentStatus(shopId, agentId, 'online');

      // Two days of buyers, Berlin time: 10:xx three times, 15:xx twice, one at 21:00 while the
      // agent is away (queued: it still wanted an agent). Handle times 8, 4, 12, 8, 8 minutes.
      await chat('anna', '2026-11-18T10:05:00', 8);
      await chat('ben', '2026-11-18T10:40:00', 4);
      await chat('clara', '2026-11-18T15:20:00', 12);
      await chat('dora', '2026-11-19T10:30:00', 8);
      await chat('emil', '2026-11-19T15:10:00', 8);
      await t.server.ctx.chat.setAgentStatus(shopId, agentId, 'offline');
      await chat('fritz', '2026-11-19T21:00:00', null);
      clock.set(berlin('2026-11-20T09:00:00'));
    });
    after(() => t.close());

    it("reads the shop's own arrivals per Berlin hour, its handle time and its agents' cap", async () => {
      const res = await call('GET', '/api/admin/staffing?days=14', owner);
      assert.equal(res.statusCode, 200, res.body);
      const plan = res.json() as StaffingReport;
      assert.equal(plan.source, 'history');
      assert.equal(plan.timeZone, 'Europe/Berlin');
      // The shop is two days old: the average is over its two whole days, not 14.
      assert.deepEqual(plan.window, { from: '2026-11-18', to: '2026-11-19', days: 2, conversations: 6 });
      const arrivals = plan.hours.map((h) => h.arrivals);
      assert.equal(arrivals[10], 1.5);
      assert.equal(arrivals[15], 1);
      assert.equal(arrivals[21], 0.5);
      assert.equal(
        arrivals.reduce((a, b) => a + b, 0),
        3,
      );
      assert.equal(plan.ahtSource, 'history');
      assert.equal(plan.ahtSamples, 5);
      assert.equal(plan.params.ahtSeconds, ((8 + 4 + 12 + 8 + 8) / 5) * 60);
      assert.equal(plan.concurrencySource, 'agents');
      assert.equal(plan.params.concurrency, 4);
      // MET-1: the shop's reply minutes (5) is the target unless the owner types another.
      assert.equal(plan.params.targetSeconds, 300);
      for (const h of plan.hours) {
        assert.equal(h.agentsNeeded, agentsNeeded(h.arrivals, plan.params).agents, `hour ${h.hour}`);
        if (h.arrivals === 0) assert.equal(h.agentsNeeded, 0);
        else {
          assert.ok(h.agentsNeeded >= 1);
          assert.ok(h.simulatedShare !== null && h.simulatedArrivals > 0, `hour ${h.hour} simulated`);
        }
      }
      // No rota yet: every hour with buyers is short.
      assert.equal(plan.rota.updatedAt, null);
      assert.equal(plan.totals.shortHours, 3);
    });

    it('saves the rota, reads it back, and plans against it: the gap per hour', async () => {
      const hours = Array.from({ length: 24 }, (_, h) => (h >= 9 && h < 18 ? 2 : 0));
      const saved = await call('PUT', '/api/admin/staffing/rota', owner, { hours });
      assert.equal(saved.statusCode, 200, saved.body);
      const read = await call('GET', '/api/admin/staffing/rota', owner);
      assert.deepEqual(read.json(), {
        rota: { hours, updatedAt: berlin('2026-11-20T09:00:00'), updatedBy: ownerId },
      });
      const plan = (await call('GET', '/api/admin/staffing', owner)).json() as StaffingReport;
      assert.deepEqual(plan.rota.hours, hours);
      for (const h of plan.hours) {
        assert.equal(h.rota, hours[h.hour]);
        assert.equal(h.gap, hours[h.hour]! - h.agentsNeeded);
      }
      assert.ok(plan.hours[10]!.gap > 0, 'two agents at 10:00 are more than 1.5 buyers an hour need');
      assert.ok(plan.hours[21]!.gap < 0, 'nobody at 21:00');
      // Another save replaces it whole.
      const again = await call('PUT', '/api/admin/staffing/rota', owner, { hours: new Array(24).fill(1) });
      assert.equal(again.statusCode, 200, again.body);
      assert.deepEqual(
        ((await call('GET', '/api/admin/staffing/rota', owner)).json() as { rota: { hours: number[] } }).rota
          .hours,
        new Array(24).fill(1),
      );
    });

    it('plans a typed forecast with typed figures instead of the history', async () => {
      const arrivals = Array.from({ length: 24 }, (_, h) => (h >= 8 && h < 23 ? 30 : 0));
      const res = await call('POST', '/api/admin/staffing/plan', owner, {
        arrivals,
        ahtMinutes: 6,
        targetMinutes: 3,
        serviceLevel: 0.8,
        concurrency: 2,
      });
      assert.equal(res.statusCode, 200, res.body);
      const plan = res.json() as StaffingReport;
      assert.equal(plan.source, 'forecast');
      assert.equal(plan.window, null);
      assert.equal(plan.ahtSource, 'typed');
      assert.equal(plan.concurrencySource, 'typed');
      assert.deepEqual(plan.params, {
        ahtSeconds: 360,
        targetSeconds: 180,
        serviceLevel: 0.8,
        concurrency: 2,
      });
      assert.deepEqual(
        plan.hours.map((h) => h.arrivals),
        arrivals,
      );
      // 30 an hour of 6 minutes is 3 Erlangs: more than one agent of two chats can hold.
      assert.equal(plan.hours[12]!.traffic, 3);
      assert.ok(plan.hours[12]!.agentsNeeded >= 2);
      assert.equal(plan.hours[3]!.agentsNeeded, 0);
    });

    it('bad input is 400 naming the field, and changes nothing', async () => {
      const zeros = new Array(24).fill(0);
      await refused('POST', '/api/admin/staffing/plan', { arrivals: zeros.slice(1) }, 'arrivals');
      await refused('POST', '/api/admin/staffing/plan', { arrivals: [...zeros.slice(1), -1] }, 'arrivals.23');
      await refused('POST', '/api/admin/staffing/plan', { arrivals: zeros, serviceLevel: 1 }, 'serviceLevel');
      await refused('POST', '/api/admin/staffing/plan', { arrivals: zeros, concurrency: 1.5 }, 'concurrency');
      await refused('POST', '/api/admin/staffing/plan', { arrivals: zeros, ahtMinutes: 0 }, 'ahtMinutes');
      await refused('GET', '/api/admin/staffing?days=0', undefined, 'days');
      await refused('GET', '/api/admin/staffing?days=abc', undefined, 'days');
      await refused('GET', '/api/admin/staffing?targetMinutes=90', undefined, 'targetMinutes');
      await refused('PUT', '/api/admin/staffing/rota', { hours: [...zeros.slice(1), 501] }, 'hours.23');
      await refused('PUT', '/api/admin/staffing/rota', { hours: [1.5, ...zeros.slice(1)] }, 'hours.0');
      await refused('PUT', '/api/admin/staffing/rota', { hours: zeros.slice(2) }, 'hours');
      const rota = (await call('GET', '/api/admin/staffing/rota', owner)).json() as {
        rota: { hours: number[] };
      };
      assert.deepEqual(rota.rota.hours, new Array(24).fill(1), 'the last good rota stands');
    });

    it('agents may not plan or see the rota (admins only)', async () => {
      assert.equal((await call('GET', '/api/admin/staffing', agent)).statusCode, 403);
      assert.equal(
        (await call('PUT', '/api/admin/staffing/rota', agent, { hours: new Array(24).fill(0) })).statusCode,
        403,
      );
    });
  });
}
