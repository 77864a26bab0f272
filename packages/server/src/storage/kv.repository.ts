import type { Kysely } from 'kysely';
import type { Database } from './schema';

/** Small keyed values, some with an expiry (issue #14: used identity nonces). */
export class KvRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Records `key` until `expiresAt` unless it is already there and unexpired: true the first time,
   * false for every later claim before it expires (safe when two nodes race: one insert wins).
   */
  async claimOnce(key: string, expiresAt: number, now: number): Promise<boolean> {
    await this.db
      .deleteFrom('kv')
      .where('key', '=', key)
      .where('expires_at', 'is not', null)
      .where('expires_at', '<=', now)
      .execute();
    const r = await this.db
      .insertInto('kv')
      .values({ key, value: '1', expires_at: expiresAt })
      .onConflict((oc) => oc.column('key').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** Forgets every key expired at `now`; returns how many. */
  async pruneExpired(now: number): Promise<number> {
    const r = await this.db
      .deleteFrom('kv')
      .where('expires_at', 'is not', null)
      .where('expires_at', '<=', now)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /**
   * The value kept under `key`, made with `make()` and stored the first time; two nodes racing at
   * their first start both get the one that was stored first.
   */
  async findOrCreate(key: string, make: () => string): Promise<string> {
    const row = await this.db.selectFrom('kv').select('value').where('key', '=', key).executeTakeFirst();
    if (row) return row.value;
    await this.db
      .insertInto('kv')
      .values({ key, value: make() })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    const stored = await this.db
      .selectFrom('kv')
      .select('value')
      .where('key', '=', key)
      .executeTakeFirstOrThrow();
    return stored.value;
  }

  async get(key: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('kv').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value;
  }

  async set(key: string, value: string): Promise<void> {
    await this.db
      .insertInto('kv')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();
  }
}
