import { dayBounds, localDay, shiftDay } from '../metrics/ledger';
import type { AftersalesCase, AftersalesHistoryEntry, AftersalesKind } from './aftersales.types';

/** What AS-3's figures read of a stored case: the case, when it finished, the buyer's 1–5 rating. */
export interface AftersalesMetricsCase {
  case: Pick<AftersalesCase, 'kind' | 'reason' | 'holder' | 'openedAt' | 'refundedCents' | 'history'>;
  finishedAt: number | null;
  rating: number | null;
}

/** AS-3: one group's after-sales figures (rates are 0–1, null when nothing to divide by). */
export interface AftersalesFigures {
  /** Cases opened in the window. */
  count: number;
  /** Of them, finished (rejected, refunded, reshipped, compensated, closed). */
  finished: number;
  /** Opened → finished, of the finished ones: median and 90th percentile (nearest rank), ms. */
  handlingMedianMs: number | null;
  handlingP90Ms: number | null;
  /** Finished without the engine deciding on a passed deadline / finished. */
  processingRate: number | null;
  /** Cases the buyer rated, their average rating, and the share rated 4 or 5. */
  rated: number;
  satisfaction: number | null;
  satisfiedShare: number | null;
  /** Cases the platform changed or a deadline decided / cases. */
  interventionRate: number | null;
  refundedCents: number;
}

/** AS-3: one agent's figures; `agent` null for cases nobody held nor decided. */
export interface AftersalesAgentFigures extends AftersalesFigures {
  agent: string | null;
}

/** AS-3: one reason's figures: the case's kind and its reason text (trimmed, case kept). */
export interface AftersalesReasonFigures extends AftersalesFigures {
  kind: AftersalesKind;
  reason: string;
}

/** AS-3: one local day of the window: cases opened, finished and refunded that day. */
export interface AftersalesDay {
  date: string;
  opened: number;
  finished: number;
  refundedCents: number;
}

/** AS-3: the window's figures, overall, per agent, per reason, and day by day. */
export interface AftersalesMetrics {
  from: string;
  to: string;
  days: number;
  totals: AftersalesFigures;
  byAgent: AftersalesAgentFigures[];
  byReason: AftersalesReasonFigures[];
  daily: AftersalesDay[];
}

/** AS-3: the window of `days` local days ending today: its first and last day and its first moment. */
export function aftersalesWindow(
  now: number,
  days: number,
  timeZone: string,
): { from: string; to: string; since: number } {
  const to = localDay(now, timeZone);
  const from = shiftDay(to, -(days - 1), timeZone);
  return { from, to, since: dayBounds(from, timeZone).start };
}

/** Engine decisions on a passed deadline (AS-2) — an approval or refund nobody made in time. */
const isDeadlineDecision = (h: AftersalesHistoryEntry) =>
  h.by === 'system' && (h.reason === 'deadline' || h.reason === 'refund-overdue');

/** AS-3: a case the merchant let run past a deadline. */
function missedDeadline(c: AftersalesMetricsCase): boolean {
  return c.case.history.some(isDeadlineDecision);
}

/**
 * AS-3: a case the platform stepped into — a change after the opening by the platform, or an
 * automatic approval on the deadline. A case the platform merely reported (opened) is not one.
 */
function intervened(c: AftersalesMetricsCase): boolean {
  return c.case.history.some(
    (h, i) => (i > 0 && h.by === 'platform') || (h.by === 'system' && h.reason === 'deadline'),
  );
}

/** The agent a case counts for: its holder, else the last agent who decided on it. */
export function caseAgent(c: AftersalesMetricsCase): string | null {
  if (c.case.holder) return c.case.holder;
  for (let i = c.case.history.length - 1; i >= 0; i--) {
    const agent = c.case.history[i]!.agent;
    if (agent) return agent;
  }
  return null;
}

/** The nearest-rank percentile (0 < p ≤ 1) of sorted values. */
function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

const ratio = (n: number, d: number) => (d === 0 ? null : n / d);

/** AS-3: the figures of a group of cases. */
export function aftersalesFigures(cases: readonly AftersalesMetricsCase[]): AftersalesFigures {
  const finished = cases.filter((c) => c.finishedAt !== null);
  const handling = finished.map((c) => c.finishedAt! - c.case.openedAt).sort((a, b) => a - b);
  const ratings = cases.map((c) => c.rating).filter((r): r is number => r !== null);
  return {
    count: cases.length,
    finished: finished.length,
    handlingMedianMs: percentile(handling, 0.5),
    handlingP90Ms: percentile(handling, 0.9),
    processingRate: ratio(finished.filter((c) => !missedDeadline(c)).length, finished.length),
    rated: ratings.length,
    satisfaction: ratio(
      ratings.reduce((a, b) => a + b, 0),
      ratings.length,
    ),
    satisfiedShare: ratio(ratings.filter((r) => r >= 4).length, ratings.length),
    interventionRate: ratio(cases.filter(intervened).length, cases.length),
    refundedCents: cases.reduce((a, c) => a + c.case.refundedCents, 0),
  };
}

function groupBy<K>(cases: readonly AftersalesMetricsCase[], key: (c: AftersalesMetricsCase) => K) {
  const groups = new Map<K, AftersalesMetricsCase[]>();
  for (const c of cases) {
    const k = key(c);
    const g = groups.get(k);
    if (g) g.push(c);
    else groups.set(k, [c]);
  }
  return groups;
}

/**
 * AS-3: the 30-day view (or any `days`): figures over the cases opened in the window ending at
 * `now` (cases opened before it are left out), per agent and per reason (most cases first), and a
 * daily series of cases opened, finished and refunded in the shop's time zone.
 */
export function aftersalesMetrics(
  cases: readonly AftersalesMetricsCase[],
  now: number,
  days: number,
  timeZone: string,
): AftersalesMetrics {
  const { from, to, since } = aftersalesWindow(now, days, timeZone);
  const inWindow = cases.filter((c) => c.case.openedAt >= since && c.case.openedAt <= now);
  const byCount = (a: AftersalesFigures, b: AftersalesFigures) => b.count - a.count;
  const byAgent = [...groupBy(inWindow, caseAgent)]
    .map(([agent, g]) => ({ agent, ...aftersalesFigures(g) }))
    .sort(byCount);
  const byReason = [...groupBy(inWindow, (c) => `${c.case.kind}\u0000${c.case.reason.trim()}`)]
    .map(([key, g]) => {
      const [kind, reason] = key.split('\u0000') as [AftersalesKind, string];
      return { kind, reason, ...aftersalesFigures(g) };
    })
    .sort(byCount);
  const daily = new Map<string, AftersalesDay>();
  for (let d = from; d <= to; d = shiftDay(d, 1, timeZone))
    daily.set(d, { date: d, opened: 0, finished: 0, refundedCents: 0 });
  for (const c of inWindow) {
    daily.get(localDay(c.case.openedAt, timeZone))!.opened++;
    if (c.finishedAt === null || c.finishedAt > now) continue;
    const day = daily.get(localDay(c.finishedAt, timeZone));
    if (!day) continue;
    day.finished++;
    day.refundedCents += c.case.refundedCents;
  }
  return {
    from,
    to,
    days,
    totals: aftersalesFigures(inWindow),
    byAgent,
    byReason,
    daily: [...daily.values()],
  };
}
