/**
 * CMP-4: promises checked against what happened (issue #19). A promise an agent made in chat
 * (recorded by the guard: ship-by, carrier, exchange, refund) is compared with the order's data
 * (shipped time, carrier, tracking) and the order's after-sales cases, and is
 * - `kept`: it happened, in time;
 * - `broken`: its due time passed without it, or the parcel left late or with another carrier;
 * - `at-risk`: not kept yet and its due time is near (within the shop's lead): still avoidable,
 *   so the supervisor is told now;
 * - `pending`: not kept yet, due time not near;
 * - `void`: nothing to check it against — the agent had no order of the buyer to promise on, or the
 *   order was closed (cancelled) before it shipped; counted neither kept nor broken.
 * Pure: the server feeds it the facts and a time, and stores what it says.
 */
import type { AftersalesPurpose, AftersalesStatus } from '../aftersales/aftersales.types';
import { HOUR } from '../kernel/clock';
import type { LogisticsEvent, OrderStatus } from '../orders/order.types';
import type { RecordedPromise } from './compliance.guard';
import type { PromiseKind } from './compliance.types';

/** What a promise is now (see the module comment). */
export type PromiseStatus = 'pending' | 'at-risk' | 'kept' | 'broken' | 'void';
export const PROMISE_STATUSES: readonly PromiseStatus[] = ['pending', 'at-risk', 'kept', 'broken', 'void'];

/** Statuses a promise never leaves once it has them. */
export const SETTLED_PROMISE_STATUSES: readonly PromiseStatus[] = ['kept', 'broken', 'void'];

/** Why a promise has its status (the console words each one). */
export type PromiseReason =
  /** ship-by: the parcel left by the due time. */
  | 'shipped-in-time'
  /** ship-by: the parcel left after the due time. */
  | 'shipped-late'
  /** ship-by: due, and the parcel has not left. */
  | 'not-shipped'
  /** carrier: it left with the promised carrier. */
  | 'same-carrier'
  /** carrier: it left with another carrier. */
  | 'other-carrier'
  /** exchange / refund: the case finished as promised in time. */
  | 'case-done'
  /** exchange / refund: due, and no case of that purpose finished as promised by then. */
  | 'case-not-done'
  /** void: the promise was made with no order of the buyer on record. */
  | 'no-order'
  /** void: the order was closed (cancelled) before it shipped. */
  | 'order-closed'
  /** at-risk: the due time is within the lead. */
  | 'due-soon'
  /** pending: nothing yet, and nothing near. */
  | 'waiting';

/** A recorded promise, as much of it as the check reads. */
export interface PromiseToCheck {
  kind: PromiseKind;
  /** The carrier's name for a carrier promise; the promise's words otherwise. */
  detail: string;
  /** When the text said it falls due; absent, the kind's default window from `createdAt` applies. */
  dueAt?: number;
  createdAt: number;
  /** Whether it was recorded against an order (null: the buyer had none). */
  orderId: string | null;
}

/** The order's data the check reads (from the orders table: the shop's system writes it). */
export interface PromiseOrderFacts {
  status: OrderStatus;
  shippedAt: number | null;
  carrier: string | null;
  logistics: readonly LogisticsEvent[];
}

/** One of the order's after-sales cases, as the check reads it (AS-1). */
export interface PromiseCaseFacts {
  purpose: AftersalesPurpose;
  status: AftersalesStatus;
  /** When it reached a finished status (null while open). */
  finishedAt: number | null;
}

/** What happened: the order (undefined when it cannot be found) and its after-sales cases. */
export interface PromiseFacts {
  order: PromiseOrderFacts | undefined;
  cases: readonly PromiseCaseFacts[];
}

/** How promises are checked: the lead before the due time, and windows for promises without one. */
export interface PromiseCheckSettings {
  /** A promise not kept this close to its due time is at risk (default 4 hours). */
  leadMs: number;
  /**
   * The due time of a promise whose text named none, counted from when it was made:
   * ship-by 48 h (the platforms' standard shipping promise), exchange 7 days and refund 3 days
   * (the merchant's after-sales deadlines the AS-2 defaults give, after the buyer's 48-hour answer
   * window). Carrier promises have none: they are settled when the parcel leaves.
   */
  windowsMs: Record<Exclude<PromiseKind, 'carrier'>, number>;
}

