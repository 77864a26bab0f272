/**
 * bench/aftersales: a simulated month of after-sales cases on durable timers (AS-2), shared by the
 * benchmark (index.ts) and its test (tests/scenarios/aftersales-timers.test.ts).
 *
 * `AftersalesMonth` holds the cases in memory, opens them through the core engine, plans what
 * buyers and agents do (deterministically per case, so every run and every driver sees the same
 * month), and keeps a tally of every timer: armed or superseded, how often it fired, whether the
 * engine acted on it, how late it fired. `deadlineHandler` is the timer handler for kind
 * `aftersales.deadline`: a small function the real case service's handler can replace.
 */
import {
  DEFAULT_AFTERSALES_SETTINGS,
  applyAftersalesEvent,
  type AftersalesCase,
  type AftersalesEvent,
  type AftersalesKind,
  type AftersalesSettings,
  type AftersalesTimer,
  type AftersalesTimerKind,
  type Clock,
} from '@xiaoer/core';
import { mulberry32 } from '../../packages/server/src/demo/demo-shop';
import type { DurableTimer } from '../../packages/server/src/storage';
import type { TimerHandler } from '../../packages/server/src/jobs/scheduler';

/** The durable timer kind of an after-sales deadline. */
export const DEADLINE_KIND = 'aftersales.deadline';
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** What an after-sales deadline timer carries: the case and the deadline it was armed for. */
export interface DeadlinePayload {
  [key: string]: unknown;
  case: string;
  kind: AftersalesTimerKind;
  at: number;
}

/** A timer row to set: one per armed deadline, its id naming the case, kind and time. */
export interface DeadlineTimer {
  id: string;
  kind: typeof DEADLINE_KIND;
  shopId: string;
  dueAt: number;
  payload: DeadlinePayload;
}

/** Sets a timer (the storage's `timers.schedule`, or a scheduler's). */
export type ScheduleTimer = (timer: DeadlineTimer) => Promise<unknown>;

/** The timer of an armed deadline. */
export function deadlineTimer(shopId: string, t: AftersalesTimer): DeadlineTimer {
  return {
    id: `aftersales:${t.case}:${t.kind}:${t.at}`,
    kind: DEADLINE_KIND,
    shopId,
    dueAt: t.at,
    payload: { case: t.case, kind: t.kind, at: t.at },
  };
}

/** Where cases are kept: the bench's map; the real one is the case storage. */
export interface CaseBook {
  settings: AftersalesSettings;
  shopId: string;
  get(id: string): AftersalesCase | undefined;
  set(c: AftersalesCase): void;
}

/**
 * The handler of `aftersales.deadline` timers (AS-2): applies the deadline event to the case, which
 * acts only if that deadline is still the one armed (a superseded timer is a no-op), and arms the
 * next deadline the case got. `observe` sees each firing (the bench's tally).
 */
export function deadlineHandler(
  book: CaseBook,
  clock: Clock,
  schedule: ScheduleTimer,
  observe?: (timer: DurableTimer, before: AftersalesCase, after: AftersalesCase) => void,
): TimerHandler {
  return async (timer) => {
    const { case: id, kind, at } = timer.payload as DeadlinePayload;
    const before = book.get(id);
    if (!before) throw new Error(`case ${id} not found`);
    const result = applyAftersalesEvent(before, { type: 'deadline', kind, at }, book.settings, clock.now());
    book.set(result.case);
    observe?.(timer, before, result.case);
    for (const t of result.timers) await schedule(deadlineTimer(book.shopId, t));
  };
}

/** A buyer's, agent's or platform's event planned for a case. */
interface PlannedEvent {
  at: number;
  seq: number;
  caseId: string;
  event: Exclude<AftersalesEvent, { type: 'deadline' | 'request' }>;
}

