/**
 * MET-1 … MET-4 as state transitions over messages, one message at a time. The same functions
 * update the stored roll-ups as messages arrive and rebuild them from the raw messages, so the
 * incremental and the rebuilt figures agree by construction (and a test checks that they do).
 * Pure: the caller loads the rows a message touches and stores what comes back.
 */
import { TZDate } from '@date-fns/tz';
import { addDays } from 'date-fns';
import type { MetricsSettings } from './metrics.types';

/** A message as the metrics see it (system messages are not counted). */
export interface MetricMessage {
  conversationId: string;
  buyerId: string;
  sender: 'buyer' | 'agent' | 'bot';
  /** The agent who sent it (agent messages). */
  agentId: string | null;
  at: number;
  /** Issue #15: a bot's holding line ("请稍候"): a reply only when the shop's settings say so. */
  holding?: boolean;
}

/** MET-1/MET-2: one buyer on one local day. */
export interface BuyerDay {
  /** Local date YYYY-MM-DD in the shop's time zone. */
  day: string;
  buyerId: string;
  /** The conversation of the buyer's first message that day (spam and agent attribution). */
  conversationId: string;
  /** First buyer message of the day: the buyer inquired (询单, MET-2). */
  firstAt: number;
  /** First buyer message inside the window: the buyer consulted (咨询, MET-1/MET-2). */
  windowAt: number | null;
  /** The shop's first reply (human or bot) at or after `windowAt`. */
  repliedAt: number | null;
  /** Who sent it: an agent id, or 'bot'. */
  repliedBy: string | null;
}

/** MET-4: where a conversation's response timing stands. */
export interface ConversationTiming {
  conversationId: string;
  /** The buyer's first message (the start of the first response time). */
  firstBuyerAt: number | null;
  /** When the shop first replied. */
  firstReplyAt: number | null;
  /** A buyer turn waiting for the shop: when its first message came (null: nobody waits). */
  waitingSince: number | null;
}

/** MET-4: one buyer turn answered. */
export interface ResponseSample {
  /** The local day the turn began. */
  day: string;
  /** An agent id, or 'bot'. */
  responder: string;
  ms: number;
  /** The conversation's first response. */
  first: boolean;
}

/** What one message changes. */
export interface MessageEffect {
  /** Buyer-day rows to store (new or changed). */
  buyerDays: BuyerDay[];
  timing: ConversationTiming;
  response?: ResponseSample;
}

/** The local date of a moment in a time zone, YYYY-MM-DD. */
export function localDay(at: number, timeZone: string): string {
  return new Date(at + offsetMs(at, timeZone)).toISOString().slice(0, 10);
}

/** Minutes since local midnight. */
export function localMinutes(at: number, timeZone: string): number {
  const local = at + offsetMs(at, timeZone);
  return Math.floor((((local % 86_400_000) + 86_400_000) % 86_400_000) / 60_000);
}

/**
 * The zone's UTC offset at a moment, from @date-fns/tz, cached per zone and quarter hour (every
 * zone's offset changes on a quarter-hour boundary): the metrics ask it for every message, and a
 * TZDate costs ~100 µs while a cached offset costs a map look-up.
 */
const QUARTER = 15 * 60_000;
const offsets = new Map<string, Map<number, number>>();
function offsetMs(at: number, timeZone: string): number {
  let zone = offsets.get(timeZone);
  if (!zone) offsets.set(timeZone, (zone = new Map()));
  const key = Math.floor(at / QUARTER);
  let offset = zone.get(key);
  if (offset === undefined) {
    // getTimezoneOffset of a TZDate is the zone's offset, in minutes west of UTC.
    offset = -new TZDate(key * QUARTER, timeZone).getTimezoneOffset() * 60_000;
    if (zone.size > 200_000) zone.clear();
    zone.set(key, offset);
  }
  return offset;
}

/**
 * Day bounds and shifted days, cached per zone and day: a range asks for them on every day it
 * covers (issue #20), and each costs TZDates where a cached answer costs a map look-up.
 */
const boundsCache = new Map<string, { start: number; end: number }>();
const shiftCache = new Map<string, string>();

/** [start, end) of a local day in epoch ms. */
export function dayBounds(day: string, timeZone: string): { start: number; end: number } {
  const key = `${timeZone}|${day}`;
  let bounds = boundsCache.get(key);
  if (!bounds) {
    const [y, m, d] = day.split('-').map(Number) as [number, number, number];
    const start = new TZDate(y, m - 1, d, 0, 0, 0, 0, timeZone);
    bounds = { start: start.getTime(), end: addDays(start, 1).getTime() };
    if (boundsCache.size > 100_000) boundsCache.clear();
    boundsCache.set(key, bounds);
  }
  return { start: bounds.start, end: bounds.end };
}

