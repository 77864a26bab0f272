/**
 * CRM-6 loyalty: a ladder of tiers by spend or by orders, each with its discount. The tier shows
 * in the buyer's profile, segments and journeys test it (offers for old customers only), and
 * routing may give higher tiers priority. Pure.
 */
import { invalid } from '../kernel';

export interface LoyaltyTier {
  name: string;
  /** Reached with at least this much spent (paid orders, all time). */
  minSpendCents: number;
  /** …or with at least this many paid orders. */
  minOrders: number;
  /** The tier's discount, percent off (5: 95折). */
  discountPercent: number;
}

/** The ladder, lowest first; rank = index + 1 (0: no tier). */
export interface LoyaltyLadder {
  tiers: LoyaltyTier[];
}

export const DEFAULT_LOYALTY_LADDER: LoyaltyLadder = {
  tiers: [
    { name: '银卡会员', minSpendCents: 50_000, minOrders: 3, discountPercent: 2 },
    { name: '金卡会员', minSpendCents: 200_000, minOrders: 8, discountPercent: 5 },
    { name: '钻石会员', minSpendCents: 500_000, minOrders: 20, discountPercent: 8 },
  ],
};

export interface BuyerTier {
  rank: number;
  name: string;
  discountPercent: number;
  /** The next tier and what is still missing for it (spend or orders, whichever is nearer). */
  next?: { name: string; spendCentsToGo: number; ordersToGo: number };
}

/** The buyer's tier: the highest whose spend or order count they reached. */
export function tierOf(ladder: LoyaltyLadder, buyer: { spentCents: number; orders: number }): BuyerTier {
  let rank = 0;
  ladder.tiers.forEach((t, i) => {
    if (buyer.spentCents >= t.minSpendCents || buyer.orders >= t.minOrders) rank = i + 1;
  });
  const tier = ladder.tiers[rank - 1];
  const out: BuyerTier = { rank, name: tier?.name ?? '', discountPercent: tier?.discountPercent ?? 0 };
  const next = ladder.tiers[rank];
  if (next)
    out.next = {
      name: next.name,
      spendCentsToGo: Math.max(0, next.minSpendCents - buyer.spentCents),
      ordersToGo: Math.max(0, next.minOrders - buyer.orders),
    };
  return out;
}

/** A ladder checked whole: names unique, thresholds and discounts rising with the rank. */
export function validateLadder(raw: unknown): LoyaltyLadder {
  const tiers = (raw as { tiers?: unknown } | null)?.tiers;
  if (!Array.isArray(tiers) || tiers.length > 10)
    throw invalid('tiers', 'must be a list of at most 10 tiers', { issue: 'tiers' });
  const out: LoyaltyTier[] = [];
  for (const [i, t] of tiers.entries()) {
    const f = `tiers[${i}]`;
    const r = (typeof t === 'object' && t !== null ? t : {}) as Record<string, unknown>;
    const name = typeof r.name === 'string' ? r.name.trim() : '';
    if (!name || name.length > 20)
      throw invalid(`${f}.name`, 'must be 1 to 20 characters', { issue: 'length' });
    if (out.some((o) => o.name === name))
      throw invalid(`${f}.name`, `"${name}" is used twice`, { issue: 'duplicate' });
    const whole = (k: 'minSpendCents' | 'minOrders' | 'discountPercent', max: number): number => {
      const v = r[k];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max)
        throw invalid(`${f}.${k}`, `must be a whole number from 0 to ${max}`, { issue: 'range' });
      return v;
    };
    const tier: LoyaltyTier = {
      name,
      minSpendCents: whole('minSpendCents', 100_000_000),
      minOrders: whole('minOrders', 100_000),
      discountPercent: whole('discountPercent', 50),
    };
    const prev = out.at(-1);
    if (prev && (tier.minSpendCents <= prev.minSpendCents || tier.minOrders <= prev.minOrders))
      throw invalid(`${f}`, `must ask more spend and more orders than "${prev.name}"`, {
        issue: 'ladder_order',
      });
    if (prev && tier.discountPercent < prev.discountPercent)
      throw invalid(`${f}.discountPercent`, `must be at least "${prev.name}"'s ${prev.discountPercent}`, {
        issue: 'ladder_order',
      });
    out.push(tier);
  }
  return { tiers: out };
}
