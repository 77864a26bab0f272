import { KeyedMutex } from '@xiaoer/core';
import type { Pool } from 'pg';
import { loadPg } from '../storage/db';

/**
 * A per-key lock every node honours (issue #7): a PostgreSQL session advisory lock held on a
 * connection of its own small pool for the duration of the task. The task's own queries use the
 * main pool, so lock holders never starve it (a holder waiting for a main-pool connection held
 * by another holder would hang both); a task waiting for a lock connection holds nothing. Tasks
 * of one key on this node queue in memory first, so a busy shop takes one lock connection. A
 * node that dies releases its locks with its connections.
 */
export class PgAdvisoryLock {
  private readonly local = new KeyedMutex();
  private pool: Promise<Pool> | undefined;

  constructor(
    private readonly url: string,
    private readonly size = 20,
  ) {}

  private connect() {
    this.pool ??= loadPg().then((pg) => new pg.Pool({ connectionString: this.url, max: this.size }));
    return this.pool.then((pool) => pool.connect());
  }

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.local.run(key, async () => {
      const client = await this.connect();
      try {
        await client.query('select pg_advisory_lock(hashtextextended($1, 0))', [key]);
        try {
          return await fn();
        } finally {
          await client.query('select pg_advisory_unlock(hashtextextended($1, 0))', [key]);
        }
      } finally {
        client.release();
      }
    });
  }

  async close(): Promise<void> {
    await (await this.pool)?.end();
  }
}
