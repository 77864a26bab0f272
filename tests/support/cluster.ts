import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEADLINE_MS, sleep } from './wait';

const root = new URL('../..', import.meta.url).pathname;

/** A free TCP port on loopback (bound, read, released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A throwaway Redis on loopback (no persistence), which a test may stop and start again. */
export interface RedisProcess {
  url: string;
  port: number;
  /** Stops it (SIGKILL: everything in it is lost, as after a crash). */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<RedisProcess> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'xiaoer-redis-'));
  let proc: ChildProcess | undefined;
  const start = async () => {
    const p = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    proc = p;
    // Ready when it says so (and, to be sure, takes a connection); failing to start is an event too.
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const guard = setTimeout(
        () => reject(new Error(`redis-server did not start on port ${port} within ${DEADLINE_MS} ms`)),
        DEADLINE_MS,
      );
      const done = (error?: Error) => {
        clearTimeout(guard);
        p.stdout!.off('data', onData);
        if (error) reject(error);
        else resolve();
      };
      const onData = (d: Buffer) => {
        out = (out + d.toString()).slice(-4000);
        if (/Ready to accept connections/.test(out)) done();
      };
      p.stdout!.on('data', onData);
      p.once('error', (error) =>
        done(new Error(`redis-server did not start (apt-get install -y redis-server): ${error.message}`)),
      );
      p.once('exit', (code) => done(new Error(`redis-server exited (${code}) on port ${port}:\n${out}`)));
    });
    p.removeAllListeners('exit');
    p.stdout!.resume(); // keep draining what it prints
    if (!(await canConnect(port))) throw new Error(`redis-server said it was ready but refused a connection`);
  };
  const kill = async () => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill,
    start,
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A xiaoer node run as its own process (`packages/server/src/main.ts`), as in production. */
export interface NodeProcess {
  name: string;
  port: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `127.0.0.1:<port>` for an nginx upstream. */
  address: string;
  /** What the process printed so far (for failure messages). */
  output(): string;
  /**
   * Sends a signal and waits for the process to exit (SIGKILL: a crash; SIGTERM: a graceful stop);
   * resolves with its exit code (null when a signal ended it — a node that never stops after a
   * SIGTERM is killed at the hang guard, so its exit code is not 0).
   */
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts a node and waits until `/ready` answers 200 (or the process exits: that fails at once).
 * `env` adds to (and overrides) the defaults: loopback, a free port, quiet logs, no demo shop.
 * `readyMs` is only a hang guard (default: minutes — a loaded machine starts a node slowly).
 */
export async function startNode(
  name: string,
  env: Record<string, string>,
  options: { role?: string; readyMs?: number } = {},
): Promise<NodeProcess> {
  const port = await freePort();
  const args = ['--import', 'tsx', join(root, 'packages/server/src/main.ts')];
  if (options.role) args.push('--role', options.role);
  let out = '';
  const proc = spawn(process.execPath, args, {
    cwd: root,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      NODE_ID: name,
      LOG_LEVEL: 'warn',
      DEMO: 'false',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  proc.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const url = `http://127.0.0.1:${port}`;
  const readyMs = options.readyMs ?? DEADLINE_MS;
  const deadline = Date.now() + readyMs;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null)
      throw new Error(`node ${name} exited (${proc.exitCode ?? proc.signalCode}):\n${out}`);
    try {
      const res = await fetch(`${url}/ready`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`node ${name} was not ready within ${readyMs} ms:\n${out}`);
    }
    await sleep(100);
  }
  return {
    name,
    port,
    url,
    address: `127.0.0.1:${port}`,
    output: () => out,
    async kill(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill(signal);
        const timeout = setTimeout(() => proc.kill('SIGKILL'), DEADLINE_MS);
        await exited;
        clearTimeout(timeout);
      }
      return exited;
    },
  };
}
