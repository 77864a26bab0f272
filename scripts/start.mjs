#!/usr/bin/env node
// `npm start`, step one (issue #20): bring the builds up to date, then exit so that package.json's
// start script can `exec` the compiled server — one node process, no TypeScript loader, and no
// builder left in memory. A build that is current is skipped: a restart takes seconds.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isStale } from './lib/freshness.mjs';
import { SERVER_DIST, buildServer } from './build-server.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const at = (...p) => join(root, ...p);

const uiStale = ['web', 'widget'].some((pkg) =>
  isStale(at('packages', pkg, 'dist'), [at('packages', pkg), at('packages/protocol/src')]),
);
if (uiStale) {
  const ui = spawnSync('npm', ['run', 'build:ui', '--silent'], { stdio: 'inherit', cwd: root });
  if (ui.status !== 0) process.exit(ui.status ?? 1);
}

const serverSources = ['server', 'core', 'protocol'].map((p) => at('packages', p));
if (isStale(SERVER_DIST, [...serverSources, at('scripts/build-server.mjs'), at('package-lock.json')])) {
  console.log('xiaoer: compiling the server (packages/server/dist)…');
  await buildServer();
}
