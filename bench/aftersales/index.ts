/**
 * bench/aftersales (issue #19, AS-2): 100,000 open after-sales cases whose deadlines fall over a
 * simulated month, on the real `timers` table of a SQLite file, fired by two TimerSchedulers (two
 * "nodes", each with its own connection to the file) on a virtual clock that moves one simulated
 * minute per step. The handler of `aftersales.deadline` applies the core engine's deadline event
 * to the cases (kept in memory: bench/aftersales/month.ts); buyers and agents act on a realistic
 * share of cases before their deadlines, so those timers are superseded and must fire as no-ops.
 *
 * Figures: timers fired per wall-clock second, and lateness past the deadline in simulated time
 * (with a 1-minute step a timer can fire up to a step late; more would mean a backlog); then the
 * checks: fired twice = 0, missed = 0 (each armed deadline acted on exactly once, each superseded
 * one a no-op).
 *
 * Baseline, same run, same month (same cases, same plan) on a fresh SQLite file: a "plain scan"
 * that each step SELECTs every unfired timer row and keeps the due ones in JS, no due-time range,
 * no claims, one node. Its step costs grow with the table, so it runs only the month's first
 * BENCH_AFTERSALES_BASELINE_HOURS (with all 100,000 timers pending, where the ratio is read),
 * beside our run's figures for the same simulated hours. With one-minute steps a few timers are due
 * per step, so fired per second there is mostly the cost of a poll; the backlog figure is the
 * capacity: the clock's first step lands BENCH_AFTERSALES_BACKLOG_HOURS into the month (nodes that
 * were down), so that many hours of deadlines are due at once, for both.
 *
 * Then the same on PostgreSQL (a throwaway server, as bench/cluster starts; skipped with a note
 * when it is not installed), driven for the first BENCH_AFTERSALES_PG_DAYS simulated days only:
 * every round trip costs more there, and the two nodes' claims really run at the same time.
 *
 * Env: BENCH_AFTERSALES_CASES (100000), BENCH_AFTERSALES_STEP_SECONDS (60),
 * BENCH_AFTERSALES_BASELINE_HOURS (1), BENCH_AFTERSALES_BACKLOG_HOURS (24),
 * BENCH_AFTERSALES_PG_DAYS (3; 0 skips PostgreSQL).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock, silentLogger, type Clock } from '@xiaoer/core';
import { TimerScheduler, type TimerHandler } from '../../packages/server/src/jobs/scheduler';
import { openStorage, type DurableTimer, type Storage } from '../../packages/server/src/storage';
import { fmt, printTable, quantile } from '../lib/stats';
import { postgresBinDir, startPostgres, SYSTEM_DEPS_HINT } from '../../scripts/lib/postgres.mjs';
import { createDatabase } from '../../tests/support/databases';
import {
  AftersalesMonth,
  DAY,
  DEADLINE_KIND,
  HOUR,
  driveMonth,
  type DeadlineTimer,
  type DriveMark,
  type TimerRunner,
  type TimerTally,
} from './month';
import { runService } from './service';

const CASES = Number(process.env.BENCH_AFTERSALES_CASES ?? 100_000);
const STEP_MS = Number(process.env.BENCH_AFTERSALES_STEP_SECONDS ?? 60) * 1000;
const BASELINE_HOURS = Number(process.env.BENCH_AFTERSALES_BASELINE_HOURS ?? 1);
const PG_DAYS = Number(process.env.BENCH_AFTERSALES_PG_DAYS ?? 3);
const BACKLOG_HOURS = Number(process.env.BENCH_AFTERSALES_BACKLOG_HOURS ?? 24);
/** The month starts at midnight, Beijing time. */
const START = Date.parse('2026-12-01T00:00:00+08:00');
const DAYS = 30;

