import type { Clock, Logger } from '@xiaoer/core';
import type { DurableTimer } from '../storage';
import type { TimerRepository } from '../storage/timer.repository';

/** After this many failed runs a timer is marked given up (fired, with its last error). */
const MAX_ATTEMPTS = 10;

/** Runs a fired timer; a recurring one returns when it is due next. */
export type TimerHandler = (timer: DurableTimer) => Promise<void | { repeatAt: number }>;

export interface SchedulerOptions {
  timers: TimerRepository;
  clock: Clock;
  /** This node (recorded on each claim and firing). */
  nodeId: string;
  handlers: Record<string, TimerHandler>;
  /** How often due rows are looked for (a timer set on another node fires within this). */
  pollMs?: number;
  /** How long a claim holds; a node that dies mid-run leaves it to another node after this. */
  leaseMs?: number;
  /** Rows claimed per query. */
  batch?: number;
  /** Where failed, given-up and overrun timers are told. */
  logger: Logger;
}

/**
 * Durable timers (ARCHITECTURE.md): deadlines live in the `timers` table; every worker node polls
 * for due rows and claims them (`FOR UPDATE SKIP LOCKED` on PostgreSQL), so a deadline fires on one
 * node once, and one set before a crash or restart still fires. A failed handler is retried with
 * backoff (by any node); a handler must be safe to run again after a node died mid-run.
 */
export class TimerScheduler {
  private running = false;
  private stopped = false;
  private wake: ReturnType<typeof setTimeout> | undefined;
  private wakeAt = Number.POSITIVE_INFINITY;
  private ticking: Promise<void> | undefined;
  private again = false;
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private readonly batch: number;

  constructor(private readonly opts: SchedulerOptions) {
    this.pollMs = opts.pollMs ?? 1000;
    this.leaseMs = opts.leaseMs ?? 30_000;
    this.batch = opts.batch ?? 50;
  }

  /** Sets a deadline (kept if the id is already set); this node wakes for it if it runs timers. */
  async schedule(timer: {
    id: string;
    kind: string;
    shopId: string | null;
    dueAt: number;
    payload?: Record<string, unknown>;
  }): Promise<boolean> {
    const created = await this.opts.timers.schedule(timer, this.opts.clock.now());
    if (created && this.running) this.arm(timer.dueAt);
    return created;
  }

  /** A timer due at `at` was set in a committed write: this node wakes for it if it runs timers. */
  wakeFor(at: number): void {
    if (this.running) this.arm(at);
  }

  /** Starts claiming due timers on this node (a worker). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.kick();
  }

  /** Stops claiming; waits for the timers being run to finish. */
  async stop(): Promise<void> {
    this.running = false;
    this.stopped = true;
    if (this.wake) clearTimeout(this.wake);
    this.wake = undefined;
    await this.ticking;
  }

  /** Fires every timer due now (the worker's pass; tests call it with a fake clock). */
  async runDue(): Promise<number> {
    let fired = 0;
    for (;;) {
      const now = this.opts.clock.now();
      const claimed = await this.opts.timers.claimDue(
        this.opts.nodeId,
        now,
        this.leaseMs,
        this.batch,
        Object.keys(this.opts.handlers),
      );
      for (const timer of claimed) if (await this.fire(timer)) fired++;
      if (claimed.length < this.batch || this.stopped) return fired;
    }
  }

  private async fire(timer: DurableTimer): Promise<boolean> {
    const { timers, clock, nodeId, handlers } = this.opts;
    const log = this.opts.logger.child({
      timer: timer.id,
      kind: timer.kind,
      ...(timer.shopId ? { shop: timer.shopId } : {}),
    });
    // The claim covered the whole batch: renew it for this timer, or leave it to whoever took it.
    if (!(await timers.renew(timer.id, nodeId, clock.now() + this.leaseMs))) return false;
    if (timer.attempts > MAX_ATTEMPTS) {
      log.error(`timer given up after ${MAX_ATTEMPTS} attempts`, { lastError: timer.lastError });
      await timers.complete(
        timer.id,
        nodeId,
        clock.now(),
        `given up after ${MAX_ATTEMPTS} attempts: ${timer.lastError ?? ''}`,
      );
      return false;
    }
    try {
      const result = await handlers[timer.kind]!(timer);
      if (result && typeof result.repeatAt === 'number') {
        await timers.reschedule(timer.id, nodeId, result.repeatAt);
        if (this.running) this.arm(result.repeatAt);
      } else if (!(await timers.complete(timer.id, nodeId, clock.now())))
        log.warn('timer ran past its claim; another node may run it again');
      return true;
    } catch (error) {
      // Retried with backoff: 1 s, 2 s, 4 s … up to 5 minutes.
      const retryAt = clock.now() + Math.min(300_000, 1000 * 2 ** Math.min(timer.attempts - 1, 9));
      log.error('timer failed, retrying', { retryAt, err: error });
      await timers
        .fail(timer.id, nodeId, error instanceof Error ? error.message : String(error), retryAt)
        .catch((e: unknown) => log.error('timer failure not recorded', { err: e }));
      return false;
    }
  }

  /** Wakes at `at` if that is sooner than the next planned pass. */
  private arm(at: number): void {
    const delay = Math.max(0, at - this.opts.clock.now());
    const when = Date.now() + delay;
    if (when >= this.wakeAt) return;
    if (this.wake) clearTimeout(this.wake);
    this.wakeAt = when;
    this.wake = setTimeout(() => this.kick(), delay);
    this.wake.unref();
  }

  private kick(): void {
    if (!this.running) return;
    this.wake = undefined;
    this.wakeAt = Number.POSITIVE_INFINITY;
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = this.runDue()
      .catch((error: unknown) => this.opts.logger.error('timer pass failed', { err: error }))
      .then(() => {
        this.ticking = undefined;
        if (!this.running) return;
        if (this.again) {
          this.again = false;
          this.kick();
        } else this.arm(this.opts.clock.now() + this.pollMs);
      });
  }
}
