import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FakeClock, type Conversation, type DayMetrics, type ShopId } from '@xiaoer/core';
import type { InjectOptions } from 'fastify';
import { MetricsService } from '../../packages/server/src/metrics/metrics.service';
import {
  MetricsCliError,
  parseMetricsArgs,
  rebuildShops,
  runMetricsCli,
} from '../../packages/server/src/metrics/metrics-cli';
import { openStorage, type Storage } from '../../packages/server/src/storage';
import { loginCookie, startTestServer, WidgetBuyers, type TestServer } from '../support/server';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SHOP = 'shop-demo' as ShopId;
const SECOND = 'shop-second' as ShopId;
const at = (local: string) => Date.parse(`${local}+08:00`);
const DAYS = ['2026-11-24', '2026-11-25'];

/** The real command, as `npx xiaoer` runs it, on the given database. */
function xiaoer(args: string[], databaseUrl: string) {
  const r = spawnSync(process.execPath, [join(root, 'bin/xiaoer.mjs'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: databaseUrl },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const jsonLines = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('xiaoer metrics rebuild on a SQLite file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xiaoer-metrics-cli-'));
  const url = `sqlite:${join(dir, 'xiaoer.db')}`;
  const clock = new FakeClock(at('2026-11-24T07:00:00'));
  /** The day figures after the live path, before any rebuild. */
  const live = new Map<string, DayMetrics>();
  /** Buyer, agent and bot messages per shop (what a rebuild replays). */
  const counted = new Map<ShopId, number>();

  async function figures(storage: Storage, shopId: ShopId = SHOP): Promise<Map<string, DayMetrics>> {
    const metrics = new MetricsService(storage, clock);
    return new Map(await Promise.all(DAYS.map(async (d) => [d, await metrics.day(shopId, d)] as const)));
  }
  async function countMessages(storage: Storage, shopId: ShopId): Promise<number> {
    const row = await storage.db.kysely
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('shop_id', '=', shopId)
      .where('sender', 'in', ['buyer', 'agent', 'bot'])
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
  async function wipeRollUps(storage: Storage): Promise<void> {
    for (const table of ['metric_buyer_days', 'metric_timings', 'metric_responses'] as const)
      await storage.db.kysely.deleteFrom(table).execute();
  }

  before(async () => {
    // The demo shop and a second one on the file; buyers and agents write through the server.
    const t: TestServer = await startTestServer({
      storage: await openStorage(url),
      clock,
      listen: false,
      env: { RATE_LIMIT_PER_MINUTE: '100000', WIDGET_SESSIONS_PER_MINUTE: '100000' },
    });
    try {
      await t.storage.shops.insertShop({
        id: SECOND,
        slug: 'second',
        name: '第二家店',
        secret: 'second-shop-secret-second-shop-secret',
        timeZone: 'Asia/Shanghai',
        serviceHours: '每天 09:00–23:00',
        createdAt: clock.now(),
        orgId: 'org-second',
        isDemo: false,
        welcomeMessage: null,
      });
      const inject = (o: InjectOptions) => t.server.app.inject(o);
      const cookies = new Map<string, string>();
      for (const [id, email] of [
        ['agent-demo-1', 'agent1@demo.xiaoer.dev'],
        ['agent-demo-2', 'agent2@demo.xiaoer.dev'],
        ['agent-demo-3', 'agent3@demo.xiaoer.dev'],
      ] as const)
        cookies.set(id, await loginCookie(t.server, email));
      const buyers = new WidgetBuyers(() => t.server);
      const buyerSays = (name: string, text: string, shop = 'demo') => buyers.says(name, text, shop);
      const agentReplies = async (c: Conversation, text = '亲，在的～') => {
        const fresh = (await t.storage.conversations.findConversation(SHOP, c.id))!;
        const res = await inject({
          method: 'POST',
          url: `/api/conversations/${c.id}/messages`,
          headers: { cookie: cookies.get(fresh.agentId!)! },
          payload: { clientId: `a-${Math.random()}`, kind: 'text', body: { text } },
        });
        assert.equal(res.statusCode, 200, res.body);
      };
      const step = (local: string) => clock.set(at(local));

      step('2026-11-24T07:59:00');
      const early = await buyerSays('early', '在吗'); // before the window: an inquiry only
      step('2026-11-24T10:00:00');
      const fast = await buyerSays('fast', '这个杯子保温多久？');
      step('2026-11-24T10:00:20');
      await buyerSays('fast', '有没有大号的？'); // one turn, two messages
      const slow = await buyerSays('slow', '能便宜点吗？');
      step('2026-11-24T10:03:00');
      await agentReplies(fast);
      step('2026-11-24T10:06:30');
      await agentReplies(slow); // late: after 5 minutes
      await agentReplies(early);
      step('2026-11-24T22:58:00');
      const night = await buyerSays('night', '今天能发货吗？');
      step('2026-11-24T23:02:00');
      await agentReplies(night); // in time
      step('2026-11-24T23:58:00');
      const owl = await buyerSays('owl', '睡了吗'); // after the window: an inquiry only
      step('2026-11-25T00:01:00');
      await agentReplies(owl); // a response of the day before
      step('2026-11-25T09:30:00');
      await buyerSays('fast', '到哪了'); // the same buyer on the next day
      await buyerSays('waiting', '还在吗'); // never answered
      await buyerSays('elsewhere', '你好', 'second');
      step('2026-11-25T09:32:00');
      await agentReplies(fast);
      step('2026-11-25T12:00:00'); // every consultation decided

      await t.server.ctx.metrics.flush();
      for (const [d, f] of await figures(t.storage)) live.set(d, f);
      for (const shop of [SHOP, SECOND]) counted.set(shop, await countMessages(t.storage, shop));
    } finally {
      await t.close();
    }
    const d1 = live.get(DAYS[0]!)!;
    assert.equal(d1.shop.inquiries, 5);
    assert.equal(d1.shop.consultations, 3);
    assert.equal(d1.shop.replied, 2, 'fast in 3 min, night in 4; slow late');
    assert.equal(d1.shop.response.n, 5, 'owl answered after midnight counts on its day');
    assert.equal(live.get(DAYS[1]!)!.shop.consultations, 2);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('rebuildShops recomputes one shop by slug, and the day figures agree with the live ones', async () => {
    const storage = await openStorage(url);
    try {
      await wipeRollUps(storage);
      assert.equal((await figures(storage)).get(DAYS[0]!)!.shop.consultations, 0, 'roll-ups gone');
      const heard: unknown[] = [];
      const lines = await rebuildShops(storage, 'demo', (l) => heard.push(l));
      assert.equal(lines.length, 1);
      assert.deepEqual(Object.keys(lines[0]!), ['shop', 'messages', 'ms']);
      assert.equal(lines[0]!.shop, 'demo');
      assert.equal(lines[0]!.messages, counted.get(SHOP));
      assert.ok(Number.isInteger(lines[0]!.ms) && lines[0]!.ms >= 0);
      assert.deepEqual(heard, lines);
      assert.deepEqual(await figures(storage), live);
      await assert.rejects(rebuildShops(storage, 'nope'), (e: unknown) => {
        assert.ok(e instanceof MetricsCliError);
        assert.match(e.message, /no shop with slug "nope" \(shops: demo, second\)/);
        return true;
      });
    } finally {
      await storage.close();
    }
  });

  it('`node bin/xiaoer.mjs metrics rebuild --shop demo` prints {shop, messages, ms} and restores the figures', async () => {
    const storage = await openStorage(url);
    await wipeRollUps(storage);
    await storage.close();
    const r = xiaoer(['metrics', 'rebuild', '--shop', 'demo'], url);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    const lines = jsonLines(r.stdout);
    assert.equal(lines.length, 1, r.stdout);
    assert.deepEqual(Object.keys(lines[0]!), ['shop', 'messages', 'ms']);
    assert.equal(lines[0]!.shop, 'demo');
    assert.equal(lines[0]!.messages, counted.get(SHOP));
    assert.equal(typeof lines[0]!.ms, 'number');
    const after = await openStorage(url);
    try {
      assert.deepEqual(await figures(after), live);
      const second = await figures(after, SECOND);
      assert.equal(second.get(DAYS[1]!)!.shop.consultations, 0, 'only the demo shop was rebuilt');
    } finally {
      await after.close();
    }
  });

  it('without --shop it rebuilds every shop, one line each in slug order', async () => {
    const r = xiaoer(['metrics', 'rebuild'], url);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(
      jsonLines(r.stdout).map((l) => [l.shop, l.messages]),
      [
        ['demo', counted.get(SHOP)],
        ['second', counted.get(SECOND)],
      ],
    );
    const storage = await openStorage(url);
    try {
      assert.deepEqual(await figures(storage), live);
      const second = (await figures(storage, SECOND)).get(DAYS[1]!)!;
      assert.equal(second.shop.consultations, 1);
      assert.equal(second.shop.pending + second.shop.replied, 0, 'missed: nobody answered');
    } finally {
      await storage.close();
    }
  });

  it('`--shop nope` exits 2 naming the slug and the shops there are', () => {
    const r = xiaoer(['metrics', 'rebuild', '--shop', 'nope'], url);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trim(), 'metrics rebuild: no shop with slug "nope" (shops: demo, second)');
  });

  it('exits 2 on a missing --shop value, a bad flag, an extra argument or subcommand, before opening the database', async () => {
    for (const [args, message] of [
      [['rebuild', '--shop'], /--shop/],
      [['rebuild', '--shop', ' '], /--shop needs a shop slug/],
      [['rebuild', '--all'], /--all/],
      [['rebuild', 'demo'], /unexpected argument "demo"/],
      [['recompute'], /unknown metrics command: recompute/],
      [[], /metrics needs a command/],
    ] as const) {
      let opened = false;
      const out: string[] = [];
      const err: string[] = [];
      const code = await runMetricsCli([...args], {
        open: () => {
          opened = true;
          return openStorage(url);
        },
        out: (l) => out.push(l),
        err: (l) => err.push(l),
      });
      const what = args.join(' ');
      assert.equal(code, 2, what);
      assert.equal(opened, false, what);
      assert.deepEqual(out, [], what);
      assert.match(err.join('\n'), message);
      assert.match(err.join('\n'), /usage: npx xiaoer metrics rebuild \[--shop <slug>\]/);
    }
    assert.deepEqual(parseMetricsArgs(['rebuild']), { command: 'rebuild' });
    assert.deepEqual(parseMetricsArgs(['rebuild', '--shop', 'demo']), { command: 'rebuild', shop: 'demo' });
    assert.deepEqual(parseMetricsArgs(['rebuild', '--shop=demo']), { command: 'rebuild', shop: 'demo' });
  });
});
