import { KeyedMutex } from '@xiaoer/core';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../storage/schema';

/**
 * A per-key lock every node honours (issue #7): a PostgreSQL session advisory lock held on one
 * pooled connection for the duration of the task. Tasks of one key on this node queue in memory
 * first, so a busy shop takes one connection, not one per waiting task. A node that dies
 * releases its locks with its connections.
 */
export class PgAdvisoryLock {
  private readonly local = new KeyedMutex();

  constructor(private readonly db: Kysely<Database>) {}

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.local.run(key, () =>
      this.db.connection().execute(async (conn) => {
        await sql`select pg_advisory_lock(hashtextextended(${key}, 0))`.execute(conn);
        try {
          return await fn();
        } finally {
          await sql`select pg_advisory_unlock(hashtextextended(${key}, 0))`.execute(conn);
        }
      }),
    );
  }
}
