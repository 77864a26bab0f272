#!/usr/bin/env node
// Runs every test: unit and integration (SQLite and PostgreSQL), scenarios, and browser e2e.
// Starts a throwaway PostgreSQL on loopback unless TEST_DATABASE_URL names one.
// Usage: npm test [-- [--stress[=N]] <file or folder filter>...]
//   --stress   runs the chosen tests beside N busy-looping processes (default: one per CPU), to
//              check they hold on a loaded machine: no test may depend on how fast it runs.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { startPostgres } from './lib/postgres.mjs';
import { isStale } from './lib/freshness.mjs';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const stressArg = args.find((a) => a === '--stress' || a.startsWith('--stress='));
const stress = stressArg ? Number(stressArg.split('=')[1] ?? availableParallelism()) : 0;
if (stressArg && !(Number.isInteger(stress) && stress > 0)) {
  console.error(`--stress=N wants a whole number of busy processes, not "${stressArg.split('=')[1]}"`);
  process.exit(2);
}
const filters = args.filter((a) => a !== stressArg);

function findTests(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) findTests(full, out);
    else if (/\.(test|e2e)\.tsx?$/.test(entry.name)) out.push(relative(root, full));
  }
  return out;
}

let files = [...findTests(join(root, 'packages')), ...findTests(join(root, 'tests'))].sort();
if (filters.length > 0) files = files.filter((f) => filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

// System packages (PostgreSQL, Chromium, CJK fonts) are installed here when missing and we may.
const deps = spawnSync('bash', [join(root, 'scripts/ensure-system-deps.sh')], { stdio: 'inherit' });
if (deps.status !== 0) process.exit(deps.status ?? 1);
// The browser tests drive the built web app and widget: build them when missing or stale.
const needsUi = files.some((f) => f.startsWith('tests/e2e/'));
const stale =
  needsUi &&
  ['web', 'widget'].some((pkg) =>
    isStale(join(root, 'packages', pkg, 'dist'), [
      join(root, 'packages', pkg),
      join(root, 'packages/protocol/src'),
    ]),
  );
if (stale) {
  const build = spawnSync('npm', ['run', 'build:ui', '--silent'], { stdio: 'inherit', cwd: root });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

let stopPg = () => {};
if (!process.env.TEST_DATABASE_URL) {
  try {
    const pg = await startPostgres();
    stopPg = pg.stop;
    process.env.TEST_DATABASE_URL = pg.url;
    console.log(`# PostgreSQL ${pg.version} started on 127.0.0.1:${pg.port}`);
  } catch (error) {
    console.error(`${error.message}\n(or set TEST_DATABASE_URL to a PostgreSQL server to use)`);
    process.exit(1);
  }
}

// A throwaway Redis on loopback for the cluster tests (issue #7), unless TEST_REDIS_URL names one.
let stopRedis = () => {};
if (!process.env.TEST_REDIS_URL && files.some((f) => f.includes('cluster'))) {
  const dir = mkdtempSync(join(tmpdir(), 'xiaoer-redis-'));
  const port = 56000 + Math.floor(Math.random() * 900);
  const redis = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  );
  stopRedis = () => {
    redis.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.env.TEST_REDIS_URL = `redis://127.0.0.1:${port}`;
  process.env.TEST_REDIS_PORT = String(port);
  console.log(`# Redis started on 127.0.0.1:${port}`);
}

// Stress mode (issue #20): CPU hogs beside the tests, each a process spinning at the tests' own
// priority, started before them and killed after them; one whose runner is gone (killed without
// a chance to clean up) stops by itself.
const HOG = `for (;;) {
  for (let i = 0; i < 5e7; i++);
  try { process.kill(${process.pid}, 0); } catch { process.exit(0); }
}`;
const hogs = Array.from({ length: stress }, () => spawn(process.execPath, ['-e', HOG], { stdio: 'ignore' }));
const stopHogs = () => {
  for (const hog of hogs) hog.kill('SIGKILL');
};
if (stress > 0) console.log(`# stress: ${stress} busy-looping processes beside the tests`);
for (const signal of ['SIGINT', 'SIGTERM'])
  process.on(signal, () => {
    stopHogs();
    stopPg();
    stopRedis();
    process.exit(130);
  });

const started = Date.now();
const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  cwd: root,
  env: { ...process.env, NODE_ENV: 'test' },
});
const code = await new Promise((resolve) => child.on('exit', (c, s) => resolve(c ?? (s ? 1 : 0))));
stopHogs();
if (stress > 0)
  console.log(
    `# stress: the tests ran ${Math.round((Date.now() - started) / 1000)} s beside ${stress} busy processes`,
  );
stopPg();
stopRedis();
process.exit(code);
