/**
 * Issue #18: the chat history for supervisors, on SQLite and PostgreSQL — a fresh shop whose
 * orders and buyers come in through the v1 integration API; conversations found by order number
 * (the buyer's order, or the number written in a message), by text (any case), agent, buyer, day
 * range, rating, tag and status, in keyset pages; a transcript whose MET-4 figures are the
 * messages' own times (and add up to the dashboard's); the CSV export (BOM, formula escaping);
 * another shop's admin finds nothing of this shop (TEAM-4); bad filters are 400 naming the field.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  FakeClock,
  type Agent,
  type DayMetrics,
  type HistoryPage,
  type HistoryTranscript,
  type ShopId,
} from '@xiaoer/core';
import { parse as parseCsv } from 'csv-parse/sync';
import { testDatabases } from '../support/databases';
import { makeAgent, makeShop } from '../support/fixtures';
import {
  loginCookie,
  signedIdentity,
  startTestServer,
  widgetSession,
  type TestServer,
} from '../support/server';
import { V1_ORDER } from '../support/v1';

const at = (local: string) => Date.parse(`${local}+08:00`);
const ORDER_1 = 'TB-20261201-001';
const ORDER_2 = 'TB-20261201-002';
const FORMULA_NICK = '=HYPERLINK("http://evil.example","点我")';

for (const engine of testDatabases) {
  describe(`issue #18 chat history (${engine.name})`, () => {
    let t: TestServer;
    const clock = new FakeClock(at('2026-12-01T09:00:00'));
    let shopId: ShopId;
    let owner = '';
    let otherOwner = '';
    let key = '';
    let a1: Agent;
    let a2: Agent;
    const cookies = new Map<string, string>();
    /** The conversations as they were made: order 1's buyer, order 2's buyer, a third buyer, shop B's. */
    const ids = { first: '', second: '', third: '', other: '' };

    const inject = (
      method: 'GET' | 'PUT' | 'POST',
      url: string,
      auth: { cookie?: string; key?: string; bearer?: string },
      payload?: unknown,
    ) =>
      t.server.app.inject({
        method,
        url,
        headers: {
          ...(auth.cookie ? { cookie: auth.cookie } : {}),
          ...(auth.key ? { authorization: `Bearer ${auth.key}` } : {}),
          ...(auth.bearer ? { authorization: `Bearer ${auth.bearer}` } : {}),
        },
        ...(payload !== undefined ? { payload: payload as object } : {}),
      });

    /** A buyer the shop's page signed in (its own id), on the widget. */
    async function buyerToken(shop: ShopId, externalId: string): Promise<string> {
      const s = (await t.storage.shops.findShop(shop))!;
      const session = await widgetSession(t.server, {
        shop: s.slug,
        identity: signedIdentity(s.secret, externalId, { ts: clock.now() }),
      });
      return session.token;
    }
    async function buyerSays(token: string, time: string, text: string): Promise<string> {
      clock.set(at(time));
      const res = await inject(
        'POST',
        '/api/widget/messages',
        { bearer: token },
        {
          clientId: `b-${time}-${Math.random()}`,
          kind: 'text',
          body: { text },
        },
      );
      assert.equal(res.statusCode, 200, res.body);
      return (res.json() as { conversation: { id: string } }).conversation.id;
    }
    async function agentSays(agent: Agent, conversationId: string, time: string, text: string) {
      clock.set(at(time));
      const res = await inject(
        'POST',
        `/api/conversations/${conversationId}/messages`,
        { cookie: cookies.get(agent.id)! },
        {
          clientId: `a-${time}-${Math.random()}`,
          kind: 'text',
          body: { text },
        },
      );
      return res;
    }
    async function end(agent: Agent, conversationId: string, time: string) {
      clock.set(at(time));
      const res = await inject('POST', `/api/conversations/${conversationId}/end`, {
        cookie: cookies.get(agent.id)!,
      });
      assert.equal(res.statusCode, 200, res.body);
    }
    async function rate(token: string, conversationId: string, score: number) {
      const res = await inject('POST', '/api/widget/rating', { bearer: token }, { conversationId, score });
      assert.equal(res.statusCode, 200, res.body);
    }
    async function search(query: string, cookie = owner): Promise<HistoryPage> {
      const res = await inject('GET', `/api/admin/history?${query}`, { cookie });
      assert.equal(res.statusCode, 200, `${query}: ${res.body}`);
      return res.json() as HistoryPage;
    }
    const found = async (query: string, cookie = owner) =>
      (await search(query, cookie)).rows.map((r) => r.conversationId);

    before(async () => {
      t = await startTestServer({
        storage: await engine.open(),
        demo: false,
        clock,
        listen: false,
        env: { RATE_LIMIT_PER_MINUTE: '100000', WIDGET_SESSIONS_PER_MINUTE: '100000' },
      });
      shopId = await makeShop(t.storage, `history-${engine.name}`);
      const boss = await makeAgent(t.storage, shopId, { role: 'owner', takesRouting: false });
      a1 = await makeAgent(t.storage, shopId, { name: '小美' });
      a2 = await makeAgent(t.storage, shopId, { name: '小王', status: 'offline' });
      owner = await loginCookie(t.server, boss.email);
      for (const a of [a1, a2]) cookies.set(a.id, await loginCookie(t.server, a.email));
      const made = await inject('POST', '/api/admin/api-keys', { cookie: owner }, { name: 'ERP' });
      assert.equal(made.statusCode, 201, made.body);
      key = (made.json() as { key: string }).key;
      // The shop's system sends its buyers and their orders (issue #16).
      for (const [ext, nick] of [
        ['tb-8801', '王小明'],
        ['tb-8802', '李雷'],
        ['tb-8803', FORMULA_NICK],
      ] as const) {
        const res = await inject('PUT', `/api/v1/buyers/${ext}`, { key }, { nick });
        assert.equal(res.statusCode, 201, res.body);
      }
      for (const [number, buyer] of [
        [ORDER_1, 'tb-8801'],
        [ORDER_2, 'tb-8802'],
      ] as const) {
        const res = await inject(
          'PUT',
          `/api/v1/orders/${number}`,
          { key },
          { ...V1_ORDER, buyerExternalId: buyer },
        );
        assert.equal(res.statusCode, 201, res.body);
      }

      // 1. Order 1's buyer, with 小美: two turns answered after 60 s and 30 s; a blocked attempt
      // (CMP-1) on the way; rated 5.
      await t.server.ctx.chat.setAgentStatus(shopId, a1.id, 'online');
      const b1 = await buyerToken(shopId, 'tb-8801');
      ids.first = await buyerSays(b1, '2026-12-01T10:00:00', '你好，我的订单什么时候发货？');
      await buyerSays(b1, '2026-12-01T10:00:20', '急用');
      const blocked = await agentSays(a1, ids.first, '2026-12-01T10:00:40', '你问我，我问谁？');
      assert.equal(blocked.statusCode, 422, blocked.body);
      assert.equal(
        (await agentSays(a1, ids.first, '2026-12-01T10:01:00', 'OK 亲，今天下午发出')).statusCode,
        200,
      );
      await buyerSays(b1, '2026-12-01T10:05:00', '好的 谢谢');
      assert.equal((await agentSays(a1, ids.first, '2026-12-01T10:05:30', '不客气～')).statusCode, 200);
      await end(a1, ids.first, '2026-12-01T10:06:00');
      await rate(b1, ids.first, 5);

      // 2. Order 2's buyer, with 小王 (小美 away): answered in 10 s; rated 2.
      await t.server.ctx.chat.setAgentStatus(shopId, a1.id, 'offline');
      await t.server.ctx.chat.setAgentStatus(shopId, a2.id, 'online');
      const b2 = await buyerToken(shopId, 'tb-8802');
      ids.second = await buyerSays(b2, '2026-12-01T11:00:00', '在吗？想问下有没有优惠');
      assert.equal(
        (await agentSays(a2, ids.second, '2026-12-01T11:00:10', '亲，满 200 减 20')).statusCode,
        200,
      );
      await end(a2, ids.second, '2026-12-01T11:01:00');
      await rate(b2, ids.second, 2);

      // 3. Next day, a third buyer writes order 1's number (a friend's order), with 小美; left open.
      await t.server.ctx.chat.setAgentStatus(shopId, a2.id, 'offline');
      await t.server.ctx.chat.setAgentStatus(shopId, a1.id, 'online');
      const b3 = await buyerToken(shopId, 'tb-8803');
      ids.third = await buyerSays(b3, '2026-12-02T09:30:00', `订单 ${ORDER_1} 是朋友下的，能改地址吗`);
      assert.equal(
        (await agentSays(a1, ids.third, '2026-12-02T09:31:00', '可以的，请发新地址')).statusCode,
        200,
      );

      // Shop B: its buyer writes the same order number; its owner searches too.
      const other = await makeShop(t.storage, `history-other-${engine.name}`);
      const otherBoss = await makeAgent(t.storage, other, { role: 'owner', takesRouting: false });
      const otherAgent = await makeAgent(t.storage, other);
      otherOwner = await loginCookie(t.server, otherBoss.email);
      await t.server.ctx.chat.setAgentStatus(other, otherAgent.id, 'online');
      ids.other = await buyerSays(
        await buyerToken(other, 'tb-8801'),
        '2026-12-01T12:00:00',
        `${ORDER_1} 到了吗`,
      );
      await t.server.ctx.metrics.flush();
    });
    after(() => t.close());

    it('history search finds by order number: the buyer who owns it, and a message naming it — not another buyer, not another shop', async () => {
      const byOrder = await search(`order=${ORDER_1}`);
      assert.deepEqual(
        byOrder.rows.map((r) => r.conversationId),
        [ids.third, ids.first],
        'newest first: the message naming it, then the owner of the order',
      );
      const [third, first] = byOrder.rows;
      assert.equal(first!.buyer.externalId, 'tb-8801');
      assert.equal(first!.buyer.nick, '王小明');
      assert.equal(first!.match, null, 'found by the order of its buyer, not by a message');
      assert.ok(third!.match?.snippet.includes(ORDER_1), JSON.stringify(third!.match));
      assert.deepEqual(await found(`order=${ORDER_2}`), [ids.second]);
      assert.deepEqual(await found('order=TB-20261201-999'), []);
      // Case does not matter in the messages; the order's own number is matched as written.
      assert.deepEqual(await found(`order=${ORDER_1.toLowerCase()}`), [ids.third]);
      // TEAM-4: shop B's owner finds shop B's conversation only.
      assert.deepEqual(await found(`order=${ORDER_1}`, otherOwner), [ids.other]);
      assert.ok(!(await found('', owner)).includes(ids.other));
    });

    it('by text (any case, snippet around it), agent, buyer, day range, rating, tag and status', async () => {
      const byText = await search('text=优惠');
      assert.deepEqual(
        byText.rows.map((r) => r.conversationId),
        [ids.second],
      );
      assert.ok(byText.rows[0]!.match!.snippet.includes('优惠'));
      assert.equal(byText.rows[0]!.match!.sender, 'buyer');
      assert.deepEqual(await found('text=ok'), [ids.first], 'an agent wrote "OK"');
      assert.deepEqual(await found('text=%25'), [], 'a % is a character, not a wildcard');
      assert.deepEqual(await found(`agent=${a2.id}`), [ids.second]);
      assert.deepEqual(await found(`agent=${a1.id}`), [ids.third, ids.first]);
      assert.deepEqual(await found('buyer=tb-8802'), [ids.second]);
      assert.deepEqual(await found(`buyer=${encodeURIComponent('小明')}`), [ids.first]);
      assert.deepEqual(await found('from=2026-12-02&to=2026-12-02'), [ids.third]);
      assert.deepEqual(await found('from=2026-12-01&to=2026-12-01'), [ids.second, ids.first]);
      assert.deepEqual(await found('to=2026-11-30'), []);
      assert.deepEqual(await found('rating=5'), [ids.first]);
      assert.deepEqual(await found('rating=1,2'), [ids.second]);
      assert.deepEqual(await found('rating=none'), [ids.third]);
      assert.deepEqual(await found('tag=compliance'), [ids.first], 'the blocked attempt is logged (CMP-1)');
      assert.deepEqual(await found('status=open'), [ids.third]);
      assert.deepEqual(await found('status=ended&rating=5&agent=' + a1.id), [ids.first]);
      const rows = (await search('')).rows;
      const first = rows.find((r) => r.conversationId === ids.first)!;
      assert.deepEqual(
        first.agents.map((a) => a.name),
        ['小美'],
      );
      assert.deepEqual(first.rating, { score: 5, comment: null });
      assert.ok(first.tags.includes('compliance'));
      assert.equal(first.status, 'ended');
    });

    it('pages newest first by cursor, each row once', async () => {
      const seen: string[] = [];
      let cursor: string | null = '';
      let pages = 0;
      while (cursor !== null) {
        const page = await search(`limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        assert.ok(page.rows.length <= 1);
        seen.push(...page.rows.map((r) => r.conversationId));
        cursor = page.nextCursor;
        pages++;
        assert.ok(pages < 10, 'the cursor moves on');
      }
      assert.deepEqual(seen, [ids.third, ids.second, ids.first]);
    });

    it('MET-4: the transcript has every message and response times that are its messages’ own', async () => {
      const res = await inject('GET', `/api/admin/history/${ids.first}`, { cookie: owner });
      assert.equal(res.statusCode, 200, res.body);
      const tr = res.json() as HistoryTranscript;
      const people = tr.messages.filter((m) => m.sender !== 'system');
      assert.deepEqual(
        people.map((m) => [m.sender, m.kind === 'text' ? (m.body as { text: string }).text : m.kind]),
        [
          ['buyer', '你好，我的订单什么时候发货？'],
          ['buyer', '急用'],
          ['agent', 'OK 亲，今天下午发出'],
          ['buyer', '好的 谢谢'],
          ['agent', '不客气～'],
        ],
      );
      assert.ok(people.filter((m) => m.sender === 'agent').every((m) => m.agentName === '小美'));
      // The turns, read off the messages: from a turn's first buyer message to the shop's reply.
      const turns: number[] = [];
      let waiting: number | null = null;
      for (const m of people) {
        if (m.sender === 'buyer') waiting ??= m.createdAt;
        else if (waiting !== null) {
          turns.push(m.createdAt - waiting);
          waiting = null;
        }
      }
      assert.equal(turns.length, 2);
      assert.equal(tr.responseTimes.firstResponseMs, turns[0]);
      assert.equal(tr.responseTimes.avgResponseMs, Math.round((turns[0]! + turns[1]!) / 2));
      assert.deepEqual(
        tr.responseTimes.turns.map((x) => [x.ms, x.responderName, x.first]),
        [
          [turns[0], '小美', true],
          [turns[1], '小美', false],
        ],
      );
      assert.equal(tr.conversation.firstResponseMs, turns[0]);
      assert.equal(tr.conversation.avgResponseMs, tr.responseTimes.avgResponseMs);
      // The blocked attempt (CMP-1) is shown apart: it never reached the buyer.
      assert.deepEqual(
        tr.blocked.map((b) => [b.text, b.action, b.agentName]),
        [['你问我，我问谁？', 'blocked', '小美']],
      );
      assert.equal(tr.truncated, false);

      // The dashboard's MET-4 of that day is made of the same conversations' figures.
      const day = await inject('GET', '/api/admin/metrics/day?date=2026-12-01', { cookie: owner });
      const shop = (day.json() as DayMetrics).shop;
      const rows = (await search('from=2026-12-01&to=2026-12-01')).rows;
      const firsts = rows.map((r) => r.firstResponseMs!);
      assert.equal(shop.firstResponse.n, firsts.length);
      assert.equal(shop.firstResponse.avgMs, firsts.reduce((s, x) => s + x, 0) / firsts.length);
    });

    it('the CSV export has the rows, a BOM, and escapes a formula', async () => {
      const res = await inject('GET', '/api/admin/history.csv?from=2026-12-01&to=2026-12-02', {
        cookie: owner,
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.match(String(res.headers['content-type']), /^text\/csv/);
      assert.ok(res.body.startsWith('\uFEFF'));
      const [header, ...rows] = parseCsv(res.body.slice(1)) as string[][];
      assert.equal(header!.length, 15);
      assert.deepEqual(
        rows.map((r) => r[0]),
        [ids.third, ids.second, ids.first],
      );
      assert.equal(rows[0]![1], `'${FORMULA_NICK}`, 'a nick starting with = is not run by a spreadsheet');
      assert.equal(rows[2]![9], '5');
      const filtered = await inject('GET', `/api/admin/history.csv?order=${ORDER_2}&lang=en`, {
        cookie: owner,
      });
      const [enHeader, ...only] = parseCsv(filtered.body.slice(1)) as string[][];
      assert.equal(enHeader![0], 'conversation_id');
      assert.deepEqual(
        only.map((r) => r[0]),
        [ids.second],
      );
      // TEAM-4: shop B's export holds shop B's conversation only.
      const theirs = await inject('GET', '/api/admin/history.csv', { cookie: otherOwner });
      assert.deepEqual(
        (parseCsv(theirs.body.slice(1)) as string[][]).slice(1).map((r) => r[0]),
        [ids.other],
      );
    });

    it('TEAM-4: another shop’s admin cannot open this shop’s transcript; agents may not search', async () => {
      const res = await inject('GET', `/api/admin/history/${ids.first}`, { cookie: otherOwner });
      assert.equal(res.statusCode, 404);
      assert.equal(res.json().error.field, 'id');
      const agent = await inject('GET', '/api/admin/history', { cookie: cookies.get(a1.id)! });
      assert.equal(agent.statusCode, 403);
    });

    it('a bad filter is 400 naming the field', async () => {
      for (const [query, field] of [
        ['from=notadate', 'from'],
        ['to=2026-02-30', 'to'],
        ['from=2026-12-02&to=2026-12-01', 'to'],
        ['rating=7', 'rating'],
        ['tag=vip', 'tag'],
        ['status=closed', 'status'],
        ['limit=101', 'limit'],
        ['cursor=nope', 'cursor'],
        [`text=${'长'.repeat(101)}`, 'text'],
      ] as const) {
        const res = await inject('GET', `/api/admin/history?${encodeURI(query)}`, { cookie: owner });
        assert.equal(res.statusCode, 400, `${query}: ${res.body}`);
        assert.equal(res.json().error.field, field, query);
        const csv = await inject('GET', `/api/admin/history.csv?${encodeURI(query)}`, { cookie: owner });
        // The export starts from the top: it takes no cursor.
        assert.equal(csv.statusCode, query.startsWith('cursor') ? 200 : 400, `csv ${query}`);
      }
    });
  });
}
