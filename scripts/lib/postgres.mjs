// A throwaway PostgreSQL on loopback, for the test runner (scripts/test.mjs) and the benchmarks:
// a fresh cluster in a tmp dir on a free port, run as the `postgres` user when we are root
// (PostgreSQL refuses to run as root). Stopped by `stop()`, or when this process exits.
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
export const SYSTEM_DEPS_HINT = 'install the system packages with `bash scripts/ensure-system-deps.sh`';

/** The newest installed PostgreSQL's bin dir (Debian layout), or undefined. */
export function postgresBinDir() {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] && join(base, versions[0], 'bin');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * Starts a throwaway PostgreSQL cluster; throws naming scripts/ensure-system-deps.sh when it is
 * not installed. fsync is off (and initdb --no-sync): a crash may lose its data, which is fine for
 * a throwaway database and keeps disk flushes out of test times and bench figures.
 * @returns {Promise<{ url: string; port: number; version: string; stop(): void }>}
 */
export async function startPostgres() {
  const bin = postgresBinDir();
  if (!bin)
    throw new Error(`PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): ${SYSTEM_DEPS_HINT}`);
  const asRoot = process.getuid?.() === 0;
  const runuser = existsSync('/usr/sbin/runuser') ? '/usr/sbin/runuser' : 'runuser';
  /** @type {(cmd: string, args: string[]) => [string, string[]]} */
  const command = (cmd, args) =>
    asRoot ? [runuser, ['-u', 'postgres', '--', join(bin, cmd), ...args]] : [join(bin, cmd), args];
  /** @type {(cmd: string, args: string[]) => Promise<void>} */
  const run = async (cmd, args) => {
    const [file, argv] = command(cmd, args);
    try {
      await execFileAsync(file, argv);
    } catch (error) {
      throw new Error(`${cmd} failed: ${error.message}\n${error.stdout ?? ''}${error.stderr ?? ''}`);
    }
  };

  const dir = mkdtempSync(join(tmpdir(), 'xiaoer-pg-'));
  // The postgres user must be able to write here (mkdtemp makes it 0700 for root).
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  let started = false;
  let stopped = false;
  // Synchronous, so it also works from an 'exit' hook (a run that dies must not leave it running).
  const stop = () => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', stop);
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
  process.once('exit', stop);

  try {
    await run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      try {
        started = true;
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
        port,
        version: bin.split('/').at(-2) ?? '',
        stop,
      };
    }
  } catch (error) {
    stop();
    throw error;
  }
}