/** The defaults (module comment of `PromiseCheckSettings`). */
export const DEFAULT_PROMISE_CHECK_SETTINGS: PromiseCheckSettings = {
  leadMs: 4 * HOUR,
  windowsMs: { 'ship-by': 48 * HOUR, exchange: 7 * 24 * HOUR, refund: 3 * 24 * HOUR },
};

/** A recorded promise with what its checks found (CMP-4, issue #19). */
export interface StoredPromise extends RecordedPromise {
  status: PromiseStatus;
  /** Why it has its status; null until first checked. */
  reason: PromiseReason | null;
  /** When it was last checked; null until then. */
  checkedAt: number | null;
  /** When it was flagged at risk to the supervisor; null if it never was. */
  atRiskAt: number | null;
  /** When it was kept or broken (or found void); null while open. */
  settledAt: number | null;
}

/** The verdict on a promise now. */
export interface PromiseVerdict {
  status: PromiseStatus;
  reason: PromiseReason;
  /** When it was kept or broken (the parcel's departure, the case's finish, or the due time). */
  settledAt?: number;
}

/**
 * When a promise falls due: what its text said, else its kind's default window from when it was
 * made; undefined for a carrier promise (settled by the parcel leaving, whenever that is).
 */
export function promiseDueAt(
  p: Pick<PromiseToCheck, 'kind' | 'dueAt' | 'createdAt'>,
  settings: PromiseCheckSettings = DEFAULT_PROMISE_CHECK_SETTINGS,
): number | undefined {
  if (p.dueAt !== undefined) return p.dueAt;
  if (p.kind === 'carrier') return undefined;
  return p.createdAt + settings.windowsMs[p.kind];
}

/** When a promise not kept by then is at risk (never before it was made); undefined without a due time. */
export function promiseAtRiskAt(
  p: Pick<PromiseToCheck, 'kind' | 'dueAt' | 'createdAt'>,
  settings: PromiseCheckSettings = DEFAULT_PROMISE_CHECK_SETTINGS,
): number | undefined {
  const due = promiseDueAt(p, settings);
  return due === undefined ? undefined : Math.max(p.createdAt, due - settings.leadMs);
}

// Carriers by their names, short names and codes as shops' systems write them.
const CARRIER_ALIASES: Record<string, readonly string[]> = {
  sf: ['顺丰', 'sf', 'sfexpress', 'shunfeng', '顺丰速运', '顺丰快递', '顺丰速递'],
  // EMS is China Post's express service: a promise of 邮政 is kept by EMS and the other way round.
  chinapost: ['邮政', '中国邮政', 'ems', '邮政ems', '中国邮政ems', 'chinapost', 'youzheng', '邮政快递包裹'],
  jd: ['京东', '京东快递', '京东物流', 'jd', 'jdl', 'jingdong'],
  yto: ['圆通', 'yto', 'yuantong', '圆通速递'],
  zto: ['中通', 'zto', 'zhongtong', '中通快递'],
  sto: ['申通', 'sto', 'shentong', '申通快递'],
  yunda: ['韵达', 'yunda', 'yd', '韵达快递', '韵达速递'],
  jt: ['极兔', 'jt', 'j&t', 'jtexpress', 'j&texpress', '极兔速递'],
  deppon: ['德邦', 'deppon', 'db', '德邦快递', '德邦物流'],
  best: ['百世', 'best', 'htky', '百世快递', '百世汇通'],
  tiantian: ['天天', '天天快递', 'ttkd'],
  zjs: ['宅急送', 'zjs'],
  uc: ['优速', 'uc', 'uce', '优速快递'],
  kye: ['跨越', 'kye', '跨越速运'],
  fengwang: ['丰网', 'fwx', '丰网速运'],
  cainiao: ['菜鸟', 'cainiao', '菜鸟裹裹', '菜鸟速递'],
};
const ALIAS_TO_CARRIER = new Map<string, string>(
  Object.entries(CARRIER_ALIASES).flatMap(([code, names]) => names.map((n) => [n, code] as const)),
);
// Words that make no difference to which carrier it is.
const CARRIER_NOISE =
  /\(中国\)|有限公司|股份|集团|公司|速运|速递|快递|物流|express|logistics|delivery|[\s·・.\-_()]/g;

