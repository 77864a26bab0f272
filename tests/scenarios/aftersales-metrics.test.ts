/**
 * Issue #19 AS-3: the 30-day after-sales view through the HTTP routes, on SQLite and PostgreSQL,
 * with a fake clock — three cases of a shop that is not the demo (one refunded in time and rated
 * 5, one compensated by its agent and rated 2, one approved by the system on its 48 h deadline
 * then refunded), and the figures the console and the metrics API read.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeClock, HOUR, MINUTE, type ShopId } from '@xiaoer/core';
import { testDatabases } from '../support/databases';
import { makeAgent, makeShop } from '../support/fixtures';
import { loginCookie, signedIdentity, startTestServer, type TestServer } from '../support/server';

const ORDER = (cents: number, productId: string, shipped = false) => ({
  buyerExternalId: 'tb-88',
  status: shipped ? 'shipped' : 'paid',
  totalCents: cents,
  items: [{ productExternalId: productId, title: '商品 ' + productId, quantity: 1, priceCents: cents }],
  createdAt: '2026-12-01T10:00:00+08:00',
  paidAt: '2026-12-01T10:02:00+08:00',
  ...(shipped ? { shippedAt: '2026-12-02T09:00:00+08:00', carrier: '顺丰', trackingNo: 'SF200' } : {}),
});

for (const engine of testDatabases) {
  describe(`issue #19 AS-3 after-sales figures (${engine.name})`, () => {
    // 2026-12-03 10:00 in Shanghai
    const clock = new FakeClock(Date.UTC(2026, 11, 3, 2, 0, 0));
    let t: TestServer;
    let storage: TestServer['storage'];
    let shopId: ShopId;
    let emails: string[] = [];
    let ownerId = '';
    let juniorId = '';
    let key = '';
    let buyerToken = '';

    const call = async (
      method: 'GET' | 'PUT' | 'POST',
      url: string,
      payload?: unknown,
      auth: { key?: string; cookie?: string; token?: string } = { key },
    ) => {
      const bearer = auth.key ?? auth.token;
      const res = await t.server.app.inject({
        method,
        url,
        headers: {
          ...(bearer !== undefined ? { authorization: `Bearer ${bearer}` } : {}),
          ...(auth.cookie ? { cookie: auth.cookie } : {}),
        },
        ...(payload !== undefined ? { payload: payload as object } : {}),
      });
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      return { status: res.statusCode, body: res.body, json: () => res.json() as any };
    };
    /** Sessions expire while the fake clock runs days on: log in afresh for each call. */
    const as = async (who: 0 | 1) => ({ cookie: await loginCookie(t.server, emails[who]!) });
    const act = async (id: string, action: object, who: 0 | 1 = 0) => {
      const res = await call('POST', `/api/aftersales/${id}/actions`, action, await as(who));
      assert.equal(res.status, 200, res.body);
      return res.json().case;
    };
    const open = async (body: object, auth: { token?: string; cookie?: string }) => {
      const res = await call('POST', auth.token ? '/api/widget/aftersales' : '/api/aftersales', body, auth);
      assert.equal(res.status, 201, res.body);
      return res.json().case as { id: string; openedAt: number };
    };
    const rate = async (id: string, score: number) =>
      assert.equal(
        (
          await call(
            'POST',
            `/api/widget/aftersales/${id}/actions`,
            { type: 'rate', score },
            { token: buyerToken },
          )
        ).status,
        200,
      );

    before(async () => {
      storage = await engine.open();
      t = await startTestServer({ storage, clock, demo: false });
      shopId = await makeShop(storage, `as3-${engine.name}`);
      const boss = await makeAgent(storage, shopId, { role: 'owner', takesRouting: false });
      const kefu = await makeAgent(storage, shopId, { role: 'agent' });
      ownerId = boss.id;
      juniorId = kefu.id;
      emails = [boss.email, kefu.email];
      key = (await call('POST', '/api/admin/api-keys', { name: 'ERP' }, await as(0))).json().key;
      for (const [id, order] of [
        ['o-a', ORDER(12_800, 'tea-1')],
        ['o-b', ORDER(5_000, 'cup-1', true)],
        ['o-c', ORDER(9_900, 'tea-2')],
      ] as const)
        assert.equal((await call('PUT', `/api/v1/orders/${id}`, order)).status, 201);
      const shop = (await storage.shops.findShop(shopId))!;
      const session = await t.server.app.inject({
        method: 'POST',
        url: '/api/widget/session',
        payload: { shop: shop.slug, identity: signedIdentity(shop.secret, 'tb-88', { ts: clock.now() }) },
      });
      assert.equal(session.statusCode, 200, session.body);
      buyerToken = session.json().token;
    });
    after(async () => {
      await t.server.close();
      await storage.close();
    });

    it('AS-3 handling time, processing rate, satisfaction, intervention and refunds, by agent and reason', async () => {
      // A: the buyer asks a refund; the owner takes it, approves and refunds two hours later.
      const a = await open(
        { orderId: 'o-a', kind: 'refund-only', reason: '不想要了' },
        { token: buyerToken },
      );
      await act(a.id, { type: 'take' });
      clock.advance(10 * MINUTE);
      // B: the junior agent opens a compensation from the chat; the owner compensates 4 h later.
      const b = await open({ orderId: 'o-b', kind: 'compensation', reason: '包裹破损' }, await as(1));
      clock.advance(10 * MINUTE);
      // C: a refund nobody answers: the system approves it on the 48 h deadline.
      const c = await open(
        { orderId: 'o-c', kind: 'refund-only', reason: '质量问题' },
        { token: buyerToken },
      );
      clock.set(a.openedAt + 2 * HOUR);
      await act(a.id, { type: 'approve' });
      assert.equal((await act(a.id, { type: 'refund' })).status, 'refunded');
      clock.set(b.openedAt + 4 * HOUR);
      const bDone = await act(b.id, { type: 'compensate', amountCents: 2_000 });
      assert.equal(bDone.status, 'compensated');
      assert.equal(bDone.holder, juniorId);
      clock.set(c.openedAt + 48 * HOUR);
      await t.server.scheduler.runDue();
      clock.set(c.openedAt + 49 * HOUR);
      const cDone = await act(c.id, { type: 'refund' });
      assert.equal(cDone.status, 'refunded');
      assert.ok(
        cDone.history.some(
          (h: { by: string; reason: string }) => h.by === 'system' && h.reason === 'deadline',
        ),
      );
      await rate(a.id, 5);
      await rate(b.id, 2);

      const res = await call('GET', '/api/admin/aftersales/metrics', undefined, await as(0));
      assert.equal(res.status, 200, res.body);
      const m = res.json();
      assert.equal(m.days, 30);
      assert.equal(m.to, '2026-12-05');
      assert.equal(m.from, '2026-11-06');
      assert.equal(m.totals.count, 3);
      assert.equal(m.totals.finished, 3);
      assert.equal(m.totals.handlingMedianMs, 4 * HOUR);
      assert.equal(m.totals.handlingP90Ms, 49 * HOUR);
      // C was decided by the system on its deadline: 2 of 3 handled in time, 1 of 3 intervened.
      assert.equal(m.totals.processingRate, 2 / 3);
      assert.equal(m.totals.interventionRate, 1 / 3);
      assert.equal(m.totals.rated, 2);
      assert.equal(m.totals.satisfaction, 3.5);
      assert.equal(m.totals.satisfiedShare, 0.5);
      assert.equal(m.totals.refundedCents, 12_800 + 2_000 + 9_900);
      const agents = new Map(m.byAgent.map((x: { agent: string | null; count: number }) => [x.agent, x]));
      assert.equal(agents.size, 2);
      // A is the owner's (they took it), B the junior's (they opened it and hold it), C the owner's
      // (nobody held it; the owner refunded it).
      assert.equal((agents.get(ownerId) as { count: number }).count, 2);
      assert.equal((agents.get(juniorId) as { count: number; satisfaction: number }).satisfaction, 2);
      assert.ok((agents.get(ownerId) as { name: string }).name.length > 0);
      assert.deepEqual(
        m.byReason
          .map((r: { kind: string; reason: string; count: number }) => `${r.kind}/${r.reason}/${r.count}`)
          .sort(),
        ['compensation/包裹破损/1', 'refund-only/不想要了/1', 'refund-only/质量问题/1'],
      );
      assert.equal(m.daily.length, 30);
      const day = (d: string) => m.daily.find((x: { date: string }) => x.date === d);
      assert.deepEqual(
        [day('2026-12-03').opened, day('2026-12-03').finished, day('2026-12-05').finished],
        [3, 2, 1],
      );
      assert.equal(day('2026-12-05').refundedCents, 9_900);
      // The metrics API serves the same figures.
      const alias = await call('GET', '/api/admin/metrics/aftersales?days=30', undefined, await as(0));
      assert.deepEqual(alias.json().totals, m.totals);
    });

    it('AS-3 the window: days=1 leaves out cases opened before today; days out of 1–90 is 400 naming days', async () => {
      const today = (
        await call('GET', '/api/admin/aftersales/metrics?days=1', undefined, await as(0))
      ).json();
      assert.equal(today.totals.count, 0);
      assert.equal(today.daily.length, 1);
      for (const days of ['0', '91', 'x']) {
        const bad = await call('GET', `/api/admin/aftersales/metrics?days=${days}`, undefined, await as(0));
        assert.equal(bad.status, 400);
        assert.equal(bad.json().error.field, 'days');
      }
      const junior = await call('GET', '/api/admin/aftersales/metrics', undefined, await as(1));
      assert.equal(junior.status, 403);
    });
  });
}
