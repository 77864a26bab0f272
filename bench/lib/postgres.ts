/**
 * A throwaway PostgreSQL for benchmarks, as scripts/test.mjs starts one for the tests: a fresh
 * cluster in a tmp dir, on a free loopback port, run as the `postgres` user when we are root
 * (PostgreSQL refuses to run as root). Stopped by `stop()`, or when this process exits.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { freePort } from '../../tests/support/cluster';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const execFileAsync = promisify(execFile);
export const SYSTEM_DEPS_HINT = 'install the system packages with `bash scripts/ensure-system-deps.sh`';

/** The newest installed PostgreSQL's bin dir (Debian layout), or undefined. */
export function postgresBinDir(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] && join(base, versions[0], 'bin');
}

export interface Postgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust auth, loopback only). */
  url: string;
  stop(): Promise<void>;
}

/** Starts a throwaway PostgreSQL cluster; throws naming scripts/ensure-system-deps.sh when missing. */
export async function startPostgres(): Promise<Postgres> {
  const bin = postgresBinDir();
  if (!bin)
    throw new Error(`PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): ${SYSTEM_DEPS_HINT}`);
  const asRoot = process.getuid?.() === 0;
  // PostgreSQL refuses to run as root: run it as the postgres user the Debian package creates.
  const runuser = existsSync('/usr/sbin/runuser') ? '/usr/sbin/runuser' : 'runuser';
  const command = (cmd: string, args: string[]): [string, string[]] =>
    asRoot ? [runuser, ['-u', 'postgres', '--', join(bin, cmd), ...args]] : [join(bin, cmd), args];
  const run = async (cmd: string, args: string[]) => {
    const [file, argv] = command(cmd, args);
    try {
      await execFileAsync(file, argv);
    } catch (error) {
      const e = error as { stderr?: string; stdout?: string; message: string };
      throw new Error(`${cmd} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
    }
  };

  const dir = mkdtempSync(join(tmpdir(), 'xiaoer-bench-pg-'));
  // The postgres user must be able to write here (mkdtemp makes it 0700 for root).
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  let started = false;
  let stopped = false;
  // Synchronous, so it also works from an 'exit' hook (a bench that dies must not leave it running).
  const stopSync = () => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', stopSync);
    if (started) {
      try {
        const [file, argv] = command('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
        execFileSync(file, argv, { stdio: 'ignore' });
      } catch {
        // already stopped
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stopSync);

  try {
    await run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      try {
        started = true;
        // fsync=off (and --no-sync above): a crash may lose or corrupt data, which is fine for a
        // throwaway bench database but not for anything else; it keeps disk flushes out of the figures.
        await run('pg_ctl', [
          '-D',
          data,
          '-l',
          join(dir, 'log'),
          '-w',
          '-o',
          `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300`,
          'start',
        ]);
      } catch (error) {
        // Another process may have taken the port between the probe and the bind: pick again.
        if (attempt < 3) continue;
        throw error;
      }
      return {
        url: `postgres://postgres@127.0.0.1:${port}/postgres`,
        stop: () => Promise.resolve(stopSync()),
      };
    }
  } catch (error) {
    stopSync();
    throw error;
  }
}

let counter = 0;

/** Creates a fresh, empty database on the server of `adminUrl` and returns its URL. */
export async function createDatabase(adminUrl: string): Promise<string> {
  const name = `xiaoer_bench_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