/** A min-heap of planned events by time (then by when they were planned). */
class EventQueue {
  private readonly items: PlannedEvent[] = [];
  private seq = 0;
  get size(): number {
    return this.items.length;
  }
  push(e: Omit<PlannedEvent, 'seq'>): void {
    const items = this.items;
    items.push({ ...e, seq: this.seq++ });
    let i = items.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(items[i]!, items[p]!)) break;
      [items[i], items[p]] = [items[p]!, items[i]!];
      i = p;
    }
  }
  peek(): PlannedEvent | undefined {
    return this.items[0];
  }
  pop(): PlannedEvent | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && before(items[l]!, items[m]!)) m = l;
        if (r < items.length && before(items[r]!, items[m]!)) m = r;
        if (m === i) break;
        [items[i], items[m]] = [items[m]!, items[i]!];
        i = m;
      }
    }
    return top;
  }
}
const before = (a: PlannedEvent, b: PlannedEvent) => a.at < b.at || (a.at === b.at && a.seq < b.seq);

/** What became of each timer, checked at the end: fired once, acted on iff still armed. */
export interface TimerTally {
  /** Timers set (one per armed deadline). */
  scheduled: number;
  /** Handler runs, all timers. */
  fired: number;
  /** Timers the handler ran more than once. */
  firedTwice: number;
  /** Timers never fired, plus armed ones the engine did not act on. */
  missed: number;
  /** Timers superseded before they were due (an agent or buyer acted) that fired as a no-op. */
  supersededNoop: number;
  /** Superseded timers the engine acted on anyway (must be 0). */
  actedOnSuperseded: number;
  /** Deadlines the engine acted on (approved, closed, refunded, flagged at their time). */
  acted: number;
  /** Cases still holding an armed deadline that is due (must be 0 once every timer fired). */
  armedLeft: number;
  /** Planned events the engine refused (must be 0: the plan only makes allowed moves). */
  refused: number;
  /** Simulated ms from each timer's due time to its firing. */
  lateness: number[];
}

interface TimerState {
  dueAt: number;
  superseded: boolean;
  fires: number;
  acted: number;
}

const KINDS: readonly [AftersalesKind, number][] = [
  ['refund-only', 0.6],
  ['return-refund', 0.3],
  ['exchange', 0.1],
];
const AGENT = { by: 'agent', agent: 'bench-cs-admin', role: 'cs_admin' } as const;

export interface MonthOptions {
  /** Open cases. */
  cases: number;
  /** The month's first instant: deadlines fall between it and `start + days`. */
  start: number;
  days?: number;
  settings?: AftersalesSettings;
  shopId?: string;
}

/**
 * A month of `cases` after-sales cases. Each is requested so that its 48 h answer deadline falls
 * evenly over the month (all opened up front, each at its own request time, so every answer timer
 * is pending when the month starts); then, per case (its own random stream, so the plan does not depend on
 * which node fired what first): 35 % approved and 10 % rejected by an agent before the deadline
 * (the answer timer is superseded), the rest approved by the system at the deadline; half the
 * refund-only cases refunded by an agent before the refund deadline; 70 % of returns shipped by
 * the buyer in time, received by the agent 12 h – 3 days later, then half refunded / reshipped in
 * time. Every other deadline is left to fire.
 */
export class AftersalesMonth implements CaseBook {
  readonly settings: AftersalesSettings;
  readonly shopId: string;
  private readonly cases = new Map<string, AftersalesCase>();
  private readonly queue = new EventQueue();
  private readonly timers = new Map<string, TimerState>();
  private unfired = 0;
  private refused = 0;
  private readonly lateness: number[] = [];
  private readonly start: number;
  private readonly days: number;

  constructor(private readonly opts: MonthOptions) {
    this.settings = opts.settings ?? DEFAULT_AFTERSALES_SETTINGS;
    this.shopId = opts.shopId ?? 'bench';
    this.start = opts.start;
    this.days = opts.days ?? 30;
  }

  get(id: string): AftersalesCase | undefined {
    return this.cases.get(id);
  }

  set(c: AftersalesCase): void {
    this.cases.set(c.id, c);
  }