/** The local day n days after `day`. */
export function shiftDay(day: string, n: number, timeZone: string): string {
  const key = `${timeZone}|${day}|${n}`;
  let shifted = shiftCache.get(key);
  if (shifted === undefined) {
    shifted = localDay(addDays(new TZDate(dayBounds(day, timeZone).start, timeZone), n).getTime(), timeZone);
    if (shiftCache.size > 100_000) shiftCache.clear();
    shiftCache.set(key, shifted);
  }
  return shifted;
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** MET-1/MET-2: whether a moment falls inside the consultation window. */
export function inWindow(at: number, settings: MetricsSettings, timeZone: string): boolean {
  const m = localMinutes(at, timeZone);
  return m >= minutesOf(settings.windowStart) && m < minutesOf(settings.windowEnd);
}

/**
 * The rows a message may touch: for a buyer message, the buyer's row of that day; for a shop
 * reply, the buyer's rows of that day and the day before (a consultation at 22:58 answered at
 * 00:02 is answered).
 */
export function touchedDays(m: MetricMessage, timeZone: string): string[] {
  const day = localDay(m.at, timeZone);
  return m.sender === 'buyer' ? [day] : [day, shiftDay(day, -1, timeZone)];
}

/**
 * Applies one message. `rows` are the buyer's rows for `touchedDays` (absent ones omitted);
 * `timing` the conversation's timing (undefined for its first message). Messages must come in
 * time order per conversation.
 */
export function applyMessage(
  m: MetricMessage,
  rows: readonly BuyerDay[],
  timing: ConversationTiming | undefined,
  settings: MetricsSettings,
  timeZone: string,
): MessageEffect {
  const t: ConversationTiming = timing
    ? { ...timing }
    : { conversationId: m.conversationId, firstBuyerAt: null, firstReplyAt: null, waitingSince: null };
  const changed: BuyerDay[] = [];
  if (m.sender === 'buyer') {
    const day = localDay(m.at, timeZone);
    const row = rows.find((r) => r.day === day);
    const windowed = inWindow(m.at, settings, timeZone);
    if (!row) {
      changed.push({
        day,
        buyerId: m.buyerId,
        conversationId: m.conversationId,
        firstAt: m.at,
        windowAt: windowed ? m.at : null,
        repliedAt: null,
        repliedBy: null,
      });
    } else if (windowed && row.windowAt === null) {
      changed.push({ ...row, windowAt: m.at });
    }
    if (t.firstBuyerAt === null) t.firstBuyerAt = m.at;
    if (t.waitingSince === null) t.waitingSince = m.at;
    return { buyerDays: changed, timing: t };
  }

  // A holding line the shop does not count (issue #15) changes nothing: the buyer still waits.
  if (m.holding && !settings.holdingLinesCount) return { buyerDays: [], timing: t };
  // The shop replies (an agent or the bot): it answers every consultation still waiting.
  const by = m.sender === 'bot' ? 'bot' : (m.agentId ?? 'agent');
  for (const row of rows)
    if (row.windowAt !== null && row.repliedAt === null && row.windowAt <= m.at)
      changed.push({ ...row, repliedAt: m.at, repliedBy: by });
  let response: ResponseSample | undefined;
  if (t.waitingSince !== null) {
    response = {
      day: localDay(t.waitingSince, timeZone),
      responder: by,
      ms: m.at - t.waitingSince,
      first: t.firstReplyAt === null,
    };
    t.waitingSince = null;
  }
  if (t.firstReplyAt === null && t.firstBuyerAt !== null) t.firstReplyAt = m.at;
  return { buyerDays: changed, timing: t, ...(response ? { response } : {}) };
}

/**
 * MET-4 distribution roll-up: response times fall in these buckets (upper bounds, ms); p50 and
 * p90 are read from the buckets by linear interpolation inside the bucket.
 */
export const RESPONSE_BUCKETS_MS: readonly number[] = [
  1_000, 2_000, 3_000, 5_000, 10_000, 15_000, 20_000, 30_000, 45_000, 60_000, 90_000, 120_000, 180_000,
  300_000, 600_000, 1_800_000, 3_600_000,
];

/** The bucket index of a response time (the last bucket is open-ended). */
export function bucketOf(ms: number): number {
  for (let i = 0; i < RESPONSE_BUCKETS_MS.length; i++) if (ms < RESPONSE_BUCKETS_MS[i]!) return i;
  return RESPONSE_BUCKETS_MS.length;
}

/** A quantile (0–1) from bucket counts, interpolated inside the bucket; null when empty. */
export function quantileFromBuckets(counts: readonly number[], q: number): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const target = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i] ?? 0;
    if (c > 0 && seen + c >= target) {
      const lo = i === 0 ? 0 : RESPONSE_BUCKETS_MS[i - 1]!;
      // The open-ended bucket reports its lower bound.
      if (i >= RESPONSE_BUCKETS_MS.length) return lo;
      const hi = RESPONSE_BUCKETS_MS[i]!;
      return Math.round(lo + ((target - seen) / c) * (hi - lo));
    }
    seen += c;
  }
  return RESPONSE_BUCKETS_MS[RESPONSE_BUCKETS_MS.length - 1]!;
}
