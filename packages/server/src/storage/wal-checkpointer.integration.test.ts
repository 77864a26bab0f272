import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { sql } from 'kysely';
import { waitFor } from '../../../../tests/support/wait';
import { openDatabase } from './db';

const walSize = (path: string) => {
  try {
    return statSync(`${path}-wal`).size;
  } catch {
    return 0;
  }
};

describe('issue #20: SQLite WAL checkpoints in a thread of their own', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xiaoer-wal-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the thread copies a growing log into the database, the log starts over small, nothing is lost', async () => {
    const path = join(dir, 'busy.db');
    const db = openDatabase(`sqlite:${path}`);
    const k = db.kysely;
    assert.ok(db.checkpointer, 'a file database has a checkpointer');
    await sql`create table t (id integer primary key, body text not null)`.execute(k);
    const body = 'x'.repeat(8_000);
    // ~20 MB through the log, in transactions of ~800 KB: SQLite's own checkpoint is off, so only
    // the thread (or, past 64 MB, the server's catch-up) brings it back.
    let rows = 0;
    for (let round = 0; round < 25; round++) {
      await k.transaction().execute(async (trx) => {
        for (let i = 0; i < 100; i++) await sql`insert into t (body) values (${body})`.execute(trx);
      });
      rows += 100;
    }
    assert.ok(walSize(path) > 4 * 1024 * 1024, `the log grew past 4 MB (${walSize(path)} bytes)`);
    await waitFor('a checkpoint by the thread', () =>
      db.checkpointer!.stats.threadCheckpoints > 0 ? true : undefined,
    );
    // The next write after a complete checkpoint starts the log over, truncated to 4 MB.
    await waitFor('the log to start over', async () => {
      await sql`insert into t (body) values ('tick')`.execute(k);
      rows++;
      return walSize(path) <= 4 * 1024 * 1024 ? true : undefined;
    });
    assert.equal(db.checkpointer!.stats.fellBack, false);
    assert.equal(db.checkpointer!.stats.threadsStarted, 1);
    await db.close();

    const again = openDatabase(`sqlite:${path}`);
    const { rows: count } = await sql<{ n: number }>`select count(*) as n from t`.execute(again.kysely);
    assert.equal(count[0]!.n, rows);
    await again.close();
  });

  it('a quiet database never starts the thread', async () => {
    const path = join(dir, 'quiet.db');
    const db = openDatabase(`sqlite:${path}`);
    await sql`create table t (id integer primary key, body text not null)`.execute(db.kysely);
    for (let i = 0; i < 50; i++) await sql`insert into t (body) values (${'small'})`.execute(db.kysely);
    // Several of its rounds (250 ms each) pass with a small log: no thread.
    const started = Date.now();
    await waitFor('a few rounds', () => (Date.now() - started > 1_000 ? true : undefined));
    assert.equal(db.checkpointer!.stats.threadsStarted, 0);
    await db.close();
  });

  it('an in-memory database has none', async () => {
    const db = openDatabase('sqlite::memory:');
    assert.equal(db.checkpointer, undefined);
    await db.close();
  });
});
