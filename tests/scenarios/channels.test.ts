/**
 * Issue #16: buyers' messages from platform channels (`POST /api/v1/channels/{channel}/messages`)
 * for a shop that is not the demo, on SQLite and PostgreSQL — they enter the same loop as the
 * widget's (a conversation, routing to the shop's agent); the platform's message id makes a resend
 * one message (also at once, also after the conversation ended); the agent's reply goes out as a
 * `message.created` event naming the channel and the buyer's platform id; a platform image comes
 * in as an upload of the shop; bad input is named and nothing stored.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AgentId, ConversationId, ShopId } from '@xiaoer/core';
import { testDatabases } from '../support/databases';
import { makeAgent, makeShop } from '../support/fixtures';
import { Receiver } from '../support/receiver';
import { loginCookie, startTestServer, type TestServer } from '../support/server';
import { pngUpload } from '../support/uploads';

for (const engine of testDatabases) {
  describe(`issue #16 platform channels (${engine.name})`, () => {
    let t: TestServer;
    let shopId: ShopId;
    let owner: string;
    let agentCookie: string;
    let agentId: AgentId;
    let key = '';
    let readKey = '';
    let otherKey = '';
    let conversationId = '';
    const receiver = new Receiver();

    const call = async (
      method: 'GET' | 'POST',
      url: string,
      payload?: unknown,
      auth: { key?: string; cookie?: string } = { key },
      headers: Record<string, string> = {},
    ) => {
      const res = await t.server.app.inject({
        method,
        url,
        headers: {
          ...(auth.key !== undefined ? { authorization: `Bearer ${auth.key}` } : {}),
          ...(auth.cookie ? { cookie: auth.cookie } : {}),
          ...headers,
        },
        ...(payload !== undefined ? { payload: payload as object } : {}),
      });
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      return { status: res.statusCode, body: res.body, json: () => res.json() as any };
    };
    const say = (messageId: string, text: string, extra: object = {}, channel = 'taobao') =>
      call('POST', `/api/v1/channels/${channel}/messages`, {
        buyerExternalId: 'tb-2001',
        messageId,
        text,
        ...extra,
      });
    const buyerLines = async () =>
      (await t.storage.conversations.listMessages(shopId, conversationId as ConversationId, 0, 100)).filter(
        (m) => m.sender === 'buyer',
      );

    before(async () => {
      t = await startTestServer({ storage: await engine.open(), demo: false });
      shopId = await makeShop(t.storage, `channels-${engine.name}`);
      const boss = await makeAgent(t.storage, shopId, { role: 'owner', takesRouting: false });
      const agent = await makeAgent(t.storage, shopId);
      agentId = agent.id;
      owner = await loginCookie(t.server, boss.email);
      agentCookie = await loginCookie(t.server, agent.email);
      const makeKey = async (cookie: string, body: object) =>
        (await call('POST', '/api/admin/api-keys', body, { cookie })).json().key as string;
      key = await makeKey(owner, { name: '淘宝对接' });
      readKey = await makeKey(owner, { name: '只读', scopes: ['read'] });
      const other = await makeShop(t.storage, `channels-other-${engine.name}`);
      const otherOwner = await makeAgent(t.storage, other, { role: 'owner' });
      otherKey = await makeKey(await loginCookie(t.server, otherOwner.email), { name: '别家' });
      const url = await receiver.start();
      const hook = await call('POST', '/api/v1/webhooks', { url, events: ['message.created'] });
      assert.equal(hook.status, 201, hook.body);
      await t.server.ctx.chat.setAgentStatus(shopId, agentId, 'online');
    });
    after(async () => {
      await t.close();
      await receiver.stop();
    });

    it('bad input is named, and nothing is stored', async () => {
      for (const [channel, body, field, status] of [
        ['Tao Bao', { buyerExternalId: 'tb-1', messageId: 'x', text: '在吗' }, 'channel', 400],
        ['taobao', { buyerExternalId: 'tb-1', messageId: 'x' }, 'text', 400],
        [
          'taobao',
          {
            buyerExternalId: 'tb-1',
            messageId: 'x',
            text: '在吗',
            imageUrl: '/uploads/00000000-0000-4000-8000-000000000000',
          },
          'text',
          400,
        ],
        [
          'taobao',
          { buyerExternalId: 'tb-1', messageId: 'x', imageUrl: 'https://img.example.com/a.png' },
          'imageUrl',
          400,
        ],
        ['taobao', { buyerExternalId: 'tb 1', messageId: 'x', text: '在吗' }, 'buyerExternalId', 400],
        ['taobao', { buyerExternalId: 'tb-1', text: '在吗' }, 'messageId', 400],
        [
          'taobao',
          { buyerExternalId: 'tb-1', messageId: 'x', text: '在吗', sender: 'agent' },
          undefined,
          400,
        ],
        ['taobao', { buyerExternalId: 'tb-1', messageId: 'x', text: '   ' }, 'text', 400],
      ] as const) {
        const res = await call('POST', `/api/v1/channels/${encodeURIComponent(channel)}/messages`, body);
        assert.equal(res.status, status, res.body);
        if (field) assert.equal(res.json().error.field, field, res.body);
      }
      const ok = { buyerExternalId: 'tb-1', messageId: 'x', text: '在吗' };
      assert.equal(
        (await call('POST', '/api/v1/channels/taobao/messages', ok, { key: readKey })).status,
        403,
      );
      assert.equal((await call('POST', '/api/v1/channels/taobao/messages', ok, {})).status, 401);
      assert.equal(await t.storage.buyers.findByExternalId(shopId, 'tb-1'), undefined, 'no buyer made');
    });

    it("a platform buyer's message opens a conversation marked with its channel; a resend is one message", async () => {
      const first = await say('tb-msg-1', '这款茶叶还有货吗', { nick: '小李爱喝茶' });
      assert.equal(first.status, 201, first.body);
      const answer = first.json();
      assert.equal(answer.duplicate, false);
      assert.equal(answer.conversation.channel, 'taobao');
      assert.equal(answer.conversation.buyer.externalId, 'tb-2001');
      assert.equal(answer.message.body.text, '这款茶叶还有货吗');
      conversationId = answer.conversation.id;
      assert.equal((await t.storage.buyers.findByExternalId(shopId, 'tb-2001'))?.nick, '小李爱喝茶');
      const conversation = await t.storage.conversations.findConversation(
        shopId,
        conversationId as ConversationId,
      );
      assert.equal(conversation?.channel, 'taobao');
      assert.notEqual(conversation?.waitingSince, null, 'the buyer waits for the shop (MET-1)');

      const again = await say('tb-msg-1', '这款茶叶还有货吗');
      assert.equal(again.status, 200, again.body);
      assert.equal(again.json().duplicate, true);
      assert.equal(again.json().message.id, answer.message.id);
      // Two copies of a new message at once: stored once.
      const [a, b] = await Promise.all([say('tb-msg-2', '转人工'), say('tb-msg-2', '转人工')]);
      assert.deepEqual([a.status, b.status].sort(), [200, 201], `${a.body} ${b.body}`);
      assert.equal(a.json().message.id, b.json().message.id);
      assert.deepEqual(
        (await buyerLines()).map((m) => m.kind === 'text' && m.body.text),
        ['这款茶叶还有货吗', '转人工'],
      );
    });

    it("the agent's reply goes out as message.created naming the channel and the buyer's platform id", async () => {
      // The buyer asked for a person: routing gives the shop's agent the conversation.
      for (let i = 0; i < 400; i++) {
        const c = await t.storage.conversations.findConversation(shopId, conversationId as ConversationId);
        if (c?.status === 'assigned') break;
        await new Promise((r) => setTimeout(r, 10));
      }
      const reply = await call(
        'POST',
        `/api/conversations/${conversationId}/messages`,
        { clientId: 'r1', kind: 'text', body: { text: '有货的，今天下单明天发' } },
        { cookie: agentCookie },
      );
      assert.equal(reply.status, 200, reply.body);
      const event = await receiver.next(
        (r) => r.body.type === 'message.created' && r.body.data.message.sender === 'agent',
      );
      assert.equal(event.body.data.message.body.text, '有货的，今天下单明天发');
      assert.equal(event.body.data.conversation.channel, 'taobao');
      assert.equal(event.body.data.conversation.buyer.externalId, 'tb-2001');
      // The buyer's own lines are events too (one per message, the resend not repeated).
      const buyerEvents = receiver
        .delivered()
        .filter((r) => r.body.type === 'message.created' && r.body.data.message.sender === 'buyer');
      assert.equal(buyerEvents.length, 2);
    });

    it('the buyer writes from another platform: the conversation follows them there', async () => {
      const moved = await say('wx-1', '我在微信上问一下', {}, 'wechat');
      assert.equal(moved.status, 201, moved.body);
      assert.equal(moved.json().conversation.id, conversationId, 'the same open conversation');
      assert.equal(moved.json().conversation.channel, 'wechat');
      await call(
        'POST',
        `/api/conversations/${conversationId}/messages`,
        { clientId: 'r2', kind: 'text', body: { text: '好的' } },
        { cookie: agentCookie },
      );
      const event = await receiver.next(
        (r) => r.body.type === 'message.created' && r.body.data.message.body.text === '好的',
      );
      assert.equal(event.body.data.conversation.channel, 'wechat');
    });

    it("a platform image: uploaded with the key, sent by its URL, and fetched back by the shop's key only", async () => {
      const png = await pngUpload();
      const up = await t.server.app.inject({
        method: 'POST',
        url: '/api/uploads',
        headers: { ...png.headers, authorization: `Bearer ${key}` },
        payload: png.payload,
      });
      assert.equal(up.statusCode, 201, up.body);
      const url = up.json().url as string;
      const sent = await say('tb-img-1', '', { text: undefined, imageUrl: url });
      assert.equal(sent.status, 201, sent.body);
      assert.equal(sent.json().message.kind, 'image');
      assert.equal((await call('GET', url)).status, 200);
      // Another shop's key may not send this shop's upload as its buyer's image.
      const stolen = await call(
        'POST',
        '/api/v1/channels/taobao/messages',
        { buyerExternalId: 'tb-9', messageId: 'img-x', imageUrl: url },
        { key: otherKey },
      );
      assert.equal(stolen.status, 400, stolen.body);
      assert.equal(stolen.json().error.field, 'imageUrl');
      assert.equal((await call('GET', url, undefined, { key: otherKey })).status, 404);
      const readOnly = await t.server.app.inject({
        method: 'POST',
        url: '/api/uploads',
        headers: { ...png.headers, authorization: `Bearer ${readKey}` },
        payload: png.payload,
      });
      assert.equal(readOnly.statusCode, 403);
    });

    it('a resend after the conversation ended is still one message', async () => {
      assert.equal(
        (await call('POST', `/api/conversations/${conversationId}/end`, {}, { cookie: agentCookie })).status,
        200,
      );
      const again = await say('tb-msg-1', '这款茶叶还有货吗');
      assert.equal(again.status, 200, again.body);
      assert.equal(again.json().duplicate, true);
      assert.equal(
        await t.storage.conversations.findOpenByBuyer(shopId, again.json().conversation.buyer.id),
        undefined,
      );
      // Another shop's key: the same platform ids are its own.
      const theirs = await call(
        'POST',
        '/api/v1/channels/taobao/messages',
        { buyerExternalId: 'tb-2001', messageId: 'tb-msg-1', text: '在吗' },
        { key: otherKey },
      );
      assert.equal(theirs.status, 201, theirs.body);
      assert.notEqual(theirs.json().conversation.id, conversationId);
    });
  });
}
