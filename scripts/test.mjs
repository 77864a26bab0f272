#!/usr/bin/env node
// Runs every test: unit and integration (SQLite and PostgreSQL), scenarios, and browser e2e.
// Starts a throwaway PostgreSQL on loopback unless TEST_DATABASE_URL names one.
// Usage: npm test [-- <file or folder filter>...]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { startPostgres } from './lib/postgres.mjs';
import { isStale } from './lib/freshness.mjs';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);

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

const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  cwd: root,
  env: { ...process.env, NODE_ENV: 'test' },
});
const code = await new Promise((resolve) => child.on('exit', (c, s) => resolve(c ?? (s ? 1 : 0))));
stopPg();
stopRedis();
process.exit(code);