  /**
   * Opens every case (its request applied at its own time) and returns the timers of their answer
   * deadlines, all set before the month starts (tallied as armed).
   */
  open(): DeadlineTimer[] {
    const out: DeadlineTimer[] = [];
    const span = this.days * DAY;
    const answer = this.settings.merchantAnswerHours * HOUR;
    for (let i = 0; i < this.opts.cases; i++) {
      const rand = mulberry32(i * 7919 + 17);
      const pick = rand();
      let acc = 0;
      let kind: AftersalesKind = 'refund-only';
      for (const [k, share] of KINDS)
        if (pick < (acc += share)) {
          kind = k;
          break;
        }
      // Deadlines evenly over the month, whole seconds.
      const deadline = this.start + Math.floor((((i + 0.5) / this.opts.cases) * span) / 1000) * 1000;
      const openedAt = deadline - answer;
      const order = {
        id: `o${i}`,
        status: 'shipped' as const,
        items: [{ productId: `p${i % 50}`, quantity: 1, priceCents: 5_000 + (i % 20) * 500 }],
        paidCents: 5_000 + (i % 20) * 500,
        paidAt: openedAt - 5 * DAY,
        shippedAt: openedAt - 4 * DAY,
      };
      const r = applyAftersalesEvent(
        undefined,
        {
          type: 'request',
          caseId: `c${i}`,
          kind,
          order,
          products: [{ id: `p${i % 50}`, special: false }],
          otherCases: [],
          reason: 'quality',
          by: 'buyer',
        },
        this.settings,
        openedAt,
      );
      this.set(r.case);
      for (const t of r.timers) out.push(this.armed(t));
      this.plan(r.case, Math.max(openedAt, this.start));
    }
    return out;
  }

  /** Applies the planned buyer and agent events due by `now`, each at its own time. */
  async applyEventsUntil(now: number, schedule: ScheduleTimer): Promise<number> {
    let n = 0;
    for (let next = this.queue.peek(); next && next.at <= now; next = this.queue.peek()) {
      this.queue.pop();
      const current = this.cases.get(next.caseId)!;
      let result;
      try {
        result = applyAftersalesEvent(current, next.event, this.settings, next.at);
      } catch {
        this.refused++;
        continue;
      }
      const was = current.deadline;
      const is = result.case.deadline;
      if (was && (!is || is.kind !== was.kind || is.at !== was.at))
        this.timers.get(deadlineTimer(this.shopId, { case: current.id, ...was }).id)!.superseded = true;
      this.set(result.case);
      for (const t of result.timers) await schedule(this.armed(t));
      this.plan(result.case, next.at);
      n++;
    }
    return n;
  }

  /** The tally's view of a firing (pass as `deadlineHandler`'s `observe`). */
  readonly observe = (timer: DurableTimer, before: AftersalesCase, after: AftersalesCase, now: number) => {
    const state = this.timers.get(timer.id);
    if (!state) throw new Error(`timer ${timer.id} was never armed`);
    if (state.fires === 0) this.unfired--;
    state.fires++;
    if (after !== before) state.acted++;
    this.lateness.push(now - timer.dueAt);
    if (after !== before) this.plan(after, now);
  };

  /** A handler for `aftersales.deadline` timers that feeds this month's tally. */
  handler(clock: Clock, schedule: ScheduleTimer): TimerHandler {
    return deadlineHandler(
      this,
      clock,
      (t) => schedule(this.armed(t)),
      (timer, b, a) => this.observe(timer, b, a, clock.now()),
    );
  }

  /** True once every timer has fired and nothing more is planned. */
  get done(): boolean {
    return this.unfired === 0 && this.queue.size === 0;
  }

  /** Counts what became of every timer (see TimerTally); with `until`, "missed" counts only those due by then. */
  tally(until = Number.POSITIVE_INFINITY): TimerTally {
    let fired = 0;
    let firedTwice = 0;
    let missed = 0;
    let supersededNoop = 0;
    let actedOnSuperseded = 0;
    let acted = 0;
    for (const s of this.timers.values()) {
      fired += s.fires;
      acted += s.acted;
      if (s.fires > 1) firedTwice++;
      if (s.dueAt <= until && (s.fires === 0 || (!s.superseded && s.acted !== 1))) missed++;
      if (s.superseded && s.acted > 0) actedOnSuperseded++;
      if (s.superseded && s.fires > 0 && s.acted === 0) supersededNoop++;
    }
    let armedLeft = 0;
    for (const c of this.cases.values()) if (c.deadline && c.deadline.at <= until) armedLeft++;
    return {
      scheduled: this.timers.size,
      fired,
      firedTwice,
      missed,
      supersededNoop,
      actedOnSuperseded,
      acted,
      armedLeft,
      refused: this.refused,
      lateness: this.lateness,
    };
  }

