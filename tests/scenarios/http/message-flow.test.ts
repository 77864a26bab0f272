/**
 * The HTTP API in process (Fastify `inject`): the core message flow, on SQLite and PostgreSQL. No
 * response in this file may be a 5xx.
 * (One of the files split by route area from tests/scenarios/http-api.test.ts in issue #20; the
 * shared helpers are in tests/support/http-api.ts.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDatabases } from '../../support/databases';
import { makeAgent, makeBuyer, makeShop } from '../../support/fixtures';
import {
  assertError,
  type ConversationJson,
  DEMO_SHOP,
  EMAIL_BY_AGENT,
  identityFor,
  type MessageJson,
  ok,
  request,
  type SendJson,
} from '../../support/http-api';
import { loginCookie, startTestServer, widgetSession, type TestServer } from '../../support/server';

// ------------------------------------------------------------------ both engines
for (const engine of testDatabases) {
  describe(`core message flow over HTTP on ${engine.name}`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer({ listen: false, storage: await engine.open() });
    });
    after(() => t.close());

    it('widget session → buyer sends → the assigned agent sees it and replies → the buyer syncs; retries and bad input store nothing', async () => {
      const session = await widgetSession(t.server, {
        shop: 'demo',
        identity: await identityFor(t, 'tb100009'),
      });
      assert.equal(session.buyerId, 'buyer-demo-09');
      const first = ok<SendJson>(
        await request(t, 'POST', '/api/widget/messages', {
          token: session.token,
          payload: { clientId: 'b-1', kind: 'text', body: { text: '什么时候发货' } },
        }),
      );
      const conversation = first.conversation;
      assert.equal(conversation.status, 'assigned');
      assert.ok(conversation.agentId && EMAIL_BY_AGENT[conversation.agentId]);
      const cookie = await loginCookie(t.server, EMAIL_BY_AGENT[conversation.agentId]!);

      const listed = ok<{ conversations: ConversationJson[] }>(
        await request(t, 'GET', '/api/conversations', { cookie }),
      );
      const row = listed.conversations.find((c) => c.id === conversation.id);
      assert.ok(row, 'the agent sees the conversation');
      assert.equal(row.buyer?.id, 'buyer-demo-09');
      const incoming = ok<{ messages: MessageJson[] }>(
        await request(t, 'GET', `/api/conversations/${conversation.id}/messages?after=0`, { cookie }),
      );
      assert.deepEqual(
        incoming.messages.filter((m) => m.kind !== 'system').map((m) => m.body.text),
        ['什么时候发货'],
      );

      const reply = () =>
        request(t, 'POST', `/api/conversations/${conversation.id}/messages`, {
          cookie,
          payload: { clientId: 'a-1', kind: 'text', body: { text: '亲，48 小时内发货' } },
        });
      const replied = ok<SendJson>(await reply());
      assert.equal(replied.message.seq, 3, 'after the buyer’s line and the one naming the agent (BOT-3)');
      assert.equal(ok<SendJson>(await reply()).message.id, replied.message.id, 'agent retry deduped');
      const buyerRetry = ok<SendJson>(
        await request(t, 'POST', '/api/widget/messages', {
          token: session.token,
          payload: { clientId: 'b-1', kind: 'text', body: { text: '什么时候发货' } },
        }),
      );
      assert.equal(buyerRetry.message.id, first.message.id, 'buyer retry deduped');

      assertError(
        await request(t, 'POST', '/api/widget/messages', {
          token: session.token,
          payload: { clientId: 'b-2', kind: 'text', body: { text: 'x'.repeat(5001) } },
        }),
        400,
        'validation_failed',
        'body.text',
      );
      assertError(
        await request(t, 'POST', `/api/conversations/${conversation.id}/messages`, {
          cookie,
          payload: { clientId: 'a-2', kind: 'image', body: { url: 'https://elsewhere.example/x.png' } },
        }),
        400,
        'validation_failed',
        'body.url',
      );

      const synced = ok<{ messages: MessageJson[] }>(
        await request(t, 'GET', '/api/widget/messages?after=1', { token: session.token }),
      );
      assert.deepEqual(
        synced.messages.map((m) => [m.seq, m.sender, m.body.text]),
        [
          // BOT-3: the buyer is told who took them, by name.
          [2, 'system', '客服小美为您服务'],
          [3, 'agent', '亲，48 小时内发货'],
        ],
      );
      const stored = await t.storage.conversations.findConversation(DEMO_SHOP, conversation.id as never);
      assert.equal(stored?.lastSeq, 3, 'three messages, no more');

      const read = ok<{ conversation: ConversationJson }>(
        await request(t, 'POST', `/api/conversations/${conversation.id}/read`, {
          cookie,
          payload: { seq: 3 },
        }),
      );
      assert.equal(read.conversation.agentReadSeq, 3);
      const ended = ok<{ conversation: ConversationJson }>(
        await request(t, 'POST', `/api/conversations/${conversation.id}/end`, { cookie }),
      );
      assert.equal(ended.conversation.status, 'ended');
    });

    it('TEAM-4 another shop’s conversation is not found on this engine too', async () => {
      const otherShop = await makeShop(t.storage);
      await makeAgent(t.storage, otherShop, { status: 'online' });
      const buyer = await makeBuyer(t.storage, otherShop);
      const r = await t.server.ctx.chat.sendBuyerMessage(otherShop, buyer.id, 'x', {
        kind: 'text',
        body: { text: '别家' },
      });
      const owner = await loginCookie(t.server, 'owner@demo.xiaoer.dev');
      assertError(
        await request(t, 'GET', `/api/conversations/${r.conversation.id}/messages`, { cookie: owner }),
        404,
        'not_found',
        'conversationId',
      );
      assertError(
        await request(t, 'POST', `/api/conversations/${r.conversation.id}/messages`, {
          cookie: owner,
          payload: { clientId: 'leak', kind: 'text', body: { text: '串店' } },
        }),
        404,
        'not_found',
        'conversationId',
      );
      assert.equal(
        (await t.storage.conversations.findConversation(otherShop, r.conversation.id))?.lastSeq,
        2, // the buyer's line and the one telling them who took it (BOT-3)
      );
    });
  });
}
