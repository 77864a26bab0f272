/**
 * The after-sales simulator's engine (`xiaoer aftersales simulate`): replays a scenario through
 * applyAftersalesEvent with a virtual clock. Timers fire in time order, exactly at their deadline,
 * before any event at the same instant; a timer the case has moved past does nothing.
 */
import { DomainError } from '../kernel';
import { applyAftersalesEvent } from './aftersales.engine';
import type {
  AftersalesBy,
  AftersalesCase,
  AftersalesChange,
  AftersalesEvent,
  AftersalesKind,
  AftersalesOrder,
  AftersalesProduct,
  AftersalesSettings,
  AftersalesTimer,
} from './aftersales.types';

type Party = Exclude<AftersalesEvent, { type: 'deadline' | 'request' }>;

/** What a scenario event does to its case; a request names its order by id. */
export type AftersalesScenarioAction =
  | ({
      type: 'request';
      order: string;
      kind: AftersalesKind;
      reason: string;
      amountCents?: number;
      productIds?: string[];
    } & AftersalesBy)
  | Party;

/** One event of a scenario: a time in ms, the case and the action. */
export interface AftersalesScenarioEvent {
  at: number;
  case: string;
  action: AftersalesScenarioAction;
}

/** A scenario, times already parsed. */
export interface AftersalesScenario {
  settings: AftersalesSettings;
  products: AftersalesProduct[];
  orders: AftersalesOrder[];
  events: AftersalesScenarioEvent[];
}

/** A refused event: the error code, the field at fault and the index of the event. */
export interface AftersalesSimulationError {
  at: number;
  event: number;
  case: string;
  code: string;
  field: string | null;
  message: string;
}

/** The figures after a run. */
export interface AftersalesSummary {
  cases: number;
  open: number;
  byStatus: Record<string, number>;
  autoApproved: number;
  autoRefunded: number;
  closedReturnNotShipped: number;
  flagged: number;
  escalations: number;
  refundedYuan: number;
  timersArmed: number;
  timersFired: number;
  timersSuperseded: number;
  errors: number;
}

/** The simulator's result: changes and refusals in time order, the final cases, the summary. */
export interface AftersalesSimulationResult {
  changes: AftersalesChange[];
  errors: AftersalesSimulationError[];
  cases: Map<string, AftersalesCase>;
  summary: AftersalesSummary;
}

/** A min-heap of timers by (at, arm order): deadlines fire in time order, ties as armed. */
class TimerHeap {
  private items: { t: AftersalesTimer; seq: number }[] = [];
  private seq = 0;
  get size() {
    return this.items.length;
  }
  peek(): AftersalesTimer | undefined {
    return this.items[0]?.t;
  }
  push(t: AftersalesTimer) {
    const a = this.items;
    a.push({ t, seq: this.seq++ });
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  pop(): AftersalesTimer | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l]!, a[m]!)) m = l;
        if (r < a.length && this.less(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top?.t;
  }
  private less(x: { t: AftersalesTimer; seq: number }, y: { t: AftersalesTimer; seq: number }) {
    return x.t.at < y.t.at || (x.t.at === y.t.at && x.seq < y.seq);
  }
}

/** Replays a scenario; events are taken in time order (stable for equal times). */
export function simulateAftersales(scenario: AftersalesScenario): AftersalesSimulationResult {
  const { settings } = scenario;
  const orders = new Map(scenario.orders.map((o) => [o.id, o]));
  const cases = new Map<string, AftersalesCase>();
  const changes: AftersalesChange[] = [];
  const errors: AftersalesSimulationError[] = [];
  const timers = new TimerHeap();
  let armed = 0;
  let fired = 0;
  let superseded = 0;

  const record = (r: { case: AftersalesCase; changes: AftersalesChange[]; timers: AftersalesTimer[] }) => {
    cases.set(r.case.id, r.case);
    changes.push(...r.changes);
    for (const t of r.timers) {
      timers.push(t);
      armed++;
    }
  };

  const othersRefunded = (c: AftersalesCase | undefined) =>
    c
      ? [...cases.values()]
          .filter((o) => o.orderId === c.orderId && o.id !== c.id)
          .reduce((n, o) => n + o.refundedCents, 0)
      : 0;

  const fireUntil = (until: number) => {
    while (timers.size > 0 && timers.peek()!.at <= until) {
      const t = timers.pop()!;
      const current = cases.get(t.case);
      const r = applyAftersalesEvent(
        current,
        { type: 'deadline', kind: t.kind, at: t.at, otherRefundedCents: othersRefunded(current) },
        settings,
        t.at,
      );
      if (r.changes.length === 0) superseded++;
      else fired++;
      record(r);
    }
  };

  const ordered = scenario.events
    .map((e, index) => ({ e, index }))
    .sort((a, b) => a.e.at - b.e.at || a.index - b.index);
  for (const { e, index } of ordered) {
    fireUntil(e.at);
    try {
      let event: AftersalesEvent;
      if (e.action.type === 'request') {
        const { order: orderId, ...rest } = e.action;
        const order = orders.get(orderId);
        if (!order) throw new DomainError('not_found', `order: order ${orderId} not found`, 'order');
        event = {
          ...rest,
          caseId: e.case,
          order,
          products: scenario.products,
          otherCases: [...cases.values()].filter((c) => c.orderId === orderId),
        };
      } else if (e.action.type === 'refund' || e.action.type === 'compensate')
        event = { ...e.action, otherRefundedCents: othersRefunded(cases.get(e.case)) };
      else event = e.action;
      record(applyAftersalesEvent(cases.get(e.case), event, settings, e.at));
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      errors.push({
        at: e.at,
        event: index,
        case: e.case,
        code: error.code,
        field: error.field ?? null,
        message: error.message,
      });
    }
  }
  fireUntil(Number.POSITIVE_INFINITY);

  const byStatus: Record<string, number> = {};
  let open = 0;
  let refunded = 0;
  for (const c of cases.values()) {
    byStatus[c.status] = (byStatus[c.status] ?? 0) + 1;
    if (!['rejected', 'refunded', 'reshipped', 'compensated', 'closed'].includes(c.status)) open++;
    refunded += c.refundedCents;
  }
  const marks = (reason: string) =>
    [...cases.values()].reduce((n, c) => n + c.history.filter((h) => h.reason === reason).length, 0);
  const count = (pred: (c: AftersalesChange) => boolean) => changes.filter(pred).length;
  return {
    changes,
    errors,
    cases,
    summary: {
      cases: cases.size,
      open,
      byStatus,
      autoApproved: count((c) => c.status === 'approved' && c.by === 'system'),
      autoRefunded: count((c) => c.status === 'refunded' && c.by === 'system'),
      closedReturnNotShipped: count((c) => c.reason === 'return-not-shipped'),
      flagged: marks('refund-overdue'),
      escalations: marks('escalated'),
      refundedYuan: refunded / 100,
      timersArmed: armed,
      timersFired: fired,
      timersSuperseded: superseded,
      errors: errors.length,
    },
  };
}
