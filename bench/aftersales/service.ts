/**
 * bench/aftersales, part 2: the real case service. The month above fires timers into an in-memory
 * engine; here each deadline goes through `AftersalesService.onDeadline` as a worker runs it in
 * production — the case row read locked, the engine applied, the next version written with its next
 * timer and webhook events, in one transaction — on a SQLite file.
 *
 * BENCH_AFTERSALES_SERVICE_CASES (10,000) refund-only cases are stored as the service stores them,
 * their 48 h answer deadlines spread over one day. Two runs, each on a fresh file:
 * - stepped: the virtual clock moves a simulated minute per step through the day (p99 lateness);
 * - backlog: the clock jumps past every deadline at once (nodes that were down): the capacity.
 * Baseline, same run, same cases: the same timers fired into the engine alone (no case rows, as
 * the month above) — the ratio is what storing each change costs. Checks: every case approved
 * exactly once, by the system, at exactly its deadline; no due timer left.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  applyAftersalesEvent,
  DEFAULT_AFTERSALES_SETTINGS,
  FakeClock,
  silentLogger,
  randomIds,
  type AftersalesCase,
  type ShopId,
} from '@xiaoer/core';
import { AftersalesService, deadlineTimer } from '../../packages/server/src/aftersales/aftersales.service';
import { TimerScheduler } from '../../packages/server/src/jobs/scheduler';
import { openStorage, type DurableTimer, type Storage } from '../../packages/server/src/storage';
import { fmt, printTable, quantile } from '../lib/stats';

const N = Number(process.env.BENCH_AFTERSALES_SERVICE_CASES ?? 10_000);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.parse('2026-12-01T00:00:00+08:00');
const SHOP = 'shop-bench' as ShopId;

interface Run {
  fired: number;
  wallMs: number;
  lateness: number[];
  /** The cases as stored (or kept in memory) at the end. */
  cases: AftersalesCase[];
  dueLeft: number;
}

/** The cases, opened `48 h` before deadlines spread evenly over the day after START + 48 h. */
function openCases(): AftersalesCase[] {
  const out: AftersalesCase[] = [];
  for (let i = 0; i < N; i++) {
    const openedAt = START + Math.floor((i * DAY) / N);
    out.push(
      applyAftersalesEvent(
        undefined,
        {
          type: 'request',
          caseId: `as_b${i}`,
          kind: 'refund-only',
          order: {
            id: `o${i}`,
            status: 'paid',
            items: [{ productId: 'p', quantity: 1, priceCents: 5000 }],
            paidCents: 5000,
            paidAt: openedAt - HOUR,
            shippedAt: null,
          },
          products: [{ id: 'p', special: false }],
          otherCases: [],
          reason: '不想要了',
          by: 'buyer',
        },
        DEFAULT_AFTERSALES_SETTINGS,
        openedAt,
      ).case,
    );
  }
  return out;
}

async function store(storage: Storage, cases: AftersalesCase[], rows: boolean): Promise<void> {
  await storage.db.kysely
    .insertInto('shops')
    .values({
      id: SHOP,
      slug: 'bench',
      name: 'bench',
      secret: 'x',
      time_zone: 'Asia/Shanghai',
      service_hours: '',
      created_at: START,
      bot_settings: null,
      model_settings: null,
      routing_settings: null,
      compliance_settings: null,
      metrics_settings: null,
      aftersales_settings: null,
      org_id: null,
      welcome_message: null,
    })
    .execute();
  for (let i = 0; i < cases.length; i += 500)
    await storage.db.kysely.transaction().execute(async (trx) => {
      for (const c of cases.slice(i, i + 500)) {
        if (rows)
          await storage.aftersales.insertIn(trx, {
            shopId: SHOP,
            buyerId: `b${c.id}`,
            conversationId: null,
            externalId: null,
            case: c,
            workflow: null,
            evidence: [],
            version: 1,
            updatedAt: c.openedAt,
            finishedAt: null,
            rating: null,
          });
        await storage.timers.schedule(deadlineTimer(SHOP, c.id, c.deadline!), c.openedAt, trx);
      }
    });
}