/**
 * A carrier's name as one code (顺丰 / SF / 顺丰速运 / SF Express → "sf"), so a promise and the
 * order's carrier compare however each was written; an unknown carrier is its trimmed, lower-case,
 * half-width name. Empty for no name.
 */
export function normalizeCarrier(name: string): string {
  const plain = name.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, '');
  if (!plain) return '';
  const direct = ALIAS_TO_CARRIER.get(plain);
  if (direct) return direct;
  const bare = plain.replace(CARRIER_NOISE, '');
  return ALIAS_TO_CARRIER.get(bare) ?? (bare || plain);
}

/** Whether two carrier names are the same carrier. */
export function sameCarrier(a: string, b: string): boolean {
  const x = normalizeCarrier(a);
  return x !== '' && x === normalizeCarrier(b);
}

/**
 * When the parcel left: the order's shipped time; else the first tracking scan; else, for an order
 * whose status says it went (shipped, completed) with no time at all, `now` — when we learn of it,
 * the latest it can have left. Null while it has not.
 */
export function shippedTimeOf(order: PromiseOrderFacts, now: number): number | null {
  if (order.shippedAt !== null) return order.shippedAt;
  if (order.logistics.length > 0) return Math.min(...order.logistics.map((e) => e.at));
  return order.status === 'shipped' || order.status === 'completed' ? now : null;
}

// What finishes each promised purpose well: an exchange (or a reship, 补发 / 重发) is kept when the
// new goods went out; a refund when the money went back.
const KEPT_BY: Record<
  'exchange' | 'refund',
  { purposes: readonly AftersalesPurpose[]; status: AftersalesStatus }
> = {
  exchange: { purposes: ['exchange', 'reship'], status: 'reshipped' },
  refund: { purposes: ['refund'], status: 'refunded' },
};

/** Not kept yet: at risk within the lead of the due time, broken past it, pending before. */
function unkept(
  due: number | undefined,
  atRisk: number | undefined,
  now: number,
  brokenReason: PromiseReason,
): PromiseVerdict {
  if (due !== undefined && now > due) return { status: 'broken', reason: brokenReason, settledAt: due };
  if (atRisk !== undefined && now >= atRisk) return { status: 'at-risk', reason: 'due-soon' };
  return { status: 'pending', reason: 'waiting' };
}

/**
 * CMP-4: the verdict on a promise at `now`, from the facts. A due time is inclusive: shipped at
 * the very millisecond it falls due is in time; one millisecond after, without it, is broken.
 */
export function checkPromise(
  promise: PromiseToCheck,
  facts: PromiseFacts,
  now: number,
  settings: PromiseCheckSettings = DEFAULT_PROMISE_CHECK_SETTINGS,
): PromiseVerdict {
  if (promise.orderId === null || facts.order === undefined) return { status: 'void', reason: 'no-order' };
  const order = facts.order;
  const due = promiseDueAt(promise, settings);
  const atRisk = promiseAtRiskAt(promise, settings);
  switch (promise.kind) {
    case 'ship-by': {
      const shipped = shippedTimeOf(order, now);
      if (shipped !== null)
        return shipped <= due!
          ? { status: 'kept', reason: 'shipped-in-time', settledAt: shipped }
          : { status: 'broken', reason: 'shipped-late', settledAt: shipped };
      if (order.status === 'closed') return { status: 'void', reason: 'order-closed' };
      return unkept(due, atRisk, now, 'not-shipped');
    }
    case 'carrier': {
      const shipped = shippedTimeOf(order, now);
      // Shipped but the carrier not written yet: wait for it (the next order write settles it).
      if (shipped !== null && order.carrier)
        return sameCarrier(order.carrier, promise.detail)
          ? { status: 'kept', reason: 'same-carrier', settledAt: shipped }
          : { status: 'broken', reason: 'other-carrier', settledAt: shipped };
      if (shipped === null && order.status === 'closed') return { status: 'void', reason: 'order-closed' };
      return unkept(due, atRisk, now, 'other-carrier');
    }
    case 'exchange':
    case 'refund': {
      const goal = KEPT_BY[promise.kind];
      const done = facts.cases
        .filter((c) => goal.purposes.includes(c.purpose) && c.status === goal.status && c.finishedAt !== null)
        .map((c) => c.finishedAt!)
        .sort((a, b) => a - b)[0];
      if (done !== undefined && done <= due!) return { status: 'kept', reason: 'case-done', settledAt: done };
      return unkept(due, atRisk, now, 'case-not-done');
    }
  }
}

