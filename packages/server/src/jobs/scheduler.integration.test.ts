import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeClock, MemoryLogger, silentLogger, type Logger } from '@xiaoer/core';
import { freshPostgresUrl, testDatabases } from '../../../../tests/support/databases';
import { openStorage, type DurableTimer, type Storage } from '../storage';
import { TimerScheduler, type TimerHandler } from './scheduler';

const T0 = Date.parse('2026-11-29T10:00:00Z');

for (const engine of testDatabases) {
  describe(`durable timers on ${engine.name}`, () => {
    let storage: Storage;
    const clock = new FakeClock(T0);
    before(async () => {
      storage = await engine.open();
    });
    after(() => storage.close());

    const scheduler = (
      nodeId: string,
      handlers: Record<string, TimerHandler>,
      leaseMs = 30_000,
      logger: Logger = silentLogger,
    ) =>
      new TimerScheduler({
        logger,
        timers: storage.timers,
        clock,
        nodeId,
        handlers,
        leaseMs,
        batch: 7,
      });

    it('fires a due timer once, in due order, and keeps who fired it; an id is set once', async () => {
      const fired: string[] = [];
      const s = scheduler('n1', { t: async (x) => void fired.push(x.id) });
      assert.equal(await s.schedule({ id: 'o:2', kind: 't', shopId: 's', dueAt: clock.now() + 2000 }), true);
      assert.equal(await s.schedule({ id: 'o:1', kind: 't', shopId: 's', dueAt: clock.now() + 1000 }), true);
      assert.equal(await s.schedule({ id: 'o:1', kind: 't', shopId: 's', dueAt: clock.now() + 9 }), false);
      assert.equal(await s.runDue(), 0);
      clock.advance(2000);
      assert.equal(await s.runDue(), 2);
      assert.deepEqual(fired, ['o:1', 'o:2']);
      assert.equal(await s.runDue(), 0);
      const row = await storage.timers.find('o:1');
      assert.deepEqual([row?.firedAt, row?.firedBy, row?.attempts], [clock.now(), 'n1', 1]);
    });

    it('a failing handler is retried with backoff, by any node, and its error kept and logged', async () => {
      let calls = 0;
      const logged = new MemoryLogger();
      const a = scheduler(
        'a',
        {
          flaky: async () => {
            calls++;
            throw new Error('upstream down');
          },
        },
        30_000,
        logged,
      );
      await a.schedule({ id: 'flaky', kind: 'flaky', shopId: null, dueAt: clock.now() });
      assert.equal(await a.runDue(), 0);
      assert.equal((await storage.timers.find('flaky'))?.lastError, 'upstream down');
      assert.deepEqual(
        logged.lines.map((l) => [l.level, l.message, l.fields.timer, (l.fields.err as Error).message]),
        [['error', 'timer failed, retrying', 'flaky', 'upstream down']],
      );
      assert.equal(await a.runDue(), 0, 'not before the backoff');
      clock.advance(1000);
      const b = scheduler('b', { flaky: async () => void calls++ });
      assert.equal(await b.runDue(), 1);
      const row = await storage.timers.find('flaky');
      assert.deepEqual([calls, row?.firedBy, row?.attempts, row?.lastError], [2, 'b', 2, null]);
    });

    it('a timer a dead node had claimed fires on another node once its lease is over', async () => {
      await storage.timers.schedule(
        { id: 'orphan', kind: 't', shopId: null, dueAt: clock.now() },
        clock.now(),
      );
      const claimed = await storage.timers.claimDue('dead', clock.now(), 30_000, 100, ['t']);
      assert.deepEqual(
        claimed.map((x) => x.id),
        ['orphan'],
      );
      const fired: string[] = [];
      const b = scheduler('b', { t: async (x) => void fired.push(x.id) });
      assert.equal(await b.runDue(), 0, 'held by the dead node');
      clock.advance(30_001);
      assert.equal(await b.runDue(), 1);
      assert.deepEqual(fired, ['orphan']);
      assert.equal(
        await storage.timers.complete('orphan', 'dead', clock.now()),
        false,
        'the dead node lost it',
      );
    });

    it('a node claims only the kinds it can fire; a timer failing ten times is given up, with its error', async () => {
      await storage.timers.schedule(
        { id: 'future-kind', kind: 'from-a-newer-node', shopId: null, dueAt: clock.now() },
        clock.now(),
      );
      const old = scheduler('old', { t: async () => undefined });
      await old.runDue();
      const untouched = await storage.timers.find('future-kind');
      assert.deepEqual([untouched?.attempts, untouched?.firedAt, untouched?.lastError], [0, null, null]);

      await storage.timers.schedule(
        { id: 'doomed', kind: 'doomed', shopId: null, dueAt: clock.now() },
        clock.now(),
      );
      let runs = 0;
      const logged = new MemoryLogger();
      const s = scheduler(
        'n1',
        {
          doomed: async () => {
            runs++;
            throw new Error('always');
          },
        },
        30_000,
        logged,
      );
      for (let i = 0; i < 12; i++) {
        await s.runDue();
        clock.advance(300_000);
      }
      assert.deepEqual(
        logged.lines.filter((l) => l.message.startsWith('timer given up')).map((l) => l.fields.timer),
        ['doomed'],
      );
      const row = await storage.timers.find('doomed');
      assert.equal(runs, 10);
      assert.ok(row?.firedAt, 'marked done');
      assert.match(row?.lastError ?? '', /^given up after 10 attempts: always/);
    });

    it('a recurring job moves to its next due time', async () => {
      let runs = 0;
      const s = scheduler('n1', {
        every: async () => {
          runs++;
          return { repeatAt: clock.now() + 20_000 };
        },
      });
      await storage.timers.schedule(
        { id: 'every', kind: 'every', shopId: null, dueAt: clock.now() },
        clock.now(),
      );
      assert.equal(await s.runDue(), 1);
      assert.equal(await s.runDue(), 0);
      clock.advance(20_000);
      assert.equal(await s.runDue(), 1);
      const row = await storage.timers.find('every');
      assert.deepEqual([runs, row?.dueAt, row?.firedAt], [2, clock.now() + 20_000, null]);
    });

    it('fired timers older than a cut are pruned, pending ones never', async () => {
      await storage.timers.schedule(
        { id: 'later', kind: 't', shopId: null, dueAt: clock.now() + 1e9 },
        clock.now(),
      );
      const pruned = await storage.timers.prune(clock.now() + 1);
      assert.ok(pruned >= 3, `pruned ${pruned}`);
      assert.ok(await storage.timers.find('later'));
      assert.equal(await storage.timers.find('o:1'), undefined);
    });
  });
}

