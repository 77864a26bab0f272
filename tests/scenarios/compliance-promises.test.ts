/**
 * Issue #19 (CMP-4): promises made in chat checked against what happened, on SQLite and
 * PostgreSQL with a fake clock. Agents promise through the real chat (socket), the shop's system
 * writes the orders through the v1 API, and the durable timers are fired by the test (runDue):
 * a promise kept by the order's shipped time and carrier is kept the moment the order is written;
 * one not kept is flagged to the shop's supervisors at risk before its due time and broken just
 * after it; the console's route lists them, at risk and broken first, counted per agent.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { FakeClock, HOUR, type AgentId, type ShopId } from '@xiaoer/core';
import { createServer } from '../../packages/server/src/app';
import { parseConfig } from '../../packages/server/src/config';
import { testDatabases } from '../support/databases';
import {
  loginCookie,
  signedIdentity,
  startTestServer,
  widgetSession,
  type TestServer,
} from '../support/server';
import { connect, emit, until, untilFound } from '../support/sockets';

const SHOP = 'shop-demo' as ShopId;
const A1 = 'agent-demo-1' as AgentId;
const A2 = 'agent-demo-2' as AgentId;
const A3 = 'agent-demo-3' as AgentId;

interface PromiseView {
  id: string;
  agentId: string;
  buyerId: string;
  buyerNick: string | null;
  orderId: string | null;
  kind: string;
  detail: string;
  dueAt?: number;
  effectiveDueAt: number | null;
  status: string;
  reason: string | null;
  atRiskAt: number | null;
  settledAt: number | null;
}
interface Counts {
  agentId: string;
  made: number;
  kept: number;
  broken: number;
  atRisk: number;
  pending: number;
  void: number;
}
interface Alert {
  shopId: string;
  promise: PromiseView;
}

for (const engine of testDatabases) {
  describe(`CMP-4 promises checked (issue #19) on ${engine.name}`, () => {
    let t: TestServer;
    let owner: string;
    let key: string;
    const sockets: Socket[] = [];
    const alerts: Alert[] = [];
    const agentAlerts: Alert[] = [];
    // Wednesday 10:00 in Shanghai.
    const clock = new FakeClock(Date.parse('2026-11-25T10:00:00+08:00'));
    const at = (local: string) => Date.parse(`2026-11-25T${local}+08:00`);

    const putOrder = (id: string, buyer: string, fields: Record<string, unknown> = {}) =>
      t.server.app.inject({
        method: 'PUT',
        url: `/api/v1/orders/${id}`,
        headers: { authorization: `Bearer ${key}` },
        payload: {
          buyerExternalId: buyer,
          status: 'paid',
          totalCents: 9_900,
          items: [{ productExternalId: 'towel', title: '毛巾', quantity: 1, priceCents: 9_900 }],
          createdAt: '2026-11-25T09:00:00+08:00',
          paidAt: '2026-11-25T09:01:00+08:00',
          ...fields,
        },
      });
    const listed = async (query = '') => {
      const res = await t.server.app.inject({
        method: 'GET',
        url: `/api/admin/compliance/promises${query}`,
        headers: { cookie: owner },
      });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as { promises: PromiseView[]; counts: Counts[]; leadHours: number };
    };
    const ofOrder = async (orderId: string) => (await listed()).promises.filter((p) => p.orderId === orderId);

    /** The buyer `externalId` (with an order) asks; `agent` (the only one online) answers `text`. */
    async function promiseFrom(agent: AgentId, agentEmail: string, externalId: string, text: string) {
      for (const a of [A1, A2, A3])
        await t.server.ctx.chat.setAgentStatus(SHOP, a, a === agent ? 'online' : 'offline');
      const shop = (await t.storage.shops.findShop(SHOP))!;
      const { token } = await widgetSession(t.server, {
        shop: 'demo',
        identity: signedIdentity(shop.secret, externalId, { ts: clock.now() }),
      });
      const asked = await t.server.app.inject({
        method: 'POST',
        url: '/api/widget/messages',
        headers: { authorization: `Bearer ${token}` },
        payload: { clientId: randomUUID(), kind: 'text', body: { text: '什么时候发货？' } },
      });
      assert.equal(asked.statusCode, 200, asked.body);
      const conversation = asked.json().conversation as { id: string; agentId: string | null };
      assert.equal(conversation.agentId, agent);
      const socket = await connect(t.url, '/agent', { cookie: await loginCookie(t.server, agentEmail) });
      sockets.push(socket);
      socket.on('compliance:promise', (a: Alert) => agentAlerts.push(a));
      const sent = await emit(socket, 'message:send', {
        conversationId: conversation.id,
        clientId: randomUUID(),
        kind: 'text',
        body: { text },
      });
      assert.equal(sent.ok, true, JSON.stringify(sent));
    }

    before(async () => {
      t = await startTestServer({ storage: await engine.open(), clock });
      // The test fires the timers itself (runDue), with no poller racing its clock.
      await t.server.scheduler.stop();
      owner = await loginCookie(t.server, 'owner@demo.xiaoer.dev');
      const made = await t.server.app.inject({
        method: 'POST',
        url: '/api/admin/api-keys',
        headers: { cookie: owner },
        payload: { name: 'ERP' },
      });
      assert.equal(made.statusCode, 201, made.body);
      key = (made.json() as { key: string }).key;
      // The supervisor's console: the alerts come to it live.
      const console_ = await connect(t.url, '/agent', { cookie: owner, auth: { app: 'console' } });
      sockets.push(console_);
      console_.on('compliance:promise', (a: Alert) => alerts.push(a));
      assert.equal((await putOrder('P-1', 'tb-p1')).statusCode, 201);
      assert.equal((await putOrder('P-2', 'tb-p2')).statusCode, 201);
    });
    after(async () => {
      for (const s of sockets) s.close();
      await t.close();
    });

    it('CMP-4 a ship-by and a carrier promise are kept the moment the order says it left in time with that carrier', async () => {
      await promiseFrom(A1, 'agent1@demo.xiaoer.dev', 'tb-p1', '好的亲，今天给您发顺丰');
      const recorded = await untilFound(async () => {
        const list = await ofOrder('P-1');
        return list.length === 2 ? list : undefined;
      }, 'the two promises of P-1');
      assert.deepEqual(recorded.map((p) => [p.kind, p.status, p.agentId]).sort(), [
        ['carrier', 'pending', A1],
        ['ship-by', 'pending', A1],
      ]);
      const shipBy = recorded.find((p) => p.kind === 'ship-by')!;
      assert.equal(shipBy.dueAt, at('23:59:59.999'));
      assert.equal(shipBy.buyerNick !== null, true);
      // Two durable timers for the ship-by (at risk 4 h before, and just past due); none for the carrier.
      const timers = (await t.storage.timers.list({ kind: 'promise.check', shopId: SHOP })).filter(
        (x) => x.payload.promiseId === shipBy.id,
      );
      assert.deepEqual(timers.map((x) => x.dueAt).sort(), [at('19:59:59.999'), at('23:59:59.999') + 1]);

      clock.set(at('10:20:00'));
      const shipped = await putOrder('P-1', 'tb-p1', {
        status: 'shipped',
        carrier: '顺丰速运',
        trackingNo: 'SF1234567890',
        shippedAt: '2026-11-25T10:15:00+08:00',
      });
      assert.equal(shipped.statusCode, 200, shipped.body);
      // Kept at once: the write checked them, before any timer.
      const after1 = await ofOrder('P-1');
      assert.deepEqual(after1.map((p) => [p.kind, p.status, p.reason, p.settledAt]).sort(), [
        ['carrier', 'kept', 'same-carrier', at('10:15:00')],
        ['ship-by', 'kept', 'shipped-in-time', at('10:15:00')],
      ]);
    });

    it('CMP-4 an unkept promise: at risk (alerted to the supervisors) before due, broken (alerted) just after; counted per agent', async () => {
      clock.set(at('10:30:00'));
      await promiseFrom(A2, 'agent2@demo.xiaoer.dev', 'tb-p2', '今天下午给您发货哈');
      const [p2] = await untilFound(async () => {
        const list = await ofOrder('P-2');
        return list.length === 1 ? list : undefined;
      }, 'the promise of P-2');
      assert.deepEqual([p2!.kind, p2!.status, p2!.dueAt], ['ship-by', 'pending', at('18:00:00')]);

      clock.set(at('13:59:59.999'));
      await t.server.scheduler.runDue();
      assert.equal((await ofOrder('P-2'))[0]!.status, 'pending', 'not yet within the lead');

      clock.set(at('14:00:00'));
      await t.server.scheduler.runDue();
      await until(() => alerts.length === 1, 'the at-risk alert');
      assert.deepEqual(
        [alerts[0]!.shopId, alerts[0]!.promise.id, alerts[0]!.promise.status, alerts[0]!.promise.agentId],
        [SHOP, p2!.id, 'at-risk', A2],
      );
      const risky = (await ofOrder('P-2'))[0]!;
      assert.deepEqual([risky.status, risky.atRiskAt], ['at-risk', at('14:00:00')]);

      // At the due millisecond it can still be kept: no timer has fired.
      clock.set(at('18:00:00'));
      await t.server.scheduler.runDue();
      assert.equal((await ofOrder('P-2'))[0]!.status, 'at-risk');

      clock.set(at('18:00:00') + 1);
      await t.server.scheduler.runDue();
      await until(() => alerts.length === 2, 'the broken alert');
      assert.deepEqual([alerts[1]!.promise.id, alerts[1]!.promise.status], [p2!.id, 'broken']);
      const broken = (await ofOrder('P-2'))[0]!;
      assert.deepEqual(
        [broken.status, broken.reason, broken.settledAt],
        ['broken', 'not-shipped', at('18:00:00')],
      );

      // The parcel leaving late changes nothing: broken stays broken, no new alert.
      clock.set(at('20:00:00'));
      const late = await putOrder('P-2', 'tb-p2', {
        status: 'shipped',
        carrier: '中通',
        shippedAt: '2026-11-25T19:30:00+08:00',
      });
      assert.equal(late.statusCode, 200, late.body);
      // The next day: every timer fired (the kept ship-by's too); nothing else alerted.
      clock.set(at('23:59:59.999') + 2 * HOUR);
      await t.server.scheduler.runDue();
      assert.equal((await ofOrder('P-2'))[0]!.status, 'broken');
      const pending = (await t.storage.timers.list({ kind: 'promise.check', shopId: SHOP })).filter(
        (x) => x.firedAt === null,
      );
      assert.deepEqual(pending, [], 'every promise timer fired');

      const { promises, counts, leadHours } = await listed();
      assert.equal(leadHours, 4);
      // Broken first; the two kept ones (made by one message) after it.
      assert.deepEqual(promises.map((p) => [p.orderId, p.kind, p.status]).slice(0, 1), [
        ['P-2', 'ship-by', 'broken'],
      ]);
      assert.deepEqual(
        promises
          .slice(1)
          .map((p) => [p.orderId, p.kind, p.status])
          .sort(),
        [
          ['P-1', 'carrier', 'kept'],
          ['P-1', 'ship-by', 'kept'],
        ],
      );
      assert.deepEqual(
        counts.map((c) => [c.agentId, c.made, c.kept, c.broken, c.atRisk, c.pending]),
        [
          [A2, 1, 0, 1, 0, 0],
          [A1, 2, 2, 0, 0, 0],
        ],
      );
      const onlyBroken = await listed('?status=broken');
      assert.deepEqual(
        onlyBroken.promises.map((p) => p.id),
        [p2!.id],
      );
      const ofA1 = await listed(`?agentId=${A1}`);
      assert.deepEqual(
        ofA1.counts.map((c) => c.agentId),
        [A1],
      );
      assert.ok(ofA1.promises.every((p) => p.agentId === A1) && ofA1.promises.length === 2);
      // The alerts went to the shop's supervisors, never to a plain agent's workbench.
      assert.equal(alerts.length, 2);
      assert.deepEqual(agentAlerts, []);
    });

    it('CMP-4 a promise whose timers were lost (its node died after recording it) gets them at a worker’s start', async () => {
      clock.set(at('23:59:59.999') + 3 * HOUR);
      const shop = (await t.storage.shops.findShop(SHOP))!;
      const buyer = (await t.storage.buyers.findByExternalId(SHOP, 'tb-p2'))!;
      const id = randomUUID();
      // Recorded, and the node gone before it set the timers.
      await t.storage.compliance.recordPromises([
        {
          id,
          shopId: shop.id,
          buyerId: buyer.id,
          orderId: 'P-2',
          conversationId: randomUUID() as never,
          agentId: A2,
          messageSeq: 9,
          kind: 'refund',
          detail: '给您退款',
          createdAt: clock.now(),
        },
      ]);
      const timersOf = async () =>
        (await t.storage.timers.list({ kind: 'promise.check', shopId: SHOP }))
          .filter((x) => x.payload.promiseId === id)
          .map((x) => x.dueAt)
          .sort();
      assert.deepEqual(await timersOf(), []);
      // Another node starting on the same database (not listening: its worker part is what counts).
      const worker = await createServer(
        parseConfig({
          PORT: '0',
          LOG_LEVEL: 'silent',
          SECRET: 'test-secret-test-secret-test-secret!',
          PRESENCE_EXPIRY_SECONDS: '300',
          DEMO: 'true',
        }),
        { storage: t.storage, clock },
      );
      try {
        // A refund promise without a due time: the 3-day default window, flagged 4 hours before.
        const due = clock.now() + 3 * 24 * HOUR;
        assert.deepEqual(await timersOf(), [due - 4 * HOUR, due + 1]);
      } finally {
        await worker.close({ drainMs: 0 });
      }
    });

    it('CMP-4 the list refuses bad input, naming the field', async () => {
      for (const [query, field] of [
        ['?status=late', 'status'],
        ['?days=0', 'days'],
        ['?limit=501', 'limit'],
      ] as const) {
        const res = await t.server.app.inject({
          method: 'GET',
          url: `/api/admin/compliance/promises${query}`,
          headers: { cookie: owner },
        });
        assert.equal(res.statusCode, 400, query);
        assert.equal((res.json() as { error: { field: string } }).error.field, field);
      }
    });
  });
}
