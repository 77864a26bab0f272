/** CRM-1 segments: a journey's audience, the console's buyer lists. Pure. */
import { DAY, invalid } from '../kernel';
import type { BuyerSegment, BuyerSummary } from './journey.types';
import type { LoyaltyLadder } from './loyalty';

/** Whether a buyer is in a segment at `now`. */
export function inSegment(segment: BuyerSegment, buyer: BuyerSummary, now: number): boolean {
  if (segment.tags && segment.tags.length > 0 && !segment.tags.some((t) => buyer.tags.includes(t)))
    return false;
  if (segment.minSpendCents !== undefined && buyer.spentCents < segment.minSpendCents) return false;
  if (segment.orderedWithinDays !== undefined)
    if (buyer.lastOrderAt === null || buyer.lastOrderAt < now - segment.orderedWithinDays * DAY) return false;
  if (segment.notOrderedForDays !== undefined)
    if (buyer.lastOrderAt === null || buyer.lastOrderAt > now - segment.notOrderedForDays * DAY) return false;
  if (segment.minTierRank !== undefined && buyer.tierRank < segment.minTierRank) return false;
  return true;
}

/**
 * A segment as bounds a database can test on a buyer's orders summed up (spend and paid orders
 * counted as `tierOf` counts them, the last order of any status), so a shop's buyers need not be
 * walked one by one. Whole: a buyer meets the bounds exactly when `inSegment` holds.
 */
export interface SegmentBounds {
  /** No buyer can be in it (a tier above the ladder's top). */
  empty: boolean;
  /** Only buyers who ordered at least once can be in it: the walk can start from the orders. */
  ordersOnly: boolean;
  /** Carries any of these. */
  tags?: string[];
  minSpendCents?: number;
  /** Last order at or after this. */
  lastOrderFrom?: number;
  /** Last order at or before this. */
  lastOrderTo?: number;
  /** CRM-6: reached any of these (spend or paid orders), the tiers from the one asked for up. */
  tierReached?: { minSpendCents: number; minOrders: number }[];
}

export function segmentBounds(segment: BuyerSegment, ladder: LoyaltyLadder, now: number): SegmentBounds {
  const out: SegmentBounds = { empty: false, ordersOnly: false };
  if (segment.tags && segment.tags.length > 0) out.tags = [...segment.tags];
  if (segment.minSpendCents !== undefined && segment.minSpendCents > 0) {
    out.minSpendCents = segment.minSpendCents;
    out.ordersOnly = true;
  }
  if (segment.orderedWithinDays !== undefined) {
    out.lastOrderFrom = now - segment.orderedWithinDays * DAY;
    out.ordersOnly = true;
  }
  if (segment.notOrderedForDays !== undefined) {
    out.lastOrderTo = now - segment.notOrderedForDays * DAY;
    out.ordersOnly = true;
  }
  if (segment.minTierRank !== undefined && segment.minTierRank > 0) {
    const tiers = ladder.tiers.slice(segment.minTierRank - 1);
    if (tiers.length === 0) out.empty = true;
    // A tier reached with nothing bought (a threshold of 0) holds for every buyer.
    else if (!tiers.some((t) => t.minSpendCents === 0 || t.minOrders === 0)) {
      out.tierReached = tiers.map((t) => ({ minSpendCents: t.minSpendCents, minOrders: t.minOrders }));
      out.ordersOnly = true;
    }
  }
  return out;
}

const days = (v: unknown, field: string): number => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 3650)
    throw invalid(field, 'must be a whole number of days from 1 to 3650', { issue: 'range' });
  return v;
};

/** A segment checked field by field; unknown fields are refused (a typo would widen the audience). */
export function validateSegment(raw: unknown, field = 'audience'): BuyerSegment {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw invalid(field, 'must be an object', { issue: 'segment' });
  const r = raw as Record<string, unknown>;
  const known = ['tags', 'minSpendCents', 'orderedWithinDays', 'notOrderedForDays', 'minTierRank'];
  for (const k of Object.keys(r))
    if (!known.includes(k))
      throw invalid(`${field}.${k}`, `is not a segment field (${known.join(', ')})`, {
        issue: 'unknown_field',
      });
  const out: BuyerSegment = {};
  if (r.tags !== undefined) {
    if (!Array.isArray(r.tags) || r.tags.length > 20)
      throw invalid(`${field}.tags`, 'must be a list of at most 20 tags', { issue: 'tags' });
    out.tags = r.tags.map((t, i) => {
      const tag = typeof t === 'string' ? t.trim() : '';
      if (!tag || tag.length > 20)
        throw invalid(`${field}.tags[${i}]`, 'must be a tag of 1 to 20 characters', { issue: 'tag' });
      return tag;
    });
  }
  if (r.minSpendCents !== undefined) {
    if (typeof r.minSpendCents !== 'number' || !Number.isInteger(r.minSpendCents) || r.minSpendCents < 0)
      throw invalid(`${field}.minSpendCents`, 'must be a whole number of cents, 0 or more', {
        issue: 'range',
      });
    out.minSpendCents = r.minSpendCents;
  }
  if (r.orderedWithinDays !== undefined)
    out.orderedWithinDays = days(r.orderedWithinDays, `${field}.orderedWithinDays`);
  if (r.notOrderedForDays !== undefined)
    out.notOrderedForDays = days(r.notOrderedForDays, `${field}.notOrderedForDays`);
  if (
    out.orderedWithinDays !== undefined &&
    out.notOrderedForDays !== undefined &&
    out.notOrderedForDays >= out.orderedWithinDays
  )
    throw invalid(
      `${field}.notOrderedForDays`,
      'must be fewer than orderedWithinDays, or no buyer is in the segment',
      {
        issue: 'empty_segment',
      },
    );
  if (r.minTierRank !== undefined) {
    if (
      typeof r.minTierRank !== 'number' ||
      !Number.isInteger(r.minTierRank) ||
      r.minTierRank < 0 ||
      r.minTierRank > 20
    )
      throw invalid(`${field}.minTierRank`, 'must be a tier rank from 0 to 20', { issue: 'range' });
    out.minTierRank = r.minTierRank;
  }
  return out;
}
