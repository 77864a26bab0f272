/**
 * Issue #19: after-sales cases for a shop that is not the demo, on SQLite and PostgreSQL, with a
 * fake clock — orders come in through the v1 API; the buyer opens a refund in the widget with a
 * photo; AS-2's 48 h boundary on both sides across a restart; a node killed holding a due deadline
 * (another fires it, once); a decision carried out by the shop's connector step by step, a step
 * failing half way and compensated; a shop without a connector deciding at once; AS-1, AS-5, AS-6
 * refusals naming the field and leaving nothing written.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeClock, HOUR, MINUTE, DAY, type ShopId } from '@xiaoer/core';
import { testDatabases } from '../support/databases';
import { makeAgent, makeShop } from '../support/fixtures';
import { loginCookie, signedIdentity, startTestServer, type TestServer } from '../support/server';
import { pngUpload } from '../support/uploads';
import { createServer, type XiaoerServer } from '../../packages/server/src/app';
import { parseConfig } from '../../packages/server/src/config';

const ORDER = (status: string, cents: number, productId = 'tea-1', shipped = false) => ({
  buyerExternalId: 'tb-77',
  status,
  totalCents: cents,
  items: [{ productExternalId: productId, title: '商品 ' + productId, quantity: 1, priceCents: cents }],
  createdAt: '2026-12-01T10:00:00+08:00',
  paidAt: '2026-12-01T10:02:00+08:00',
  ...(shipped ? { shippedAt: '2026-12-02T09:00:00+08:00', carrier: '顺丰', trackingNo: 'SF100' } : {}),
});

for (const engine of testDatabases) {
  describe(`issue #19 after-sales cases (${engine.name})`, () => {
    const clock = new FakeClock(Date.UTC(2026, 11, 3, 2, 0, 0));
    let t: TestServer;
    let server: XiaoerServer;
    let storage: TestServer['storage'];
    let shopId: ShopId;
    let owner = '';
    let junior = '';
    let juniorId = '';
    let ownerId = '';
    let key = '';
    let buyerToken = '';
    let refundCase = '';

    const call = async (
      method: 'GET' | 'PUT' | 'POST' | 'DELETE',
      url: string,
      payload?: unknown,
      auth: { key?: string; cookie?: string; token?: string } = { key },
    ) => {
      const bearer = auth.key ?? auth.token;
      const res = await server.app.inject({
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
    let emails: string[] = [];
    /** Sessions expire while the fake clock runs days on: the agents log in again. */
    const relogin = async () => {
      owner = await loginCookie(server, emails[0]!);
      junior = await loginCookie(server, emails[1]!);
    };
    /** An agent's action on a case (the workbench's call). */
    const actOn = (id: string, body: unknown, cookie: string) =>
      call('POST', `/api/aftersales/${id}/actions`, body, { cookie });
    const caseOf = async (id: string) =>
      (await call('GET', `/api/aftersales/${id}`, undefined, { cookie: owner })).json().case;
    const count = async () => (await storage.aftersales.list(shopId, { view: 'all', limit: 200 })).length;

    before(async () => {
      storage = await engine.open();
      t = await startTestServer({ storage, clock, demo: false, env: { WEBHOOK_ALLOW_PRIVATE: 'true' } });
      server = t.server;
      shopId = await makeShop(storage, `as-${engine.name}`);
      const boss = await makeAgent(storage, shopId, { role: 'owner', takesRouting: false });
      const kefu = await makeAgent(storage, shopId, { role: 'agent' });
      ownerId = boss.id;
      emails = [boss.email, kefu.email];
      juniorId = kefu.id;
      owner = await loginCookie(server, boss.email);
      junior = await loginCookie(server, kefu.email);
      key = (await call('POST', '/api/admin/api-keys', { name: 'ERP' }, { cookie: owner })).json().key;
      // The shop's catalogue and orders arrive through the API; durian is fresh fruit (AS-1).
      assert.equal(
        (await call('PUT', '/api/v1/products/tea-1', { title: '龙井', priceCents: 12_800 })).status,
        201,
      );
      const durian = await call('PUT', '/api/v1/products/durian', {
        title: '榴莲',
        priceCents: 9_900,
        special: true,
      });
      assert.equal(durian.json().product.special, true);
      assert.equal((await call('PUT', '/api/v1/orders/o-paid', ORDER('paid', 12_800))).status, 201);
      assert.equal(
        (await call('PUT', '/api/v1/orders/o-ship', ORDER('shipped', 12_800, 'tea-1', true))).status,
        201,
      );
      assert.equal(
        (await call('PUT', '/api/v1/orders/o-durian', ORDER('shipped', 9_900, 'durian', true))).status,
        201,
      );
      const shop = (await storage.shops.findShop(shopId))!;
      const session = await server.app.inject({
        method: 'POST',
        url: '/api/widget/session',
        payload: { shop: shop.slug, identity: signedIdentity(shop.secret, 'tb-77', { ts: clock.now() }) },
      });
      assert.equal(session.statusCode, 200, session.body);
      buyerToken = session.json().token;
    });
    after(async () => {
      await server.close();
      await storage.close();
    });

    it('the buyer opens a refund in the widget with a photo; the 48 h answer deadline is armed', async () => {
      const { payload, headers } = await pngUpload();
      const up = await server.app.inject({
        method: 'POST',
        url: '/api/uploads',
        headers: { ...headers, authorization: `Bearer ${buyerToken}` },
        payload,
      });
      assert.equal(up.statusCode, 201, up.body);
      const photo = up.json().url as string;
      const res = await call(
        'POST',
        '/api/widget/aftersales',
        {
          orderId: 'o-paid',
          kind: 'refund-only',
          reason: '不想要了',
          evidence: [photo.replace('/uploads/', '')],
        },
        { token: buyerToken },
      );
      assert.equal(res.status, 201, res.body);
      const c = res.json().case;
      refundCase = c.id;
      assert.equal(c.status, 'requested');
      assert.equal(c.requestedCents, 12_800);
      assert.equal(c.deadline.kind, 'merchant-answer');
      assert.equal(c.deadline.at, clock.now() + 48 * HOUR);
      assert.deepEqual(
        c.evidence.map((e: { url: string }) => e.url),
        [photo],
      );
      const timers = await storage.timers.list({ kind: 'aftersales.deadline', shopId });
      assert.deepEqual(
        timers.map((x) => x.dueAt),
        [clock.now() + 48 * HOUR],
      );
      // The buyer sees their case; the agent sees it with its photo and history.
      const mine = (await call('GET', '/api/widget/aftersales', undefined, { token: buyerToken })).json();
      assert.deepEqual(
        mine.cases.map((x: { id: string }) => x.id),
        [refundCase],
      );
      const seen = await caseOf(refundCase);
      assert.equal(seen.evidence.length, 1);
      assert.equal(seen.history[0].by, 'buyer');
    });

    it('refuses bad requests naming the field, writing nothing (AS-1)', async () => {
      const before = await count();
      const above = await call(
        'POST',
        '/api/widget/aftersales',
        { orderId: 'o-ship', kind: 'return-refund', reason: '太贵', amountCents: 12_801 },
        { token: buyerToken },
      );
      assert.equal(above.status, 400);
      assert.equal(above.json().error.field, 'amount');
      const twice = await call(
        'POST',
        '/api/widget/aftersales',
        { orderId: 'o-paid', kind: 'refund-only', reason: '再申请一次' },
        { token: buyerToken },
      );
      assert.equal(twice.status, 409);
      assert.equal(twice.json().error.field, 'order');
      const fruit = await call(
        'POST',
        '/api/widget/aftersales',
        { orderId: 'o-durian', kind: 'return-refund', reason: '不喜欢' },
        { token: buyerToken },
      );
      assert.equal(fruit.status, 400);
      assert.equal(fruit.json().error.field, 'kind');
      assert.deepEqual(fruit.json().error.details.allowed, ['refund-only', 'reship', 'compensation']);
      const notMine = await call(
        'POST',
        '/api/widget/aftersales',
        { orderId: 'no-such', kind: 'refund-only', reason: '?' },
        { token: buyerToken },
      );
      assert.equal(notMine.status, 404);
      assert.equal(notMine.json().error.field, 'orderId');
      const noReason = await call(
        'POST',
        '/api/widget/aftersales',
        { orderId: 'o-ship', kind: 'return-refund' },
        { token: buyerToken },
      );
      assert.equal(noReason.status, 400);
      assert.equal(noReason.json().error.field, 'reason');
      assert.equal(await count(), before);
    });

    it('AS-6: a junior agent records but may not approve; the case is untouched', async () => {
      const res = await actOn(refundCase, { type: 'approve' }, junior);
      assert.equal(res.status, 403);
      assert.equal(res.json().error.field, 'role');
      const esc = await actOn(
        refundCase,
        { type: 'escalate', to: ownerId, note: '买家很着急，请今天处理' },
        junior,
      );
      assert.equal(esc.status, 200, esc.body);
      const c = await caseOf(refundCase);
      assert.equal(c.status, 'requested');
      assert.equal(c.holder, ownerId);
      assert.equal(c.history.at(-1).note, '买家很着急，请今天处理');
      assert.equal(c.history.at(-1).agent, juniorId);
    });

    it('AS-2: not approved 1 ms before 48 h, across a restart; approved by the system at exactly 48 h', async () => {
      const due = (await caseOf(refundCase)).deadline.at as number;
      const alerts: { kind: string; at: number; holder: string | null }[] = [];
      server.ctx.aftersales.onAlert((alert) =>
        alerts.push({ kind: alert.kind, at: alert.at, holder: alert.record.case.holder }),
      );
      clock.set(due - 1);
      await server.scheduler.runDue();
      assert.equal((await caseOf(refundCase)).status, 'requested');
      // The holder and supervisors were alerted (6 h before, by default) while it was avoidable.
      assert.deepEqual(alerts, [{ kind: 'merchant-answer', at: due, holder: ownerId }]);
      // A restart: the deadline lives in the database, not in the process.
      await server.close();
      server = await createServer(
        parseConfig({
          PORT: '0',
          LOG_LEVEL: 'silent',
          SECRET: 'test-secret-test-secret-test-secret!',
          WEBHOOK_ALLOW_PRIVATE: 'true',
        }),
        { storage, clock },
      );
      // (the owner's session is in the database too: the same cookie works on the new node)
      clock.set(due);
      assert.ok((await server.scheduler.runDue()) >= 1);
      const c = await caseOf(refundCase);
      assert.equal(c.status, 'approved');
      const approval = c.history.find((h: { status: string }) => h.status === 'approved');
      assert.equal(approval.by, 'system');
      assert.equal(approval.reason, 'deadline');
      assert.equal(approval.at, due);
      assert.equal(c.deadline.kind, 'merchant-refund');
      // Fired once: running again does nothing more.
      await server.scheduler.runDue();
      assert.equal(
        (await caseOf(refundCase)).history.filter((h: { status: string }) => h.status === 'approved').length,
        1,
      );
    });

    it('a node killed holding the due refund deadline: another fires it after the lease, once', async () => {
      await relogin();
      const c = await caseOf(refundCase);
      assert.equal(c.deadline.kind, 'merchant-refund');
      clock.set(c.deadline.at);
      await relogin();
      // The dead node claimed the due timer and never finished it.
      const claimed = await storage.timers.claimDue('dead-node', clock.now(), 30_000, 10, [
        'aftersales.deadline',
      ]);
      assert.equal(claimed.length, 1);
      await server.scheduler.runDue();
      assert.equal((await caseOf(refundCase)).status, 'approved');
      clock.advance(30_000);
      await server.scheduler.runDue();
      await relogin();
      const done = await caseOf(refundCase);
      assert.equal(done.status, 'refunded');
      assert.equal(done.refundedCents, 12_800);
      const refunded = done.history.filter((h: { status: string }) => h.status === 'refunded');
      assert.equal(refunded.length, 1);
      assert.equal(refunded[0].by, 'system');
      assert.equal(refunded[0].at, c.deadline.at);
      await server.scheduler.runDue();
      assert.equal((await caseOf(refundCase)).history.length, done.history.length);
    });

    it('the connector carries a decision out step by step; a step failing half way is compensated', async () => {
      const hook = await call('POST', '/api/v1/webhooks', {
        url: 'http://127.0.0.1:9/connector',
        events: ['aftersales.step', 'aftersales.undo'],
      });
      assert.equal(hook.status, 201, hook.body);
      const hookId = hook.json().webhook.id as string;
      const steps = async (type: string) =>
        (await storage.webhooks.deliveries(shopId, hookId, { limit: 100 }))
          .filter((d) => d.type === type)
          .map((d) => JSON.parse(d.body).data.step as { id: string; name: string });
      const opened = await call(
        'POST',
        '/api/widget/aftersales',
        { orderId: 'o-ship', kind: 'return-refund', reason: '尺码不合适' },
        { token: buyerToken },
      );
      assert.equal(opened.status, 201, opened.body);
      const id = opened.json().case.id as string;
      const act = (body: unknown, cookie = owner) =>
        call('POST', `/api/aftersales/${id}/actions`, body, { cookie });
      const confirm = (stepId: string, body: unknown = { ok: true }) =>
        call('POST', `/api/v1/aftersales/${id}/steps/${stepId}`, body);

      const approving = await act({ type: 'approve' });
      assert.equal(approving.status, 200, approving.body);
      assert.equal(approving.json().case.status, 'requested');
      assert.equal(approving.json().case.workflow.steps[0].status, 'waiting');
      const [approveStep] = await steps('aftersales.step');
      assert.equal(approveStep!.name, 'approve');
      // One decision at a time; the connector confirms only the step it was sent.
      const again = await act({ type: 'approve' });
      assert.equal(again.status, 409);
      assert.equal(again.json().error.field, 'workflow');
      const unknown = await confirm('wf_nope.1');
      assert.equal(unknown.status, 404);
      assert.equal(unknown.json().error.field, 'step');
      const ok = await confirm(approveStep!.id);
      assert.equal(ok.status, 200, ok.body);
      assert.equal(ok.json().case.status, 'awaiting-return');
      assert.equal(ok.json().case.deadline.kind, 'buyer-ship');

      const shipped = await call(
        'POST',
        `/api/widget/aftersales/${id}/actions`,
        { type: 'ship-return', carrier: '中通', trackingNo: 'ZT123' },
        { token: buyerToken },
      );
      assert.equal(shipped.status, 200, shipped.body);
      assert.equal(shipped.json().case.status, 'return-shipped');
      const received = await act({ type: 'receive' }, junior);
      assert.equal(received.status, 200, received.body);
      assert.equal(received.json().case.status, 'received');

      // approve → restock → refund: the refund (no undo) goes last; it fails, the restock is undone.
      assert.equal((await act({ type: 'refund' })).status, 200);
      const [, restock] = await steps('aftersales.step').then((l) => l.reverse());
      assert.equal(restock!.name, 'restock');
      assert.equal((await confirm(restock!.id)).status, 200);
      const refundStep = (await steps('aftersales.step'))[0]!;
      assert.equal(refundStep.name, 'refund');
      const failed = await confirm(refundStep.id, { ok: false, error: '平台余额不足' });
      assert.equal(failed.status, 200, failed.body);
      const afterFail = await caseOf(id);
      assert.equal(afterFail.status, 'received');
      assert.equal(afterFail.refundedCents, 0);
      assert.equal(afterFail.flagged, 'workflow-failed');
      assert.equal(afterFail.workflow.status, 'compensated');
      assert.deepEqual(
        (await steps('aftersales.undo')).map((u) => [u.id, u.name]),
        [[restock!.id, 'restock']],
      );
      const late = await confirm(refundStep.id);
      assert.equal(late.status, 409);
      assert.equal(late.json().error.field, 'step');

      // Tried again: both confirmed, the case is refunded once, in full.
      assert.equal((await act({ type: 'refund' })).status, 200);
      assert.equal((await confirm((await steps('aftersales.step'))[0]!.id)).status, 200);
      const last = await confirm((await steps('aftersales.step'))[0]!.id);
      assert.equal(last.status, 200, last.body);
      const done = await caseOf(id);
      assert.equal(done.status, 'refunded');
      assert.equal(done.refundedCents, 12_800);
      assert.equal(done.flagged, null);
      assert.ok(done.finishedAt !== null);
      const rated = await call(
        'POST',
        `/api/widget/aftersales/${id}/actions`,
        { type: 'rate', score: 5 },
        { token: buyerToken },
      );
      assert.equal(rated.status, 200, rated.body);
      assert.equal(rated.json().case.rating, 5);
      assert.equal((await call('DELETE', `/api/v1/webhooks/${hookId}`)).status, 200);
    });

    it('a connector that never answers: the step fails at its timeout and nothing stays half done', async () => {
      const hook = await call('POST', '/api/v1/webhooks', {
        url: 'http://127.0.0.1:9/connector',
        events: ['aftersales.step', 'aftersales.undo'],
      });
      const hookId = hook.json().webhook.id as string;
      const opened = await call(
        'POST',
        '/api/aftersales',
        { orderId: 'o-durian', kind: 'compensation', reason: '榴莲磕碰' },
        { cookie: junior },
      );
      assert.equal(opened.status, 201, opened.body);
      const id = opened.json().case.id as string;
      // AS-5: a stingy coupon is refused, naming the field.
      const stingy = await actOn(
        id,
        { type: 'compensate', coupon: { amountCents: 3000, validDays: 3, scope: 'store' } },
        owner,
      );
      assert.equal(stingy.status, 400);
      assert.equal(stingy.json().error.field, 'coupon.validDays');
      const fair = await actOn(
        id,
        {
          type: 'compensate',
          coupon: { amountCents: 3000, validDays: 30, scope: 'store' },
          amountCents: 2000,
        },
        owner,
      );
      assert.equal(fair.status, 200, fair.body);
      assert.deepEqual(
        fair.json().case.workflow.steps.map((x: { name: string }) => x.name),
        ['coupon', 'refund'],
      );
      const settings = (
        await call('GET', '/api/admin/aftersales/settings', undefined, { cookie: owner })
      ).json().settings;
      clock.advance(settings.stepTimeoutMinutes * MINUTE - 1);
      await server.scheduler.runDue();
      await relogin();
      assert.equal((await caseOf(id)).workflow.status, 'running');
      clock.advance(1);
      await server.scheduler.runDue();
      await relogin();
      const c = await caseOf(id);
      assert.equal(c.workflow.status, 'compensated');
      assert.equal(c.status, 'requested');
      assert.equal(c.refundedCents, 0);
      assert.deepEqual(c.coupons, []);
      // The unanswered coupon step is called off: the connector must not issue it now.
      const undos = async () =>
        (await storage.webhooks.deliveries(shopId, hookId, { limit: 50 }))
          .filter((d) => d.type === 'aftersales.undo')
          .map((d) => JSON.parse(d.body).data.step as { id: string; name: string; status: string });
      const couponStep = c.workflow.steps[0];
      assert.deepEqual(await undos(), [{ id: couponStep.id, name: 'coupon', status: 'failed' }]);
      // It had been issued after all: confirmed late, it is taken back (undone) and said once.
      const late = await call('POST', `/api/v1/aftersales/${id}/steps/${couponStep.id}`, { ok: true });
      assert.equal(late.status, 200, late.body);
      const again = await call('POST', `/api/v1/aftersales/${id}/steps/${couponStep.id}`, { ok: true });
      assert.equal(again.status, 200, again.body);
      assert.equal((await undos()).length, 2);
      assert.equal((await caseOf(id)).workflow.steps[0].status, 'undone');
      assert.equal((await call('DELETE', `/api/v1/webhooks/${hookId}`)).status, 200);
      // AS-4: compensate first — no carrier claim while the buyer is still waiting.
      const early = await actOn(id, { type: 'claim-carrier', carrier: '顺丰' }, junior);
      assert.equal(early.status, 409);
      assert.equal(early.json().error.field, 'status');
      // With no connector listening, the shop's agents act in the platform's console: at once.
      const now = await actOn(
        id,
        {
          type: 'compensate',
          coupon: { amountCents: 3000, validDays: 30, scope: 'store' },
          amountCents: 2000,
        },
        owner,
      );
      assert.equal(now.status, 200, now.body);
      assert.equal(now.json().case.status, 'compensated');
      assert.equal(now.json().case.refundedCents, 2000);
      assert.ok(
        now.json().case.workflow.steps.every((x: { confirmedBy?: string }) => x.confirmedBy === 'manual'),
      );
      // …then chase the carrier: any agent opens the claim, a supervisor records what came back.
      const claim = await actOn(
        id,
        { type: 'claim-carrier', carrier: '顺丰', trackingNo: 'SF100', amountCents: 2000 },
        junior,
      );
      assert.equal(claim.status, 200, claim.body);
      assert.equal(claim.json().case.claim.status, 'open');
      const twice = await actOn(id, { type: 'claim-carrier', carrier: '顺丰' }, junior);
      assert.equal(twice.status, 409);
      assert.equal(twice.json().error.field, 'claim');
      const juniorSettles = await actOn(id, { type: 'claim-settle', recoveredCents: 2000 }, junior);
      assert.equal(juniorSettles.status, 403);
      const settled = await actOn(id, { type: 'claim-settle', recoveredCents: 1500 }, owner);
      assert.equal(settled.status, 200, settled.body);
      assert.deepEqual(
        [
          settled.json().case.claim.status,
          settled.json().case.claim.recoveredCents,
          settled.json().case.status,
        ],
        ['settled', 1500, 'compensated'],
      );
      // Settings are checked naming the field.
      const bad = await call(
        'PUT',
        '/api/admin/aftersales/settings',
        { ...settings, merchantAnswerHours: 0 },
        { cookie: owner },
      );
      assert.equal(bad.status, 400);
      assert.equal(bad.json().error.field, 'merchantAnswerHours');
      assert.ok(DAY > 0);
    });

    it('the platform reports a request and its outcome through the v1 API; a catch-all endpoint hears updates, not steps', async () => {
      const all = await call('POST', '/api/v1/webhooks', { url: 'http://127.0.0.1:9/log', events: ['*'] });
      assert.equal(all.status, 201, all.body);
      const hookId = all.json().webhook.id as string;
      assert.equal((await call('PUT', '/api/v1/orders/o-plat', ORDER('paid', 5_000))).status, 201);
      const body = {
        externalId: 'TB-RF-9001',
        orderExternalId: 'o-plat',
        kind: 'refund-only',
        reason: '拍错了',
      };
      const first = await call('POST', '/api/v1/aftersales', body);
      assert.equal(first.status, 201, first.body);
      const c = first.json().case;
      assert.equal(c.openedBy, 'platform');
      assert.equal(c.buyerExternalId, 'tb-77');
      assert.equal(c.requestedCents, 5_000);
      assert.equal(new Date(c.deadline.at).getTime(), clock.now() + 48 * HOUR);
      const again = await call('POST', '/api/v1/aftersales', body);
      assert.equal(again.status, 200);
      assert.equal(again.json().case.id, c.id);
      assert.equal((await call('GET', '/api/v1/aftersales/TB-RF-9001')).json().case.id, c.id);
      const bad = await call('POST', `/api/v1/aftersales/${c.id}/events`, {
        type: 'refund',
        amountCents: 5_001,
      });
      assert.equal(bad.status, 409);
      const approved = await call('POST', `/api/v1/aftersales/${c.id}/events`, { type: 'approve' });
      assert.equal(approved.status, 200, approved.body);
      assert.equal(approved.json().case.status, 'approved');
      const over = await call('POST', `/api/v1/aftersales/${c.id}/events`, {
        type: 'refund',
        amountCents: 5_001,
      });
      assert.equal(over.status, 400);
      assert.equal(over.json().error.field, 'amount');
      const refunded = await call('POST', `/api/v1/aftersales/${c.id}/events`, { type: 'refund' });
      assert.equal(refunded.json().case.status, 'refunded');
      assert.equal(refunded.json().case.refundedCents, 5_000);
      const listed = (await call('GET', '/api/v1/aftersales?orderExternalId=o-plat')).json();
      assert.deepEqual(
        listed.cases.map((x: { id: string }) => x.id),
        [c.id],
      );
      const types = (await storage.webhooks.deliveries(shopId, hookId, { limit: 50 })).map((d) => d.type);
      assert.ok(types.includes('aftersales.created'));
      assert.equal(types.filter((x) => x === 'aftersales.updated').length, 2);
      assert.ok(!types.includes('aftersales.step'));
      assert.equal((await call('DELETE', `/api/v1/webhooks/${hookId}`)).status, 200);
      // Two requests for one order and purpose at once: one case, the other refused naming the order.
      assert.equal((await call('PUT', '/api/v1/orders/o-race', ORDER('paid', 3_000))).status, 201);
      const race = await Promise.all(
        ['TB-A', 'TB-B'].map((externalId) =>
          call('POST', '/api/v1/aftersales', { ...body, externalId, orderExternalId: 'o-race' }),
        ),
      );
      assert.deepEqual(race.map((r) => r.status).sort(), [201, 409]);
      assert.equal(race.find((r) => r.status === 409)!.json().error.field, 'order');
      assert.equal((await storage.aftersales.listForOrder(shopId, 'o-race')).length, 1);
    });

    it("refunds across an order's cases never pass what it paid, decisions in flight included", async () => {
      await relogin();
      const hook = await call('POST', '/api/v1/webhooks', {
        url: 'http://127.0.0.1:9/connector',
        events: ['aftersales.step'],
      });
      const hookId = hook.json().webhook.id as string;
      assert.equal((await call('PUT', '/api/v1/orders/o-two', ORDER('paid', 10_000))).status, 201);
      const open = async (kind: string) =>
        (
          await call(
            'POST',
            '/api/aftersales',
            { orderId: 'o-two', kind, reason: '两个售后单' },
            { cookie: owner },
          )
        ).json().case.id as string;
      const refundId = await open('refund-only');
      const compId = await open('compensation');
      assert.equal((await actOn(refundId, { type: 'approve' }, owner)).status, 200);
      // Approve waits for the connector; confirm it, then refund the whole order (waiting).
      const approveStep = (await caseOf(refundId)).workflow.steps[0].id;
      assert.equal(
        (await call('POST', `/api/v1/aftersales/${refundId}/steps/${approveStep}`, { ok: true })).status,
        200,
      );
      assert.equal((await actOn(refundId, { type: 'refund' }, owner)).status, 200);
      // The refund is on its way: a compensation of 50 more is refused, naming the amount.
      const more = await actOn(compId, { type: 'compensate', amountCents: 5_000 }, owner);
      assert.equal(more.status, 400, more.body);
      assert.equal(more.json().error.field, 'amount');
      assert.equal(more.json().error.details.limit, 0);
      // A junior agent cannot move a case another holds by escalating it.
      const grab = await actOn(compId, { type: 'escalate', to: juniorId, note: '我来处理' }, junior);
      assert.equal(grab.status, 403);
      assert.equal(grab.json().error.field, 'role');
      // A bad page cursor is a 400 naming it.
      const bad = await call('GET', '/api/v1/aftersales?cursor=abc');
      assert.equal(bad.status, 400);
      assert.equal(bad.json().error.field, 'cursor');
      const page = await call('GET', '/api/v1/aftersales?limit=2');
      const next = await call(
        'GET',
        `/api/v1/aftersales?limit=2&cursor=${encodeURIComponent(page.json().nextCursor)}`,
      );
      assert.equal(next.status, 200);
      const ids = [...page.json().cases, ...next.json().cases].map((x: { id: string }) => x.id);
      assert.equal(new Set(ids).size, ids.length);
      assert.equal((await call('DELETE', `/api/v1/webhooks/${hookId}`)).status, 200);
      // Without a connector, two refunds at once on the two cases: together never above 100.
      const [a, b] = await Promise.all([
        actOn(refundId, { type: 'refund', amountCents: 10_000 }, owner),
        actOn(compId, { type: 'compensate', amountCents: 5_000 }, owner),
      ]);
      const refunded = (await storage.aftersales.listForOrder(shopId, 'o-two')).reduce(
        (sum, r) => sum + r.case.refundedCents,
        0,
      );
      assert.ok(refunded <= 10_000, `refunded ${refunded} of 10000 (${a.status}, ${b.status})`);
    });
  });
}
