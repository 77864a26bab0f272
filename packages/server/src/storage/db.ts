import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type SqliteDatabase, type SqliteStatement } from 'kysely';
import type { Pool } from 'pg';
import type { Database } from './schema';
import { WalCheckpointer } from './wal-checkpointer';

/** Which engine a database runs on; a few column types differ. */
export type Engine = 'sqlite' | 'postgres';

/** An open database with the engine it runs on. */
export interface Db {
  kysely: Kysely<Database>;
  engine: Engine;
  /** SQLite: the connection itself (the chat's group commit writes through it, issue #20). */
  sqlite?: SQLite.Database | undefined;
  /** SQLite on a file: the thread that checkpoints its write-ahead log. */
  checkpointer?: WalCheckpointer | undefined;
  close(): Promise<void>;
}

/**
 * The PostgreSQL driver, loaded on first use (issue #20: a SQLite install never pays its memory).
 * pg returns BIGINT (int8) and NUMERIC as strings; our bigints are epoch ms, safe as numbers.
 */
export async function loadPg(): Promise<typeof import('pg').default> {
  const pg = (await import('pg')).default;
  pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));
  return pg;
}

/**
 * Opens the database a URL names: `postgres://…` for PostgreSQL, `sqlite:<path>` or a bare path
 * for SQLite (WAL mode), `sqlite::memory:` for a throwaway one.
 */
export function openDatabase(url: string, options: { poolSize?: number } = {}): Db {
  if (/^postgres(ql)?:\/\//.test(url)) {
    // Kysely calls this once, at the first query.
    const pool = async (): Promise<Pool> =>
      new (await loadPg()).Pool({ connectionString: url, max: options.poolSize ?? 10 });
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { kysely, engine: 'postgres', close: () => kysely.destroy() };
  }
  const path = url.replace(/^sqlite:/, '');
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SQLite(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // Issue #20: WAL checkpoints in a thread of their own, off the event loop.
  const checkpointer = path === ':memory:' ? undefined : new WalCheckpointer(sqlite, path);
  const kysely = new Kysely<Database>({
    dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
  });
  return {
    kysely,
    engine: 'sqlite',
    sqlite,
    checkpointer,
    close: async () => {
      await checkpointer?.close();
      await kysely.destroy();
    },
  };
}

/**
 * Kysely's SQLite driver prepares every query anew; preparing was a third of the server's CPU
 * per chat message in bench/chat. Statements are reusable, so keep them by SQL text (bounded).
 */
function withStatementCache(sqlite: SQLite.Database, max = 500): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string): SqliteStatement {
      let stmt = cache.get(sql);
      if (!stmt) {
        stmt = sqlite.prepare(sql) as unknown as SqliteStatement;
        if (cache.size >= max) cache.delete(cache.keys().next().value as string);
        cache.set(sql, stmt);
      }
      return stmt;
    },
  };
}

/** A unique-key violation, on either engine. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return (
    e?.code === '23505' ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    /UNIQUE constraint/.test(e?.message ?? '')
  );
}