/**
 * What a stored promise becomes after a check: a settled promise stays as it is; an at-risk one
 * is not put back to pending. `alert` says the supervisor must hear of it (it went at risk, or
 * broke); `changed` whether anything is to be written.
 */
export function nextPromiseStatus(
  stored: PromiseStatus,
  verdict: PromiseVerdict,
): { status: PromiseStatus; changed: boolean; alert: boolean } {
  if (SETTLED_PROMISE_STATUSES.includes(stored)) return { status: stored, changed: false, alert: false };
  const status = stored === 'at-risk' && verdict.status === 'pending' ? 'at-risk' : verdict.status;
  const changed = status !== stored;
  return { status, changed, alert: changed && (status === 'at-risk' || status === 'broken') };
}

/** A promise as the supervisor's list reads it. */
export interface PromiseRow {
  agentId: string;
  status: PromiseStatus;
  dueAt?: number;
  createdAt: number;
}

/** One agent's promises (the issue: "counted per agent"): made, and how many of each status. */
export interface AgentPromiseCounts {
  agentId: string;
  made: number;
  kept: number;
  broken: number;
  atRisk: number;
  pending: number;
  void: number;
  /** kept / (kept + broken); null while none is settled either way. */
  keptRate: number | null;
}

/**
 * Counts per agent, most broken first, then most made; ties by agent id. A row stands for `count`
 * promises (default 1), so grouped counts from the database go in as they are.
 */
export function countPromisesByAgent(
  rows: readonly (Pick<PromiseRow, 'agentId' | 'status'> & { count?: number })[],
): AgentPromiseCounts[] {
  const by = new Map<string, AgentPromiseCounts>();
  for (const r of rows) {
    let c = by.get(r.agentId);
    if (!c) {
      c = { agentId: r.agentId, made: 0, kept: 0, broken: 0, atRisk: 0, pending: 0, void: 0, keptRate: null };
      by.set(r.agentId, c);
    }
    const n = r.count ?? 1;
    c.made += n;
    if (r.status === 'at-risk') c.atRisk += n;
    else c[r.status] += n;
  }
  for (const c of by.values()) c.keptRate = c.kept + c.broken > 0 ? c.kept / (c.kept + c.broken) : null;
  return [...by.values()].sort(
    (a, b) =>
      b.broken - a.broken || b.made - a.made || (a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0),
  );
}

const SUPERVISOR_ORDER: Record<PromiseStatus, number> = {
  'at-risk': 0,
  broken: 1,
  pending: 2,
  kept: 3,
  void: 4,
};

/**
 * The supervisor's order: at risk first (soonest due first: still avoidable), then broken (latest
 * due first), then pending, kept and void (newest first).
 */
export function compareForSupervisor(a: PromiseRow, b: PromiseRow): number {
  const s = SUPERVISOR_ORDER[a.status] - SUPERVISOR_ORDER[b.status];
  if (s !== 0) return s;
  const da = a.dueAt ?? Number.POSITIVE_INFINITY;
  const db = b.dueAt ?? Number.POSITIVE_INFINITY;
  if (a.status === 'at-risk' && da !== db) return da - db;
  if (a.status === 'broken' && da !== db) return db - da;
  return b.createdAt - a.createdAt;
}

/** The check's settings for a shop: its lead (compliance settings' `promiseLeadHours`) over the defaults. */
export function promiseCheckSettingsOf(settings: { promiseLeadHours?: number }): PromiseCheckSettings {
  return settings.promiseLeadHours === undefined
    ? DEFAULT_PROMISE_CHECK_SETTINGS
    : { ...DEFAULT_PROMISE_CHECK_SETTINGS, leadMs: settings.promiseLeadHours * HOUR };
}
