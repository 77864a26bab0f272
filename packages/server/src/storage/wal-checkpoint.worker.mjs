// The SQLite WAL checkpointer's thread (see wal-checkpointer.ts): its own connection to the
// database file, copying what the write-ahead log holds back into the database and syncing the
// file, so the server's event loop never waits on that copy or on fsync. PASSIVE mode: it never
// waits on, or blocks, the server's readers and writer.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 0');

parentPort.on('message', (m) => {
  if (m === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ log: r.log, checkpointed: r.checkpointed, busy: r.busy });
  } catch (error) {
    parentPort.postMessage({ error: String(error) });
  }
});
parentPort.postMessage({ ready: true });
