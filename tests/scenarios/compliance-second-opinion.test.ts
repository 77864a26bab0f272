/**
 * Issue #17, "second opinion, optional": a message the compliance guard's statistical layer is
 * unsure of (the warn band) is judged by the shop's own chat model before it goes — against a
 * local stub provider, on a real server and real storage (SQLite and PostgreSQL). The model agrees
 * (still a warning to confirm), disagrees up (blocked and logged) or down (sent as it is); a slow
 * or garbled answer keeps the guard's verdict; and nothing is asked unless the shop switches it on.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  SECOND_OPINION_RULES,
  type BuyerId,
  type ComplianceErrorDetails,
  type ConversationId,
  type ShopId,
} from '@xiaoer/core';
import { readComplianceCorpus } from '../../packages/server/src/compliance/model';
import { testDatabases } from '../support/databases';
import { waitFor } from '../support/wait';
import { ModelStub } from '../support/model-stub';
import { makeAgent, makeShop } from '../support/fixtures';
import { loginCookie, startTestServer, widgetSession, type TestServer } from '../support/server';

interface Answer {
  settings: { judgeCompliance?: boolean };
  error: { code: string; field: string; details: ComplianceErrorDetails };
}

for (const engine of testDatabases) {
  describe(`issue #17 compliance second opinion, against a stub provider (${engine.name})`, () => {
    let t: TestServer;
    let shopId: ShopId;
    let owner: string;
    let agentCookie: string;
    let conversationId: string;
    let buyerId: BuyerId;
    /** A text whose only finding is a warning of the statistical layer (the warn band). */
    let unsure: { text: string; rule: string };
    const stub = new ModelStub();
    const slug = `second-opinion-${engine.name}`;
    let sends = 0;

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
      embeddingModel: '',
      timeoutMs: 800,
      semanticThreshold: 0.9,
      draftAnswers: false,
      suggestReplies: false,
      judgeCompliance: true,
      ...over,
    });
    /** The agent sends `text` (confirming warnings or not). */
    const send = (text: string, confirmWarnings = false) =>
      call(
        'POST',
        `/api/conversations/${conversationId}/messages`,
        { clientId: `a-${++sends}`, kind: 'text', body: { text }, confirmWarnings },
        agentCookie,
      );
    const storedTexts = async () =>
      (await t.storage.conversations.listMessages(shopId, conversationId as ConversationId, 0, 500)).flatMap(
        (m) => (m.kind === 'text' && m.sender === 'agent' ? [m.body.text] : []),
      );
    const verdict = (reply: Record<string, unknown>) => JSON.stringify(reply);

    before(async () => {
      await stub.start();
      t = await startTestServer({ storage: await engine.open(), demo: false });
      shopId = await makeShop(t.storage, slug);
      const boss = await makeAgent(t.storage, shopId, { role: 'owner', takesRouting: false });
      const agent = await makeAgent(t.storage, shopId);
      owner = await loginCookie(t.server, boss.email);
      agentCookie = await loginCookie(t.server, agent.email);
      await t.server.ctx.chat.setAgentStatus(shopId, agent.id, 'online');
      // A buyer asks for a person; the conversation is the agent's.
      const session = await widgetSession(t.server, { shop: slug });
      buyerId = session.buyerId as BuyerId;
      const sent = await t.server.app.inject({
        method: 'POST',
        url: '/api/widget/messages',
        headers: { authorization: `Bearer ${session.token}` },
        payload: { clientId: 'b-1', kind: 'text', body: { text: '转人工' } },
      });
      assert.equal(sent.statusCode, 200, sent.body);
      conversationId = (sent.json() as { conversation: { id: string } }).conversation.id;
      const c = await waitFor(
        'the hand-over to a person',
        async () => {
          const found = await t.storage.conversations.findConversation(
            shopId,
            conversationId as ConversationId,
          );
          return found?.status === 'assigned' && found;
        },
        { every: 25 },
      );
      assert.equal(c?.agentId, agent.id);
      // The warn band, found by the guard itself among the corpus's borderline lines (so the test
      // does not hang on one model's exact thresholds): a warning, every finding the model's.
      for (const line of readComplianceCorpus()) {
        if (line.label !== 'warn') continue;
        const r = await t.server.ctx.compliance.check(shopId, buyerId, line.text);
        if (r.verdict === 'warn' && r.findings.every((f) => f.source === 'model' && f.verdict === 'warn')) {
          unsure = { text: line.text, rule: r.findings[0]!.rule };
          break;
        }
      }
      assert.ok(unsure, 'a corpus line in the warn band (the statistical layer changed?)');
    });
    after(async () => {
      await t.close();
      await stub.stop();
    });

    it('off by default: the setting is off, and with the provider on but not asked to judge, the stub hears nothing', async () => {
      assert.equal((await call('GET', '/api/admin/model')).json().settings.judgeCompliance, false);
      const { judgeCompliance: _off, ...withoutIt } = settings();
      assert.equal((await call('PUT', '/api/admin/model', withoutIt)).status, 200);
      assert.equal((await call('GET', '/api/admin/model')).json().settings.judgeCompliance, false);
      stub.chats = [];
      stub.reply = verdict({ verdict: 'pass', rule: null, reason: '没问题' });
      const res = await send(unsure.text);
      assert.equal(res.status, 428, res.body);
      assert.equal(res.json().error.code, 'compliance_confirm');
      assert.equal(stub.chats.length, 0, 'no request');
      // Switched on, it is saved and shown.
      const on = await call('PUT', '/api/admin/model', settings());
      assert.equal(on.status, 200, on.body);
      assert.equal(on.json().settings.judgeCompliance, true);
    });

    it('the live check while typing does not ask the model', async () => {
      stub.chats = [];
      const res = await call(
        'POST',
        '/api/compliance/check',
        { text: unsure.text, conversationId },
        agentCookie,
      );
      assert.equal(res.status, 200, res.body);
      assert.equal((res.json() as unknown as { verdict: string }).verdict, 'warn');
      assert.equal(stub.chats.length, 0);
    });

    it('agree: the model says warn → the agent still confirms; the prompt holds the rule and the fenced message', async () => {
      stub.chats = [];
      stub.reply = verdict({ verdict: 'warn', rule: unsure.rule, reason: '说法有点绝对' });
      const res = await send(unsure.text);
      assert.equal(res.status, 428, res.body);
      assert.equal(res.json().error.details.verdict, 'warn');
      assert.equal(stub.chats.length, 1);
      const [system, user] = stub.chats[0]!.messages;
      assert.equal(system?.role, 'system');
      assert.ok(
        system.content.includes(SECOND_OPINION_RULES[unsure.rule as keyof typeof SECOND_OPINION_RULES]),
      );
      assert.match(system.content, /只输出一行 JSON/);
      const lines = user!.content.split('\n');
      assert.equal(lines[2], unsure.text.split('\n')[0], 'the message, after the opening fence');
      assert.match(lines[1]!, /^`{3,}$/);
      assert.ok(!(await storedTexts()).includes(unsure.text), 'not sent unconfirmed');
      const confirmed = await send(unsure.text, true);
      assert.equal(confirmed.status, 200, confirmed.body);
    });

    it('disagree up: the model says block → refused as compliance_blocked (even confirmed) and logged', async () => {
      const before = (await storedTexts()).length;
      stub.reply = verdict({ verdict: 'block', rule: unsure.rule, reason: '无法证实的说法' });
      const res = await send(unsure.text, true);
      assert.equal(res.status, 422, res.body);
      const error = res.json().error;
      assert.equal(error.code, 'compliance_blocked');
      assert.equal(error.details.verdict, 'block');
      assert.ok(error.details.findings.some((f) => f.verdict === 'block' && f.source === 'model'));
      assert.match(error.details.findings[0]!.reason['zh-CN'], /模型复核：无法证实的说法/);
      assert.equal((await storedTexts()).length, before, 'never stored');
      const log = await t.storage.compliance.listLog(shopId, { limit: 50 });
      assert.ok(
        log.some((e) => e.action === 'blocked' && e.text === unsure.text && e.verdict === 'block'),
        'the block is logged',
      );
    });

    it('disagree down: the model says pass → sent without asking the agent', async () => {
      stub.reply = verdict({ verdict: 'pass', rule: null, reason: '正常的商品介绍' });
      const before = (await t.storage.compliance.listLog(shopId, { limit: 50 })).length;
      const res = await send(unsure.text);
      assert.equal(res.status, 200, res.body);
      assert.equal((await storedTexts()).at(-1), unsure.text);
      assert.equal(
        (await t.storage.compliance.listLog(shopId, { limit: 50 })).length,
        before,
        'nothing overridden, nothing logged',
      );
    });

    it('timeout: no answer within timeoutMs → the local warning stands', async () => {
      assert.equal((await call('PUT', '/api/admin/model', settings({ timeoutMs: 500 }))).status, 200);
      stub.mode = 'slow';
      stub.chats = [];
      // The stub never answers in this mode: an answer here came from the timeout.
      const res = await send(unsure.text);
      assert.equal(res.status, 428, res.body);
      assert.equal(res.json().error.details.verdict, 'warn');
      assert.equal(stub.chats.length, 1, 'asked');
      stub.mode = 'ok';
      assert.equal((await call('PUT', '/api/admin/model', settings())).status, 200);
    });

    it('a malformed reply (or an unknown rule) → the local verdict', async () => {
      stub.chats = [];
      const replies = [
        '我觉得这句话可以发。',
        verdict({ verdict: 'block', rule: 'CMP-9', reason: 'x' }),
        verdict({ verdict: 'allow', rule: null, reason: 'x' }),
        '{"verdict":"block",',
      ];
      for (const reply of replies) {
        stub.reply = reply;
        const res = await send(unsure.text);
        assert.equal(res.status, 428, `${reply}: ${res.body}`);
        assert.equal(res.json().error.details.verdict, 'warn');
      }
      assert.equal(stub.chats.length, replies.length, 'each was asked');
    });
  });
}