/** Sets the month's first timers in one transaction per thousand rows (setup, not a figure). */
async function insertTimers(storage: Storage, timers: readonly DeadlineTimer[]): Promise<void> {
  for (let i = 0; i < timers.length; i += 1000) {
    await storage.db.kysely.transaction().execute(async (trx) => {
      await trx
        .insertInto('timers')
        .values(
          timers.slice(i, i + 1000).map((t) => ({
            id: t.id,
            kind: t.kind,
            shop_id: t.shopId,
            due_at: t.dueAt,
            payload: JSON.stringify(t.payload),
            attempts: 0,
            claimed_by: null,
            claimed_until: null,
            fired_at: null,
            fired_by: null,
            last_error: null,
            created_at: START,
          })),
        )
        .execute();
    });
  }
}

/**
 * The baseline's firing: every step reads every unfired row, keeps those due in JS and fires them
 * in due order, marking each fired; no due-time range for an index to serve, no claim (one node).
 */
class PlainScan implements TimerRunner {
  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
    private readonly handler: TimerHandler,
  ) {}

  async runDue(): Promise<number> {
    const now = this.clock.now();
    const rows = await this.storage.db.kysely
      .selectFrom('timers')
      .select(['id', 'kind', 'shop_id', 'due_at', 'payload', 'attempts'])
      .where('fired_at', 'is', null)
      .execute();
    const due = rows
      .filter((r) => Number(r.due_at) <= now)
      .sort((a, b) => Number(a.due_at) - Number(b.due_at));
    for (const r of due) {
      const timer: DurableTimer = {
        id: r.id,
        kind: r.kind,
        shopId: r.shop_id,
        dueAt: Number(r.due_at),
        payload: JSON.parse(r.payload) as Record<string, unknown>,
        attempts: Number(r.attempts) + 1,
        firedAt: null,
        firedBy: null,
        lastError: null,
      };
      await this.handler(timer);
      await this.storage.db.kysely
        .updateTable('timers')
        .set({ fired_at: now, fired_by: 'scan' })
        .where('id', '=', r.id)
        .execute();
    }
    return due.length;
  }
}

interface Outcome {
  setupMs: number;
  mark?: DriveMark;
  end: DriveMark;
  tally: TimerTally;
  /** Handler runs per node. */
  byNode: number[];
}

/** Opens the database(s) of a run: one per node, on the same file or server. */
type Open = (nodes: number) => Promise<Storage[]>;

const sqliteFile =
  (path: string): Open =>
  async (nodes) => {
    const out: Storage[] = [];
    for (let i = 0; i < nodes; i++) out.push(await openStorage(`sqlite:${path}`));
    return out;
  };

const postgres =
  (adminUrl: string): Open =>
  async (nodes) => {
    const url = await createDatabase(adminUrl, 'xiaoer_bench');
    const out: Storage[] = [];
    for (let i = 0; i < nodes; i++) out.push(await openStorage(url, { poolSize: 4 }));
    return out;
  };

/**
 * One drive of the month: `nodes` TimerSchedulers sharing the database, or (plain) the plain scan
 * on one; until every timer fired, or `until`.
 */
