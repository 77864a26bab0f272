/**
 * Issue #16: the v1 integration API for a shop that is not the demo, on SQLite and PostgreSQL —
 * keys made by the owner (shown once, stored hashed, revocable, scoped); products, buyers and
 * orders written by the shop's own ids, idempotently; tracking events once each; bad input named
 * and nothing written; another shop's key sees nothing; and an order written through the API is
 * what the bot answers its buyer with (BOT-4).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AgentId, ConversationId, ShopId } from '@xiaoer/core';
import { testDatabases } from '../support/databases';
import { waitFor } from '../support/wait';
import { V1_ORDER } from '../support/v1';
import { makeAgent, makeShop } from '../support/fixtures';
import {
  loginCookie,
  signedIdentity,
  startTestServer,
  widgetSession,
  type TestServer,
} from '../support/server';

interface Answer {
  status: number;
  body: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: () => any;
}

const ORDER = V1_ORDER;

for (const engine of testDatabases) {
  describe(`issue #16 the v1 API (${engine.name})`, () => {
    let t: TestServer;
    let shopId: ShopId;
    let owner: string;
    let agentCookie: string;
    let key = '';
    let readKey = '';
    let otherKey = '';

    const call = async (
      method: 'GET' | 'PUT' | 'POST' | 'DELETE',
      url: string,
      payload?: unknown,
      auth: { key?: string; cookie?: string } = { key },
    ): Promise<Answer> => {
      const res = await t.server.app.inject({
        method,
        url,
        headers: {
          ...(auth.key !== undefined ? { authorization: `Bearer ${auth.key}` } : {}),
          ...(auth.cookie ? { cookie: auth.cookie } : {}),
        },
        ...(payload !== undefined ? { payload: payload as object } : {}),
      });
      return { status: res.statusCode, body: res.body, json: () => res.json() };
    };
    const makeKey = async (cookie: string, body: object) => {
      const res = await call('POST', '/api/admin/api-keys', body, { cookie });
      assert.equal(res.status, 201, res.body);
      return res.json() as { id: string; key: string };
    };

    before(async () => {
      t = await startTestServer({ storage: await engine.open(), demo: false });
      shopId = await makeShop(t.storage, `tea-${engine.name}`);
      const boss = await makeAgent(t.storage, shopId, { role: 'owner', takesRouting: false });
      const agent = await makeAgent(t.storage, shopId);
      owner = await loginCookie(t.server, boss.email);
      agentCookie = await loginCookie(t.server, agent.email);
      const other = await makeShop(t.storage, `other-${engine.name}`);
      const otherOwner = await makeAgent(t.storage, other, { role: 'owner' });
      otherKey = (await makeKey(await loginCookie(t.server, otherOwner.email), { name: '别家' })).key;
    });
    after(async () => {
      await t.close();
    });

    it('keys: made by admins, shown once, stored hashed; agents may not; scopes are kept', async () => {
      const made = await makeKey(owner, { name: 'ERP' });
      key = made.key;
      assert.match(key, /^xk_[A-Za-z0-9_-]{40,}$/);
      readKey = (await makeKey(owner, { name: '报表', scopes: ['read'] })).key;
      const listed = await call('GET', '/api/admin/api-keys', undefined, { cookie: owner });
      assert.equal(listed.status, 200);
      assert.ok(!listed.body.includes(key), 'the key is never shown again');
      const erp = (listed.json().keys as { id: string; prefix: string; scopes: string[] }[]).find(
        (k) => k.id === made.id,
      )!;
      assert.equal(erp.prefix, key.slice(0, 9));
      assert.deepEqual(erp.scopes, ['read', 'write']);
      assert.equal(
        (await call('GET', '/api/admin/api-keys', undefined, { cookie: agentCookie })).status,
        403,
      );
      const bad = await call(
        'POST',
        '/api/admin/api-keys',
        { name: '', scopes: ['admin'] },
        { cookie: owner },
      );
      assert.equal(bad.status, 400);
    });

    it('no key, a wrong key or a read-only key writing: 401 / 403 naming authorization, nothing written', async () => {
      for (const [auth, status] of [
        [{}, 401],
        [{ key: 'xk_not-a-key' }, 401],
        [{ key: readKey }, 403],
      ] as const) {
        const res = await call('PUT', '/api/v1/products/p-1', { title: '茶', priceCents: 1 }, auth);
        assert.equal(res.status, status, res.body);
        assert.equal(res.json().error.field, 'authorization');
      }
      assert.equal(await t.storage.orders.findProduct(shopId, 'p-1'), undefined);
    });

    it('products: the same PUT twice is one row (201, then 200 unchanged); a change updates it', async () => {
      const body = { title: '明前龙井 250g', priceCents: 12_800, imageUrl: 'https://img.example.cn/lj.jpg' };
      const first = await call('PUT', '/api/v1/products/longjing-250', body);
      assert.equal(first.status, 201, first.body);
      const at = first.json().product.updatedAt;
      const again = await call('PUT', '/api/v1/products/longjing-250', body);
      assert.equal(again.status, 200);
      assert.equal(again.json().product.updatedAt, at, 'nothing written');
      const changed = await call('PUT', '/api/v1/products/longjing-250', { ...body, priceCents: 11_800 });
      assert.equal(changed.json().product.priceCents, 11_800);
      const list = await t.storage.orders.listProductsPage(shopId, null, 10);
      assert.equal(list.filter((p) => p.id === 'longjing-250').length, 1);
      const read = await call('GET', '/api/v1/products/longjing-250', undefined, { key: readKey });
      assert.equal(read.json().product.title, '明前龙井 250g');
    });

    it('lists page by cursor', async () => {
      for (const id of ['a-1', 'a-2', 'a-3'])
        await call('PUT', `/api/v1/products/${id}`, { title: id, priceCents: 100 });
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await call('GET', `/api/v1/products?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        assert.equal(page.status, 200, page.body);
        seen.push(...(page.json().products as { externalId: string }[]).map((p) => p.externalId));
        cursor = page.json().nextCursor;
      } while (cursor);
      assert.deepEqual(seen, ['a-1', 'a-2', 'a-3', 'longjing-250']);
    });

    it('orders: an unknown buyer is created with the order; the same PUT twice is one order; a bad body is named and writes nothing', async () => {
      const first = await call('PUT', '/api/v1/orders/T-20261201-1', ORDER);
      assert.equal(first.status, 201, first.body);
      assert.equal(first.json().order.buyerExternalId, 'tb-8801');
      const buyer = await t.storage.buyers.findByExternalId(shopId, 'tb-8801');
      assert.equal(buyer?.nick, '买家8801');
      const again = await call('PUT', '/api/v1/orders/T-20261201-1', ORDER);
      assert.equal(again.status, 200);
      assert.equal(again.json().order.updatedAt, first.json().order.updatedAt);
      // The shop sends the buyer later: the same buyer, now with its nick.
      const named = await call('PUT', '/api/v1/buyers/tb-8801', { nick: '茶友小王' });
      assert.equal(named.status, 200, named.body);
      assert.equal((await t.storage.buyers.findByExternalId(shopId, 'tb-8801'))?.id, buyer?.id);

      for (const [body, field] of [
        [{ ...ORDER, status: 'lost' }, 'status'],
        [{ ...ORDER, items: [{ ...ORDER.items[0], quantity: 0 }] }, 'items.0.quantity'],
        [{ ...ORDER, createdAt: 'yesterday' }, 'createdAt'],
        [{ ...ORDER, buyerExternalId: 'tb 9999' }, 'buyerExternalId'],
        [{ ...ORDER, extra: 1 }, ''],
      ] as const) {
        const res = await call('PUT', '/api/v1/orders/T-bad', body);
        assert.equal(res.status, 400, res.body);
        if (field) assert.equal(res.json().error.field, field);
      }
      assert.equal(await t.storage.orders.findOrder(shopId, 'T-bad'), undefined);
      assert.equal(await t.storage.buyers.findByExternalId(shopId, 'tb 9999'), undefined);
      assert.equal((await call('PUT', '/api/v1/orders/bad%20id', ORDER)).json().error.field, 'externalId');
      // Oversize and malformed bodies: refused before anything is read into the shop.
      const huge = await call('PUT', '/api/v1/orders/T-huge', {
        ...ORDER,
        note: 'x'.repeat(2 * 1024 * 1024),
      });
      assert.equal(huge.status, 413, huge.body);
      assert.equal(huge.json().error.code, 'payload_too_large');
      const broken = await t.server.app.inject({
        method: 'PUT',
        url: '/api/v1/orders/T-broken',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        payload: '{"buyerExternalId": "tb-1", ',
      });
      assert.equal(broken.statusCode, 400, broken.body);
      assert.equal(await t.storage.orders.findOrder(shopId, 'T-huge'), undefined);
      assert.equal(await t.storage.orders.findOrder(shopId, 'T-broken'), undefined);
    });

    it('another shop’s key sees none of it, and may use the same ids for its own', async () => {
      assert.equal(
        (await call('GET', '/api/v1/orders/T-20261201-1', undefined, { key: otherKey })).status,
        404,
      );
      assert.equal((await call('GET', '/api/v1/buyers/tb-8801', undefined, { key: otherKey })).status, 404);
      const theirs = await call(
        'PUT',
        '/api/v1/orders/T-20261201-1',
        { ...ORDER, totalCents: 1 },
        { key: otherKey },
      );
      assert.equal(theirs.status, 201, theirs.body);
      assert.equal((await t.storage.orders.findOrder(shopId, 'T-20261201-1'))?.totalCents, 12_800);
    });

    it('tracking events once each, newest first; an unknown order is 404', async () => {
      await call('PUT', '/api/v1/orders/T-20261201-1', {
        ...ORDER,
        status: 'shipped',
        carrier: '顺丰速运',
        trackingNo: 'SF1234567890',
        shippedAt: '2026-12-01T16:00:00+08:00',
      });
      const events = [
        { id: 'sf-1', at: '2026-12-01T18:00:00+08:00', description: '【杭州】已揽收' },
        { id: 'sf-2', at: '2026-12-02T06:00:00+08:00', description: '【上海转运中心】已发出' },
      ];
      const first = await call('POST', '/api/v1/orders/T-20261201-1/logistics', { events });
      assert.equal(first.status, 200, first.body);
      assert.equal(first.json().added, 2);
      const again = await call('POST', '/api/v1/orders/T-20261201-1/logistics', { events });
      assert.equal(again.json().added, 0);
      assert.deepEqual(
        (again.json().order.logistics as { id: string }[]).map((e) => e.id),
        ['sf-2', 'sf-1'],
      );
      const missing = await call('POST', '/api/v1/orders/nope/logistics', { events });
      assert.equal(missing.status, 404);
    });

    it('BOT-4: the buyer of an order written through the API is answered from it', async () => {
      const bot = await call('GET', '/api/admin/bot', undefined, { cookie: owner });
      await call('PUT', '/api/admin/bot', { ...bot.json().settings, enabled: true }, { cookie: owner });
      await call(
        'POST',
        '/api/admin/faq',
        { question: '可以开发票吗', answer: '亲，可以开电子发票' },
        { cookie: owner },
      );
      // An old customer (RT-7 would send a first-time buyer straight to a person): a year-old order.
      const old = await call('PUT', '/api/v1/orders/T-20250301-9', {
        ...ORDER,
        status: 'completed',
        createdAt: '2025-03-01T10:00:00+08:00',
        paidAt: '2025-03-01T10:05:00+08:00',
      });
      assert.equal(old.status, 201, old.body);
      const shop = (await t.storage.shops.findShop(shopId))!;
      const { token } = await widgetSession(t.server, {
        shop: shop.slug,
        identity: signedIdentity(shop.secret, 'tb-8801'),
      });
      const sent = await t.server.app.inject({
        method: 'POST',
        url: '/api/widget/messages',
        headers: { authorization: `Bearer ${token}` },
        payload: { clientId: 'where', kind: 'text', body: { text: '我的快递到哪了' } },
      });
      assert.equal(sent.statusCode, 200, sent.body);
      const id = sent.json().conversation.id;
      const line = await waitFor(
        'the bot to answer',
        async () => {
          const msgs = await t.storage.conversations.listMessages(shopId, id, 0, 20);
          const m = msgs.find((x) => x.sender === 'bot' && x.kind === 'text');
          return m && m.kind === 'text' ? m.body.text : undefined;
        },
        { every: 25 },
      );
      assert.match(line ?? '', /T-20261201-1/);
      assert.match(line ?? '', /上海转运中心/);
    });

    it('a revoked key is refused at once', async () => {
      const made = await makeKey(owner, { name: '临时' });
      assert.equal((await call('GET', '/api/v1/products', undefined, { key: made.key })).status, 200);
      assert.equal(
        (await call('DELETE', `/api/admin/api-keys/${made.id}`, undefined, { cookie: owner })).status,
        200,
      );
      assert.equal((await call('GET', '/api/v1/products', undefined, { key: made.key })).status, 401);
      assert.equal(
        (await call('DELETE', '/api/admin/api-keys/nope', undefined, { cookie: owner })).status,
        404,
      );
    });
  });
}

for (const engine of testDatabases) {
  describe(`issue #16 RT-3: an order's status written through the API routes its buyer (${engine.name})`, () => {
    let t: TestServer;
    let shopId: ShopId;
    let key = '';
    let presaleId = '';

    before(async () => {
      t = await startTestServer({ storage: await engine.open(), demo: false });
      shopId = await makeShop(t.storage, `rt3-${engine.name}`);
      const boss = await makeAgent(t.storage, shopId, { role: 'owner', takesRouting: false });
      const presale = await makeAgent(t.storage, shopId, { name: '售前小美' });
      const aftersale = await makeAgent(t.storage, shopId, { name: '售后小王' });
      presaleId = presale.id;
      const cookie = await loginCookie(t.server, boss.email);
      const res = await t.server.app.inject({
        method: 'POST',
        url: '/api/admin/api-keys',
        headers: { cookie },
        payload: { name: 'ERP' },
      });
      key = (res.json() as { key: string }).key;
      const routing = await t.server.app.inject({
        method: 'PUT',
        url: '/api/admin/routing',
        headers: { cookie },
        payload: {
          mode: 'group',
          groups: [
            {
              id: 'pre',
              name: '售前',
              statuses: ['none', 'unpaid', 'paid', 'shipped'],
              agentIds: [presale.id],
            },
            { id: 'after', name: '售后', statuses: ['after-sales'], agentIds: [aftersale.id] },
          ],
          offlineRouting: [],
          lingerMinutes: 0,
          returningBuyerHours: 0,
          newCustomerPriority: false,
        },
      });
      assert.equal(routing.statusCode, 200, routing.body);
      for (const a of [presale, aftersale]) await t.server.ctx.chat.setAgentStatus(shopId, a.id, 'online');
    });
    after(async () => {
      await t.close();
    });

    const putOrder = (status: string) =>
      t.server.app.inject({
        method: 'PUT',
        url: '/api/v1/orders/T-9',
        headers: { authorization: `Bearer ${key}` },
        payload: { ...ORDER, status },
      });
    const buyerAsks = async (clientId: string) => {
      const shop = (await t.storage.shops.findShop(shopId))!;
      const { token } = await widgetSession(t.server, {
        shop: shop.slug,
        identity: signedIdentity(shop.secret, ORDER.buyerExternalId),
      });
      const sent = await t.server.app.inject({
        method: 'POST',
        url: '/api/widget/messages',
        headers: { authorization: `Bearer ${token}` },
        payload: { clientId, kind: 'text', body: { text: '在吗' } },
      });
      assert.equal(sent.statusCode, 200, sent.body);
      return sent.json().conversation as { id: string; queueGroup: string | null; agentId: string | null };
    };
    const agentName = async (conversationId: string) => {
      const c = await t.storage.conversations.findConversation(shopId, conversationId as never);
      return (await t.storage.agents.findAgent(shopId, c!.agentId!))?.name;
    };

    it('paid → the pre-sale group; the same order now after_sales → the after-sales group', async () => {
      assert.equal((await putOrder('paid')).statusCode, 201);
      const first = await buyerAsks('rt3-1');
      assert.equal(await agentName(first.id), '售前小美');
      await t.server.ctx.chat.endConversation(
        shopId,
        { type: 'agent', agentId: presaleId as AgentId, isAdmin: false },
        first.id as ConversationId,
      );
      assert.equal((await putOrder('after_sales')).statusCode, 200);
      const second = await buyerAsks('rt3-2');
      assert.equal(await agentName(second.id), '售后小王');
    });
  });
}
