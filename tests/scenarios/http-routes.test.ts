import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Message, ShopId } from '@xiaoer/core';
import type { InjectOptions } from 'fastify';
import { signIdentity } from '../../packages/server/src/auth/tokens';
import { makeAgent, makeBuyer, makeShop } from '../support/fixtures';
import { loginCookie, startTestServer, widgetSession, type TestServer } from '../support/server';

type Json = Record<string, unknown> & { error?: { code: string; message: string; field?: string } };

const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
    '1f15c4890000000d49444154789c63f8ffff3f0005fe02fea7d6a4bd0000000049454e44ae426082',
  'hex',
);

/** A multipart body with one `file` part. */
async function multipart(data: Buffer, type: string, name = 'a.png') {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(data)], { type }), name);
  const res = new Response(form);
  return {
    payload: Buffer.from(await res.arrayBuffer()),
    headers: { 'content-type': res.headers.get('content-type')! },
  };
}

describe('HTTP API in process: happy paths and bad input', () => {
  let t: TestServer;
  let agent1: string;
  let owner: string;
  const inject = (opts: InjectOptions) => t.server.app.inject(opts);
  const json = (res: { body: string }) => JSON.parse(res.body) as Json;

  before(async () => {
    t = await startTestServer({ listen: false });
    for (const id of ['agent-demo-2', 'agent-demo-3']) {
      await t.server.ctx.chat.setAgentStatus('shop-demo' as ShopId, id as never, 'offline');
    }
    agent1 = await loginCookie(t.server, 'agent1@demo.xiaoer.dev');
    owner = await loginCookie(t.server, 'owner@demo.xiaoer.dev');
  });
  after(() => t.close());

  async function buyerConversation(text = '你好') {
    const { token, buyerId } = await widgetSession(t.server);
    const res = await inject({
      method: 'POST',
      url: '/api/widget/messages',
      headers: { authorization: `Bearer ${token}` },
      payload: { clientId: `c-${buyerId}`, kind: 'text', body: { text } },
    });
    assert.equal(res.statusCode, 200, res.body);
    const { message } = json(res) as unknown as { message: Message };
    return { token, buyerId, conversationId: message.conversationId };
  }

  describe('auth', () => {
    it('logs in with an httpOnly cookie and answers /api/me', async () => {
      const res = await inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: 'agent1@demo.xiaoer.dev', password: 'password123' },
      });
      assert.equal(res.statusCode, 200);
      const cookie = res.cookies.find((c) => c.name === 'xiaoer_sid');
      assert.ok(cookie?.httpOnly);
      const me = await inject({
        method: 'GET',
        url: '/api/me',
        headers: { cookie: `xiaoer_sid=${cookie!.value}` },
      });
      assert.equal((json(me).agent as { email: string }).email, 'agent1@demo.xiaoer.dev');
    });

    it('gives the same 401 for a wrong password and an unknown email; 400 naming the field for a bad email', async () => {
      const wrong = await inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: 'agent1@demo.xiaoer.dev', password: 'nope' },
      });
      const unknown = await inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: 'ghost@demo.xiaoer.dev', password: 'nope' },
      });
      assert.equal(wrong.statusCode, 401);
      assert.deepEqual(json(wrong).error, json(unknown).error);
      const bad = await inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: 'not-an-email', password: 'x' },
      });
      assert.equal(bad.statusCode, 400);
      assert.equal(json(bad).error?.field, 'email');
    });

    it('401 without a session; logout ends the session', async () => {
      assert.equal((await inject({ method: 'GET', url: '/api/me' })).statusCode, 401);
      const cookie = await loginCookie(t.server, 'agent2@demo.xiaoer.dev');
      await inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie } });
      assert.equal((await inject({ method: 'GET', url: '/api/me', headers: { cookie } })).statusCode, 401);
    });

    it('RT-8 sets the status, and rejects an unknown one naming `status`', async () => {
      const cookie = await loginCookie(t.server, 'agent3@demo.xiaoer.dev');
      const ok = await inject({
        method: 'PUT',
        url: '/api/me/status',
        headers: { cookie },
        payload: { status: 'hung_up' },
      });
      assert.equal((json(ok).agent as { status: string }).status, 'hung_up');
      const bad = await inject({
        method: 'PUT',
        url: '/api/me/status',
        headers: { cookie },
        payload: { status: 'asleep' },
      });
      assert.equal(bad.statusCode, 400);
      assert.equal(json(bad).error?.field, 'status');
      await inject({
        method: 'PUT',
        url: '/api/me/status',
        headers: { cookie },
        payload: { status: 'offline' },
      });
    });
  });

  describe('widget', () => {
    it('keeps an anonymous buyer across sessions with its token', async () => {
      const first = await widgetSession(t.server);
      const again = await widgetSession(t.server, { shop: 'demo', token: first.token });
      assert.equal(again.buyerId, first.buyerId);
    });

    it('identifies a buyer only with a valid, fresh shop signature', async () => {
      const shop = (await t.storage.shops.findShopBySlug('demo'))!;
      const ts = Date.now();
      const good = await widgetSession(t.server, {
        shop: 'demo',
        identity: { externalId: 'tb100003', ts, sig: signIdentity(shop.secret, 'tb100003', ts) },
      });
      assert.equal(good.buyerId, 'buyer-demo-03');
      const forged = await inject({
        method: 'POST',
        url: '/api/widget/session',
        payload: {
          shop: 'demo',
          identity: { externalId: 'tb100003', ts, sig: signIdentity('guess', 'tb100003', ts) },
        },
      });
      assert.equal(forged.statusCode, 401);
      assert.equal(json(forged).error?.field, 'identity.sig');
      const old = ts - 3600_000;
      const stale = await inject({
        method: 'POST',
        url: '/api/widget/session',
        payload: {
          shop: 'demo',
          identity: { externalId: 'tb100003', ts: old, sig: signIdentity(shop.secret, 'tb100003', old) },
        },
      });
      assert.equal(stale.statusCode, 401);
      const unknownShop = await inject({
        method: 'POST',
        url: '/api/widget/session',
        payload: { shop: 'nope' },
      });
      assert.equal(unknownShop.statusCode, 404);
      assert.equal(json(unknownShop).error?.field, 'shop');
    });

    it('rejects a missing or forged buyer token', async () => {
      assert.equal((await inject({ method: 'GET', url: '/api/widget/messages' })).statusCode, 401);
      const forged = await inject({
        method: 'GET',
        url: '/api/widget/messages',
        headers: { authorization: 'Bearer v1.shop-demo.x.forged' },
      });
      assert.equal(forged.statusCode, 401);
    });

    it('RT-2 a first buyer message opens a conversation assigned to the online agent; bad messages store nothing', async () => {
      const { token, conversationId } = await buyerConversation('第一条');
      const conversation = await t.storage.conversations.findConversation(
        'shop-demo' as ShopId,
        conversationId as never,
      );
      assert.equal(conversation?.agentId, 'agent-demo-1');
      const auth = { authorization: `Bearer ${token}` };
      const cases: [unknown, string][] = [
        [{ clientId: 'e1', kind: 'text', body: { text: '   ' } }, 'body.text'],
        [{ clientId: 'e2', kind: 'text', body: { text: '长'.repeat(5001) } }, 'body.text'],
        [{ clientId: 'e3', kind: 'image', body: { url: 'https://evil.example/x.png' } }, 'body.url'],
        [{ clientId: 'e4', kind: 'video', body: {} }, 'kind'],
        [{ clientId: 5, kind: 'text', body: { text: 'x' } }, 'clientId'],
      ];
      for (const [payload, field] of cases) {
        const res = await inject({
          method: 'POST',
          url: '/api/widget/messages',
          headers: auth,
          payload: payload as object,
        });
        assert.equal(res.statusCode, 400, JSON.stringify(payload).slice(0, 60));
        assert.equal(json(res).error?.field, field);
      }
      const stored = await t.storage.conversations.listMessages(
        'shop-demo' as ShopId,
        conversationId as never,
        0,
        100,
      );
      assert.equal(stored.length, 1, 'nothing half-written');
    });

    it('a retried client id stores one message', async () => {
      const { token } = await widgetSession(t.server);
      const send = () =>
        inject({
          method: 'POST',
          url: '/api/widget/messages',
          headers: { authorization: `Bearer ${token}` },
          payload: { clientId: 'same', kind: 'text', body: { text: '一次' } },
        });
      const a = json(await send()) as unknown as { message: Message };
      const b = json(await send()) as unknown as { message: Message };
      assert.equal(a.message.id, b.message.id);
    });
  });

  describe('rate limits', () => {
    it('per buyer: over the budget is 429 and not stored', async () => {
      const limited = await startTestServer({ listen: false, env: { BUYER_MESSAGES_PER_10S: '3' } });
      try {
        const { token } = await widgetSession(limited.server);
        const codes: number[] = [];
        for (let i = 0; i < 4; i++) {
          const res = await limited.server.app.inject({
            method: 'POST',
            url: '/api/widget/messages',
            headers: { authorization: `Bearer ${token}` },
            payload: { clientId: `r${i}`, kind: 'text', body: { text: `第${i}条` } },
          });
          codes.push(res.statusCode);
          if (i === 3) assert.equal((JSON.parse(res.body) as Json).error?.code, 'rate_limited');
        }
        assert.deepEqual(codes, [200, 200, 200, 429]);
      } finally {
        await limited.close();
      }
    });

    it('per IP: over the budget is 429', async () => {
      const limited = await startTestServer({ listen: false, env: { RATE_LIMIT_PER_MINUTE: '5' } });
      try {
        const codes: number[] = [];
        for (let i = 0; i < 6; i++)
          codes.push((await limited.server.app.inject({ method: 'GET', url: '/api/me' })).statusCode);
        assert.deepEqual(codes, [401, 401, 401, 401, 401, 429]);
      } finally {
        await limited.close();
      }
    });
  });

  describe('workbench', () => {
    it('lists own conversations for agents and all for admins; reads messages after a seq', async () => {
      const { conversationId } = await buyerConversation('列表');
      const mine = json(
        await inject({ method: 'GET', url: '/api/conversations', headers: { cookie: agent1 } }),
      );
      assert.ok(
        (mine.conversations as { id: string; buyer: { nick: string } }[]).some(
          (c) => c.id === conversationId,
        ),
      );
      const admin = json(
        await inject({ method: 'GET', url: '/api/conversations', headers: { cookie: owner } }),
      );
      assert.ok((admin.conversations as { id: string }[]).some((c) => c.id === conversationId));
      const agent2 = await loginCookie(t.server, 'agent2@demo.xiaoer.dev');
      const theirs = json(
        await inject({ method: 'GET', url: '/api/conversations', headers: { cookie: agent2 } }),
      );
      assert.ok(!(theirs.conversations as { id: string }[]).some((c) => c.id === conversationId));
      const forbidden = await inject({
        method: 'GET',
        url: `/api/conversations/${conversationId}/messages`,
        headers: { cookie: agent2 },
      });
      assert.equal(forbidden.statusCode, 403);
      const msgs = json(
        await inject({
          method: 'GET',
          url: `/api/conversations/${conversationId}/messages?after=0`,
          headers: { cookie: agent1 },
        }),
      );
      assert.equal((msgs.messages as Message[]).length, 1);
      const bad = await inject({
        method: 'GET',
        url: `/api/conversations/${conversationId}/messages?after=-1`,
        headers: { cookie: agent1 },
      });
      assert.equal(bad.statusCode, 400);
      assert.equal(json(bad).error?.field, 'after');
    });

    it('RT-9 sends, reads and ends; sending after the end is 409', async () => {
      const { conversationId } = await buyerConversation('结束测试');
      const url = `/api/conversations/${conversationId}`;
      const sent = await inject({
        method: 'POST',
        url: `${url}/messages`,
        headers: { cookie: agent1 },
        payload: { clientId: 'a1', kind: 'text', body: { text: '您好' } },
      });
      assert.equal(sent.statusCode, 200);
      const read = json(
        await inject({
          method: 'POST',
          url: `${url}/read`,
          headers: { cookie: agent1 },
          payload: { seq: 2 },
        }),
      );
      assert.equal((read.conversation as { agentReadSeq: number }).agentReadSeq, 2);
      const ended = json(await inject({ method: 'POST', url: `${url}/end`, headers: { cookie: agent1 } }));
      assert.equal((ended.conversation as { status: string }).status, 'ended');
      const late = await inject({
        method: 'POST',
        url: `${url}/messages`,
        headers: { cookie: agent1 },
        payload: { clientId: 'a2', kind: 'text', body: { text: '还在' } },
      });
      assert.equal(late.statusCode, 409);
      assert.equal(json(late).error?.code, 'conversation_ended');
    });

    it('CRM-1 sends the buyer’s own order as a card; another buyer’s order is 400 naming orderId', async () => {
      const shop = (await t.storage.shops.findShopBySlug('demo'))!;
      const ts = Date.now();
      const { token } = await widgetSession(t.server, {
        shop: 'demo',
        identity: { externalId: 'tb100005', ts, sig: signIdentity(shop.secret, 'tb100005', ts) },
      });
      const first = json(
        await inject({
          method: 'POST',
          url: '/api/widget/messages',
          headers: { authorization: `Bearer ${token}` },
          payload: { clientId: 'o1', kind: 'text', body: { text: '我的订单' } },
        }),
      ) as unknown as { message: Message };
      const url = `/api/conversations/${first.message.conversationId}`;
      const profile = json(
        await inject({
          method: 'GET',
          url: '/api/buyers/buyer-demo-05/profile',
          headers: { cookie: agent1 },
        }),
      );
      const orders = profile.orders as { id: string; createdAt: number }[];
      assert.ok(orders.length > 0);
      assert.ok(
        orders.every((o, i) => i === 0 || orders[i - 1]!.createdAt >= o.createdAt),
        'newest first',
      );
      assert.ok(
        orders.every((o) => o.createdAt >= Date.now() - 90 * 86400_000),
        'last 90 days',
      );
      const card = await inject({
        method: 'POST',
        url: `${url}/order-card`,
        headers: { cookie: agent1 },
        payload: { clientId: 'card', orderId: orders[0]!.id },
      });
      assert.equal(card.statusCode, 200);
      assert.equal((json(card).message as Message).kind, 'order_card');
      const other = (
        await t.storage.orders.listBuyerOrders('shop-demo' as ShopId, 'buyer-demo-06' as never, 0)
      )[0]!;
      const foreign = await inject({
        method: 'POST',
        url: `${url}/order-card`,
        headers: { cookie: agent1 },
        payload: { clientId: 'card2', orderId: other.id },
      });
      assert.equal(foreign.statusCode, 400);
      assert.equal(json(foreign).error?.field, 'orderId');
    });

    it('RT-10 transfer moves the conversation; the old agent can no longer send; unknown target names toAgentId', async () => {
      const { conversationId } = await buyerConversation('转接');
      await t.server.ctx.chat.setAgentStatus('shop-demo' as ShopId, 'agent-demo-2' as never, 'online');
      const url = `/api/conversations/${conversationId}`;
      const unknown = await inject({
        method: 'POST',
        url: `${url}/transfer`,
        headers: { cookie: agent1 },
        payload: { toAgentId: 'ghost' },
      });
      assert.equal(unknown.statusCode, 400);
      assert.equal(json(unknown).error?.field, 'toAgentId');
      const moved = await inject({
        method: 'POST',
        url: `${url}/transfer`,
        headers: { cookie: agent1 },
        payload: { toAgentId: 'agent-demo-2' },
      });
      assert.equal((json(moved).conversation as { agentId: string }).agentId, 'agent-demo-2');
      const late = await inject({
        method: 'POST',
        url: `${url}/messages`,
        headers: { cookie: agent1 },
        payload: { clientId: 'x', kind: 'text', body: { text: '我还在' } },
      });
      assert.equal(late.statusCode, 403);
      await t.server.ctx.chat.setAgentStatus('shop-demo' as ShopId, 'agent-demo-2' as never, 'offline');
    });

    it("TEAM-4 another shop's conversation and buyer are not found", async () => {
      const otherShop = await makeShop(t.storage);
      const buyer = await makeBuyer(t.storage, otherShop);
      await makeAgent(t.storage, otherShop, { status: 'online' });
      const r = await t.server.ctx.chat.sendBuyerMessage(otherShop, buyer.id, 'x1', {
        kind: 'text',
        body: { text: '别家的' },
      });
      const res = await inject({
        method: 'GET',
        url: `/api/conversations/${r.conversation.id}/messages`,
        headers: { cookie: owner },
      });
      assert.equal(res.statusCode, 404);
      const profile = await inject({
        method: 'GET',
        url: `/api/buyers/${buyer.id}/profile`,
        headers: { cookie: owner },
      });
      assert.equal(profile.statusCode, 404);
    });

    it('CMP-7 outsourced agents see masked phone numbers', async () => {
      const created = await inject({
        method: 'POST',
        url: '/api/admin/agents',
        headers: { cookie: owner },
        payload: {
          email: 'wb@outsource.example',
          name: '外包小王',
          password: 'password123',
          role: 'outsourced',
        },
      });
      assert.equal(created.statusCode, 201);
      const outsourced = await loginCookie(t.server, 'wb@outsource.example');
      const phone = (id: string, cookie: string) =>
        inject({ method: 'GET', url: `/api/buyers/${id}/profile`, headers: { cookie } }).then(
          (r) => (json(r).buyer as { phone: string }).phone,
        );
      const full = await phone('buyer-demo-07', agent1);
      const masked = await phone('buyer-demo-07', outsourced);
      assert.match(full, /^1\d{10}$/);
      assert.equal(masked, `${full.slice(0, 3)}****${full.slice(-4)}`);
    });
  });

  describe('quick replies', () => {
    it('TEAM-3 are found by pinyin initials, created personal, shared only by admins', async () => {
      const found = json(
        await inject({ method: 'GET', url: '/api/quick-replies?q=fh', headers: { cookie: agent1 } }),
      );
      assert.ok((found.quickReplies as { title: string }[]).some((q) => q.title === '发货时间'));
      const mine = await inject({
        method: 'POST',
        url: '/api/quick-replies',
        headers: { cookie: agent1 },
        payload: { title: '我的', text: '个人的话' },
      });
      assert.equal(mine.statusCode, 201);
      const shared = await inject({
        method: 'POST',
        url: '/api/quick-replies',
        headers: { cookie: agent1 },
        payload: { title: '共享', text: 'x', personal: false },
      });
      assert.equal(shared.statusCode, 403);
      const byOwner = await inject({
        method: 'POST',
        url: '/api/quick-replies',
        headers: { cookie: owner },
        payload: { title: '共享', text: 'x', personal: false },
      });
      assert.equal(byOwner.statusCode, 201);
      const badTitle = await inject({
        method: 'POST',
        url: '/api/quick-replies',
        headers: { cookie: agent1 },
        payload: { title: '', text: 'x' },
      });
      assert.equal(json(badTitle).error?.field, 'title');
      const id = (json(mine).quickReply as { id: string }).id;
      const patched = await inject({
        method: 'PATCH',
        url: `/api/quick-replies/${id}`,
        headers: { cookie: agent1 },
        payload: { text: '改过' },
      });
      assert.equal((json(patched).quickReply as { text: string }).text, '改过');
      const sharedId = (json(byOwner).quickReply as { id: string }).id;
      assert.equal(
        (
          await inject({
            method: 'DELETE',
            url: `/api/quick-replies/${sharedId}`,
            headers: { cookie: agent1 },
          })
        ).statusCode,
        403,
      );
      assert.equal(
        (await inject({ method: 'DELETE', url: `/api/quick-replies/${id}`, headers: { cookie: agent1 } }))
          .statusCode,
        204,
      );
    });
  });

  describe('admin', () => {
    it('is forbidden to agents; owners edit the shop and agents with field-named errors', async () => {
      assert.equal(
        (await inject({ method: 'GET', url: '/api/admin/shop', headers: { cookie: agent1 } })).statusCode,
        403,
      );
      const tz = await inject({
        method: 'PATCH',
        url: '/api/admin/shop',
        headers: { cookie: owner },
        payload: { timeZone: 'Mars/Olympus' },
      });
      assert.equal(json(tz).error?.field, 'timeZone');
      const renamed = await inject({
        method: 'PATCH',
        url: '/api/admin/shop',
        headers: { cookie: owner },
        payload: { serviceHours: '08:00–22:00' },
      });
      assert.equal((json(renamed).shop as { serviceHours: string }).serviceHours, '08:00–22:00');
      assert.equal(
        json(renamed).shop && 'secret' in (json(renamed).shop as object),
        false,
        'the secret never leaves',
      );
      const dup = await inject({
        method: 'POST',
        url: '/api/admin/agents',
        headers: { cookie: owner },
        payload: { email: 'agent1@demo.xiaoer.dev', name: 'x', password: 'password123' },
      });
      assert.equal(dup.statusCode, 409);
      assert.equal(json(dup).error?.field, 'email');
      for (const [payload, field] of [
        [{ email: 'n1@x.cn', name: 'x', password: 'short' }, 'password'],
        [{ email: 'n2@x.cn', name: 'x', password: 'password123', maxConcurrent: 0 }, 'maxConcurrent'],
        [{ email: 'n3@x.cn', name: 'x', password: 'password123', maxConcurrent: 501 }, 'maxConcurrent'],
      ] as const) {
        const res = await inject({
          method: 'POST',
          url: '/api/admin/agents',
          headers: { cookie: owner },
          payload,
        });
        assert.equal(res.statusCode, 400);
        assert.equal(json(res).error?.field, field);
      }
      const capped = await inject({
        method: 'PATCH',
        url: '/api/admin/agents/agent-demo-3',
        headers: { cookie: owner },
        payload: { maxConcurrent: 25 },
      });
      assert.equal((json(capped).agent as { maxConcurrent: number }).maxConcurrent, 25);
    });
  });

  describe('uploads', () => {
    it('stores a real image and serves it with nosniff; HTML or text posing as an image is 415', async () => {
      const png = await multipart(PNG, 'image/png');
      const up = await inject({
        method: 'POST',
        url: '/api/uploads',
        headers: { ...png.headers, cookie: agent1 },
        payload: png.payload,
      });
      assert.equal(up.statusCode, 201, up.body);
      const url = (json(up) as { url: string }).url;
      const got = await inject({ method: 'GET', url });
      assert.equal(got.headers['content-type'], 'image/png');
      assert.equal(got.headers['x-content-type-options'], 'nosniff');
      assert.deepEqual(got.rawPayload, PNG);
      for (const [data, type] of [
        [Buffer.from('<html><script>alert(1)</script></html>'), 'image/png'],
        [Buffer.from('just text'), 'text/plain'],
      ] as const) {
        const body = await multipart(data, type);
        const res = await inject({
          method: 'POST',
          url: '/api/uploads',
          headers: { ...body.headers, cookie: agent1 },
          payload: body.payload,
        });
        assert.equal(res.statusCode, 415);
        assert.equal(json(res).error?.field, 'file');
      }
    });

    it('rejects over 10 MB with 413, needs a login or a buyer token, and accepts a buyer upload', async () => {
      const big = await multipart(Buffer.concat([PNG, Buffer.alloc(10 * 1024 * 1024 + 1)]), 'image/png');
      const tooBig = await inject({
        method: 'POST',
        url: '/api/uploads',
        headers: { ...big.headers, cookie: agent1 },
        payload: big.payload,
      });
      assert.equal(tooBig.statusCode, 413);
      const png = await multipart(PNG, 'image/png');
      assert.equal(
        (await inject({ method: 'POST', url: '/api/uploads', headers: png.headers, payload: png.payload }))
          .statusCode,
        401,
      );
      const { token } = await widgetSession(t.server);
      const byBuyer = await inject({
        method: 'POST',
        url: '/api/uploads',
        headers: { ...png.headers, authorization: `Bearer ${token}` },
        payload: png.payload,
      });
      assert.equal(byBuyer.statusCode, 201);
    });
  });

  describe('misc', () => {
    it('answers unknown routes, broken JSON and oversized bodies with 4xx JSON errors', async () => {
      const missing = await inject({ method: 'GET', url: '/api/nope' });
      assert.equal(missing.statusCode, 404);
      assert.equal(json(missing).error?.code, 'not_found');
      const broken = await inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { 'content-type': 'application/json' },
        payload: '{"email":',
      });
      assert.equal(broken.statusCode, 400);
      const huge = await inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ email: 'x'.repeat(70_000) }),
      });
      assert.equal(huge.statusCode, 413);
      assert.equal(json(await inject({ method: 'GET', url: '/health' })).ok, true);
    });
  });
});
