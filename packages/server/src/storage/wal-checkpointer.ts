import { stat } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';

/**
 * The log's size past which it is checkpointed: SQLite's own default (1,000 pages of 4 KB). The
 * connection's journal_size_limit truncates the log to this size whenever it starts over, so a
 * larger file means that many pages were written since.
 */
const LOG_LIMIT_BYTES = 4 * 1024 * 1024;
/**
 * Under sustained writes the thread's checkpoint never quite catches up (pages keep coming while it
 * copies), and SQLite starts the log over only when every page has been copied: past this many
 * pages (~64 MB) the server's connection copies the last few itself, so the log can start over.
 */
const CATCH_UP_PAGES = 16_384;
/** A thread with nothing to copy for this many rounds stops (it is started again when needed). */
const IDLE_ROUNDS = 120;

interface CheckpointResult {
  log?: number;
  checkpointed?: number;
  error?: string;
  ready?: boolean;
}

/**
 * Issue #20: SQLite's automatic checkpoint runs inside the commit that crosses 1,000 log pages —
 * copying them into the database file and syncing it, on the event loop. At chat saturation that
 * was 60–100 ms of every second (bench/chat). Here a thread with its own connection checkpoints
 * (PASSIVE: it never blocks the server's reads and writes) every `everyMs` while the log grows,
 * and stops when the database is quiet. If the thread cannot run, SQLite's own checkpoint is
 * switched back on: slower, never unsafe.
 */
export class WalCheckpointer {
  private worker: Worker | undefined;
  private inFlight = false;
  private idle = 0;
  private lastLog = -1;
  private closed = false;
  private readonly timer: NodeJS.Timeout;
  /** What it did, for tests and the curious. */
  readonly stats = { threadCheckpoints: 0, catchUps: 0, threadsStarted: 0, fellBack: false };

  constructor(
    private readonly sqlite: SQLite.Database,
    private readonly path: string,
    everyMs = 250,
  ) {
    sqlite.pragma('wal_autocheckpoint = 0');
    sqlite.pragma(`journal_size_limit = ${LOG_LIMIT_BYTES}`);
    this.timer = setInterval(() => void this.tick(), everyMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.inFlight || this.closed || this.stats.fellBack) return;
    if (!this.worker) {
      const size = await stat(`${this.path}-wal`).then(
        (s) => s.size,
        () => 0,
      );
      if (size <= LOG_LIMIT_BYTES || this.closed || this.worker) return;
      this.start();
    }
    this.inFlight = true;
    this.worker!.postMessage('checkpoint');
  }

  private start(): void {
    let worker: Worker;
    try {
      worker = new Worker(new URL('./wal-checkpoint.worker.mjs', import.meta.url), {
        workerData: { path: this.path },
        // Plain JavaScript: no TypeScript loader in the thread.
        execArgv: [],
        resourceLimits: { maxOldGenerationSizeMb: 16 },
      });
    } catch {
      return this.fallBack();
    }
    this.stats.threadsStarted++;
    this.idle = 0;
    this.lastLog = -1;
    worker.on('message', (m: CheckpointResult) => {
      if (m.ready) return;
      this.inFlight = false;
      if (m.error !== undefined) return this.fallBack();
      this.stats.threadCheckpoints++;
      const log = m.log ?? 0;
      if (log >= CATCH_UP_PAGES && !this.closed) {
        this.sqlite.pragma('wal_checkpoint(PASSIVE)');
        this.stats.catchUps++;
      }
      // Quiet: the log did not move since the last round and all of it is copied.
      if (log === this.lastLog && m.checkpointed === log) this.idle++;
      else this.idle = 0;
      this.lastLog = log;
      if (this.idle >= IDLE_ROUNDS) void this.stop();
    });
    worker.on('error', () => this.fallBack());
    worker.on('exit', () => {
      if (this.worker === worker) {
        this.worker = undefined;
        this.inFlight = false;
      }
    });
    worker.unref();
    this.worker = worker;
  }

  /** SQLite's own checkpoint again, on the server's connection. */
  private fallBack(): void {
    if (this.closed) return;
    this.stats.fellBack = true;
    this.sqlite.pragma('wal_autocheckpoint = 1000');
    void this.stop();
  }

  private async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.inFlight = false;
    if (!worker) return;
    // Its connection closes after the checkpoint under way, if any; a stuck thread is ended.
    // Held (ref'd) while it closes: a caller awaiting close() must not see the loop run dry.
    worker.ref();
    let timer: NodeJS.Timeout | undefined;
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.postMessage('close');
    await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 2000)))]);
    clearTimeout(timer);
    await worker.terminate();
  }

  /** Stops the thread (waiting for a checkpoint under way); the database's close finishes the log. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.stop();
  }
}
