/**
 * Issue #14: every text that leaves the shop passes the compliance guard, not only what an agent
 * types into a chat. On a shop made as a real one is (no demo): an FAQ answer or question on save,
 * edit, import and "teach the bot" from the workbench; a quick reply on save and edit; the shop's
 * name and service hours; and the bot's own messages as it sends them — an FAQ answer stored
 * before a rule was switched on is never said, the refusal is logged, the buyer goes to a person.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Socket } from 'socket.io-client';
import type { AgentId, ComplianceErrorDetails, ShopId } from '@xiaoer/core';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { testDatabases } from '../support/databases';
import {
  AGENT_PASSWORD,
  loginCookie,
  startTestServer,
  widgetSession,
  type TestServer,
} from '../support/server';
import { collect, connect, emit, until, untilFound } from '../support/sockets';

/** Lines the guard blocks on a new shop's default settings (stonewalling; off-platform contact). */
const BLOCKED = '你问我，我问谁？';
const OFF_PLATFORM = '加我微信 kefu8899，私下转账更便宜';

interface ErrorJson {
  error: { code: string; message: string; field?: string; details?: ComplianceErrorDetails };
}
interface LogJson {
  entries: {
    agentId: string;
    action: string;
    text: string;
    rules: string[];
    conversationId: string | null;
  }[];
}