async function drive(
  open: Open,
  opts: { plain?: boolean; start?: number; until?: number; mark?: number },
): Promise<Outcome> {
  const stores = await open(opts.plain ? 1 : 2);
  try {
    const clock = new FakeClock(START);
    const month = new AftersalesMonth({ cases: CASES, start: START, days: DAYS });
    const t0 = performance.now();
    await insertTimers(stores[0]!, month.open());
    const setupMs = performance.now() - t0;
    const byNode = stores.map(() => 0);
    const nodes: TimerRunner[] = stores.map((storage, n) => {
      const handler = month.handler(clock, (t) => storage.timers.schedule(t, clock.now()));
      const counted: TimerHandler = async (timer) => {
        byNode[n]!++;
        await handler(timer);
      };
      return opts.plain
        ? new PlainScan(storage, clock, counted)
        : new TimerScheduler({
            logger: silentLogger,
            timers: storage.timers,
            clock,
            nodeId: `node-${n}`,
            handlers: { [DEADLINE_KIND]: counted },
          });
    });
    const run = await driveMonth({
      month,
      clock,
      start: opts.start ?? START,
      stepMs: STEP_MS,
      nodes,
      schedule: (t) => stores[0]!.timers.schedule(t, clock.now()),
      until: opts.until,
      mark: opts.mark,
    });
    const tally = month.tally(opts.until);
    // The table agrees: no row due by the end is left unfired.
    const left = await stores[0]!.db.kysely
      .selectFrom('timers')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('fired_at', 'is', null)
      .where('due_at', '<=', run.end.at)
      .executeTakeFirstOrThrow();
    tally.missed += Number(left.n);
    return { setupMs, ...run, tally, byNode };
  } finally {
    await Promise.all(stores.map((s) => s.close()));
  }
}

export async function run(): Promise<void> {
  await runMonth();
  // Part 2: the same deadlines through the real case service (bench/aftersales/service.ts).
  await runService();
}