  /** Records a newly armed deadline's timer and returns it. */
  private armed(t: AftersalesTimer | DeadlineTimer): DeadlineTimer {
    const timer = 'id' in t ? t : deadlineTimer(this.shopId, t);
    if (!this.timers.has(timer.id)) {
      this.timers.set(timer.id, { dueAt: timer.dueAt, superseded: false, fires: 0, acted: 0 });
      this.unfired++;
    }
    return timer;
  }

  /** What the buyer or an agent does next in the case's new state, if anything (before its deadline). */
  private plan(c: AftersalesCase, now: number): void {
    const rand = mulberry32(Number(c.id.slice(1)) * 104_729 + c.history.length * 31 + 7);
    const r = rand();
    const d = c.deadline?.at;
    /** A time between `from` and the deadline, clear of both ends. */
    const until = (from: number) => {
      if (d === undefined || d - from < 2 * MINUTE) return undefined;
      return from + MINUTE + Math.floor(rand() * (d - from - 2 * MINUTE));
    };
    const push = (at: number | undefined, event: PlannedEvent['event']) => {
      if (at !== undefined) this.queue.push({ at, caseId: c.id, event });
    };
    switch (c.status) {
      case 'requested':
        if (r < 0.35) push(until(now), { type: 'approve', ...AGENT });
        else if (r < 0.45) push(until(now), { type: 'reject', ...AGENT });
        return;
      case 'approved':
        if (c.kind === 'refund-only' && r < 0.5) push(until(now + HOUR), { type: 'refund', ...AGENT });
        return;
      case 'awaiting-return':
        if (r < 0.7) push(until(now + HOUR), { type: 'ship-return', by: 'buyer' });
        return;
      case 'return-shipped':
        push(now + 12 * HOUR + Math.floor(rand() * 60 * HOUR), { type: 'receive', ...AGENT });
        return;
      case 'received':
        if (r < 0.5)
          push(
            until(now + HOUR),
            c.kind === 'exchange' ? { type: 'reship', ...AGENT } : { type: 'refund', ...AGENT },
          );
        return;
      default:
        return;
    }
  }
}

/** What fires due timers each step: a TimerScheduler (a node), or the bench's plain scan. */
export interface TimerRunner {
  runDue(): Promise<number>;
}

/** Where a drive stood at a simulated instant. */
export interface DriveMark {
  at: number;
  steps: number;
  wallMs: number;
  fired: number;
  acted: number;
  /** Simulated ms from due time to firing, of every timer fired by then. */
  lateness: number[];
}

/**
 * Drives `month` on a virtual clock from its start in steps of `stepMs`: each step sets the clock,
 * applies the buyer and agent events due by then, then lets every node fire what is due (all at
 * once, so they compete for the same rows; a different node polls first each step). Stops when every timer has fired and nothing more is
 * planned, or after `until`. Returns where it stood at `mark` (if given) and at the end.
 */
export async function driveMonth(opts: {
  month: AftersalesMonth;
  clock: { set(ms: number): void; now(): number };
  start: number;
  stepMs: number;
  nodes: readonly TimerRunner[];
  schedule: ScheduleTimer;
  until?: number;
  mark?: number;
}): Promise<{ mark?: DriveMark; end: DriveMark }> {
  const { month, clock, stepMs, nodes, schedule } = opts;
  const t0 = performance.now();
  let steps = 0;
  let mark: DriveMark | undefined;
  const here = (): DriveMark => {
    const t = month.tally();
    return {
      at: clock.now(),
      steps,
      wallMs: performance.now() - t0,
      fired: t.fired,
      acted: t.acted,
      lateness: [...t.lateness],
    };
  };
  for (let t = opts.start; ; t += stepMs) {
    clock.set(t);
    await month.applyEventsUntil(t, schedule);
    // Whoever polls first takes what is due (SQLite runs one statement at a time): the nodes take
    // turns going first, as their poll timers drift in a real cluster.
    const k = steps % nodes.length;
    await Promise.all([...nodes.slice(k), ...nodes.slice(0, k)].map((n) => n.runDue()));
    steps++;
    if (opts.mark !== undefined && !mark && t >= opts.mark) mark = here();
    if (month.done || (opts.until !== undefined && t >= opts.until)) break;
  }
  return { mark, end: here() };
}
