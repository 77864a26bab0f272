/**
 * A day's figures (MET-1 … MET-6) from the stored roll-ups. Pure: the caller reads the buyer-day
 * rows of the day, the response-time buckets, payments, ratings and reviews.
 */
import {
  dayBounds,
  localMinutes,
  quantileFromBuckets,
  RESPONSE_BUCKETS_MS,
  shiftDay,
  type BuyerDay,
} from './ledger';
import type { MetricsSettings } from './metrics.types';

/** A buyer-day row with what the day's figures need besides it. */
export interface BuyerDayFacts extends BuyerDay {
  /** SPAM-1: the buyer's conversation was set aside as suspected spam. */
  spam: boolean;
  /** MET-6: after-sales when the buyer had paid an order before this day's first message. */
  segment: 'pre' | 'after';
  /** The conversation's agent (who an unanswered consultation counts against). */
  agentId: string | null;
  /** MET-3: when the buyer paid an order within the attribution window, if they did. */
  paidAt: number | null;
}

/** Response-time buckets of one responder for the day. */
export interface ResponseBuckets {
  responder: string;
  first: boolean;
  /** Count per bucket (RESPONSE_BUCKETS_MS, plus the open-ended one). */
  counts: number[];
  sumMs: number;
}

/** A score given to an agent's conversation (satisfaction 1–5, or a quality review 1–5). */
export interface AgentScore {
  agentId: string;
  score: number;
}

export interface TimingFigure {
  avgMs: number | null;
  p50Ms: number | null;
  p90Ms: number | null;
  n: number;
}

export interface AgentRow {
  agentId: string;
  name: string;
  segment: 'pre' | 'after';
  consultations: number;
  replied: number;
  replyRate: number | null;
  avgResponseMs: number | null;
  firstResponseMs: number | null;
  conversion: { inquirers: number; converted: number; rate: number | null };
  satisfaction: { avg: number | null; n: number };
  quality: { avg: number | null; n: number };
  /** MET-6: the weighted score 0–100 over the parts with data; null without any. */
  score: number | null;
  /** Rank within the segment (1 = best). */
  rank: number | null;
}

/** What the dashboard shows for one day. */
export interface DayMetrics {
  date: string;
  timeZone: string;
  window: { start: string; end: string };
  replyMinutes: number;
  threshold: number;
  shop: {
    consultations: number;
    inquiries: number;
    replied: number;
    /** replied / (consultations − pending); null before any is decided. */
    replyRate: number | null;
    /** Consultations not answered yet and still within their minutes. */
    pending: number;
    firstResponse: TimingFigure;
    response: TimingFigure;
    conversion: { inquirers: number; converted: number; rate: number | null; provisional: boolean };
    satisfaction: { avg: number | null; n: number };
  };
  byHour: { hour: number; consultations: number; inquiries: number; replied: number }[];
  responseHistogram: { fromMs: number; toMs: number | null; count: number }[];
  agents: AgentRow[];
  /** The same per agent group (TEAM-2 / RT-3 groups; an agent in two groups counts in both). */
  groups: GroupRow[];
}

/** A group's figures: its members' consultations and replies. */
export interface GroupRow {
  groupId: string;
  name: string;
  consultations: number;
  replied: number;
  replyRate: number | null;
  avgResponseMs: number | null;
  firstResponseMs: number | null;
  conversion: { inquirers: number; converted: number; rate: number | null };
}

const share = (a: number, b: number) => (b === 0 ? null : Math.round((a / b) * 10_000) / 10_000);
const avg = (xs: number[]) =>
  xs.length === 0 ? null : Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 100) / 100;

/** MET-1: a consultation's state at `now`. */
export function consultationState(
  r: Pick<BuyerDay, 'windowAt' | 'repliedAt'>,
  settings: MetricsSettings,
  now: number,
): 'none' | 'replied' | 'missed' | 'pending' {
  if (r.windowAt === null) return 'none';
  const limit = r.windowAt + settings.replyMinutes * 60_000;
  if (r.repliedAt !== null && r.repliedAt <= limit) return 'replied';
  return now < limit && r.repliedAt === null ? 'pending' : 'missed';
}

function timing(buckets: readonly ResponseBuckets[]): TimingFigure {
  const counts = new Array<number>(RESPONSE_BUCKETS_MS.length + 1).fill(0);
  let sum = 0;
  let n = 0;
  for (const b of buckets) {
    b.counts.forEach((c, i) => (counts[i]! += c));
    sum += b.sumMs;
    n += b.counts.reduce((a, c) => a + c, 0);
  }
  return {
    avgMs: n === 0 ? null : Math.round(sum / n),
    p50Ms: quantileFromBuckets(counts, 0.5),
    p90Ms: quantileFromBuckets(counts, 0.9),
    n,
  };
}