async function runMonth(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'xiaoer-bench-aftersales-'));
  try {
    const markAt = START + BASELINE_HOURS * HOUR;
    const backlogAt = START + BACKLOG_HOURS * HOUR;
    const file = (name: string) => sqliteFile(join(dir, `${name}.db`));
    report(
      'SQLite file (WAL), two connections',
      await drive(file('ours'), { mark: markAt }),
      await drive(file('baseline'), { plain: true, until: markAt }),
      await drive(file('ours-backlog'), { start: backlogAt, until: backlogAt }),
      await drive(file('baseline-backlog'), { plain: true, start: backlogAt, until: backlogAt }),
    );
    if (PG_DAYS <= 0) return;
    if (!postgresBinDir()) {
      console.log(`\nPostgreSQL skipped: not installed (${SYSTEM_DEPS_HINT})`);
      return;
    }
    const server = await startPostgres();
    try {
      const db = postgres(server.url);
      report(
        `PostgreSQL (fsync off) on loopback, two pools of 4, first ${PG_DAYS} simulated days`,
        await drive(db, { mark: markAt, until: START + PG_DAYS * DAY }),
        await drive(db, { plain: true, until: markAt }),
        await drive(db, { start: backlogAt, until: backlogAt }),
        await drive(db, { plain: true, start: backlogAt, until: backlogAt }),
      );
    } finally {
      server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(title: string, a: Outcome, b: Outcome, aBacklog: Outcome, bBacklog: Outcome): void {
  const s = (ms: number) => fmt(ms / 1000, 1);
  const sec = (ms: number) => fmt(ms / 1000, 0);
  const ratio = (x: number, y: number) => {
    const r = x / y;
    return y > 0 && Number.isFinite(r) ? `${r < 0.1 ? r.toPrecision(2) : fmt(r, 2)}×` : 'n/a';
  };
  const perSecond = (m: DriveMark) => m.fired / (m.wallMs / 1000);
  const p99 = (m: DriveMark) => quantile(m.lateness, 0.99);
  const t = a.tally;
  const m = a.mark!;
  const whole = a.end.at - START;
  const span = `${fmt(whole / DAY, 1)} simulated days`;
  const max = a.end.lateness.reduce((x, y) => Math.max(x, y), 0);
  console.log(
    `\n${title}: ${CASES} cases (60 % refund-only, 30 % return-refund, 10 % exchange), answer ` +
      `deadlines evenly over ${DAYS} days, virtual clock in ${STEP_MS / 1000} s steps. Two ` +
      `TimerSchedulers (batch 50) share the database. ${t.scheduled} timers set by the end (${CASES} ` +
      `before the month, inserted in ${s(a.setupMs)} s; the rest armed as cases moved on); ${span} ` +
      `driven (${a.end.steps} steps) in ${s(a.end.wallMs)} s. Fired by node: ${a.byNode.join(' / ')}. ` +
      `The engine acted on ${t.acted} deadlines; ${t.supersededNoop} timers superseded by a buyer or ` +
      `agent fired as no-ops. Baseline: the plain scan on one connection, the month's first ` +
      `${BASELINE_HOURS} simulated hours only (${b.end.steps} steps in ${s(b.end.wallMs)} s, about ` +
      `${CASES} rows pending), beside our figures for the same hours.`,
  );
  printTable(`aftersales timers, ${title}`, [
    {
      label: `timers fired / s (wall), first ${BASELINE_HOURS} h`,
      ours: fmt(perSecond(m), 0),
      baseline: fmt(perSecond(b.end), 0),
      ratio: ratio(perSecond(m), perSecond(b.end)),
      note: `${m.fired} and ${b.end.fired} fired: equal, same month`,
    },
    {
      label: `wall ms per step (all nodes), first ${BASELINE_HOURS} h`,
      ours: fmt(m.wallMs / m.steps, 2),
      baseline: fmt(b.end.wallMs / b.end.steps, 2),
      ratio: ratio(m.wallMs / m.steps, b.end.wallMs / b.end.steps),
      note: 'one step = one simulated minute',
    },
    {
      label: `p99 lateness (simulated s), first ${BASELINE_HOURS} h`,
      ours: sec(p99(m)),
      baseline: sec(p99(b.end)),
      ratio: ratio(p99(m), p99(b.end)),
      note: `a step is ${STEP_MS / 1000} s`,
    },
    {
      label: `timers fired / s (wall), ${span}`,
      ours: fmt(perSecond(a.end), 0),
      baseline: 'not run',
      ratio: '',
      note: `${a.end.fired} handler runs`,
    },
    {
      label: `p50 / p99 / max lateness (simulated s), ${span}`,
      ours: `${sec(quantile(a.end.lateness, 0.5))} / ${sec(p99(a.end))} / ${sec(max)}`,
      baseline: 'not run',
      ratio: '',
      note: 'max above a step = a backlog',
    },
    {
      label: `backlog: ${BACKLOG_HOURS} h due at once (nodes down), timers fired / s`,
      ours: fmt(perSecond(aBacklog.end), 0),
      baseline: fmt(perSecond(bBacklog.end), 0),
      ratio: ratio(perSecond(aBacklog.end), perSecond(bBacklog.end)),
      note: `${aBacklog.end.fired} and ${bBacklog.end.fired} fired in one step`,
    },
    {
      label: 'fired twice',
      ours: String(t.firedTwice + aBacklog.tally.firedTwice),
      baseline: String(b.tally.firedTwice + bBacklog.tally.firedTwice),
      ratio: '',
      note: 'must be 0',
    },
    {
      label: 'missed (due, and never fired or armed and not acted on)',
      ours: String(t.missed + aBacklog.tally.missed),
      baseline: String(b.tally.missed + bBacklog.tally.missed),
      ratio: '',
      note: 'must be 0',
    },
    {
      label: 'superseded timers acted on',
      ours: String(t.actedOnSuperseded + aBacklog.tally.actedOnSuperseded),
      baseline: String(b.tally.actedOnSuperseded + bBacklog.tally.actedOnSuperseded),
      ratio: '',
      note: 'must be 0',
    },
    {
      label: 'cases holding a deadline already due',
      ours: String(t.armedLeft + aBacklog.tally.armedLeft),
      baseline: String(b.tally.armedLeft + bBacklog.tally.armedLeft),
      ratio: '',
      note: 'must be 0',
    },
    {
      label: 'planned events the engine refused',
      ours: String(t.refused + aBacklog.tally.refused),
      baseline: String(b.tally.refused + bBacklog.tally.refused),
      ratio: '',
      note: 'must be 0',
    },
  ]);
}
