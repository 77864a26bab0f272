/**
 * Issue #14, the Low findings of the attack on a running server, each as it was found: FAQ ids
 * that collided across shops, NUL characters and lone surrogates, take-over of what one cannot
 * read, buyer profiles and staff emails, a calendar-blind date, uploads without a shop check,
 * sessions never deleted and CSV cells a spreadsheet runs. On SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { DAY, FakeClock, type AgentId, type ConversationId, type ShopId } from '@xiaoer/core';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { testDatabases } from '../support/databases';
import {
  AGENT_PASSWORD,
  loginCookie,
  startTestServer,
  WidgetBuyers,
  type TestServer,
} from '../support/server';
import { connect, emit } from '../support/sockets';
import { pngUpload } from '../support/uploads';

const DEMO = 'shop-demo' as ShopId;
const NO_LIMITS = {
  RATE_LIMIT_PER_MINUTE: '100000',
  LOGIN_ATTEMPTS_PER_MINUTE: '10000',
  WIDGET_SESSIONS_PER_MINUTE: '10000',
  BUYER_MESSAGES_PER_10S: '10000',
};

interface ErrorJson {
  error: { code: string; message: string; field?: string };
}

/** A 400 naming the field. */
function assertBadField(res: LightMyRequestResponse, field: string): void {
  assert.equal(res.statusCode, 400, res.body);
  const body = res.json() as ErrorJson;
  assert.equal(body.error.code, 'validation_failed', res.body);
  assert.equal(body.error.field, field, res.body);
}

