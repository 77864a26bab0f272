import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Socket } from 'socket.io-client';
import {
  FakeClock,
  type AgentId,
  type BuyerId,
  type ComplianceErrorDetails,
  type Conversation,
  type ConversationId,
  type Message,
  type ShopId,
} from '@xiaoer/core';
import type { InjectOptions } from 'fastify';
import { testDatabases } from '../support/databases';
import {
  AGENT_PASSWORD,
  loginCookie,
  startTestServer,
  widgetSession,
  type TestServer,
} from '../support/server';
import { collect, connect, emit, until } from '../support/sockets';

const SHOP = 'shop-demo' as ShopId;
const A1 = 'agent-demo-1' as AgentId;

/** The texts stored in a conversation. */
async function storedTexts(t: TestServer, conversationId: string): Promise<string[]> {
  const messages = await t.storage.conversations.listMessages(SHOP, conversationId as ConversationId, 0, 500);
  return messages.flatMap((m) => (m.kind === 'text' ? [m.body.text] : []));
}

for (const engine of testDatabases) {
  describe(`compliance through the server on ${engine.name}`, () => {
    let t: TestServer;
    let agentCookie: string;
    let ownerCookie: string;
    let agent: Socket;
    let buyer: Socket;
    let buyerId: string;
    let conversationId: string;
    let buyerGot: Message[];
    // Wednesday 10:00 in Shanghai: outside the default quiet hours (22:00–08:00).
    const clock = new FakeClock(Date.parse('2026-11-25T10:00:00+08:00'));
    const inject = (o: InjectOptions) => t.server.app.inject(o);
    const sockets: Socket[] = [];

    before(async () => {
      t = await startTestServer({ storage: await engine.open(), clock });
      for (const id of ['agent-demo-2', 'agent-demo-3'])
        await t.server.ctx.chat.setAgentStatus(SHOP, id as AgentId, 'offline');
      agentCookie = await loginCookie(t.server, 'agent1@demo.xiaoer.dev');
      ownerCookie = await loginCookie(t.server, 'owner@demo.xiaoer.dev');
      agent = await connect(t.url, '/agent', { cookie: agentCookie });
      const session = await widgetSession(t.server);
      buyerId = session.buyerId;
      buyer = await connect(t.url, '/buyer', { token: session.token });
      sockets.push(agent, buyer);
      buyerGot = collect(buyer);
      const first = await emit<{ message: Message; conversation: Conversation }>(buyer, 'message:send', {
        clientId: 'b-1',
        kind: 'text',
        body: { text: '你好，这个杯子能保温多久？' },
      });
      assert.ok(first.ok);
      conversationId = first.ok ? first.data.conversation.id : '';
      const c = await t.storage.conversations.findConversation(SHOP, conversationId as ConversationId);
      assert.equal(c?.agentId, A1, 'the buyer is with agent1');
    });
    after(async () => {
      for (const s of sockets) s.close();
      await t.close();
    });

    it('CMP-1 a blocked message never reaches the buyer or the database; the block is logged with who and what', async () => {
      const text = '你问我，我问谁？';
      const res = await emit(agent, 'message:send', {
        conversationId,
        clientId: 'a-blocked',
        kind: 'text',
        body: { text },
      });
      assert.equal(res.ok, false);
      if (res.ok) return;
      assert.equal(res.error.code, 'compliance_blocked');
      assert.equal(res.error.field, 'text');
      const details = res.error.details as ComplianceErrorDetails;
      assert.equal(details.verdict, 'block');
      assert.equal(details.findings[0]?.rule, 'CMP-1');
      assert.equal(
        text.slice(details.findings[0]!.span.start, details.findings[0]!.span.end).length > 0,
        true,
      );
      assert.ok(details.suggestion && !details.suggestion.includes('我问谁'), 'a polite rewrite is offered');

      // A control message sent after it arrives; the blocked one never does.
      const ok = await emit(agent, 'message:send', {
        conversationId,
        clientId: 'a-ok',
        kind: 'text',
        body: { text: '亲，保温 12 小时以上哦～' },
      });
      assert.equal(ok.ok, true);
      await until(
        () => buyerGot.some((m) => m.kind === 'text' && m.body.text.includes('12 小时')),
        'the reply',
      );
      assert.ok(!buyerGot.some((m) => m.kind === 'text' && m.body.text === text), 'never pushed');
      assert.ok(!(await storedTexts(t, conversationId)).includes(text), 'never stored');

      const log = await inject({
        method: 'GET',
        url: '/api/admin/compliance/log?action=blocked',
        headers: { cookie: ownerCookie },
      });
      assert.equal(log.statusCode, 200, log.body);
      const entries = (log.json() as { entries: { agentId: string; text: string; rules: string[] }[] })
        .entries;
      assert.deepEqual(
        entries.map((e) => [e.agentId, e.text, e.rules]),
        [[A1, text, ['CMP-1']]],
      );
      // Agents do not read the supervisor's log.
      const denied = await inject({
        method: 'GET',
        url: '/api/admin/compliance/log',
        headers: { cookie: agentCookie },
      });
      assert.equal(denied.statusCode, 403);
    });

    it('CMP-3 over HTTP too: a WeChat id or a bank card is refused with 422; zero-width characters do not dodge it', async () => {
      for (const text of ['加我微\u200b信 abc_12345 私聊，便宜点', '转账到 6222 0202 0011 2233 445 就行']) {
        const res = await inject({
          method: 'POST',
          url: `/api/conversations/${conversationId}/messages`,
          headers: { cookie: agentCookie },
          payload: { clientId: `h-${text.length}`, kind: 'text', body: { text } },
        });
        assert.equal(res.statusCode, 422, res.body);
        const body = res.json() as { error: { code: string; details: ComplianceErrorDetails } };
        assert.equal(body.error.code, 'compliance_blocked');
        assert.ok(
          body.error.details.findings.some((f) => f.rule === 'CMP-3'),
          text,
        );
        assert.ok(!(await storedTexts(t, conversationId)).includes(text));
      }
    });

    it('the live check answers as the agent types, and a bad settings edit is refused whole', async () => {
      const check = await inject({
        method: 'POST',
        url: '/api/compliance/check',
        headers: { cookie: agentCookie },
        payload: { text: '不开发票的哦', conversationId },
      });
      assert.equal(check.statusCode, 200, check.body);
      const result = check.json() as { verdict: string; findings: { rule: string }[]; ms: number };
      assert.equal(result.verdict, 'block');
      assert.equal(result.findings[0]?.rule, 'CMP-5');
      // Checking as the agent types logs nothing; pressing send on it (an attempt) does.
      const logged = async () =>
        (
          (
            await inject({
              method: 'GET',
              url: '/api/admin/compliance/log?action=blocked',
              headers: { cookie: ownerCookie },
            })
          ).json() as { entries: { text: string }[] }
        ).entries.filter((e) => e.text === '不开发票的哦').length;
      assert.equal(await logged(), 0);
      const attempt = await inject({
        method: 'POST',
        url: '/api/compliance/check',
        headers: { cookie: agentCookie },
        payload: { text: '不开发票的哦', conversationId, attempt: true },
      });
      assert.equal(attempt.statusCode, 200);
      assert.equal(await logged(), 1);

      const before = (
        (
          await inject({ method: 'GET', url: '/api/admin/compliance', headers: { cookie: ownerCookie } })
        ).json() as {
          settings: unknown;
        }
      ).settings;
      const bad = await inject({
        method: 'PUT',
        url: '/api/admin/compliance',
        headers: { cookie: ownerCookie },
        payload: {
          platforms: ['taobao-tmall'],
          customPhrases: [
            { phrase: '亲爱的', verdict: 'warn' },
            { phrase: '  ', verdict: 'block' },
          ],
          allowedDomains: [],
        },
      });
      assert.equal(bad.statusCode, 400);
      assert.equal((bad.json() as { error: { field: string } }).error.field, 'customPhrases[1].phrase');
      const after = (
        (
          await inject({ method: 'GET', url: '/api/admin/compliance', headers: { cookie: ownerCookie } })
        ).json() as {
          settings: unknown;
        }
      ).settings;
      assert.deepEqual(after, before, 'nothing half-saved');
    });

    it('CMP-4 a shop that confirms promises: unconfirmed → 428, confirmed → sent, logged and recorded on the order', async () => {
      const saved = await inject({
        method: 'PUT',
        url: '/api/admin/compliance',
        headers: { cookie: ownerCookie },
        payload: {
          platforms: ['taobao-tmall', 'generic'],
          customPhrases: [{ phrase: '包您满意', verdict: 'block', reason: '本店不做这种承诺' }],
          allowedDomains: ['xiaoer.dev'],
          guarantees: ['假一赔十'],
          confirmPromises: true,
        },
      });
      assert.equal(saved.statusCode, 200, saved.body);
      // The new settings take effect at once on this node (the compiled checker is dropped).
      const custom = await emit(agent, 'message:send', {
        conversationId,
        clientId: 'a-custom',
        kind: 'text',
        body: { text: '放心买，包 您 满 意！' },
      });
      assert.equal(!custom.ok && custom.error.code, 'compliance_blocked');

      const text = '好的亲，明天给您发顺丰';
      const first = await emit(agent, 'message:send', {
        conversationId,
        clientId: 'a-promise',
        kind: 'text',
        body: { text },
      });
      assert.equal(!first.ok && first.error.code, 'compliance_confirm');
      assert.ok(!(await storedTexts(t, conversationId)).includes(text), 'not sent before confirming');

      const confirmed = await emit(agent, 'message:send', {
        conversationId,
        clientId: 'a-promise',
        kind: 'text',
        body: { text },
        confirmWarnings: true,
      });
      assert.equal(confirmed.ok, true);
      await until(
        () => buyerGot.some((m) => m.kind === 'text' && m.body.text === text),
        'the confirmed message',
      );

      const log = await inject({
        method: 'GET',
        url: `/api/admin/compliance/log?action=confirmed&agentId=${A1}`,
        headers: { cookie: ownerCookie },
      });
      const entries = (log.json() as { entries: { text: string; rules: string[]; verdict: string }[] })
        .entries;
      assert.deepEqual(
        entries.map((e) => [e.text, e.rules, e.verdict]),
        [[text, ['CMP-4'], 'warn']],
      );

      const promises = await inject({
        method: 'GET',
        url: `/api/buyers/${buyerId}/promises`,
        headers: { cookie: agentCookie },
      });
      const list = (promises.json() as { promises: { kind: string; detail: string; dueAt?: number }[] })
        .promises;
      assert.deepEqual(list.map((p) => p.kind).sort(), ['carrier', 'ship-by']);
      assert.equal(list.find((p) => p.kind === 'carrier')?.detail, '顺丰');
      const due = list.find((p) => p.kind === 'ship-by')?.dueAt;
      assert.ok(due && due > clock.now() && due <= clock.now() + 2 * 86_400_000, 'due tomorrow');
    });

    it('CMP-7 an outsourced agent sees the buyer’s phone and address masked in pushes, sync, lists and history', async () => {
      const created = await inject({
        method: 'POST',
        url: '/api/admin/agents',
        headers: { cookie: ownerCookie },
        payload: {
          email: 'wb@outsource.example',
          name: '外包小王',
          password: AGENT_PASSWORD,
          role: 'outsourced',
        },
      });
      assert.equal(created.statusCode, 201, created.body);
      const outsourcedId = (created.json() as { agent: { id: AgentId } }).agent.id;
      await t.server.ctx.chat.setAgentStatus(SHOP, outsourcedId, 'online');
      const cookie = await loginCookie(t.server, 'wb@outsource.example', AGENT_PASSWORD);
      const outsourced = await connect(t.url, '/agent', { cookie });
      const admin = await connect(t.url, '/agent', { cookie: ownerCookie });
      sockets.push(outsourced, admin);
      const outsourcedGot = collect(outsourced);
      const adminGot = collect(admin);

      // A new buyer, with the outsourced agent.
      const session = await widgetSession(t.server);
      const b = await connect(t.url, '/buyer', { token: session.token });
      sockets.push(b);
      const hello = await emit<{ conversation: Conversation }>(b, 'message:send', {
        clientId: 'pii-1',
        kind: 'text',
        body: { text: '你好，想改个地址' },
      });
      assert.ok(hello.ok);
      const id = hello.ok ? hello.data.conversation.id : '';
      // Least loaded, the new agent may have it already; otherwise the owner hands it over.
      const current = await t.storage.conversations.findConversation(SHOP, id as ConversationId);
      if (current?.agentId !== outsourcedId) {
        const assigned = await inject({
          method: 'POST',
          url: `/api/conversations/${id}/assign`,
          headers: { cookie: ownerCookie },
          payload: { toAgentId: outsourcedId },
        });
        assert.equal(assigned.statusCode, 200, assigned.body);
      }

      const text = '新地址浙江省杭州市西湖区文三路138号3单元502室，电话13812345678';
      const sent = await emit(b, 'message:send', { clientId: 'pii-2', kind: 'text', body: { text } });
      assert.ok(sent.ok);
      const isIt = (m: Message) => m.kind === 'text' && m.body.text.startsWith('新地址');
      await until(() => outsourcedGot.some(isIt) && adminGot.some(isIt), 'both pushes');
      const seen = outsourcedGot.find(isIt)!;
      const seenText = seen.kind === 'text' ? seen.body.text : '';
      assert.ok(seenText.includes('138****5678'), seenText);
      assert.ok(seenText.startsWith('新地址浙江省杭州市西湖区'), 'province, city and district stay');
      assert.ok(!/12345678|502/.test(seenText), seenText);
      assert.equal(outsourcedGot.filter(isIt).length, 1, 'one copy, masked');
      const full = adminGot.find(isIt)!;
      assert.equal(full.kind === 'text' && full.body.text, text, 'the owner sees it whole');

      const history = await inject({
        method: 'GET',
        url: `/api/conversations/${id}/messages?after=0`,
        headers: { cookie },
      });
      const texts = (history.json() as { messages: Message[] }).messages.flatMap((m) =>
        m.kind === 'text' ? [m.body.text] : [],
      );
      assert.ok(texts.includes(seenText) && !texts.includes(text));
      const sync = await emit<{ messages: Message[] }>(outsourced, 'messages:sync', {
        conversationId: id,
        afterSeq: 0,
      });
      assert.ok(sync.ok && !JSON.stringify(sync.data.messages).includes('13812345678'));
      const list = await inject({
        method: 'GET',
        url: '/api/conversations?status=open',
        headers: { cookie },
      });
      assert.ok(!list.body.includes('13812345678'), 'no preview shows it');
      assert.ok(list.body.includes('138****5678'));
      // Stored whole: the right roles keep the real data.
      assert.ok((await storedTexts(t, id)).includes(text));
    });

    it('CMP-6 proactive messages: only without an open conversation, capped per day, never in quiet hours', async () => {
      const reach = (text: string, clientId: string) =>
        inject({
          method: 'POST',
          url: `/api/buyers/${buyerId}/proactive`,
          headers: { cookie: agentCookie },
          payload: { clientId, text },
        });
      const open = await reach('亲，您的订单已发货', 'p-0');
      assert.equal(open.statusCode, 409, 'a reply in the open conversation is not proactive');

      const end = await inject({
        method: 'POST',
        url: `/api/conversations/${conversationId}/end`,
        headers: { cookie: agentCookie },
      });
      assert.equal(end.statusCode, 200, end.body);
      const first = await reach('亲，您买的保温杯有新配色了，需要的话可以看看哦', 'p-1');
      assert.equal(first.statusCode, 200, first.body);
      const conv = (first.json() as { conversation: Conversation }).conversation;
      assert.equal(conv.agentId, A1);
      await until(
        () => buyerGot.some((m) => m.kind === 'text' && m.body.text.includes('新配色')),
        'the proactive message',
      );
      await inject({
        method: 'POST',
        url: `/api/conversations/${conv.id}/end`,
        headers: { cookie: agentCookie },
      });

      // The demo shop allows one a day: the second is refused, logged, and says when it may go.
      clock.advance(3 * 3_600_000);
      const second = await reach('亲，再提醒一下新配色哦', 'p-2');
      assert.equal(second.statusCode, 422, second.body);
      const body = second.json() as {
        error: { details: ComplianceErrorDetails & { nextAllowedAt?: number } };
      };
      assert.equal(body.error.details.findings[0]?.rule, 'CMP-6');
      assert.ok(body.error.details.nextAllowedAt! > clock.now());
      assert.equal(
        (await t.storage.conversations.findOpenByBuyer(SHOP, buyerId as BuyerId)) ?? null,
        null,
        'no conversation opened',
      );

      // A day later, but at 23:00: quiet hours.
      clock.set(Date.parse('2026-11-26T23:00:00+08:00'));
      const night = await reach('亲，晚上好', 'p-3');
      assert.equal(night.statusCode, 422);
      assert.ok(
        (night.json() as { error: { details: ComplianceErrorDetails } }).error.details.findings.some(
          (f) => f.id === 'cmp6.quiet-hours',
        ),
      );
      const refused = await inject({
        method: 'GET',
        url: '/api/admin/compliance/log?action=proactive_refused',
        headers: { cookie: ownerCookie },
      });
      assert.equal((refused.json() as { entries: unknown[] }).entries.length, 2);
    });
  });
}