/** MET-6: the weighted score of an agent's row, over the parts with data. */
export function agentScore(
  row: Pick<AgentRow, 'replyRate' | 'avgResponseMs' | 'conversion' | 'satisfaction' | 'quality'>,
  settings: MetricsSettings,
): number | null {
  const w = settings.weights;
  // Each part on 0–1: rates as they are; response time 1 at 0 s, 0 at the reply limit or later;
  // ratings 1–5 mapped to 0–1.
  const parts: [number, number | null][] = [
    [w.conversion, row.conversion.rate],
    [
      w.responseTime,
      row.avgResponseMs === null
        ? null
        : Math.max(0, 1 - row.avgResponseMs / (settings.replyMinutes * 60_000)),
    ],
    [w.replyRate, row.replyRate],
    [w.satisfaction, row.satisfaction.avg === null ? null : (row.satisfaction.avg - 1) / 4],
    [w.quality, row.quality.avg === null ? null : (row.quality.avg - 1) / 4],
  ];
  let weight = 0;
  let total = 0;
  for (const [wi, v] of parts)
    if (v !== null && wi > 0) {
      weight += wi;
      total += wi * v;
    }
  return weight === 0 ? null : Math.round((total / weight) * 1000) / 10;
}

/** The figures of one day at `now` (today's are live; conversion is provisional until final). */
export function dayMetrics(input: {
  date: string;
  timeZone: string;
  settings: MetricsSettings;
  now: number;
  rows: readonly BuyerDayFacts[];
  responses: readonly ResponseBuckets[];
  ratings: readonly AgentScore[];
  reviews: readonly AgentScore[];
  agentNames: ReadonlyMap<string, string>;
  groups?: readonly { id: string; name: string; agentIds: readonly string[] }[];
}): DayMetrics {
  const { settings, now, timeZone, date } = input;
  const counted = input.rows.filter((r) => !r.spam); // SPAM-1
  const byHour = Array.from({ length: 24 }, (_, hour) => ({
    hour,
    consultations: 0,
    inquiries: 0,
    replied: 0,
  }));
  const hourOf = (at: number) => Math.floor(localMinutes(at, timeZone) / 60);
  let consultations = 0;
  let replied = 0;
  let pending = 0;
  let converted = 0;
  for (const r of counted) {
    byHour[hourOf(r.firstAt)]!.inquiries++;
    if (r.paidAt !== null) converted++;
    const state = consultationState(r, settings, now);
    if (state === 'none') continue;
    consultations++;
    byHour[hourOf(r.windowAt!)]!.consultations++;
    if (state === 'replied') {
      replied++;
      byHour[hourOf(r.windowAt!)]!.replied++;
    } else if (state === 'pending') pending++;
  }

  const all = input.responses;
  const histogramCounts = new Array<number>(RESPONSE_BUCKETS_MS.length + 1).fill(0);
  for (const b of all) b.counts.forEach((c, i) => (histogramCounts[i]! += c));

  // Agents: one row per agent and segment (MET-6 ranks pre-sales and after-sales apart).
  type Acc = {
    consultations: number;
    replied: number;
    decided: number;
    inquirers: number;
    converted: number;
  };
  const acc = new Map<string, Acc>();
  const keyOf = (agentId: string, segment: string) => `${agentId}\u0000${segment}`;
  for (const r of counted) {
    const agentId = r.repliedBy && r.repliedBy !== 'bot' ? r.repliedBy : r.agentId;
    if (!agentId) continue;
    const k = keyOf(agentId, r.segment);
    const a = acc.get(k) ?? { consultations: 0, replied: 0, decided: 0, inquirers: 0, converted: 0 };
    a.inquirers++;
    if (r.paidAt !== null) a.converted++;
    const state = consultationState(r, settings, now);
    if (state !== 'none') {
      a.consultations++;
      if (state !== 'pending') a.decided++;
      if (state === 'replied') a.replied++;
    }
    acc.set(k, a);
  }
  const ratingsOf = (list: readonly AgentScore[], agentId: string) =>
    list.filter((s) => s.agentId === agentId).map((s) => s.score);
  const agents: AgentRow[] = [...acc].map(([k, a]) => {
    const [agentId, segment] = k.split('\u0000') as [string, 'pre' | 'after'];
    const mine = all.filter((b) => b.responder === agentId);
    const sat = ratingsOf(input.ratings, agentId);
    const qa = ratingsOf(input.reviews, agentId);
    const row: AgentRow = {
      agentId,
      name: input.agentNames.get(agentId) ?? agentId,
      segment,
      consultations: a.consultations,
      replied: a.replied,
      replyRate: share(a.replied, a.decided),
      avgResponseMs: timing(mine).avgMs,
      firstResponseMs: timing(mine.filter((b) => b.first)).avgMs,
      conversion: { inquirers: a.inquirers, converted: a.converted, rate: share(a.converted, a.inquirers) },
      satisfaction: { avg: avg(sat), n: sat.length },
      quality: { avg: avg(qa), n: qa.length },
      score: null,
      rank: null,
    };
    row.score = agentScore(row, settings);
    return row;
  });
  for (const segment of ['pre', 'after'] as const) {
    const ranked = agents
      .filter((r) => r.segment === segment && r.score !== null)
      .sort((x, y) => y.score! - x.score! || x.name.localeCompare(y.name));
    ranked.forEach((r, i) => (r.rank = i + 1));
  }
  agents.sort((x, y) =>
    x.segment === y.segment ? (x.rank ?? 1e9) - (y.rank ?? 1e9) : x.segment === 'pre' ? -1 : 1,
  );

  const groups: GroupRow[] = (input.groups ?? []).map((g) => {
    const members = new Set(g.agentIds);
    let consultations = 0;
    let repliedN = 0;
    let decided = 0;
    let inquirers = 0;
    let convertedN = 0;
    for (const r of counted) {
      const agentId = r.repliedBy && r.repliedBy !== 'bot' ? r.repliedBy : r.agentId;
      if (!agentId || !members.has(agentId)) continue;
      inquirers++;
      if (r.paidAt !== null) convertedN++;
      const state = consultationState(r, settings, now);
      if (state === 'none') continue;
      consultations++;
      if (state !== 'pending') decided++;
      if (state === 'replied') repliedN++;
    }
    const theirs = all.filter((b) => members.has(b.responder));
    return {
      groupId: g.id,
      name: g.name,
      consultations,
      replied: repliedN,
      replyRate: share(repliedN, decided),
      avgResponseMs: timing(theirs).avgMs,
      firstResponseMs: timing(theirs.filter((b) => b.first)).avgMs,
      conversion: { inquirers, converted: convertedN, rate: share(convertedN, inquirers) },
    };
  });

  const sat = input.ratings.map((s) => s.score);
  const finalAt = dayBounds(shiftDay(date, settings.attributionDays, timeZone), timeZone).start;
  return {
    date,
    timeZone,
    window: { start: settings.windowStart, end: settings.windowEnd },
    replyMinutes: settings.replyMinutes,
    threshold: settings.threshold,
    shop: {
      consultations,
      inquiries: counted.length,
      replied,
      replyRate: share(replied, consultations - pending),
      pending,
      firstResponse: timing(all.filter((b) => b.first)),
      response: timing(all),
      conversion: {
        inquirers: counted.length,
        converted,
        rate: share(converted, counted.length),
        provisional: now < finalAt,
      },
      satisfaction: { avg: avg(sat), n: sat.length },
    },
    byHour,
    responseHistogram: histogramCounts.map((count, i) => ({
      fromMs: i === 0 ? 0 : RESPONSE_BUCKETS_MS[i - 1]!,
      toMs: i < RESPONSE_BUCKETS_MS.length ? RESPONSE_BUCKETS_MS[i]! : null,
      count,
    })),
    agents,
    groups,
  };
}

