/**
 * AS-2 deadlines on durable timers, at the size of a test: a month of after-sales cases (the
 * bench/aftersales month, small) driven by two TimerSchedulers sharing one database on a fake
 * clock, on SQLite and PostgreSQL (a pool: the two nodes' claims really overlap there). Every
 * armed deadline fires once and the engine acts on it once; every timer a buyer or agent
 * superseded fires as a no-op. (scheduler.integration.test.ts covers claims, leases and retries
 * of bare timers; this adds the case engine on top, re-arming as cases move, on both engines.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeClock, silentLogger } from '@xiaoer/core';
import { TimerScheduler } from '../../packages/server/src/jobs/scheduler';
import type { Storage } from '../../packages/server/src/storage';
import { AftersalesMonth, DAY, DEADLINE_KIND, HOUR, driveMonth } from '../../bench/aftersales/month';
import { testDatabases } from '../support/databases';

const START = Date.parse('2026-12-01T00:00:00+08:00');

for (const engine of testDatabases) {
  describe(`AS-2 after-sales deadlines on durable timers, two nodes, ${engine.name}`, () => {
    let storage: Storage;
    before(async () => {
      storage = await engine.open();
    });
    after(() => storage.close());

    /** Drives a month of `cases` with two nodes (batch 2, so they take turns within a step). */
    async function month(cases: number, start: number, stepMs: number) {
      const clock = new FakeClock(start);
      const m = new AftersalesMonth({ cases, start, days: 2, shopId: `shop-${start}` });
      for (const t of m.open()) await storage.timers.schedule(t, clock.now());
      const byNode = [0, 0];
      const nodes = [0, 1].map((n) => {
        const handler = m.handler(clock, (t) => storage.timers.schedule(t, clock.now()));
        return new TimerScheduler({
          logger: silentLogger,
          timers: storage.timers,
          clock,
          nodeId: `node-${n}`,
          batch: 2,
          handlers: {
            [DEADLINE_KIND]: async (timer) => {
              byNode[n]!++;
              await handler(timer);
              // Let the other node's claim run between this node's firings.
              await new Promise((r) => setImmediate(r));
            },
          },
        });
      });
      const run = await driveMonth({
        month: m,
        clock,
        start,
        stepMs,
        nodes,
        schedule: (t) => storage.timers.schedule(t, clock.now()),
        until: start + 120 * DAY,
      });
      const rows = await storage.timers.list({ kind: DEADLINE_KIND, shopId: `shop-${start}` });
      return { m, run, byNode, rows, clock };
    }

    it('in hourly steps: each armed deadline acts once, each superseded timer fires as a no-op', async () => {
      const { m, run, byNode, rows } = await month(150, START, HOUR);
      const t = m.tally();
      assert.equal(t.firedTwice, 0);
      assert.equal(t.missed, 0);
      assert.equal(t.actedOnSuperseded, 0);
      assert.equal(t.armedLeft, 0);
      assert.equal(t.refused, 0);
      assert.ok(m.done, 'every timer fired and nothing is left planned');
      assert.ok(run.end.at < START + 120 * DAY);
      // The month re-armed deadlines and superseded some: both paths were taken.
      assert.ok(t.scheduled > 150, `${t.scheduled} timers`);
      assert.ok(t.supersededNoop > 10 && t.acted > 10, `${t.supersededNoop} no-ops, ${t.acted} acted`);
      assert.equal(t.acted + t.supersededNoop, t.scheduled);
      assert.equal(t.fired, t.scheduled);
      // Both nodes took a share, and the table says each row fired once, by one of them.
      assert.ok(byNode[0]! > 0 && byNode[1]! > 0, `fired by node: ${byNode.join(' / ')}`);
      assert.equal(byNode[0]! + byNode[1]!, t.scheduled);
      assert.equal(rows.length, t.scheduled);
      assert.deepEqual(
        rows.filter((r) => r.firedAt === null || !['node-0', 'node-1'].includes(r.firedBy ?? '')),
        [],
      );
      // With hourly steps nothing fires more than a step late.
      assert.ok(Math.max(...t.lateness) < HOUR);
    });

    it('a clock that jumps past every deadline at once (nodes down for weeks): the backlog fires once', async () => {
      const start = START + 200 * DAY;
      const { m, byNode, rows } = await month(150, start, 40 * DAY);
      const t = m.tally();
      assert.deepEqual(
        [t.firedTwice, t.missed, t.actedOnSuperseded, t.armedLeft, t.refused],
        [0, 0, 0, 0, 0],
      );
      assert.ok(m.done);
      assert.ok(byNode[0]! > 0 && byNode[1]! > 0, `fired by node: ${byNode.join(' / ')}`);
      assert.equal(rows.length, t.scheduled);
      assert.ok(rows.every((r) => r.firedAt !== null));
    });

    it('the tally would see a timer fired twice', async () => {
      const start = START + 400 * DAY;
      const { m, clock } = await month(5, start, HOUR);
      const [row] = await storage.timers.list({ kind: DEADLINE_KIND, shopId: `shop-${start}` });
      assert.equal(m.tally().firedTwice, 0);
      await m.handler(clock, (t) => storage.timers.schedule(t, clock.now()))(row!);
      assert.equal(m.tally().firedTwice, 1);
    });
  });
}
