/**
 * Issue #20: keeping the trend's daily roll-ups (metric_range_days) true when data arrives late.
 * A write that changes what a closed day counts marks that day stale (basis null) and moves its
 * version on, after or with the change itself: a reader that counted the day before the change
 * then finds the version moved and does not store its count (MetricsRepository.storeRollups).
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema';

type Db = Kysely<Database> | Transaction<Database>;

/** A late message or reply (MET-1 … MET-4) changed these days' buyer rows or response times. */
export async function staleRollupDays(db: Db, shopId: string, days: Iterable<string>): Promise<void> {
  const list = [...new Set(days)];
  if (list.length === 0) return;
  await db
    .updateTable('metric_range_days')
    .set((eb) => ({ version: eb('version', '+', 1), basis: null }))
    .where('shop_id', '=', shopId)
    .where('day', 'in', list)
    .execute();
}

/**
 * MET-3: a payment at `paidAt` (made, moved, withdrawn or moved to another buyer) changes the
 * conversion of the days whose attribution window holds it.
 */
export async function staleRollupsForPayment(db: Db, shopId: string, paidAt: number | null): Promise<void> {
  if (paidAt === null) return;
  await db
    .updateTable('metric_range_days')
    .set((eb) => ({ version: eb('version', '+', 1), basis: null }))
    .where('shop_id', '=', shopId)
    .where('day_start', '<=', paidAt)
    .where('attribution_end', '>', paidAt)
    .execute();
}

/**
 * SPAM-1: a conversation set aside as spam or released counts (or stops counting) on the days it
 * has messages on, [from, to].
 */
export async function staleRollupsForConversation(
  db: Db,
  shopId: string,
  from: number,
  to: number,
): Promise<void> {
  await db
    .updateTable('metric_range_days')
    .set((eb) => ({ version: eb('version', '+', 1), basis: null }))
    .where('shop_id', '=', shopId)
    .where('day_start', '<=', to)
    .where('day_end', '>', from)
    .execute();
}
