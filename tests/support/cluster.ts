import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
    proc = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      { stdio: 'ignore' },
    );
    let failed: Error | undefined;
    proc.once('error', (error) => (failed = error));
    for (let i = 0; i < 100; i++) {
      if (failed)
        throw new Error(`redis-server did not start (apt-get install -y redis-server): ${failed.message}`);
      if (await canConnect(port)) return;
      await sleep(50);
    }
    throw new Error(`redis-server did not start on port ${port} (apt-get install -y redis-server)`);
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
   * resolves with its exit code (null when a signal ended it).
   */
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts a node and waits until `/ready` answers 200. `env` adds to (and overrides) the defaults:
 * loopback, a free port, quiet logs, no demo shop.
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
  const deadline = Date.now() + (options.readyMs ?? 30_000);
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`node ${name} exited (${proc.exitCode}):\n${out}`);
    try {
      const res = await fetch(`${url}/ready`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`node ${name} was not ready within ${options.readyMs ?? 30_000} ms:\n${out}`);
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
        const timeout = setTimeout(() => proc.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timeout);
      }
      return exited;
    },
  };
}