for (const engine of testDatabases) {
  describe(`issue #14 low findings on ${engine.name}`, () => {
    let t: TestServer;
    const clock = new FakeClock(Date.parse('2026-11-24T10:00:00+08:00'));
    const buyers = new WidgetBuyers(() => t.server);
    let owner: string;
    let ownerB: string;
    let shopB: ShopId;
    let ownerBId: AgentId;
    /** Agents of shop B who take no routing (B's buyers wait in the queue until given to someone). */
    const staffB = {} as Record<'one' | 'two', { id: AgentId; cookie: string }>;
    const inject = (o: InjectOptions) => t.server.app.inject(o);

    before(async () => {
      t = await startTestServer({ storage: await engine.open(), clock, env: NO_LIMITS });
      owner = await loginCookie(t.server, 'owner@demo.xiaoer.dev');
      const created = await t.server.ctx.team.createShop({
        slug: 'second',
        name: '乙店',
        ownerEmail: 'boss@second.example',
        password: AGENT_PASSWORD,
        orgName: '乙公司',
      });
      shopB = created.shop.id;
      ownerBId = created.owner.id;
      ownerB = await loginCookie(t.server, 'boss@second.example', AGENT_PASSWORD);
      const boss = { type: 'agent' as const, agentId: ownerBId, role: 'owner' as const, isOrgOwner: true };
      for (const name of ['one', 'two'] as const) {
        const agent = await t.server.ctx.team.addAgent(boss, shopB, {
          email: `${name}@second.example`,
          name: `乙店客服${name}`,
          password: AGENT_PASSWORD,
          role: 'agent',
          maxConcurrent: 50,
          takesRouting: false,
        });
        await t.server.ctx.chat.setAgentStatus(shopB, agent.id, 'online');
        staffB[name] = { id: agent.id, cookie: await loginCookie(t.server, agent.email, AGENT_PASSWORD) };
      }
    });
    after(() => t.close());

    it('issue #14 an FAQ id another shop uses is this shop’s own: import and edit succeed, nothing leaks', async () => {
      const entry = (answer: string) => ({
        id: 'ship-time',
        question: '什么时候发货',
        similar: ['几天发货'],
        answer,
        category: '发货',
      });
      const a = await inject({
        method: 'POST',
        url: '/api/admin/faq/import',
        headers: { cookie: owner },
        payload: [entry('48小时内发货')],
      });
      assert.equal(a.statusCode, 200, a.body);
      const b = await inject({
        method: 'POST',
        url: '/api/admin/faq/import',
        headers: { cookie: ownerB },
        payload: [entry('当天发货')],
      });
      assert.equal(b.statusCode, 200, b.body);
      const list = async (cookie: string) =>
        (
          (await inject({ method: 'GET', url: '/api/admin/faq', headers: { cookie } })).json() as {
            entries: { id: string; answer: string }[];
          }
        ).entries.filter((e) => e.id === 'ship-time');
      assert.deepEqual(
        (await list(owner)).map((e) => e.answer),
        ['48小时内发货'],
      );
      assert.deepEqual(
        (await list(ownerB)).map((e) => e.answer),
        ['当天发货'],
      );
    });

    it('issue #14 NUL and lone surrogates are a 400 naming the field, over HTTP and sockets, nothing stored', async () => {
      const token = await buyers.token('nul-buyer');
      const before = await buyers.says('nul-buyer', '你好');
      for (const text of ['坏\u0000字', '坏\ud800字', '\udc00']) {
        assertBadField(
          await inject({
            method: 'POST',
            url: '/api/widget/messages',
            headers: { authorization: `Bearer ${token}` },
            payload: { clientId: randomUUID(), kind: 'text', body: { text } },
          }),
          'body.text',
        );
        assertBadField(
          await inject({
            method: 'POST',
            url: '/api/admin/faq',
            headers: { cookie: owner },
            payload: { question: '问题', similar: ['好', text], answer: '答案', category: '' },
          }),
          'similar.1',
        );
      }
      assertBadField(
        await inject({ method: 'GET', url: '/api/admin/faq?q=%00', headers: { cookie: owner } }),
        'q',
      );
      assertBadField(
        await inject({
          method: 'POST',
          url: '/api/admin/faq/import',
          headers: { cookie: owner, 'content-type': 'text/csv' },
          payload: 'id,question,similar,answer,category\nx,问\u0000题,,答,\n',
        }),
        'body',
      );
      const socket = await connect(t.url, '/buyer', { token });
      try {
        const ack = await emit(socket, 'message:send', {
          clientId: randomUUID(),
          kind: 'text',
          body: { text: '坏\u0000字' },
        });
        assert.equal(ack.ok, false);
        assert.equal((ack as ErrorJson & { ok: false }).error.field, 'body.text');
        const lone = await emit(socket, 'message:send', {
          clientId: randomUUID(),
          kind: 'text',
          body: { text: '\ud800' },
        });
        assert.equal((lone as ErrorJson & { ok: false }).error.field, 'body.text');
      } finally {
        socket.close();
      }
      const after = (await t.storage.conversations.findConversation(DEMO, before.id))!;
      assert.equal(after.lastSeq, before.lastSeq, 'nothing stored');
    });

    it('issue #14 metrics dates must exist: 2026-13-45 and 2026-02-30 are a 400 naming the field', async () => {
      for (const [url, field] of [
        ['/api/admin/metrics/day?date=2026-13-45', 'date'],
        ['/api/admin/metrics/day?date=2026-02-30', 'date'],
        ['/api/admin/metrics/day.csv?date=2026-04-31', 'date'],
        ['/api/admin/metrics/range?from=2026-00-10&to=2026-01-10', 'from'],
        ['/api/admin/metrics/range?from=2026-01-10&to=2026-01-32', 'to'],
      ] as const)
        assertBadField(await inject({ method: 'GET', url, headers: { cookie: owner } }), field);
      const ok = await inject({
        method: 'GET',
        url: '/api/admin/metrics/day?date=2028-02-29',
        headers: { cookie: owner },
      });
      assert.equal(ok.statusCode, 200, ok.body);
    });

    it('issue #14 CSV exports prefix cells a spreadsheet would run (= + - @) with a quote; the import takes it off', async () => {
      // (A formula that links out with "点我" is itself refused by the guard as an off-platform link
      // since issue #17; a DDE call is the classic payload that only a spreadsheet would run.)
      const formulas = ["=cmd|' /C calc'!A0", '+1+2', '-2+3', '@SUM(A1)'];
      const payload = formulas.map((f, i) => ({
        id: `csv-${i}`,
        question: f,
        similar: [],
        answer: f,
        category: '',
      }));
      const imported = await inject({
        method: 'POST',
        url: '/api/admin/faq/import',
        headers: { cookie: ownerB },
        payload,
      });
      assert.equal(imported.statusCode, 200, imported.body);
      const exported = await inject({
        method: 'GET',
        url: '/api/admin/faq/export?format=csv',
        headers: { cookie: ownerB },
      });
      assert.equal(exported.statusCode, 200);
      const cells = exported.body.split(/[,\n]/).map((c) => c.replace(/^"/, ''));
      for (const cell of cells) assert.doesNotMatch(cell, /^[=+\-@]/, `cell ${cell} is not escaped`);
      assert.match(exported.body, /'=cmd\|/);
      // The round trip gives the same entries back.
      const again = await inject({
        method: 'POST',
        url: '/api/admin/faq/import',
        headers: { cookie: ownerB, 'content-type': 'text/csv' },
        payload: exported.body,
      });
      assert.equal(again.statusCode, 200, again.body);
      const entries = (
        (await inject({ method: 'GET', url: '/api/admin/faq', headers: { cookie: ownerB } })).json() as {
          entries: { id: string; answer: string; question: string }[];
        }
      ).entries.filter((e) => e.id.startsWith('csv-'));
      assert.deepEqual(
        entries.map((e) => [e.question, e.answer]),
        formulas.map((f) => [f, f]),
      );

      // Metrics: an agent's name is a cell too.
      for (const a of await t.storage.agents.listAgents(DEMO))
        await t.storage.agents.updateAccount(a.id, { name: `=cmd|'/C calc'!A0` });
      const c = await buyers.says('csv-buyer', '在吗');
      const held = (await t.storage.conversations.findConversation(DEMO, c.id))!;
      assert.ok(held.agentId, 'assigned');
      await t.server.ctx.chat.sendAgentMessage(
        DEMO,
        { type: 'agent', agentId: held.agentId, isAdmin: false },
        c.id,
        randomUUID(),
        { kind: 'text', body: { text: '亲，在的' } },
      );
      await t.server.ctx.metrics.flush();
      const csv = await inject({
        method: 'GET',
        url: '/api/admin/metrics/day.csv?date=2026-11-24',
        headers: { cookie: owner },
      });
      assert.equal(csv.statusCode, 200, csv.body);
      const rows = csv.body
        .replace(/^\ufeff/, '')
        .trim()
        .split('\n');
      assert.ok(rows.length >= 2, csv.body);
      for (const row of rows.slice(1)) assert.match(row, /^2026-11-24,"?'=cmd/, row);
    });

    /** A buyer of shop B writes in: queued (nobody in B takes routing). */
    const buyerOfB = async (name: string) => {
      const c = await buyers.says(name, '在吗', 'second');
      assert.equal(c.status, 'queued');
      return c;
    };
    const assignInB = (id: ConversationId, to: AgentId) =>
      t.server.ctx.routing.assignConversation(
        shopB,
        { type: 'agent', agentId: ownerBId, isAdmin: true },
        id,
        to,
      );

    it('issue #14 a queued conversation is taken over only by who may read it (admins); agents pull the queue', async () => {
      const c = await buyerOfB('queued-buyer');
      const before = (await t.storage.conversations.findConversation(shopB, c.id))!;
      const read = await inject({
        method: 'GET',
        url: `/api/conversations/${c.id}`,
        headers: { cookie: staffB.one.cookie },
      });
      assert.equal(read.statusCode, 403, 'the agent cannot read it');
      const take = await inject({
        method: 'POST',
        url: `/api/conversations/${c.id}/take-over`,
        headers: { cookie: staffB.one.cookie },
      });
      assert.equal(take.statusCode, 403, take.body);
      assert.equal((take.json() as ErrorJson).error.field, 'conversationId');
      assert.deepEqual(
        await t.storage.conversations.findConversation(shopB, c.id),
        before,
        'nothing written',
      );
      const admin = await inject({
        method: 'POST',
        url: `/api/conversations/${c.id}/take-over`,
        headers: { cookie: ownerB },
      });
      assert.equal(admin.statusCode, 200, admin.body);
      assert.equal((admin.json() as { conversation: { agentId: string } }).conversation.agentId, ownerBId);
    });

    it('issue #14 a buyer’s profile is for agents of one of their conversations and admins; staff emails for admins', async () => {
      const c = await buyerOfB('profile-buyer');
      const profile = (cookie: string) =>
        inject({ method: 'GET', url: `/api/buyers/${c.buyerId}/profile`, headers: { cookie } });
      const refused = await profile(staffB.one.cookie);
      assert.equal(refused.statusCode, 403, refused.body);
      assert.equal((refused.json() as ErrorJson).error.field, 'buyerId');
      assert.equal((await profile(ownerB)).statusCode, 200);
      await assignInB(c.id, staffB.one.id);
      assert.equal((await profile(staffB.one.cookie)).statusCode, 200, 'the holder reads it');
      assert.equal((await profile(staffB.two.cookie)).statusCode, 403, 'another agent does not');
      // Another shop's agent: not found, as before.
      assert.equal((await profile(owner)).statusCode, 404);

      const agentsAs = async (cookie: string) =>
        (
          (await inject({ method: 'GET', url: '/api/agents', headers: { cookie } })).json() as {
            agents: { id: string; name: string; email?: string }[];
          }
        ).agents;
      const seen = await agentsAs(staffB.one.cookie);
      assert.ok(seen.length >= 3);
      for (const a of seen) {
        assert.equal(a.email, undefined, `an agent sees no email (${a.name})`);
        assert.ok(a.name);
      }
      for (const a of await agentsAs(ownerB)) assert.match(a.email ?? '', /@second\.example$/);
    });

    it('issue #14 an upload is served to agents of its shop and to the buyer who sent or was shown it, else 404', async () => {
      const body = await pngUpload();
      const up = await inject({
        method: 'POST',
        url: '/api/uploads',
        headers: { cookie: staffB.one.cookie, 'x-xiaoer-shop': shopB, ...body.headers },
        payload: body.payload,
      });
      assert.equal(up.statusCode, 201, up.body);
      const { url } = up.json() as { url: string };
      const get = (headers: Record<string, string> = {}) => inject({ method: 'GET', url, headers });
      assert.equal((await get()).statusCode, 404, 'anonymous');
      assert.equal((await get({ cookie: staffB.two.cookie })).statusCode, 200, 'an agent of the shop');
      assert.equal((await get({ cookie: ownerB })).statusCode, 200, 'its owner');
      assert.equal((await get({ cookie: owner })).statusCode, 404, 'another shop’s owner');

      const c = await buyerOfB('image-buyer');
      const bearer = { authorization: `Bearer ${await buyers.token('image-buyer', 'second')}` };
      const otherBuyerOfB = { authorization: `Bearer ${await buyers.token('nosy-buyer', 'second')}` };
      const demoBuyer = { authorization: `Bearer ${await buyers.token('demo-buyer')}` };
      assert.equal((await get(bearer)).statusCode, 404, 'not shown to this buyer yet');
      await assignInB(c.id, staffB.one.id);
      const sent = await inject({
        method: 'POST',
        url: `/api/conversations/${c.id}/messages`,
        headers: { cookie: staffB.one.cookie },
        payload: { clientId: randomUUID(), kind: 'image', body: { url } },
      });
      assert.equal(sent.statusCode, 200, sent.body);
      const shown = await get(bearer);
      assert.equal(shown.statusCode, 200, 'the buyer it was sent to');
      assert.equal(shown.headers['content-type'], 'image/png');
      assert.equal((await get(otherBuyerOfB)).statusCode, 404, 'another buyer of the shop');
      assert.equal((await get(demoBuyer)).statusCode, 404, 'a buyer of another shop');

      // A buyer's own upload is theirs to see before it is sent.
      const mine = await pngUpload();
      const own = await inject({
        method: 'POST',
        url: '/api/uploads',
        headers: { ...otherBuyerOfB, ...mine.headers },
        payload: mine.payload,
      });
      assert.equal(own.statusCode, 201, own.body);
      const ownUrl = (own.json() as { url: string }).url;
      assert.equal((await inject({ method: 'GET', url: ownUrl, headers: otherBuyerOfB })).statusCode, 200);
      assert.equal((await inject({ method: 'GET', url: ownUrl, headers: bearer })).statusCode, 404);
    });

    // Last: it moves the clock on by 16 days.
    it('issue #14 expired sessions are deleted: the account’s own on login, everyone’s by the hourly sweep', async () => {
      const expired = async () =>
        (
          await t.storage.db.kysely
            .selectFrom('account_sessions')
            .select('token_hash')
            .where('expires_at', '<=', clock.now())
            .execute()
        ).length;
      // The test fires the timers itself (runDue), with no poller racing its clock.
      await t.server.scheduler.stop();
      const email = 'agent3@demo.xiaoer.dev';
      const mine = async () =>
        (
          await t.storage.db.kysely
            .selectFrom('account_sessions')
            .select('token_hash')
            .where('agent_id', '=', 'agent-demo-3')
            .execute()
        ).length;
      await loginCookie(t.server, email);
      await loginCookie(t.server, 'agent2@demo.xiaoer.dev');
      assert.ok((await mine()) >= 1);
      clock.advance(8 * DAY);
      await loginCookie(t.server, email);
      assert.equal(await mine(), 1, 'only the new session is left');
      clock.advance(8 * DAY);
      await t.server.scheduler.runDue();
      assert.equal(await expired(), 0, 'the sweep deleted every expired session');
    });
  });
}
