#!/usr/bin/env node
// Issue #18: the built web app and widget, compressed once at build time (brotli at its best
// quality, and gzip for the clients without it) so the server sends them precompressed and
// spends no CPU per request (@fastify/static `preCompressed`). Node's own zlib: no dependency.
import { readdirSync, readFileSync, statSync, writeFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = new URL('..', import.meta.url).pathname;
const dists = ['packages/web/dist', 'packages/widget/dist'].map((d) => join(root, d));
const COMPRESSIBLE = /\.(?:js|mjs|css|html|svg|json|txt|map)$/;
const MIN_BYTES = 1024;

function* files(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory()) yield* files(full);
    else yield full;
  }
}

let raw = 0;
let br = 0;
for (const dist of dists)
  for (const file of [...files(dist)]) {
    if (/\.(?:br|gz)$/.test(file)) {
      // Left by an earlier build of a file that is gone: remove; else rewritten below.
      try {
        statSync(file.replace(/\.(?:br|gz)$/, ''));
      } catch {
        unlinkSync(file);
      }
      continue;
    }
    if (!COMPRESSIBLE.test(file)) continue;
    const body = readFileSync(file);
    if (body.length < MIN_BYTES) continue;
    const b = brotliCompressSync(body, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    });
    writeFileSync(`${file}.br`, b);
    writeFileSync(`${file}.gz`, gzipSync(body, { level: 9 }));
    raw += body.length;
    br += b.length;
  }
console.log(`compressed the built UI: ${Math.round(raw / 1024)} KB → ${Math.round(br / 1024)} KB (brotli)`);