async function drive(dir: string, name: string, service: boolean, backlog: boolean): Promise<Run> {
  const storage = await openStorage(`sqlite:${join(dir, `${name}.db`)}`);
  try {
    const cases = openCases();
    await store(storage, cases, service);
    const clock = new FakeClock(START + 48 * HOUR);
    const lateness: number[] = [];
    const memory = new Map(cases.map((c) => [c.id, c]));
    const real = new AftersalesService({
      logger: silentLogger,
      storage,
      clock,
      ids: randomIds,
      kickWebhooks: () => undefined,
      timerSet: () => undefined,
    });
    const handler = async (timer: DurableTimer) => {
      lateness.push(clock.now() - timer.dueAt);
      if (service) return real.onDeadline(timer);
      const { caseId, kind, at } = timer.payload as { caseId: string; kind: 'merchant-answer'; at: number };
      const c = memory.get(caseId)!;
      memory.set(
        caseId,
        applyAftersalesEvent(c, { type: 'deadline', kind, at }, DEFAULT_AFTERSALES_SETTINGS, clock.now())
          .case,
      );
    };
    const scheduler = new TimerScheduler({
      logger: silentLogger,
      timers: storage.timers,
      clock,
      nodeId: 'bench',
      handlers: { 'aftersales.deadline': handler },
      batch: 50,
    });
    const end = START + 48 * HOUR + DAY;
    const t0 = performance.now();
    let fired = 0;
    if (backlog) {
      clock.set(end);
      fired += await scheduler.runDue();
    } else
      for (let at = START + 48 * HOUR; at <= end; at += 60_000) {
        clock.set(at);
        fired += await scheduler.runDue();
      }
    const wallMs = performance.now() - t0;
    const stored = service
      ? (await storage.aftersales.list(SHOP, { view: 'all', limit: N + 1 })).map((r) => r.case)
      : [...memory.values()];
    const dueLeft = (await storage.timers.list({ kind: 'aftersales.deadline' })).filter(
      (t) => t.firedAt === null && t.dueAt <= clock.now(),
    ).length;
    return { fired, wallMs, lateness, cases: stored, dueLeft };
  } finally {
    await storage.close();
  }
}

/** Cases not approved exactly once, by the system, at exactly their answer deadline. */
function wrong(run: Run): number {
  return run.cases.filter((c) => {
    const approvals = c.history.filter((h) => h.status === 'approved');
    const due = c.openedAt + 48 * HOUR;
    return approvals.length !== 1 || approvals[0]!.by !== 'system' || approvals[0]!.at !== due;
  }).length;
}

export async function runService(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'xiaoer-bench-as-service-'));
  try {
    const stepped = await drive(dir, 'stepped', true, false);
    const steppedBase = await drive(dir, 'stepped-base', false, false);
    const backlog = await drive(dir, 'backlog', true, true);
    const backlogBase = await drive(dir, 'backlog-base', false, true);
    const perSecond = (r: Run) => r.fired / (r.wallMs / 1000);
    const sec = (ms: number) => fmt(ms / 1000, 0);
    console.log(
      `\nThe real case service on a SQLite file: ${N} refund-only cases stored as the service stores ` +
        `them, 48 h answer deadlines over one day, one scheduler (batch 50); each firing reads the ` +
        `case locked, applies the engine and writes the case with its next timer in one transaction. ` +
        `Baseline: the same timers fired into the engine alone (no case rows).`,
    );
    printTable('aftersales deadlines through the case service', [
      {
        label: 'backlog: every deadline due at once, fired / s',
        ours: fmt(perSecond(backlog), 0),
        baseline: fmt(perSecond(backlogBase), 0),
        ratio: `${fmt(perSecond(backlog) / perSecond(backlogBase), 2)}×`,
        note: `${backlog.fired} / ${backlogBase.fired} fired`,
      },
      {
        label: 'stepped (1 simulated min), wall ms for the day',
        ours: fmt(stepped.wallMs, 0),
        baseline: fmt(steppedBase.wallMs, 0),
        ratio: `${fmt(stepped.wallMs / steppedBase.wallMs, 2)}×`,
        note: '1,441 steps',
      },
      {
        label: 'p99 / max lateness, stepped (simulated s)',
        ours: `${sec(quantile(stepped.lateness, 0.99))} / ${sec(Math.max(...stepped.lateness))}`,
        baseline: `${sec(quantile(steppedBase.lateness, 0.99))} / ${sec(Math.max(...steppedBase.lateness))}`,
        ratio: '',
        note: 'a step is 60 s',
      },
      {
        label: 'cases not approved once, by the system, at their deadline',
        ours: String(wrong(stepped) + wrong(backlog)),
        baseline: String(wrong(steppedBase) + wrong(backlogBase)),
        ratio: '',
        note: 'must be 0',
      },
      {
        label: 'due deadlines left unfired',
        ours: String(stepped.dueLeft + backlog.dueLeft),
        baseline: String(steppedBase.dueLeft + backlogBase.dueLeft),
        ratio: '',
        note: 'must be 0',
      },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
