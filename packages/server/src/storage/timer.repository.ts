import { sql, type Kysely } from 'kysely';
import type { Engine } from './db';
import type { Database } from './schema';

/** A durable timer: a deadline kept in the database until one node has fired it. */
export interface DurableTimer {
  /** Unique: scheduling the same id twice keeps the first (a deadline is set once). */
  id: string;
  kind: string;
  shopId: string | null;
  dueAt: number;
  payload: Record<string, unknown>;
  /** How many times a node has claimed it (more than one only after a node died or a handler failed). */
  attempts: number;
  firedAt: number | null;
  firedBy: string | null;
  lastError: string | null;
}

const toTimer = (r: Database['timers']): DurableTimer => ({
  id: r.id,
  kind: r.kind,
  shopId: r.shop_id,
  dueAt: Number(r.due_at),
  payload: JSON.parse(r.payload) as Record<string, unknown>,
  attempts: Number(r.attempts),
  firedAt: r.fired_at === null ? null : Number(r.fired_at),
  firedBy: r.fired_by,
  lastError: r.last_error,
});

/**
 * The `timers` table. Nodes claim due rows with a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL,
 * so two nodes never take the same row); a fired row is kept (who fired it, when) until pruned.
 */
export class TimerRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly engine: Engine,
  ) {}

  /** Sets a deadline; an id already set (fired or not) is left as it is. Returns whether it was new. */
  async schedule(
    timer: {
      id: string;
      kind: string;
      shopId: string | null;
      dueAt: number;
      payload?: Record<string, unknown>;
    },
    now: number,
    /** The transaction of the fact the deadline belongs to (it commits with it). */
    trx: Kysely<Database> = this.db,
  ): Promise<boolean> {
    const r = await trx
      .insertInto('timers')
      .values({
        id: timer.id,
        kind: timer.kind,
        shop_id: timer.shopId,
        due_at: timer.dueAt,
        payload: JSON.stringify(timer.payload ?? {}),
        attempts: 0,
        claimed_by: null,
        claimed_until: null,
        fired_at: null,
        fired_by: null,
        last_error: null,
        created_at: now,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** A recurring job's row, created when missing (every node calls this at start; one row wins). */
  async ensureRecurring(id: string, kind: string, dueAt: number, now: number): Promise<void> {
    await this.schedule({ id, kind, shopId: null, dueAt }, now);
  }

  /**
   * Claims up to `limit` due timers of `kinds` (those this node can fire) for `nodeId` until
   * `now + leaseMs`, none another node holds.
   */
  async claimDue(
    nodeId: string,
    now: number,
    leaseMs: number,
    limit: number,
    kinds: string[],
  ): Promise<DurableTimer[]> {
    if (kinds.length === 0) return [];
    const rows = await this.db
      .updateTable('timers')
      .set({
        claimed_by: nodeId,
        claimed_until: now + leaseMs,
        attempts: sql<number>`attempts + 1`,
      })
      .where('id', 'in', (eb) => {
        const due = eb
          .selectFrom('timers')
          .select('id')
          .where('fired_at', 'is', null)
          .where('due_at', '<=', now)
          .where('kind', 'in', kinds)
          .where((w) => w.or([w('claimed_until', 'is', null), w('claimed_until', '<=', now)]))
          .orderBy('due_at')
          .limit(limit);
        return this.engine === 'postgres' ? due.forUpdate().skipLocked() : due;
      })
      .returningAll()
      .execute();
    return rows.map(toTimer).sort((a, b) => a.dueAt - b.dueAt);
  }

  /** Extends `nodeId`'s claim on a timer it is about to fire; false when it has lost it. */
  async renew(id: string, nodeId: string, until: number): Promise<boolean> {
    const r = await this.db
      .updateTable('timers')
      .set({ claimed_until: until })
      .where('id', '=', id)
      .where('claimed_by', '=', nodeId)
      .where('fired_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /**
   * Marks a claimed timer fired (only while `nodeId` still holds it), or given up with `error`.
   * Returns whether it did.
   */
  async complete(id: string, nodeId: string, now: number, error: string | null = null): Promise<boolean> {
    const r = await this.db
      .updateTable('timers')
      .set({ fired_at: now, fired_by: nodeId, claimed_until: null, last_error: error })
      .where('id', '=', id)
      .where('claimed_by', '=', nodeId)
      .where('fired_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** A recurring timer ran: due again at `next`, unclaimed. */
  async reschedule(id: string, nodeId: string, next: number): Promise<void> {
    await this.db
      .updateTable('timers')
      .set({ due_at: next, claimed_by: null, claimed_until: null, attempts: 0, last_error: null })
      .where('id', '=', id)
      .where('claimed_by', '=', nodeId)
      .execute();
  }

  /** A handler failed: released for another try at `retryAt` (by any node). */
  async fail(id: string, nodeId: string, error: string, retryAt: number): Promise<void> {
    await this.db
      .updateTable('timers')
      .set({ claimed_until: retryAt, last_error: error.slice(0, 1000) })
      .where('id', '=', id)
      .where('claimed_by', '=', nodeId)
      .execute();
  }

  async find(id: string): Promise<DurableTimer | undefined> {
    const r = await this.db.selectFrom('timers').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toTimer(r);
  }

  async list(filter: { kind?: string; shopId?: string } = {}): Promise<DurableTimer[]> {
    let q = this.db.selectFrom('timers').selectAll();
    if (filter.kind) q = q.where('kind', '=', filter.kind);
    if (filter.shopId) q = q.where('shop_id', '=', filter.shopId);
    return (await q.orderBy('due_at').execute()).map(toTimer);
  }

  /** Forgets fired timers older than `before`. */
  async prune(before: number): Promise<number> {
    const r = await this.db
      .deleteFrom('timers')
      .where('fired_at', 'is not', null)
      .where('fired_at', '<', before)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
