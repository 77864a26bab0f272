/**
 * The trend (one row a day over a range) and its daily roll-up (MET-1 … MET-4, MET-3): the counts
 * a day's row is made of, when a day's counts stop depending on the clock, and under which
 * settings they were counted. Pure: the server stores the counts of closed days and reads a range
 * from them instead of recomputing every buyer-day of the range.
 */
import { dayBounds, shiftDay } from './ledger';
import { consultationState, type BuyerDayFacts, type ResponseBuckets } from './figures';
import type { MetricsSettings } from './metrics.types';

/** What a day's trend row is made of: the shop's totals (SPAM-1 buyers left out). */
export interface DayCounts {
  /** MET-1/MET-2: buyers who wrote inside the window. */
  consultations: number;
  /** MET-2: buyers who wrote that day (also MET-3's inquirers). */
  inquiries: number;
  /** MET-1: consultations answered in time. */
  replied: number;
  /** MET-1: consultations still within their minutes (always 0 once the day is closed). */
  pending: number;
  /** MET-3: inquirers who paid within the attribution window. */
  converted: number;
  /** MET-4: buyer turns answered, and their response times summed. */
  responses: number;
  responseMs: number;
}

/** A day of the trend (the range endpoint). */
export interface TrendDay {
  date: string;
  consultations: number;
  inquiries: number;
  replyRate: number | null;
  avgResponseMs: number | null;
  conversionRate: number | null;
  provisional: boolean;
}

const share = (a: number, b: number) => (b === 0 ? null : Math.round((a / b) * 10_000) / 10_000);

/** A day's counts from its buyer-day facts and response buckets, at `now` (as dayMetrics counts them). */
export function dayCounts(
  rows: readonly BuyerDayFacts[],
  responses: readonly Pick<ResponseBuckets, 'counts' | 'sumMs'>[],
  settings: MetricsSettings,
  now: number,
): DayCounts {
  const c: DayCounts = {
    consultations: 0,
    inquiries: 0,
    replied: 0,
    pending: 0,
    converted: 0,
    responses: 0,
    responseMs: 0,
  };
  for (const r of rows) {
    if (r.spam) continue; // SPAM-1
    c.inquiries++;
    if (r.paidAt !== null) c.converted++;
    const state = consultationState(r, settings, now);
    if (state === 'none') continue;
    c.consultations++;
    if (state === 'replied') c.replied++;
    else if (state === 'pending') c.pending++;
  }
  for (const b of responses) {
    for (const n of b.counts) c.responses += n;
    c.responseMs += b.sumMs;
  }
  return c;
}

/** A day's trend row from its counts; `provisional`: MET-3's conversion is not final yet. */
export function trendDay(date: string, c: DayCounts, provisional: boolean): TrendDay {
  return {
    date,
    consultations: c.consultations,
    inquiries: c.inquiries,
    replyRate: share(c.replied, c.consultations - c.pending),
    avgResponseMs: c.responses === 0 ? null : Math.round(c.responseMs / c.responses),
    conversionRate: share(c.converted, c.inquiries),
    provisional,
  };
}

/** The moments of a day its roll-up depends on: the day, and the end of MET-3's attribution window. */
export interface DaySpan {
  day: string;
  start: number;
  end: number;
  /** MET-3: a payment before this converts the day's inquirers; the conversion is final from here. */
  attributionEnd: number;
}

/** A day's span in the shop's time zone under its settings. */
export function daySpan(day: string, settings: MetricsSettings, timeZone: string): DaySpan {
  const { start, end } = dayBounds(day, timeZone);
  return {
    day,
    start,
    end,
    attributionEnd: dayBounds(shiftDay(day, settings.attributionDays, timeZone), timeZone).start,
  };
}

/**
 * From when a day's counts no longer depend on the clock: MET-3's conversion is final and every
 * consultation is decided (the last one inside the window, answered or not, by its reply minutes
 * after the day's end). Until then a range computes the day live; afterwards only late data (a
 * late message, a payment, a spam judgement, a settings change) changes it.
 */
export function dayClosesAt(span: DaySpan, settings: MetricsSettings): number {
  return Math.max(span.attributionEnd, span.end + settings.replyMinutes * 60_000);
}

/**
 * The settings and time zone a roll-up was counted under: a roll-up counted under others is stale
 * (the day boundaries, the reply minutes or the attribution window moved).
 */
export function rollupBasis(settings: MetricsSettings, timeZone: string): string {
  return JSON.stringify([
    timeZone,
    settings.windowStart,
    settings.windowEnd,
    settings.replyMinutes,
    settings.attributionDays,
    settings.holdingLinesCount,
  ]);
}
