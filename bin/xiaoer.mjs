#!/usr/bin/env node
// The `xiaoer` command, in this process: the compiled CLI when `npm start` (or `npm run
// build:server`) has built it from the current sources, else the TypeScript sources through
// tsx's loader (a checkout that was never started, or one being edited).
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isStale } from '../scripts/lib/freshness.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'packages/server/dist');
const sources = ['server', 'core', 'protocol'].map((p) => join(root, 'packages', p));
if (isStale(dist, sources)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(root, 'packages/server/src/cli.ts')).href);
} else {
  await import(pathToFileURL(join(dist, 'cli.js')).href);
}
