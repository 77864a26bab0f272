import {
  checkPromise,
  nextPromiseStatus,
  promiseAtRiskAt,
  promiseCheckSettingsOf,
  promiseDueAt,
  SETTLED_PROMISE_STATUSES,
  type Clock,
  type PromiseCaseFacts,
  type RecordedPromise,
  type ShopId,
  type StoredPromise,
} from '@xiaoer/core';
import type { DurableTimer, Storage } from '../storage';

/** The durable timers' kind: one at the at-risk time, one just past the due time. */
export const PROMISE_TIMER_KIND = 'promise.check';

/** An order's after-sales cases as the promise check reads them (wired by the after-sales service). */
export type CasesOf = (shopId: ShopId, orderId: string) => Promise<PromiseCaseFacts[]>;

export interface PromiseWatchDeps {
  storage: Pick<Storage, 'compliance' | 'orders'>;
  clock: Clock;
  /** Sets a durable timer (kept if its id is already set). */
  schedule: (timer: {
    id: string;
    kind: string;
    shopId: string;
    dueAt: number;
    payload: Record<string, unknown>;
  }) => Promise<unknown>;
  casesOf: CasesOf;
  /** The supervisor hears of a promise gone at risk or broken (once per change). */
  alert: (promise: StoredPromise) => void;
}

/**
 * CMP-4 (issue #19): recorded promises checked against what happened. Each promise is checked when
 * it is recorded, by two durable timers (at the at-risk time — the due time less the shop's lead —
 * and one millisecond past the due time, when an unkept promise is broken), and whenever its order
 * is written through the v1 API (shipped, carrier), so a kept promise is kept at once. A check
 * changes a promise's stored status only from what it read (compare-and-set), so a timer and an
 * order write checking at once alert the supervisor once.
 */
export class PromiseWatch {
  constructor(private readonly deps: PromiseWatchDeps) {}

  /** Promises just recorded: checked now (a buyer without an order: void) and their timers set. */
  async recorded(promises: readonly RecordedPromise[]): Promise<void> {
    for (const p of promises) {
      const stored = await this.check(p.shopId, p.id);
      if (stored && !SETTLED_PROMISE_STATUSES.includes(stored.status)) await this.arm(stored);
    }
  }

  /** An order was written (v1 API): its open promises are checked again. */
  async orderWritten(shopId: ShopId, orderId: string): Promise<void> {
    for (const p of await this.deps.storage.compliance.listOpenPromisesOfOrder(shopId, orderId))
      await this.check(shopId, p.id);
  }

  /** A promise timer fired. */
  async onTimer(timer: DurableTimer): Promise<void> {
    const id = timer.payload.promiseId;
    if (typeof id === 'string' && timer.shopId) await this.check(timer.shopId as ShopId, id);
  }

  /**
   * At a worker's start: every open promise's timers set again (kept when already there), for one
   * whose node died between recording it and setting them. Returns how many were looked at.
   */
  async rearm(): Promise<number> {
    let after: string | null = null;
    let n = 0;
    for (;;) {
      const page = await this.deps.storage.compliance.listOpenPromises(after, 500);
      for (const p of page) await this.arm(p);
      n += page.length;
      if (page.length < 500) return n;
      after = page.at(-1)!.id;
    }
  }

  /** Checks one promise now; returns it as stored after the check (undefined when unknown). */
  async check(shopId: ShopId, id: string): Promise<StoredPromise | undefined> {
    const { storage, clock } = this.deps;
    // A check that lost a race to another reads the promise again and checks that.
    for (let attempt = 0; attempt < 3; attempt++) {
      const stored = await storage.compliance.findPromise(shopId, id);
      if (!stored || SETTLED_PROMISE_STATUSES.includes(stored.status)) return stored;
      const settings = promiseCheckSettingsOf(await storage.compliance.complianceSettings(shopId));
      const order = stored.orderId ? await storage.orders.findOrder(shopId, stored.orderId) : undefined;
      const cases =
        stored.orderId && (stored.kind === 'exchange' || stored.kind === 'refund')
          ? await this.deps.casesOf(shopId, stored.orderId)
          : [];
      const now = clock.now();
      const verdict = checkPromise(stored, { order, cases }, now, settings);
      const next = nextPromiseStatus(stored.status, verdict);
      if (!next.changed) return stored;
      const to = {
        status: next.status,
        reason: verdict.reason,
        checkedAt: now,
        ...(next.status === 'at-risk' ? { atRiskAt: now } : {}),
        ...(SETTLED_PROMISE_STATUSES.includes(next.status) ? { settledAt: verdict.settledAt ?? now } : {}),
      };
      if (!(await storage.compliance.settlePromise(shopId, id, stored.status, to))) continue;
      const updated: StoredPromise = {
        ...stored,
        status: to.status,
        reason: to.reason,
        checkedAt: now,
        atRiskAt: to.atRiskAt ?? stored.atRiskAt,
        settledAt: to.settledAt ?? stored.settledAt,
      };
      if (next.alert) this.deps.alert(updated);
      return updated;
    }
    return storage.compliance.findPromise(shopId, id);
  }

  /** Sets a promise's two timers (none for a promise without a due time: a carrier's). */
  private async arm(p: StoredPromise): Promise<void> {
    const settings = promiseCheckSettingsOf(await this.deps.storage.compliance.complianceSettings(p.shopId));
    const due = promiseDueAt(p, settings);
    const atRisk = promiseAtRiskAt(p, settings);
    if (due === undefined || atRisk === undefined) return;
    const timer = (name: string, dueAt: number) =>
      this.deps.schedule({
        id: `${PROMISE_TIMER_KIND}:${name}:${p.id}`,
        kind: PROMISE_TIMER_KIND,
        shopId: p.shopId,
        dueAt,
        payload: { promiseId: p.id },
      });
    if (p.status === 'pending') await timer('at-risk', atRisk);
    // Broken is "past due": the settling check runs one millisecond after the due time.
    await timer('due', due + 1);
  }
}
