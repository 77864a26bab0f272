import type { LogisticsEvent, Order, Product } from './order.types';

/**
 * Issue #16: what a write from the shop's systems does to a stored record — the same PUT twice is
 * one row and one event, so a write that changes nothing is told apart from one that does. Pure.
 */
export type UpsertOutcome = 'created' | 'updated' | 'unchanged';

/** Whether two orders differ in anything the shop writes (logistics are written on their own). */
export function orderChanged(before: Order, after: Order): boolean {
  return (
    before.buyerId !== after.buyerId ||
    before.status !== after.status ||
    before.totalCents !== after.totalCents ||
    before.carrier !== after.carrier ||
    before.trackingNo !== after.trackingNo ||
    before.createdAt !== after.createdAt ||
    before.paidAt !== after.paidAt ||
    before.shippedAt !== after.shippedAt ||
    JSON.stringify(before.items) !== JSON.stringify(after.items)
  );
}

export function productChanged(before: Product, after: Product): boolean {
  return (
    before.title !== after.title ||
    before.priceCents !== after.priceCents ||
    before.imageUrl !== after.imageUrl ||
    (before.special ?? false) !== (after.special ?? false)
  );
}

/**
 * Tracking events merged into an order's journey: an event whose id is already there is not added
 * again (a carrier push retried, a batch sent twice); newest first, as BOT-4 reads the latest.
 */
export function mergeLogistics(
  existing: readonly LogisticsEvent[],
  incoming: readonly LogisticsEvent[],
): { events: LogisticsEvent[]; added: number } {
  const seen = new Set(existing.flatMap((e) => (e.id === undefined ? [] : [e.id])));
  const fresh: LogisticsEvent[] = [];
  for (const e of incoming) {
    if (e.id !== undefined && seen.has(e.id)) continue;
    if (e.id !== undefined) seen.add(e.id);
    fresh.push(e);
  }
  if (fresh.length === 0) return { events: [...existing], added: 0 };
  // Stable: events at the same moment keep the order they came in (the newer batch first).
  const events = [...fresh, ...existing].sort((a, b) => b.at - a.at);
  return { events, added: fresh.length };
}
