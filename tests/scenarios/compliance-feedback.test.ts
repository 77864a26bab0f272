/**
 * Issue #17, agents' feedback: supervisors review the compliance log (correct / wrong), a wrong
 * warning's words go on the shop's allow list and pass from then on (a listed phrase's block does
 * not), and a precision report per rule says how often each rule was right.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  DAY,
  FakeClock,
  type AgentId,
  type ComplianceLogEntry,
  type ComplianceSettings,
  type ConversationId,
  type RulePrecision,
  type ShopId,
} from '@xiaoer/core';
import type { InjectOptions } from 'fastify';
import { testDatabases } from '../support/databases';
import {
  AGENT_PASSWORD,
  loginCookie,
  startTestServer,
  WidgetBuyers,
  type TestServer,
} from '../support/server';

const SHOP = 'shop-demo' as ShopId;
const A1 = 'agent-demo-1' as AgentId;
/** An AD-LAW claim: it only warns, so what the allow list does to it is deterministic. */
const CLAIM = '这款是全网最低价';
/** A CMP-1 lexicon phrase: it blocks, allow-listed or not. */
const BANNED = '你问我，我问谁？';

type Entry = Omit<ComplianceLogEntry, 'shopId'>;
interface Precision {
  since: number;
  until: number;
  entries: number;
  truncated: boolean;
  rules: RulePrecision[];
}

