/**
 * Issue #16: webhooks for a shop that is not the demo, on SQLite and PostgreSQL — endpoints made
 * with a key or in the console, bad URLs refused naming the field; every fact (a conversation
 * opened, assigned, ended; each message; a rating; an order written) queued in the fact's own
 * transaction and delivered signed, once per event id, in order per conversation and per order,
 * through a receiver (a real local HTTP server) that fails its first three tries and a server
 * restart in between; the delivery log, replay and a test ping; deleting an endpoint stops it.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { FakeClock, MINUTE, WEBHOOK_EVENT_TYPES, type ShopId } from '@xiaoer/core';
import { testDatabases } from '../support/databases';
import { makeAgent, makeShop } from '../support/fixtures';
import {
  loginCookie,
  signedIdentity,
  startTestServer,
  widgetSession,
  type TestServer,
} from '../support/server';
import { V1_ORDER } from '../support/v1';
import { Receiver } from '../support/receiver';
import { V1_WEBHOOK_EVENTS, webhookEnvelope, webhookEventData } from '@xiaoer/protocol/v1';
import { v1OpenApi } from '../../packages/server/src/http/routes/v1.openapi';

for (const engine of testDatabases) {
  describe(`issue #16 webhooks (${engine.name})`, () => {
    const clock = new FakeClock(Date.UTC(2026, 11, 3, 2, 0, 0));
    let t: TestServer;
    let storage: TestServer['storage'];
    let shopId: ShopId;
    let owner: string;
    let agentCookie: string;
    let agentId: string;
    let key = '';
    let otherKey = '';
    let webhookId = '';
    let secret = '';
    const receiver = new Receiver();
    let receiverUrl = '';

    const call = async (
      method: 'GET' | 'PUT' | 'POST' | 'DELETE',
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
    const pending = async () =>
      (await storage.webhooks.deliveries(shopId, webhookId, { limit: 200, status: 'pending' })).length;

    before(async () => {
      storage = await engine.open();
      t = await startTestServer({ storage, clock, demo: false });
      shopId = await makeShop(storage, `hooks-${engine.name}`);
      const boss = await makeAgent(storage, shopId, { role: 'owner', takesRouting: false });
      const agent = await makeAgent(storage, shopId);
      agentId = agent.id;
      owner = await loginCookie(t.server, boss.email);
      agentCookie = await loginCookie(t.server, agent.email);
      key = (await call('POST', '/api/admin/api-keys', { name: 'ERP' }, { cookie: owner })).json().key;
      const other = await makeShop(storage, `hooks-other-${engine.name}`);
      const otherOwner = await makeAgent(storage, other, { role: 'owner' });
      const otherCookie = await loginCookie(t.server, otherOwner.email);
      otherKey = (await call('POST', '/api/admin/api-keys', { name: '别家' }, { cookie: otherCookie })).json()
        .key;
      receiverUrl = await receiver.start();
    });
    after(async () => {
      await t.close();
      await receiver.stop();
    });

    it('bad endpoints are refused naming the field, and nothing is made', async () => {
      for (const [body, field] of [
        [{ url: 'ftp://erp.example.com/x', events: ['*'] }, 'url'],
        [{ url: 'not a url', events: ['*'] }, 'url'],
        [{ url: `${t.url}/api/v1/orders`, events: ['*'] }, 'url'],
        [{ url: 'https://erp.example.com/x', events: ['order.deleted'] }, 'events'],
        [{ url: 'https://erp.example.com/x', events: [] }, 'events'],
        [{ events: ['*'] }, 'url'],
      ] as const) {
        const res = await call('POST', '/api/v1/webhooks', body);
        assert.equal(res.status, 400, res.body);
        assert.equal(res.json().error.field?.split('.')[0], field, res.body);
      }
      assert.match(
        (await call('POST', '/api/v1/webhooks', { url: `${t.url}/x`, events: ['*'] })).body,
        /xiaoer itself/,
      );
      assert.deepEqual((await call('GET', '/api/v1/webhooks')).json().webhooks, []);
      // Who may: a key (write to make), the shop's admins; not an agent, not without a key.
      assert.equal(
        (await call('GET', '/api/admin/webhooks', undefined, { cookie: agentCookie })).status,
        403,
      );
      assert.equal((await call('GET', '/api/v1/webhooks', undefined, {})).status, 401);
    });

    it('an endpoint made with a key: its secret shown once', async () => {
      const made = await call('POST', '/api/v1/webhooks', {
        url: receiverUrl,
        events: ['*'],
        description: '订单系统',
      });
      assert.equal(made.status, 201, made.body);
      webhookId = made.json().id;
      secret = made.json().secret;
      assert.match(secret, /^whsec_/);
      const listed = await call('GET', '/api/admin/webhooks', undefined, { cookie: owner });
      assert.equal(listed.status, 200);
      assert.equal(listed.json().webhooks[0].url, receiverUrl);
      assert.ok(!listed.body.includes(secret), 'the secret is not shown again');
      // Another shop's key does not see it, nor may delete it.
      assert.deepEqual(
        (await call('GET', '/api/v1/webhooks', undefined, { key: otherKey })).json().webhooks,
        [],
      );
      assert.equal(
        (await call('DELETE', `/api/v1/webhooks/${webhookId}`, undefined, { key: otherKey })).status,
        404,
      );
      assert.equal(
        (await call('GET', `/api/v1/webhooks/${webhookId}/deliveries`, undefined, { key: otherKey })).status,
        404,
      );
    });

    it('every fact once, signed, in order — through three failed tries and a restart', async () => {
      // The background dispatcher is stopped: the test runs its passes, moving the clock.
      await t.server.dispatcher.stop();
      receiver.failFirst = 3;
      await t.server.ctx.chat.setAgentStatus(shopId, agentId as never, 'online');

      // An order written twice the same (one event), then changed (a second).
      assert.equal((await call('PUT', '/api/v1/orders/W-1', V1_ORDER)).status, 201);
      assert.equal((await call('PUT', '/api/v1/orders/W-1', V1_ORDER)).status, 200);
      assert.equal(
        (
          await call('PUT', '/api/v1/orders/W-1', {
            ...V1_ORDER,
            status: 'shipped',
            shippedAt: '2026-12-02T09:00:00+08:00',
          })
        ).status,
        200,
      );
      const logistics = await call('POST', '/api/v1/orders/W-1/logistics', {
        events: [{ id: 'e1', at: '2026-12-02T10:00:00+08:00', description: '已揽收' }],
      });
      assert.equal(logistics.status, 200, logistics.body);

      // A buyer of the shop writes, asks for a person, is served, the agent ends, the buyer rates.
      const shop = (await storage.shops.findShop(shopId))!;
      const { token } = await widgetSession(t.server, {
        shop: shop.slug,
        identity: signedIdentity(shop.secret, 'tb-8801', { ts: clock.now() }),
      });
      const first = await call(
        'POST',
        '/api/widget/messages',
        { clientId: 'c1', kind: 'text', body: { text: '你好，转人工' } },
        { token },
      );
      assert.equal(first.status, 200, first.body);
      const conversationId = first.json().conversation.id as string;
      // The bot (if the shop has it on) hands over; the agent gets the buyer.
      for (let i = 0; i < 400; i++) {
        const c = await storage.conversations.findConversation(shopId, conversationId as never);
        if (c?.status === 'assigned') break;
        await new Promise((r) => setTimeout(r, 10));
      }
      const reply = await call(
        'POST',
        `/api/conversations/${conversationId}/messages`,
        { clientId: 'a1', kind: 'text', body: { text: '您好，我来帮您看看' } },
        { cookie: agentCookie },
      );
      assert.equal(reply.status, 200, reply.body);
      assert.equal(
        (await call('POST', `/api/conversations/${conversationId}/end`, {}, { cookie: agentCookie })).status,
        200,
      );
      const rated = await call(
        'POST',
        '/api/widget/rating',
        { conversationId, score: 5, comment: '很好' },
        { token },
      );
      assert.equal(rated.status, 200, rated.body);

      // Tried, failed, tried again with backoff; the server restarts after the second round.
      await t.server.dispatcher.runDue();
      assert.ok(receiver.requests.length >= 1 && receiver.delivered().length === 0);
      clock.advance(MINUTE);
      await t.server.dispatcher.runDue();
      await t.server.close();
      const config = t.server.ctx.config;
      const { createServer } = await import('../../packages/server/src/app');
      const restarted = await createServer({ ...config, PORT: 0 }, { storage, clock });
      t = {
        server: restarted,
        storage,
        url: t.url,
        close: async () => {
          await restarted.close();
          await storage.close();
        },
      };
      await t.server.dispatcher.stop();
      for (let round = 0; round < 12 && (await pending()) > 0; round++) {
        clock.advance(13 * 60 * MINUTE);
        await t.server.dispatcher.runDue();
      }
      assert.equal(await pending(), 0);
      assert.equal(receiver.requests.filter((r) => r.answered === 500).length, 3);

      const got = receiver.delivered();
      // Once per event id, each signed with the endpoint's secret over the raw body.
      assert.equal(new Set(got.map((r) => r.body.id)).size, got.length);
      for (const r of got) {
        const expected = `sha256=${createHmac('sha256', secret).update(r.raw).digest('hex')}`;
        assert.equal(r.headers['x-xiaoer-signature'], expected);
        assert.equal(r.headers['x-xiaoer-event'], r.body.type);
        assert.equal(r.headers['x-xiaoer-event-id'], r.body.id);
        assert.equal(r.body.shopId, shopId);
        // Each body is what the OpenAPI document describes for its type.
        const type = r.body.type as keyof typeof webhookEventData;
        webhookEnvelope(type, webhookEventData[type]).parse(r.body);
      }
      // The order: created once (the same PUT twice is one event), then its two changes, in order.
      const orderEvents = got.filter((r) => r.body.type.startsWith('order.'));
      assert.deepEqual(
        orderEvents.map((r) => r.body.type),
        ['order.created', 'order.updated', 'order.updated'],
      );
      assert.equal(orderEvents[1]!.body.data.order.status, 'shipped');
      assert.equal(orderEvents[2]!.body.data.order.logistics[0].description, '已揽收');
      assert.equal(orderEvents[0]!.body.data.order.buyerExternalId, 'tb-8801');

      // The conversation: opened, assigned, its messages in seq order, ended, rated — in that order.
      const chat = got.filter((r) => !r.body.type.startsWith('order.'));
      const types = chat.map((r) => r.body.type);
      assert.equal(types[0], 'conversation.created');
      assert.equal(types.filter((x) => x === 'conversation.assigned').length, 1);
      assert.ok(types.indexOf('conversation.assigned') < types.indexOf('conversation.ended'));
      assert.equal(types.at(-1), 'rating.created');
      assert.equal(types.at(-2), 'conversation.ended');
      const seqs = chat.filter((r) => r.body.type === 'message.created').map((r) => r.body.data.message.seq);
      assert.deepEqual(
        seqs,
        [...seqs].sort((a, b) => a - b),
      );
      assert.deepEqual(
        seqs,
        Array.from({ length: seqs.length }, (_, i) => i + 1),
        'every message, once',
      );
      const agentLine = chat.find(
        (r) => r.body.type === 'message.created' && r.body.data.message.sender === 'agent',
      );
      assert.equal(agentLine?.body.data.message.body.text, '您好，我来帮您看看');
      assert.equal(agentLine?.body.data.conversation.channel, 'widget');
      assert.equal(agentLine?.body.data.conversation.buyer.externalId, 'tb-8801');
      assert.equal(chat.at(-1)!.body.data.rating.score, 5);
      assert.equal(
        chat.find((r) => r.body.type === 'conversation.assigned')!.body.data.conversation.agentId,
        agentId,
      );

      // The delivery log: the first tries failed, with what the receiver said.
      const log = await call('GET', `/api/v1/webhooks/${webhookId}/deliveries?limit=200`);
      assert.equal(log.status, 200, log.body);
      const rows = log.json().deliveries as {
        status: string;
        attempts: number;
        lastStatus: number;
        seq: number;
        eventId: string;
      }[];
      assert.equal(rows.length, got.length);
      assert.ok(rows.every((d) => d.status === 'delivered' && d.lastStatus === 200));
      assert.equal(
        rows.reduce((n, d) => n + d.attempts, 0),
        got.length + 3,
      );
    });

    it('replay sends the same event again; ping sends a test; the background dispatcher delivers at once', async () => {
      t.server.dispatcher.start();
      const rows = (
        await call('GET', `/api/admin/webhooks/${webhookId}/deliveries`, undefined, { cookie: owner })
      ).json().deliveries;
      const oldest = rows.at(-1);
      const replayed = await call(
        'POST',
        `/api/admin/webhooks/${webhookId}/deliveries/${oldest.seq}/replay`,
        {},
        { cookie: owner },
      );
      assert.equal(replayed.status, 202, replayed.body);
      const again = await receiver.next(
        (r) => r.headers['x-xiaoer-delivery'] === String(replayed.json().delivery.seq),
      );
      assert.equal(again.body.id, oldest.eventId, 'a replay carries the same event id');
      const ping = await call('POST', `/api/v1/webhooks/${webhookId}/ping`, {});
      assert.equal(ping.status, 202, ping.body);
      const pinged = await receiver.next((r) => r.body.type === 'webhook.ping');
      assert.equal(pinged.body.data.webhookId, webhookId);
      // A fact now is delivered without anyone running a pass (the write kicks the dispatcher).
      assert.equal((await call('PUT', '/api/v1/orders/W-2', V1_ORDER)).status, 201);
      const order = await receiver.next(
        (r) => r.body.type === 'order.created' && r.body.data.order.externalId === 'W-2',
      );
      assert.equal(order.body.data.order.status, 'paid');
      assert.equal(
        (await call('POST', `/api/v1/webhooks/${webhookId}/deliveries/999999/replay`, {})).status,
        404,
      );
    });

    it('a receiver that is not there: the try is logged and retried later; a deleted endpoint hears nothing more', async () => {
      await t.server.dispatcher.stop();
      const closed = new Receiver();
      const url = await closed.start();
      await closed.stop();
      const made = await call(
        'POST',
        '/api/admin/webhooks',
        { url, events: ['order.created'] },
        { cookie: owner },
      );
      assert.equal(made.status, 201, made.body);
      const id = made.json().id;
      assert.equal((await call('PUT', '/api/v1/orders/W-3', V1_ORDER)).status, 201);
      // Only what it subscribed to: the order's update is not queued for it.
      assert.equal((await call('PUT', '/api/v1/orders/W-3', { ...V1_ORDER, status: 'closed' })).status, 200);
      await t.server.dispatcher.runDue();
      const log = (
        await call('GET', `/api/admin/webhooks/${id}/deliveries`, undefined, { cookie: owner })
      ).json().deliveries;
      assert.equal(log.length, 1);
      assert.equal(log[0].status, 'pending');
      assert.equal(log[0].attempts, 1);
      assert.ok(log[0].lastError, 'why it failed');
      assert.equal(Date.parse(log[0].nextAttemptAt), clock.now() + MINUTE);
      assert.equal(
        (await call('DELETE', `/api/admin/webhooks/${id}`, undefined, { cookie: owner })).status,
        200,
      );
      assert.equal((await call('DELETE', `/api/v1/webhooks/${webhookId}`)).status, 200);
      assert.equal((await call('PUT', '/api/v1/orders/W-4', V1_ORDER)).status, 201);
      assert.equal(await pending(), 0);
      assert.deepEqual((await call('GET', '/api/v1/webhooks')).json().webhooks, []);
    });
  });
}

describe('issue #16 webhook event types', () => {
  it('the core, the API schema and the OpenAPI document name the same events', () => {
    assert.deepEqual([...V1_WEBHOOK_EVENTS], [...WEBHOOK_EVENT_TYPES]);
    assert.deepEqual(Object.keys(webhookEventData), [...WEBHOOK_EVENT_TYPES]);
    assert.deepEqual(Object.keys(v1OpenApi().webhooks as object), [...WEBHOOK_EVENT_TYPES, 'webhook.ping']);
  });
});

describe('issue #16 webhooks with private addresses forbidden', () => {
  it('a loopback or private URL is refused when the setting says so', async () => {
    const t = await startTestServer({ demo: false, env: { WEBHOOK_ALLOW_PRIVATE: 'false' } });
    try {
      const shopId = await makeShop(t.storage, 'strict-hooks');
      const boss = await makeAgent(t.storage, shopId, { role: 'owner' });
      const cookie = await loginCookie(t.server, boss.email);
      for (const url of ['http://127.0.0.1:9/x', 'http://10.0.0.8/x', 'http://localhost:9/x']) {
        const res = await t.server.app.inject({
          method: 'POST',
          url: '/api/admin/webhooks',
          headers: { cookie },
          payload: { url, events: ['*'] },
        });
        assert.equal(res.statusCode, 400, url);
        assert.equal(res.json().error.field, 'url');
      }
    } finally {
      await t.close();
    }
  });
});