/** MET-5: today's rate if every consultation now waiting misses, and who they are. */
export interface ReplyRateAlert {
  date: string;
  projectedRate: number;
  threshold: number;
  /** `agentId`: who holds the buyer now (null: the bot or the queue) — MET-5 tells them too. */
  atRisk: {
    conversationId: string;
    buyerId: string;
    agentId: string | null;
    since: number;
    secondsLeft: number;
  }[];
}

/**
 * MET-5: when the day's rate would fall below the threshold if the buyers now waiting were not
 * answered in time, the alert names them (most urgent first); null while that cannot happen.
 */
export function replyRateAlert(
  date: string,
  rows: readonly BuyerDayFacts[],
  settings: MetricsSettings,
  now: number,
): ReplyRateAlert | null {
  let consultations = 0;
  let replied = 0;
  const atRisk: ReplyRateAlert['atRisk'] = [];
  for (const r of rows) {
    if (r.spam) continue;
    const state = consultationState(r, settings, now);
    if (state === 'none') continue;
    consultations++;
    if (state === 'replied') replied++;
    if (state === 'pending')
      atRisk.push({
        conversationId: r.conversationId,
        buyerId: r.buyerId,
        agentId: r.agentId,
        since: r.windowAt!,
        secondsLeft: Math.max(0, Math.ceil((r.windowAt! + settings.replyMinutes * 60_000 - now) / 1000)),
      });
  }
  if (atRisk.length === 0 || consultations === 0) return null;
  const projectedRate = Math.round((replied / consultations) * 10_000) / 10_000;
  if (projectedRate >= settings.threshold) return null;
  atRisk.sort((a, b) => a.secondsLeft - b.secondsLeft);
  return { date, projectedRate, threshold: settings.threshold, atRisk };
}

/**
 * MET-5 for one agent: the shop's alert narrowed to the buyers they hold; null when none of
 * theirs is at risk (their banner names only buyers they can answer).
 */
export function alertForAgent<A extends { atRisk: readonly { agentId: string | null }[] }>(
  alert: A | null,
  agentId: string,
): A | null {
  if (!alert) return null;
  const mine = alert.atRisk.filter((r) => r.agentId === agentId);
  return mine.length === 0 ? null : ({ ...alert, atRisk: mine } as A);
}

/** MET-5: the agents who hold a buyer the alert names. */
export function agentsAtRisk(alert: { atRisk: readonly { agentId: string | null }[] } | null): string[] {
  return [...new Set((alert?.atRisk ?? []).flatMap((r) => (r.agentId ? [r.agentId] : [])))];
}