for (const engine of testDatabases) {
  describe(`issue #14 compliance on every path out, ${engine.name}`, () => {
    let t: TestServer;
    let shopId: ShopId;
    let owner: string;
    let agent: string;
    let agentId: AgentId;
    const sockets: Socket[] = [];

    const inject = (o: InjectOptions) => t.server.app.inject(o);
    const call = (method: InjectOptions['method'], url: string, cookie: string, payload?: unknown) =>
      inject({
        method,
        url,
        headers: { cookie },
        ...(payload === undefined ? {} : { payload: payload as InjectOptions['payload'] }),
      });
    const refused = (res: LightMyRequestResponse, field: string, rule: string) => {
      assert.equal(res.statusCode, 422, res.body);
      const { error } = res.json() as ErrorJson;
      assert.equal(error.code, 'compliance_blocked');
      assert.equal(error.field, field);
      assert.ok(
        error.details?.findings.some((f) => f.rule === rule && f.verdict === 'block'),
        res.body,
      );
    };
    const log = async (): Promise<LogJson['entries']> =>
      ((await call('GET', '/api/admin/compliance/log?action=blocked', owner)).json() as LogJson).entries;
    const faqTexts = async () =>
      (await t.storage.faq.listEntries(shopId)).flatMap((e) => [e.question, e.answer]);

    before(async () => {
      t = await startTestServer({ storage: await engine.open(), demo: false, env: { DEMO: 'false' } });
      const created = await t.server.ctx.team.createShop({
        slug: 'cha-guan',
        name: '茶馆',
        ownerEmail: 'boss@cha-guan.cn',
        password: AGENT_PASSWORD,
      });
      shopId = created.shop.id;
      const ownerActor = {
        type: 'agent' as const,
        agentId: created.owner.id,
        role: 'owner' as const,
        isOrgOwner: true,
      };
      const staff = await t.server.ctx.team.addAgent(ownerActor, shopId, {
        email: 'xiaomei@cha-guan.cn',
        name: '小美',
        password: AGENT_PASSWORD,
        role: 'agent',
        maxConcurrent: 5,
        takesRouting: true,
      });
      agentId = staff.id;
      owner = await loginCookie(t.server, 'boss@cha-guan.cn', AGENT_PASSWORD);
      agent = await loginCookie(t.server, 'xiaomei@cha-guan.cn', AGENT_PASSWORD);
    });
    after(async () => {
      for (const s of sockets) s.close();
      await t.close();
    });

    it('an FAQ entry is refused on create, edit and import when the guard blocks its answer or question; nothing stored', async () => {
      const before = await faqTexts();
      refused(
        await call('POST', '/api/admin/faq', owner, { question: '能便宜吗', answer: OFF_PLATFORM }),
        'answer',
        'CMP-3',
      );
      refused(
        await call('POST', '/api/admin/faq', owner, {
          question: BLOCKED,
          answer: '亲，请问有什么可以帮您？',
        }),
        'question',
        'CMP-1',
      );
      const ok = await call('POST', '/api/admin/faq', owner, {
        question: '几天发货',
        answer: '亲，48 小时内发货哦',
      });
      assert.equal(ok.statusCode, 201, ok.body);
      const id = (ok.json() as { entry: { id: string } }).entry.id;
      refused(
        await call('PUT', `/api/admin/faq/${id}`, owner, { question: '几天发货', answer: BLOCKED }),
        'answer',
        'CMP-1',
      );
      const rows = [
        { id: 'imp-1', question: '包邮吗', answer: '亲，满 99 包邮哦', similar: [] },
        { id: 'imp-2', question: '怎么付款', answer: OFF_PLATFORM, similar: [] },
      ];
      refused(await call('POST', '/api/admin/faq/import', owner, rows), 'row 2, answer', 'CMP-3');
      assert.deepEqual(
        await faqTexts(),
        [...before, '几天发货', '亲，48 小时内发货哦'],
        'only the clean entry',
      );
      // The owner's refused saves are in the supervisor's log, with who and what.
      const entries = await log();
      assert.ok(
        entries.some(
          (e) => e.text === OFF_PLATFORM && e.rules.includes('CMP-3') && e.conversationId === null,
        ),
      );
    });

    it('teaching the bot from the workbench is screened: a blocked answer is refused and logged against the agent', async () => {
      const res = await call('POST', '/api/faq/learn', agent, {
        question: '能便宜点吗',
        answer: OFF_PLATFORM,
      });
      refused(res, 'answer', 'CMP-3');
      assert.ok(!(await faqTexts()).includes(OFF_PLATFORM));
      assert.ok((await log()).some((e) => e.agentId === agentId && e.text === OFF_PLATFORM));
      const fine = await call('POST', '/api/faq/learn', agent, {
        question: '能便宜点吗',
        answer: '亲，下单时领券更划算哦',
      });
      assert.equal(fine.statusCode, 201, fine.body);
    });

    it('a quick reply is refused on save and on edit when the guard blocks its text', async () => {
      refused(
        await call('POST', '/api/quick-replies', agent, {
          title: '私聊',
          text: OFF_PLATFORM,
          personal: true,
        }),
        'text',
        'CMP-3',
      );
      const ok = await call('POST', '/api/quick-replies', agent, {
        title: '问候',
        text: '亲，在的～',
        personal: true,
      });
      assert.equal(ok.statusCode, 201, ok.body);
      const id = (ok.json() as { quickReply: { id: string } }).quickReply.id;
      refused(await call('PATCH', `/api/quick-replies/${id}`, agent, { text: BLOCKED }), 'text', 'CMP-1');
      const kept = await t.storage.quickReplies.listVisible(shopId, agentId);
      assert.deepEqual(
        kept.map((q) => q.text),
        ['亲，在的～'],
      );
    });

    it('the shop’s name and service hours, which the widget and the bot show buyers, are screened', async () => {
      refused(
        await call('PATCH', '/api/admin/shop', owner, { name: '茶馆 加微信kefu8899' }),
        'name',
        'CMP-3',
      );
      refused(
        await call('PATCH', '/api/admin/shop', owner, { serviceHours: '下班了，你问我，我问谁？' }),
        'serviceHours',
        'CMP-1',
      );
      const shop = await t.storage.shops.findShop(shopId);
      assert.equal(shop?.name, '茶馆');
    });

    it('the bot never says an answer the guard blocks (stored before the rule): it is logged as the bot’s and the buyer goes to a person', async () => {
      // An entry stored before the rule was on (straight into storage: the routes refuse it now).
      await t.storage.faq.saveEntries(
        shopId,
        [
          {
            id: 'old-entry',
            question: '可以走微信付款吗',
            similar: ['微信付款可以吗'],
            answer: OFF_PLATFORM,
            category: '',
            enabled: true,
          },
          {
            id: 'good-entry',
            question: '茶叶保质期多久',
            similar: [],
            answer: '亲，茶叶保质期 18 个月哦',
            category: '',
            enabled: true,
          },
        ],
        Date.now(),
      );
      await t.server.ctx.faq.upserted(
        shopId,
        (await t.storage.faq.listEntries(shopId)).filter((e) => e.id.endsWith('-entry')),
      );
      // The owner switches the bot on (a new shop starts with it off).
      const settings = (await call('GET', '/api/admin/bot', owner)).json() as { settings: object };
      const on = await call('PUT', '/api/admin/bot', owner, { ...settings.settings, enabled: true });
      assert.equal(on.statusCode, 200, on.body);
      // A person is at their desk, so the bot says it is passing the buyer on.
      const desk = await connect(t.url, '/agent', { cookie: agent });
      sockets.push(desk);
      await t.server.ctx.chat.setAgentStatus(shopId, agentId, 'online');

      const session = await widgetSession(t.server, { shop: 'cha-guan' });
      const buyer = await connect(t.url, '/buyer', { token: session.token });
      sockets.push(buyer);
      const heard = collect(buyer);
      const bot = () =>
        heard
          .filter((m) => m.sender === 'bot' && m.kind === 'text')
          .map((m) => (m.kind === 'text' ? m.body.text : ''));

      // A clean answer goes out as before.
      const first = await emit<{ conversation: { id: string } }>(buyer, 'message:send', {
        clientId: 'b-1',
        kind: 'text',
        body: { text: '茶叶保质期多久' },
      });
      assert.ok(first.ok, JSON.stringify(first));
      await until(() => bot().some((text) => text.includes('18 个月')), 'the clean FAQ answer');

      const asked = await emit(buyer, 'message:send', {
        clientId: 'b-2',
        kind: 'text',
        body: { text: '可以走微信付款吗' },
      });
      assert.ok(asked.ok, JSON.stringify(asked));
      await until(() => bot().some((text) => text.includes('转接人工')), 'the handoff line instead');
      await until(
        () => heard.some((m) => m.kind === 'system' && m.body.code === 'agent_joined'),
        'a person takes the buyer',
      );
      assert.ok(!bot().includes(OFF_PLATFORM), 'the blocked answer never reached the buyer');
      const conversationId = first.ok ? first.data.conversation.id : '';
      const stored = await t.storage.conversations.listMessages(shopId, conversationId as never, 0, 100);
      assert.ok(!stored.some((m) => m.kind === 'text' && m.body.text === OFF_PLATFORM), 'never stored');
      // The buyer hears 客服…为您服务 as the assignment is written: wait for the row, not the line.
      const conversation = await untilFound(async () => {
        const c = await t.storage.conversations.findConversation(shopId, conversationId as never);
        return c?.agentId ? c : undefined;
      }, 'the assignment stored');
      assert.equal(conversation.agentId, agentId, 'the buyer is with a person now');
      const entry = (await log()).find((e) => e.text === OFF_PLATFORM && e.conversationId === conversationId);
      assert.equal(entry?.agentId, 'bot', 'logged as the bot’s message');
      assert.ok(entry?.rules.includes('CMP-3'));
    });
  });
}
