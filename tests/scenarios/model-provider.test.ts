/**
 * Issue #15: the optional OpenAI-compatible model provider, against a local stub server (fixed
 * vectors and replies): its settings (the key never shown again), embeddings as matching evidence,
 * grounded drafts checked by the compliance guard, suggested replies for agents — and a slow or
 * dead provider, where everything goes on as without one. A new shop, SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ConversationId, ShopId } from '@xiaoer/core';
import { testDatabases } from '../support/databases';
import { waitFor } from '../support/wait';
import { ModelStub } from '../support/model-stub';
import { makeAgent, makeShop } from '../support/fixtures';
import { loginCookie, startTestServer, widgetSession, type TestServer } from '../support/server';

/** The parts of the answers the tests read. */
interface Answer {
  settings: Record<string, unknown> & { enabled?: boolean; apiKey?: string; hasApiKey?: boolean };
  error: { field: string; code: string };
  suggestion: string;
}

for (const engine of testDatabases) {
  describe(`issue #15 the model provider, against a stub (${engine.name})`, () => {
    let t: TestServer;
    let shopId: ShopId;
    let owner: string;
    let agentCookie: string;
    const stub = new ModelStub();
    const slug = `model-${engine.name}`;

    const call = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, cookie = owner) => {
      const res = await t.server.app.inject({
        method,
        url,
        headers: { cookie },
        ...(payload !== undefined ? { payload: payload as object } : {}),
      });
      return { status: res.statusCode, body: res.body, json: () => res.json() as Answer };
    };
    const settings = (over: Record<string, unknown> = {}) => ({
      enabled: true,
      baseUrl: stub.url,
      chatModel: 'stub-chat',
      embeddingModel: 'stub-embed',
      timeoutMs: 800,
      semanticThreshold: 0.9,
      draftAnswers: false,
      suggestReplies: true,
      ...over,
    });

    /** A new widget buyer says `text`; resolves with the bot's first line after it. */
    const buyerAsks = async (text: string) => {
      const { token } = await widgetSession(t.server, { shop: slug });
      const sent = await t.server.app.inject({
        method: 'POST',
        url: '/api/widget/messages',
        headers: { authorization: `Bearer ${token}` },
        payload: { clientId: 'q', kind: 'text', body: { text } },
      });
      assert.equal(sent.statusCode, 200, sent.body);
      const id = (sent.json() as { conversation: { id: string } }).conversation.id as ConversationId;
      return waitFor(
        'the bot to answer',
        async () => {
          const msgs = await t.storage.conversations.listMessages(shopId, id, 0, 20);
          const bot = msgs.find((m) => m.sender === 'bot');
          if (bot && bot.kind === 'text') return { id, line: bot.body.text as string | undefined };
          const c = await t.storage.conversations.findConversation(shopId, id);
          if (c?.status !== 'bot') return { id, line: undefined, status: c?.status };
          return undefined;
        },
        { every: 25 },
      );
    };

    before(async () => {
      await stub.start();
      t = await startTestServer({ storage: await engine.open(), demo: false });
      shopId = await makeShop(t.storage, slug);
      const boss = await makeAgent(t.storage, shopId, { role: 'owner', takesRouting: false });
      const agent = await makeAgent(t.storage, shopId);
      owner = await loginCookie(t.server, boss.email);
      agentCookie = await loginCookie(t.server, agent.email);
      await t.server.ctx.chat.setAgentStatus(shopId, agent.id, 'online');
      const bot = (await call('GET', '/api/admin/bot')).json().settings;
      assert.equal(
        (await call('PUT', '/api/admin/bot', { ...bot, enabled: true, maxMisses: 3 })).status,
        200,
      );
      const entry = await call('POST', '/api/admin/faq', {
        question: '下单后多久发货',
        answer: '亲，付款后48小时内发货',
      });
      assert.equal(entry.status, 201, entry.body);
    });
    after(async () => {
      await t.close();
      await stub.stop();
    });

    it('settings: off by default; saved; the key is never shown again and kept when not sent; bad fields named', async () => {
      const fresh = (await call('GET', '/api/admin/model')).json().settings;
      assert.equal(fresh.enabled, false);
      const saved = await call('PUT', '/api/admin/model', { ...settings(), apiKey: 'sk-secret-123' });
      assert.equal(saved.status, 200, saved.body);
      assert.equal(saved.json().settings.apiKey, '');
      assert.equal(saved.json().settings.hasApiKey, true);
      assert.ok(!(await call('GET', '/api/admin/model')).body.includes('sk-secret-123'));
      await call('PUT', '/api/admin/model', settings());
      assert.equal((await call('GET', '/api/admin/model')).json().settings.hasApiKey, true, 'kept');
      const bad = await call('PUT', '/api/admin/model', settings({ baseUrl: 'file:///etc/passwd' }));
      assert.equal(bad.status, 400);
      assert.equal(bad.json().error.field, 'baseUrl');
      const slow = await call('PUT', '/api/admin/model', settings({ timeoutMs: 10 }));
      assert.equal(slow.json().error.field, 'timeoutMs');
    });

    it('embeddings are evidence: a message no wording matches is answered; the key goes as a bearer token', async () => {
      const { line } = await buyerAsks('🚚🚚？');
      assert.equal(line, '亲，付款后48小时内发货');
      assert.ok(stub.keys.includes('Bearer sk-secret-123'));
    });

    it('a slow or dead provider: the bot answers as it would without one', async () => {
      for (const mode of ['slow', 'down'] as const) {
        stub.mode = mode;
        const { line } = await buyerAsks('🚚🚚？');
        assert.match(line ?? '', /没有理解/, `${mode}: the miss line, not an error`);
        // What the wording finds is still answered.
        assert.equal((await buyerAsks('下单后多久发货')).line, '亲，付款后48小时内发货');
      }
      stub.mode = 'ok';
    });

    it('grounded drafts (switched on): from the closest entries only; NO_ANSWER or a blocked text never reach the buyer', async () => {
      assert.equal((await call('PUT', '/api/admin/model', settings({ draftAnswers: true }))).status, 200);
      stub.chats = [];
      stub.reply = '亲，我们的快递盒是牛皮纸色的哦';
      assert.equal((await buyerAsks('你们的包装盒子什么颜色')).line, '亲，我们的快递盒是牛皮纸色的哦');
      const prompt = stub.chats[0]!.messages.map((m) => m.content).join('\n');
      assert.match(prompt, /店铺问答/);
      assert.match(prompt, /NO_ANSWER/);

      stub.reply = 'NO_ANSWER';
      assert.match((await buyerAsks('你们的包装盒子什么颜色')).line ?? '', /没有理解/);

      // CMP-3: the guard refuses a draft that sends the buyer off the platform; a person answers.
      stub.reply = '亲，加我微信 kefu_8888 细聊';
      const blocked = await buyerAsks('你们的包装盒子什么颜色');
      const msgs = await t.storage.conversations.listMessages(shopId, blocked.id, 0, 20);
      assert.ok(!msgs.some((m) => m.kind === 'text' && m.body.text.includes('kefu_8888')), 'never sent');
      const log = await t.storage.compliance.listLog(shopId, { limit: 20 });
      assert.ok(
        log.some((e) => e.text.includes('kefu_8888')),
        'logged as the bot’s',
      );
      stub.reply = '亲，我们的快递盒是牛皮纸色的哦';
    });

    it('suggested replies for agents: grounded in the conversation; off is 409; a dead provider is 502 naming it', async () => {
      const { token } = await widgetSession(t.server, { shop: slug });
      const sent = await t.server.app.inject({
        method: 'POST',
        url: '/api/widget/messages',
        headers: { authorization: `Bearer ${token}` },
        payload: { clientId: 'h', kind: 'text', body: { text: '转人工' } },
      });
      const id = (sent.json() as { conversation: { id: string } }).conversation.id;
      await waitFor(
        'the hand-over to a person',
        async () => {
          const found = await t.storage.conversations.findConversation(shopId, id as ConversationId);
          return found?.status === 'assigned' && found;
        },
        { every: 25 },
      );
      stub.reply = '亲，您好，请问有什么可以帮您？';
      const ok = await call('POST', `/api/conversations/${id}/suggest-reply`, undefined, agentCookie);
      assert.equal(ok.status, 200, ok.body);
      assert.equal(ok.json().suggestion, '亲，您好，请问有什么可以帮您？');
      stub.mode = 'down';
      const down = await call('POST', `/api/conversations/${id}/suggest-reply`, undefined, agentCookie);
      assert.equal(down.status, 502);
      assert.equal(down.json().error.code, 'provider_unavailable');
      stub.mode = 'ok';
      await call('PUT', '/api/admin/model', settings({ suggestReplies: false }));
      const off = await call('POST', `/api/conversations/${id}/suggest-reply`, undefined, agentCookie);
      assert.equal(off.status, 409);
    });

    it('summary on transfer (switched on): written for the agent who takes it, never a message the buyer gets', async () => {
      assert.equal(
        (await call('PUT', '/api/admin/model', settings({ summarizeTransfers: true }))).status,
        200,
      );
      stub.chats = [];
      stub.reply = '买家问发货时间，机器人已答48小时内发货；买家要求人工，想改收货地址，尚未处理。';
      const { token } = await widgetSession(t.server, { shop: slug });
      const say = async (clientId: string, text: string) => {
        const sent = await t.server.app.inject({
          method: 'POST',
          url: '/api/widget/messages',
          headers: { authorization: `Bearer ${token}` },
          payload: { clientId, kind: 'text', body: { text } },
        });
        assert.equal(sent.statusCode, 200, sent.body);
        return (sent.json() as { conversation: { id: string } }).conversation.id as ConversationId;
      };
      const id = await say('s1', '下单后多久发货');
      await waitFor(
        'the bot to answer',
        async () =>
          (await t.storage.conversations.listMessages(shopId, id, 0, 20)).some((m) => m.sender === 'bot'),
        { every: 25 },
      );
      await say('s2', '转人工，我要改地址');
      const summary = await waitFor('a summary', () => t.storage.conversations.findSummary(shopId, id), {
        every: 25,
      });
      assert.ok(summary, 'a summary was written');
      assert.equal(summary.text, stub.reply);
      // The model saw the conversation (both speakers), not only the last line.
      const prompt = stub.chats
        .at(-1)!
        .messages.map((m) => m.content)
        .join('\n');
      assert.match(prompt, /买家：下单后多久发货/);
      assert.match(prompt, /机器人：亲，付款后48小时内发货/);
      // The agent who has it reads it; the buyer's messages never hold it.
      const got = await call('GET', `/api/conversations/${id}/summary`, undefined, agentCookie);
      assert.equal(got.status, 200, got.body);
      assert.equal((got.json() as unknown as { summary: { text: string } }).summary.text, stub.reply);
      const buyerSees = await t.server.app.inject({
        method: 'GET',
        url: '/api/widget/messages?after=0',
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(buyerSees.statusCode, 200, buyerSees.body);
      assert.ok(!buyerSees.body.includes('尚未处理'), 'never sent to the buyer');
      // Off: the next hand-over writes none (a conversation without one answers null).
      await call('PUT', '/api/admin/model', settings({ summarizeTransfers: false }));
      const other = await widgetSession(t.server, { shop: slug });
      const sent = await t.server.app.inject({
        method: 'POST',
        url: '/api/widget/messages',
        headers: { authorization: `Bearer ${other.token}` },
        payload: { clientId: 'o', kind: 'text', body: { text: '转人工' } },
      });
      const otherId = (sent.json() as { conversation: { id: string } }).conversation.id;
      await waitFor(
        'the hand-over to a person',
        async () => {
          const found = await t.storage.conversations.findConversation(shopId, otherId as ConversationId);
          return found?.status === 'assigned' && found;
        },
        { every: 25 },
      );
      // A model call made after the hand-over (a suggestion) comes back; no summary was asked for.
      stub.chats = [];
      await call('PUT', '/api/admin/model', settings({ summarizeTransfers: false, suggestReplies: true }));
      assert.equal(
        (await call('POST', `/api/conversations/${otherId}/suggest-reply`, undefined, agentCookie)).status,
        200,
      );
      assert.ok(
        !stub.chats.some((c) => c.messages.some((m) => m.content.includes('接手'))),
        'no summary asked for',
      );
      const none = await call('GET', `/api/conversations/${otherId}/summary`, undefined, agentCookie);
      assert.equal((none.json() as unknown as { summary: null }).summary, null);
    });
  });
}
