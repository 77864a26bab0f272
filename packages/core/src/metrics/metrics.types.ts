import { invalid } from '../kernel';

/** MET-1 … MET-6 settings of a shop. */
export interface MetricsSettings {
  /** MET-1/MET-2: the daily consultation window, local "HH:MM" (start inclusive, end exclusive). */
  windowStart: string;
  windowEnd: string;
  /** MET-1: a consultation counts as answered when the shop replies within this many minutes. */
  replyMinutes: number;
  /** MET-1/MET-5: the reply rate below which the platform punishes the shop (0–1). */
  threshold: number;
  /** MET-3: a buyer who inquires on day D converts by paying up to the end of day D + n − 1. */
  attributionDays: number;
  /** MET-6: weights of the agent score (each 0–100, not all 0). */
  weights: {
    conversion: number;
    responseTime: number;
    replyRate: number;
    satisfaction: number;
    quality: number;
  };
  /** Raw metric events older than this many days are pruned (0 keeps them forever). */
  rawRetentionDays: number;
  /**
   * Issue #15: whether the bot's holding lines ("正在为您转接人工客服，请稍候") count as the shop's
   * reply in MET-1 and end a buyer turn in MET-4. Default true, as the platforms count automatic
   * replies (Pinduoduo's rule: 设置自动回复来保障回复率); false measures people and real answers.
   */
  holdingLinesCount: boolean;
}

export const DEFAULT_METRICS_SETTINGS: MetricsSettings = {
  windowStart: '08:00',
  windowEnd: '23:00',
  replyMinutes: 5,
  threshold: 0.8,
  attributionDays: 3,
  weights: { conversion: 30, responseTime: 20, replyRate: 20, satisfaction: 20, quality: 10 },
  rawRetentionDays: 400,
  holdingLinesCount: true,
};

const HHMM = /^(?:[01]\d|2[0-3]):[0-5]\d$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function intIn(input: Record<string, unknown>, field: string, min: number, max: number, at = field): number {
  const v = input[field];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw invalid(at, `must be a whole number ${min}–${max}`, {
      issue: 'whole_range',
      minimum: min,
      maximum: max,
    });
  return v;
}

/** A true/false field; absent: the default (settings saved before the field existed). */
function boolIn(input: Record<string, unknown>, field: string, fallback: boolean): boolean {
  const v = input[field];
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw invalid(field, 'must be true or false');
  return v;
}

/** Checks a metrics-settings edit (replaced whole); throws naming the first bad field. */
export function validateMetricsSettings(input: unknown): MetricsSettings {
  if (!isRecord(input)) throw invalid('settings', 'must be an object');
  const { windowStart, windowEnd, threshold, weights } = input;
  if (typeof windowStart !== 'string' || !HHMM.test(windowStart))
    throw invalid('windowStart', 'must be a time HH:MM', { issue: 'invalid_format', format: 'time' });
  if (typeof windowEnd !== 'string' || !HHMM.test(windowEnd))
    throw invalid('windowEnd', 'must be a time HH:MM', { issue: 'invalid_format', format: 'time' });
  if (windowEnd <= windowStart)
    throw invalid('windowEnd', 'must be after windowStart (same day)', { issue: 'not_after_start' });
  if (typeof threshold !== 'number' || !(threshold >= 0 && threshold <= 1))
    throw invalid('threshold', 'must be a share from 0 to 1', { issue: 'share' });
  if (!isRecord(weights)) throw invalid('weights', 'must be an object');
  const w = {
    conversion: intIn(weights, 'conversion', 0, 100, 'weights.conversion'),
    responseTime: intIn(weights, 'responseTime', 0, 100, 'weights.responseTime'),
    replyRate: intIn(weights, 'replyRate', 0, 100, 'weights.replyRate'),
    satisfaction: intIn(weights, 'satisfaction', 0, 100, 'weights.satisfaction'),
    quality: intIn(weights, 'quality', 0, 100, 'weights.quality'),
  };
  if (Object.values(w).every((x) => x === 0))
    throw invalid('weights', 'at least one weight must be above 0', { issue: 'all_zero' });
  return {
    windowStart,
    windowEnd,
    replyMinutes: intIn(input, 'replyMinutes', 1, 60),
    threshold,
    attributionDays: intIn(input, 'attributionDays', 1, 15),
    weights: w,
    rawRetentionDays: intIn(input, 'rawRetentionDays', 0, 3650),
    holdingLinesCount: boolIn(input, 'holdingLinesCount', DEFAULT_METRICS_SETTINGS.holdingLinesCount),
  };
}