describe('durable timers across nodes on postgres', () => {
  it('two nodes claiming 300 due timers at once fire each exactly once', async () => {
    const url = await freshPostgresUrl();
    const stores = [await openStorage(url, { poolSize: 4 }), await openStorage(url, { poolSize: 4 })];
    try {
      const clock = new FakeClock(T0);
      for (let i = 0; i < 300; i++)
        await stores[0]!.timers.schedule({ id: `r:${i}`, kind: 'r', shopId: 's', dueAt: T0 - i }, T0);
      const firings = new Map<string, string[]>();
      const nodes = stores.map(
        (storage, n) =>
          new TimerScheduler({
            logger: silentLogger,
            timers: storage.timers,
            clock,
            nodeId: `node-${n}`,
            batch: 10,
            handlers: {
              r: async (timer: DurableTimer) => {
                firings.set(timer.id, [...(firings.get(timer.id) ?? []), `node-${n}`]);
                await new Promise((r) => setTimeout(r, 1)); // let the other node interleave
              },
            },
          }),
      );
      const counts = await Promise.all([nodes[0]!.runDue(), nodes[1]!.runDue(), nodes[0]!.runDue()]);
      assert.equal(
        counts.reduce((a, b) => a + b, 0),
        300,
      );
      assert.equal(firings.size, 300);
      assert.deepEqual(
        [...firings.values()].filter((by) => by.length !== 1),
        [],
      );
      const byNode = new Set([...firings.values()].map((by) => by[0]));
      assert.equal(byNode.size, 2, 'both nodes took a share');
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('a batch that takes longer than its claim: each timer is renewed as it comes up, so none fires twice', async () => {
    const url = await freshPostgresUrl();
    const stores = [await openStorage(url, { poolSize: 4 }), await openStorage(url, { poolSize: 4 })];
    try {
      const now = Date.now();
      for (let i = 0; i < 20; i++)
        await stores[0]!.timers.schedule(
          { id: `slow:${i}`, kind: 'slow', shopId: null, dueAt: now - 1000 + i },
          now,
        );
      const firings = new Map<string, number>();
      const nodes = stores.map(
        (storage, n) =>
          new TimerScheduler({
            logger: silentLogger,
            timers: storage.timers,
            clock: { now: () => Date.now() },
            nodeId: `node-${n}`,
            batch: 10,
            leaseMs: 300, // shorter than a batch of ten 100 ms handlers
            handlers: {
              slow: async (timer: DurableTimer) => {
                firings.set(timer.id, (firings.get(timer.id) ?? 0) + 1);
                await new Promise((r) => setTimeout(r, 100));
              },
            },
          }),
      );
      const first = nodes[0]!.runDue();
      for (let k = 0; k < 12; k++) {
        await new Promise((r) => setTimeout(r, 150));
        await nodes[1]!.runDue();
      }
      await first;
      await nodes[0]!.runDue();
      assert.equal(firings.size, 20);
      assert.deepEqual(
        [...firings].filter(([, n]) => n !== 1),
        [],
        'each once',
      );
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});
