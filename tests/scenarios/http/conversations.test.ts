/**
 * The HTTP API in process (Fastify `inject`), conversations as an agent: every route's happy path
 * and its bad input. Bad input must get a 4xx with `{error: {code, message, field?}}` naming the
 * field, write nothing, and leave the process serving. No response in this file may be a 5xx.
 * (One of the files split by route area from tests/scenarios/http-api.test.ts in issue #20; the
 * shared helpers are in tests/support/http-api.ts.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BuyerId } from '@xiaoer/core';
import type { InjectOptions } from 'fastify';
import {
  type AgentJson,
  apiHelpers,
  assertError,
  type ConversationJson,
  DEMO_SHOP,
  identityFor,
  type MessageJson,
  ok,
  type SendJson,
  startApiServer,
  storedMessages,
} from '../../support/http-api';
import { AGENT_PASSWORD, loginCookie, widgetSession, type TestServer } from '../../support/server';

describe('HTTP API in process', () => {
  let t: TestServer;
  /** Session cookies by agent id. */
  const cookies: Record<string, string> = {};
  let owner: string;
  let agent1: string;

  const { api, buyerSays, holderCookie, otherDemoAgent, agentsWithLoad, conversationNow } = apiHelpers(
    () => ({ t, cookies, owner }),
  );

  before(async () => {
    ({ t, owner, agent1 } = await startApiServer(cookies));
  });
  after(() => t.close());

  // ------------------------------------------------------------------ workbench
  describe('conversations as an agent', () => {
    it('an agent lists only its own conversations, with the buyer’s nick; the owner (admin) sees all', async () => {
      const opened = [await buyerSays('列表一'), await buyerSays('列表二'), await buyerSays('列表三')];
      const holders = new Set(opened.map((o) => o.conversation.agentId));
      assert.ok(holders.size >= 2, 'RT-2 spreads them over agents');
      for (const agentId of ['agent-demo-1', 'agent-demo-2', 'agent-demo-3']) {
        const { conversations } = ok<{ conversations: ConversationJson[] }>(
          await api('GET', '/api/conversations', { cookie: cookies[agentId] }),
        );
        assert.ok(
          conversations.every((c) => c.agentId === agentId),
          `${agentId} sees only its own`,
        );
        for (const o of opened) {
          assert.equal(
            conversations.some((c) => c.id === o.conversation.id),
            o.conversation.agentId === agentId,
          );
        }
        for (const c of conversations) assert.ok(c.buyer?.nick, 'each carries the buyer nick');
      }
      const all = ok<{ conversations: ConversationJson[] }>(
        await api('GET', '/api/conversations?limit=200', { cookie: owner }),
      );
      for (const o of opened) assert.ok(all.conversations.some((c) => c.id === o.conversation.id));
      assert.ok(new Set(all.conversations.map((c) => c.agentId)).size >= 2);
    });

    it('filters the list by status and limit; a bad status or limit is 400 naming it', async () => {
      const limited = ok<{ conversations: ConversationJson[] }>(
        await api('GET', '/api/conversations?limit=1', { cookie: owner }),
      );
      assert.equal(limited.conversations.length, 1);
      const ended = ok<{ conversations: ConversationJson[] }>(
        await api('GET', '/api/conversations?status=ended', { cookie: owner }),
      );
      assert.ok(ended.conversations.every((c) => c.status === 'ended'));
      for (const [query, field] of [
        ['status=bogus', 'status'],
        ['limit=0', 'limit'],
        ['limit=201', 'limit'],
        ['limit=ten', 'limit'],
      ] as const) {
        assertError(
          await api('GET', `/api/conversations?${query}`, { cookie: owner }),
          400,
          'validation_failed',
          field,
        );
      }
    });

    it('GET one conversation: the holder and the owner see it; another agent gets 403 conversation_not_yours', async () => {
      const { conversation } = await buyerSays('单个');
      for (const cookie of [holderCookie(conversation), owner]) {
        const got = ok<{ conversation: ConversationJson }>(
          await api('GET', `/api/conversations/${conversation.id}`, { cookie }),
        );
        assert.equal(got.conversation.id, conversation.id);
        assert.equal(got.conversation.buyer?.id, conversation.buyerId);
      }
      const stranger = cookies[otherDemoAgent(conversation.agentId)];
      assertError(
        await api('GET', `/api/conversations/${conversation.id}`, { cookie: stranger }),
        403,
        'conversation_not_yours',
        'conversationId',
      );
      assertError(
        await api('GET', `/api/conversations/${conversation.id}/messages`, { cookie: stranger }),
        403,
        'conversation_not_yours',
        'conversationId',
      );
    });

    it('messages after a seq, oldest first, with a limit; a bad after or limit is 400 naming it', async () => {
      const { conversation } = await buyerSays('一');
      const cookie = holderCookie(conversation);
      for (const text of ['二', '三']) {
        ok(
          await api('POST', `/api/conversations/${conversation.id}/messages`, {
            cookie,
            payload: { clientId: `a-${text}`, kind: 'text', body: { text } },
          }),
        );
      }
      const url = `/api/conversations/${conversation.id}/messages`;
      const after1 = ok<{ messages: MessageJson[] }>(await api('GET', `${url}?after=2`, { cookie }));
      assert.deepEqual(
        after1.messages.map((m) => [m.seq, m.body.text]),
        [
          [3, '二'],
          [4, '三'],
        ],
      );
      const one = ok<{ messages: MessageJson[] }>(await api('GET', `${url}?after=2&limit=1`, { cookie }));
      assert.deepEqual(
        one.messages.map((m) => m.seq),
        [3],
      );
      assert.deepEqual(
        ok<{ messages: MessageJson[] }>(await api('GET', `${url}?after=4`, { cookie })).messages,
        [],
      );
      for (const [query, field] of [
        ['after=-1', 'after'],
        ['after=x', 'after'],
        ['limit=0', 'limit'],
        ['limit=9999', 'limit'],
      ] as const) {
        assertError(await api('GET', `${url}?${query}`, { cookie }), 400, 'validation_failed', field);
      }
    });

    it('an agent’s reply is stored trimmed, reaches the buyer, and a retried clientId is one message', async () => {
      const { conversation, token } = await buyerSays('有货吗');
      const cookie = holderCookie(conversation);
      const send = async () =>
        ok<SendJson>(
          await api('POST', `/api/conversations/${conversation.id}/messages`, {
            cookie,
            payload: { clientId: 'reply-1', kind: 'text', body: { text: '  有的亲  ' } },
          }),
        );
      const first = await send();
      assert.equal(first.message.sender, 'agent');
      assert.equal(first.message.senderId, conversation.agentId);
      assert.deepEqual(first.message.body, { text: '有的亲' });
      assert.equal(first.conversation.lastSeq, 3);
      const retry = await send();
      assert.equal(retry.message.id, first.message.id);
      assert.equal((await conversationNow(conversation.id)).lastSeq, 3);
      const seen = ok<{ messages: MessageJson[] }>(
        await api('GET', '/api/widget/messages?after=2', { token }),
      );
      assert.deepEqual(
        seen.messages.map((m) => m.id),
        [first.message.id],
      );
    });

    it('bad agent messages are 400 naming the field and store nothing', async () => {
      const { conversation } = await buyerSays('坏消息测试');
      const cookie = holderCookie(conversation);
      const cases: [unknown, string][] = [
        [{ clientId: 'x1', kind: 'text', body: { text: '' } }, 'body.text'],
        [{ clientId: 'x2', kind: 'text', body: { text: '   ' } }, 'body.text'],
        [{ clientId: 'x3', kind: 'text', body: { text: 'a'.repeat(5001) } }, 'body.text'],
        [{ clientId: 'x4', kind: 'text', body: { text: ['a'] } }, 'body.text'],
        [{ clientId: 'x5', kind: 'sticker', body: {} }, 'kind'],
        [{ clientId: 'x6', kind: 'image', body: { url: 'http://img.example.com/1.png' } }, 'body.url'],
        [{ clientId: 'x7', kind: 'image', body: { url: 42 } }, 'body.url'],
        [{ clientId: '', kind: 'text', body: { text: 'ok' } }, 'clientId'],
        [{ clientId: true, kind: 'text', body: { text: 'ok' } }, 'clientId'],
      ];
      for (const [payload, field] of cases) {
        assertError(
          await api('POST', `/api/conversations/${conversation.id}/messages`, {
            cookie,
            payload: payload as object,
          }),
          400,
          'validation_failed',
          field,
        );
      }
      assert.equal((await conversationNow(conversation.id)).lastSeq, 2, 'nothing half written');
      assert.equal((await storedMessages(t, conversation.id)).length, 2);
    });

    it('CRM-1 sends the buyer’s own order as a card; another buyer’s or an unknown order is 400 naming orderId', async () => {
      const session = await widgetSession(t.server, {
        shop: 'demo',
        identity: await identityFor(t, 'tb100005'),
      });
      const { conversation } = await buyerSays('我的订单', session);
      const cookie = holderCookie(conversation);
      const url = `/api/conversations/${conversation.id}/order-card`;
      const own = (await t.storage.orders.listBuyerOrders(DEMO_SHOP, 'buyer-demo-05' as BuyerId, 0))[0]!;
      const card = ok<SendJson>(
        await api('POST', url, { cookie, payload: { clientId: 'card-1', orderId: own.id } }),
      );
      assert.equal(card.message.kind, 'order_card');
      assert.equal(card.message.body.orderId, own.id);
      assert.equal(card.message.body.status, own.status);
      assert.equal(card.message.body.totalCents, own.totalCents);
      const foreign = (await t.storage.orders.listBuyerOrders(DEMO_SHOP, 'buyer-demo-06' as BuyerId, 0))[0]!;
      const cases: [unknown, string][] = [
        [{ clientId: 'card-2', orderId: foreign.id }, 'orderId'],
        [{ clientId: 'card-3', orderId: 'DD-NO-SUCH' }, 'orderId'],
        [{ clientId: 'card-4', orderId: 20261100001 }, 'orderId'],
        [{ clientId: 'card-5' }, 'orderId'],
        [{ orderId: own.id }, 'clientId'],
      ];
      for (const [payload, field] of cases) {
        assertError(
          await api('POST', url, { cookie, payload: payload as object }),
          400,
          'validation_failed',
          field,
        );
      }
      assert.equal((await conversationNow(conversation.id)).lastSeq, 3, 'only the good card was stored');
    });

    it('read marks up to a seq (clamped to the last message); a bad seq is 400 naming seq', async () => {
      const { conversation } = await buyerSays('已读');
      const cookie = holderCookie(conversation);
      const url = `/api/conversations/${conversation.id}/read`;
      const read = ok<{ conversation: ConversationJson }>(
        await api('POST', url, { cookie, payload: { seq: 99 } }),
      );
      assert.equal(read.conversation.agentReadSeq, 2);
      for (const payload of [{ seq: -1 }, { seq: '1' }, { seq: 1.5 }, {}]) {
        assertError(await api('POST', url, { cookie, payload }), 400, 'validation_failed', 'seq');
      }
      assertError(
        await api('POST', url, {
          cookie: cookies[otherDemoAgent(conversation.agentId)],
          payload: { seq: 1 },
        }),
        403,
        'conversation_not_yours',
      );
    });

    it('RT-9 ending frees the agent’s slot; sending afterwards is 409 conversation_ended; the buyer’s next message opens a new conversation', async () => {
      const session = await widgetSession(t.server, {
        shop: 'demo',
        identity: await identityFor(t, 'tb100011'),
      });
      const { conversation, token } = await buyerSays('结束', session);
      const cookie = holderCookie(conversation);
      const loadOf = async () => (await agentsWithLoad()).find((a) => a.id === conversation.agentId)!.load;
      const before = await loadOf();
      const url = `/api/conversations/${conversation.id}`;
      const ended = ok<{ conversation: ConversationJson }>(await api('POST', `${url}/end`, { cookie }));
      assert.equal(ended.conversation.status, 'ended');
      assert.equal(await loadOf(), before! - 1, 'the slot is free at once');
      const lastSeq = (await conversationNow(conversation.id)).lastSeq;
      assertError(
        await api('POST', `${url}/messages`, {
          cookie,
          payload: { clientId: 'late', kind: 'text', body: { text: '还在吗' } },
        }),
        409,
        'conversation_ended',
      );
      const order = (await t.storage.orders.listBuyerOrders(DEMO_SHOP, 'buyer-demo-11' as BuyerId, 0))[0]!;
      assertError(
        await api('POST', `${url}/order-card`, {
          cookie,
          payload: { clientId: 'late-card', orderId: order.id },
        }),
        409,
        'conversation_ended',
      );
      assertError(
        await api('POST', `${url}/transfer`, {
          cookie,
          payload: { toAgentId: otherDemoAgent(conversation.agentId) },
        }),
        409,
        'conversation_ended',
      );
      assert.equal(
        (await conversationNow(conversation.id)).lastSeq,
        lastSeq,
        'nothing written after the end',
      );
      // The holder still reads the ended conversation; ending again changes nothing.
      ok(await api('GET', `${url}/messages`, { cookie }));
      assert.equal(
        ok<{ conversation: ConversationJson }>(await api('POST', `${url}/end`, { cookie })).conversation
          .status,
        'ended',
      );
      const next = ok<SendJson>(
        await api('POST', '/api/widget/messages', {
          token,
          payload: { clientId: 'after-end', kind: 'text', body: { text: '又来了' } },
        }),
      );
      assert.notEqual(next.conversation.id, conversation.id);
      assert.equal(next.message.seq, 1);
    });

    it('RT-10 transfer moves the conversation and the old agent can no longer send', async () => {
      const { conversation } = await buyerSays('转接');
      const from = conversation.agentId!;
      const to = otherDemoAgent(from);
      const url = `/api/conversations/${conversation.id}`;
      const moved = ok<{ conversation: ConversationJson }>(
        await api('POST', `${url}/transfer`, { cookie: cookies[from], payload: { toAgentId: to } }),
      );
      assert.equal(moved.conversation.agentId, to);
      assert.equal(moved.conversation.status, 'assigned');
      const note = (await storedMessages(t, conversation.id)).at(-1)!;
      assert.equal(note.kind, 'system', 'the transfer is noted in the conversation');
      const lastSeq = (await conversationNow(conversation.id)).lastSeq;
      assertError(
        await api('POST', `${url}/messages`, {
          cookie: cookies[from],
          payload: { clientId: 'old', kind: 'text', body: { text: '我还在' } },
        }),
        403,
        'conversation_not_yours',
        'conversationId',
      );
      assert.equal((await conversationNow(conversation.id)).lastSeq, lastSeq);
      const theirs = ok<{ conversations: ConversationJson[] }>(
        await api('GET', '/api/conversations', { cookie: cookies[to] }),
      );
      assert.ok(theirs.conversations.some((c) => c.id === conversation.id));
      ok(
        await api('POST', `${url}/messages`, {
          cookie: cookies[to],
          payload: { clientId: 'new', kind: 'text', body: { text: '我来接待' } },
        }),
      );
    });

    it('RT-10 transfer to an unknown agent, to the holder, or without a target is 400 naming toAgentId; to an offline agent is 409 agent_unavailable', async () => {
      const { conversation } = await buyerSays('转接失败');
      const cookie = holderCookie(conversation);
      const offline = ok<{ agent: AgentJson }>(
        await api('POST', '/api/admin/agents', {
          cookie: owner,
          payload: { email: 'offline-target@demo.xiaoer.dev', name: '不在线', password: AGENT_PASSWORD },
        }),
        201,
      ).agent;
      assert.equal(offline.status, 'offline');
      const url = `/api/conversations/${conversation.id}/transfer`;
      for (const payload of [
        { toAgentId: 'ghost' },
        { toAgentId: conversation.agentId },
        {},
        { toAgentId: 7 },
      ]) {
        assertError(await api('POST', url, { cookie, payload }), 400, 'validation_failed', 'toAgentId');
      }
      assertError(
        await api('POST', url, { cookie, payload: { toAgentId: offline.id } }),
        409,
        'agent_unavailable',
        'toAgentId',
      );
      const now = await conversationNow(conversation.id);
      assert.equal(now.agentId, conversation.agentId, 'still with its agent');
      assert.equal(now.lastSeq, 2, 'no transfer note was written');
    });

    it('RT-10 an agent cannot transfer beyond the target’s cap; an admin can (RT-6 non-routing target)', async () => {
      const target = ok<{ agent: AgentJson }>(
        await api('POST', '/api/admin/agents', {
          cookie: owner,
          payload: {
            email: 'capped@demo.xiaoer.dev',
            name: '限一个',
            password: AGENT_PASSWORD,
            maxConcurrent: 1,
            takesRouting: false,
          },
        }),
        201,
      ).agent;
      const targetCookie = await loginCookie(t.server, 'capped@demo.xiaoer.dev', AGENT_PASSWORD);
      // (at their desk: RT-8 presence has its own tests)
      await t.server.ctx.chat.setAgentStatus(DEMO_SHOP, target.id as never, 'online');
      const a = await buyerSays('第一位');
      const b = await buyerSays('第二位');
      assert.notEqual(a.conversation.agentId, target.id, 'RT-6: never assigned automatically');
      ok(
        await api('POST', `/api/conversations/${a.conversation.id}/transfer`, {
          cookie: holderCookie(a.conversation),
          payload: { toAgentId: target.id },
        }),
      );
      assertError(
        await api('POST', `/api/conversations/${b.conversation.id}/transfer`, {
          cookie: holderCookie(b.conversation),
          payload: { toAgentId: target.id },
        }),
        409,
        'agent_unavailable',
        'toAgentId',
      );
      const byAdmin = ok<{ conversation: ConversationJson }>(
        await api('POST', `/api/conversations/${b.conversation.id}/transfer`, {
          cookie: owner,
          payload: { toAgentId: target.id },
        }),
      );
      assert.equal(byAdmin.conversation.agentId, target.id);
      ok(await api('PUT', '/api/me/status', { cookie: targetCookie, payload: { status: 'offline' } }));
    });

    it('an unknown conversation id is 404 naming conversationId on every route; an over-long one is 400', async () => {
      const id = 'no-such-conversation';
      const routes: [InjectOptions['method'], string, object | undefined][] = [
        ['GET', `/api/conversations/${id}`, undefined],
        ['GET', `/api/conversations/${id}/messages`, undefined],
        ['POST', `/api/conversations/${id}/messages`, { clientId: 'z', kind: 'text', body: { text: 'x' } }],
        ['POST', `/api/conversations/${id}/order-card`, { clientId: 'z', orderId: 'DD20261100001' }],
        ['POST', `/api/conversations/${id}/read`, { seq: 1 }],
        ['POST', `/api/conversations/${id}/end`, undefined],
        ['POST', `/api/conversations/${id}/transfer`, { toAgentId: 'agent-demo-2' }],
      ];
      for (const [method, url, payload] of routes) {
        for (const cookie of [agent1, owner]) {
          assertError(await api(method, url, { cookie, payload }), 404, 'not_found', 'conversationId');
        }
        assertError(
          await api(method, url.replace(id, 'x'.repeat(65)), { cookie: owner, payload }),
          400,
          'validation_failed',
          'conversationId',
        );
        assertError(await api(method, url, { payload }), 401, 'unauthenticated');
      }
    });
  });
});