for (const engine of testDatabases) {
  describe(`issue #17 agents' feedback on the compliance log on ${engine.name}`, () => {
    let t: TestServer;
    let agentCookie: string;
    let ownerCookie: string;
    let ownerId: AgentId;
    let bossB: string;
    let shopB: ShopId;
    let conversationId: string;
    const clock = new FakeClock(Date.parse('2026-11-25T10:00:00+08:00'));
    const inject = (o: InjectOptions) => t.server.app.inject(o);
    const buyers = new WidgetBuyers(() => t.server);

    const send = (text: string, confirmWarnings?: boolean) =>
      inject({
        method: 'POST',
        url: `/api/conversations/${conversationId}/messages`,
        headers: { cookie: agentCookie },
        payload: {
          clientId: randomUUID(),
          kind: 'text',
          body: { text },
          ...(confirmWarnings ? { confirmWarnings } : {}),
        },
      });
    const check = async (text: string) => {
      const res = await inject({
        method: 'POST',
        url: '/api/compliance/check',
        headers: { cookie: agentCookie },
        payload: { text, conversationId },
      });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as { verdict: string; findings: { rule: string }[] };
    };
    const log = async (query = '') => {
      const res = await inject({
        method: 'GET',
        url: `/api/admin/compliance/log?${query}`,
        headers: { cookie: ownerCookie },
      });
      assert.equal(res.statusCode, 200, res.body);
      return (res.json() as { entries: Entry[] }).entries;
    };
    const review = (id: string, payload: unknown, cookie = ownerCookie) =>
      inject({
        method: 'POST',
        url: `/api/admin/compliance/log/${id}/review`,
        headers: { cookie },
        payload: payload as InjectOptions['payload'],
      });
    const settings = async () =>
      (
        (
          await inject({ method: 'GET', url: '/api/admin/compliance', headers: { cookie: ownerCookie } })
        ).json() as { settings: ComplianceSettings }
      ).settings;
    const precision = async (query = '', cookie = ownerCookie) => {
      const res = await inject({
        method: 'GET',
        url: `/api/admin/compliance/precision?${query}`,
        headers: { cookie },
      });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as Precision;
    };
    const ruleOf = (p: Precision, rule: string) => p.rules.find((r) => r.rule === rule)!;
    const fieldOf = (res: { json(): unknown }) => (res.json() as { error: { field?: string } }).error.field;

    before(async () => {
      t = await startTestServer({ storage: await engine.open(), clock });
      for (const id of ['agent-demo-2', 'agent-demo-3'])
        await t.server.ctx.chat.setAgentStatus(SHOP, id as AgentId, 'offline');
      agentCookie = await loginCookie(t.server, 'agent1@demo.xiaoer.dev');
      ownerCookie = await loginCookie(t.server, 'owner@demo.xiaoer.dev');
      ownerId = (await t.storage.agents.findAccountByEmail('owner@demo.xiaoer.dev'))!.id as AgentId;
      const created = await t.server.ctx.team.createShop({
        slug: 'feedback-b',
        name: '乙店',
        ownerEmail: 'boss@feedback-b.example',
        password: AGENT_PASSWORD,
        orgName: '乙公司',
      });
      shopB = created.shop.id;
      bossB = await loginCookie(t.server, 'boss@feedback-b.example', AGENT_PASSWORD);
      const c = await buyers.says('小李', '你好，这个杯子有优惠吗？');
      conversationId = c.id;
      const held = await t.storage.conversations.findConversation(SHOP, c.id as ConversationId);
      assert.equal(held?.agentId, A1, 'the buyer is with agent1');
    });
    after(async () => {
      await t.close();
    });

    it('issue #17 a warning the agent confirmed shows in the log, not yet reviewed', async () => {
      const asked = await send(CLAIM);
      assert.equal(asked.statusCode, 428, asked.body);
      const sent = await send(CLAIM, true);
      assert.equal(sent.statusCode, 200, sent.body);
      const [entry, ...rest] = await log('action=confirmed');
      assert.equal(rest.length, 0);
      assert.deepEqual([entry!.agentId, entry!.text], [A1, CLAIM]);
      assert.ok(entry!.rules.includes('AD-LAW'), entry!.rules.join());
      assert.equal(entry!.review, undefined);
      assert.equal(entry!.reviewedBy, undefined);
    });

    it('issue #17 a warning reviewed wrong with allow goes on the allow list and passes from then on', async () => {
      const [entry] = await log('action=confirmed');
      clock.advance(1_000);
      const res = await review(entry!.id, { review: 'wrong', allow: true });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json() as { entry: Entry; added: string[]; leftOut: string[] };
      assert.deepEqual(body.added, [CLAIM]);
      assert.deepEqual(body.leftOut, []);
      assert.deepEqual(
        [body.entry.review, body.entry.reviewedBy, body.entry.reviewedAt],
        ['wrong', ownerId, clock.now()],
      );
      assert.deepEqual((await settings()).allowList, [CLAIM]);
      // The log shows the review too.
      assert.equal((await log('action=confirmed'))[0]!.review, 'wrong');

      // At once on this node (the compiled checker is dropped): the same words pass, alone or as
      // a clause of a longer message, and go without asking; nothing more is logged.
      assert.equal((await check(CLAIM)).verdict, 'pass');
      assert.equal((await check(`亲，${CLAIM}！`)).verdict, 'pass');
      const again = await send(`亲，${CLAIM}！`);
      assert.equal(again.statusCode, 200, again.body);
      assert.equal((await log('action=confirmed')).length, 1);
      // Other claims still warn.
      assert.equal((await check('史上最好用的杯子')).verdict, 'warn');

      // Allowing the same words again adds nothing.
      const twice = await review(entry!.id, { review: 'wrong', allow: true });
      assert.deepEqual((twice.json() as { added: string[] }).added, []);
      assert.deepEqual((await settings()).allowList, [CLAIM]);
    });

    it('issue #17 a lexicon block stays blocked even when allow-listed; a second review replaces the first', async () => {
      const blocked = await send(BANNED);
      assert.equal(blocked.statusCode, 422, blocked.body);
      const entry = (await log('action=blocked')).find((e) => e.text === BANNED)!;
      assert.ok(entry.rules.includes('CMP-1'), entry.rules.join());
      const res = await review(entry.id, { review: 'wrong', allow: true });
      assert.equal(res.statusCode, 200, res.body);
      const added = (res.json() as { added: string[] }).added;
      assert.ok(added.length > 0, 'its clause is listed');
      const list = (await settings()).allowList ?? [];
      for (const clause of added) assert.ok(list.includes(clause) && BANNED.includes(clause), clause);
      // A listed phrase's block is not lifted by the allow list (edit the rule pack instead).
      const still = await check(BANNED);
      assert.equal(still.verdict, 'block');
      assert.ok(still.findings.some((f) => f.rule === 'CMP-1'));
      assert.equal((await send(BANNED)).statusCode, 422);

      // Reviewed again: the new review replaces the old; the allow list is left as it is.
      const correct = await review(entry.id, { review: 'correct' });
      assert.equal(correct.statusCode, 200, correct.body);
      assert.equal((correct.json() as { entry: Entry }).entry.review, 'correct');
      assert.deepEqual((await settings()).allowList, list);
    });

    it('issue #17 another shop’s entry or an unknown one is not found; a bad body names its field', async () => {
      const [entry] = await log('action=confirmed');
      const other = await review(entry!.id, { review: 'correct' }, bossB);
      assert.equal(other.statusCode, 404, other.body);
      assert.equal(fieldOf(other), 'id');
      assert.equal((await log('action=confirmed'))[0]!.review, 'wrong', 'untouched');
      const unknown = await review('no-such-entry', { review: 'correct' });
      assert.equal(unknown.statusCode, 404);
      assert.equal(fieldOf(unknown), 'id');

      for (const [payload, field] of [
        [{ review: 'maybe' }, 'review'],
        [{}, 'review'],
        [{ review: 'wrong', allow: 'yes' }, 'allow'],
        // A correct block or warning stays: nothing to allow.
        [{ review: 'correct', allow: true }, 'allow'],
      ] as const) {
        const res = await review(entry!.id, payload);
        assert.equal(res.statusCode, 400, `${JSON.stringify(payload)}: ${res.body}`);
        assert.equal(fieldOf(res), field, JSON.stringify(payload));
      }

      // CMP-6 refuses by time and count: such an entry may be reviewed, but has no words to allow.
      const refusal = randomUUID();
      await t.storage.compliance.appendLog({
        id: refusal,
        shopId: SHOP,
        agentId: A1,
        conversationId: null,
        buyerId: null,
        action: 'proactive_refused',
        verdict: 'block',
        rules: ['CMP-6'],
        findings: [
          {
            rule: 'CMP-6',
            id: 'cmp6.daily-cap',
            verdict: 'block',
            reason: { 'zh-CN': '今天已经联系过', en: 'already reached out today' },
            span: { start: 0, end: 0 },
            matched: '',
          },
        ],
        text: '亲，店里上新了',
        createdAt: clock.now(),
      });
      const allowed = await review(refusal, { review: 'wrong', allow: true });
      assert.equal(allowed.statusCode, 400, allowed.body);
      assert.equal(fieldOf(allowed), 'allow');
      assert.equal((await review(refusal, { review: 'wrong' })).statusCode, 200);
    });

    it('issue #17 the precision report counts blocks, confirmations and reviews per rule, in its window', async () => {
      const p = await precision();
      assert.equal(p.truncated, false);
      assert.equal(p.until, clock.now() + 1, 'until is exclusive: what was logged just now counts');
      assert.equal(p.since, p.until - 30 * DAY);
      assert.deepEqual(
        p.rules.map((r) => r.rule),
        ['CMP-1', 'CMP-2', 'CMP-3', 'CMP-4', 'CMP-5', 'CMP-6', 'AD-LAW'],
      );
      // Two CMP-1 blocks (one reviewed correct), one confirmed AD-LAW warning (reviewed wrong), one
      // refused proactive message (reviewed wrong).
      assert.equal(p.entries, 4);
      assert.deepEqual(ruleOf(p, 'CMP-1'), {
        rule: 'CMP-1',
        blocked: 2,
        confirmed: 0,
        reviewedCorrect: 1,
        reviewedWrong: 0,
        precision: 1,
        byModel: 0,
      });
      assert.deepEqual(ruleOf(p, 'AD-LAW'), {
        rule: 'AD-LAW',
        blocked: 0,
        confirmed: 1,
        reviewedCorrect: 0,
        reviewedWrong: 1,
        precision: 0,
        byModel: 0,
      });
      assert.deepEqual([ruleOf(p, 'CMP-6').blocked, ruleOf(p, 'CMP-6').precision], [1, 0]);
      assert.equal(ruleOf(p, 'CMP-3').precision, null);

      // A window after all of it counts nothing; a bad window names its field.
      const later = await precision(`since=${clock.now() + 1}&until=${clock.now() + DAY}`);
      assert.equal(later.entries, 0);
      assert.equal(ruleOf(later, 'CMP-1').blocked, 0);
      const bad = await inject({
        method: 'GET',
        url: `/api/admin/compliance/precision?since=${clock.now()}&until=${clock.now() - 1}`,
        headers: { cookie: ownerCookie },
      });
      assert.equal(bad.statusCode, 400);
      assert.equal(fieldOf(bad), 'until');

      // Entries older than the default 30 days are left out.
      clock.advance(31 * DAY);
      ownerCookie = await loginCookie(t.server, 'owner@demo.xiaoer.dev');
      assert.equal((await precision()).entries, 0);
      clock.advance(-31 * DAY);
      // The hourly housekeeping may have run while the clock stood 31 days on, deleting every
      // session expired by then (as it would on a real server): the others log in again.
      agentCookie = await loginCookie(t.server, 'agent1@demo.xiaoer.dev');
      bossB = await loginCookie(t.server, 'boss@feedback-b.example', AGENT_PASSWORD);
    });

    it('issue #17 the report reads at most the newest 5,000 entries of its window, and says so', async () => {
      // Shop B's log, written straight into the database (the report must not read shop A's).
      const k = t.storage.db.kysely;
      const rows = Array.from({ length: 5_001 }, (_, i) => ({
        id: `b-${i}`,
        shop_id: shopB,
        agent_id: 'someone',
        conversation_id: null,
        buyer_id: null,
        action: 'blocked',
        verdict: 'block',
        rules: JSON.stringify(['CMP-2']),
        findings: JSON.stringify([
          {
            rule: 'CMP-2',
            id: 'cmp2.x',
            verdict: 'block',
            reason: { 'zh-CN': '', en: '' },
            span: { start: 0, end: 1 },
            matched: '滚',
          },
        ]),
        text: '滚',
        created_at: clock.now() - DAY + i,
      }));
      for (let i = 0; i < rows.length; i += 250)
        await k
          .insertInto('compliance_log')
          .values(rows.slice(i, i + 250))
          .execute();
      const b = await precision('', bossB);
      assert.equal(b.truncated, true);
      assert.equal(b.entries, 5_000);
      assert.equal(ruleOf(b, 'CMP-2').blocked, 5_000);
      assert.equal(ruleOf(b, 'CMP-1').blocked, 0);
      // Shop A's report is its own.
      const a = await precision();
      assert.equal(a.truncated, false);
      assert.equal(ruleOf(a, 'CMP-2').blocked, 0);
    });

    it('issue #17 a settings form open while a review allowed words saves its own edits and keeps the review’s', async () => {
      const form = await settings(); // what the console's form loaded
      const [entry] = await log('action=confirmed');
      // Meanwhile a review adds words to the list (the entry's clause is already there: use another).
      const late = '史上最好用的杯子';
      assert.equal((await send(late)).statusCode, 428);
      assert.equal((await send(late, true)).statusCode, 200);
      const lateEntry = (await log('action=confirmed')).find((e) => e.text === late)!;
      assert.notEqual(lateEntry.id, entry!.id);
      assert.equal((await review(lateEntry.id, { review: 'wrong', allow: true })).statusCode, 200);
      assert.ok((await settings()).allowList!.includes(late));

      // The form saves: it adds a sentence and removes one it loaded.
      const [dropped, ...kept] = form.allowList!;
      const put = async (body: Record<string, unknown>) =>
        inject({
          method: 'PUT',
          url: '/api/admin/compliance',
          headers: { cookie: ownerCookie },
          payload: body,
        });
      const res = await put({ ...form, allowList: [...kept, '国家级品质'], allowListWas: form.allowList });
      assert.equal(res.statusCode, 200, res.body);
      const now = (res.json() as { settings: ComplianceSettings }).settings.allowList!;
      assert.deepEqual(now, (await settings()).allowList, 'what is answered is what is saved');
      assert.ok(now.includes(late), 'the review’s words stay');
      assert.ok(now.includes('国家级品质'), 'the form’s addition lands');
      assert.ok(!now.includes(dropped!), 'the form’s removal lands');

      // A malformed allowListWas is refused naming it, and nothing is saved.
      const bad = await put({ ...form, allowList: [], allowListWas: 'all' });
      assert.equal(bad.statusCode, 400, bad.body);
      assert.equal(fieldOf(bad), 'allowListWas');
      assert.deepEqual((await settings()).allowList, now);
      // Without allowListWas (an API client) the list is replaced whole, as documented.
      const whole = await put({ ...form, allowList: [CLAIM] });
      assert.equal(whole.statusCode, 200, whole.body);
      assert.deepEqual((await settings()).allowList, [CLAIM]);
    });
  });
}
