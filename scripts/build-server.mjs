#!/usr/bin/env node
// Issue #20: the server compiled for production. One esbuild bundle of @xiaoer/server with
// @xiaoer/core and @xiaoer/protocol inlined (they ship TypeScript sources) and every npm
// dependency left external, so `node packages/server/dist/main.js` starts with no TypeScript
// loader (tsx stays for `npm run dev` and the tests). esbuild is already what tsx and vite run on.
//
// Files the server reads beside its sources (`new URL('./corpus/', import.meta.url)`, the
// image-code worker, the demo FAQ, the built web app) stay where they are: each such URL is
// rebased onto its source file's location, relative to the bundle, so the build can be moved
// with the checkout.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
export const SERVER_DIST = join(root, 'packages/server/dist');
export const SERVER_SOURCES = ['server', 'core', 'protocol'].map((p) => join(root, 'packages', p, 'src'));

const external = new Set();
for (const pkg of ['server', 'core', 'protocol']) {
  const json = JSON.parse(readFileSync(join(root, 'packages', pkg, 'package.json'), 'utf8'));
  for (const dep of Object.keys(json.dependencies ?? {})) if (!dep.startsWith('@xiaoer/')) external.add(dep);
}

/**
 * npm dependencies stay external. A subpath Node's ESM loader cannot find by itself (a package
 * without an `exports` map: `@node-rs/jieba/dict`) is rewritten to the file it names
 * (`@node-rs/jieba/dict.js`), still resolved from node_modules at run time.
 */
const requireFromServer = createRequire(join(root, 'packages/server/package.json'));
const externalDependencies = {
  name: 'external-dependencies',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:') || args.path.startsWith('@xiaoer/')) return undefined;
      const name = args.path
        .split('/')
        .slice(0, args.path.startsWith('@') ? 2 : 1)
        .join('/');
      if (!external.has(name)) return undefined;
      if (args.path === name) return { path: args.path, external: true };
      // import.meta.resolve names a file without checking it is there.
      const esm = import.meta.resolve(args.path, pathToFileURL(join(root, 'packages/server/')).href);
      if (existsSync(fileURLToPath(esm))) return { path: args.path, external: true };
      const file = requireFromServer.resolve(args.path);
      const pkgDir = dirname(requireFromServer.resolve(`${name}/package.json`));
      return { path: `${name}/${relative(pkgDir, file).split('\\').join('/')}`, external: true };
    });
  },
};

/** `new URL('x', import.meta.url)` in a source file → the same file, addressed from the bundle. */
const rebaseAssetUrls = (outdir) => ({
  name: 'rebase-asset-urls',
  setup(b) {
    b.onLoad({ filter: /packages\/(server|core|protocol)\/src\/.*\.ts$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const fromBundle = relative(outdir, dirname(args.path)).split('\\').join('/') + '/';
      const contents = text.replace(
        /new URL\(((?:'[^']*'|"[^"]*")),\s*import\.meta\.url\)/g,
        (_, rel) => `new URL(${rel}, new URL(${JSON.stringify(fromBundle)}, import.meta.url))`,
      );
      return { contents, loader: 'ts' };
    });
  },
});

/** Compiles `main.js` and `cli.js` into `outdir` (under packages/server: dependencies resolve upwards). */
export async function buildServer(outdir = SERVER_DIST) {
  rmSync(outdir, { recursive: true, force: true }); // no stale chunks beside the new ones
  await build({
    entryPoints: {
      main: join(root, 'packages/server/src/main.ts'),
      cli: join(root, 'packages/server/src/cli.ts'),
    },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    plugins: [externalDependencies, rebaseAssetUrls(outdir)],
    logLevel: 'warning',
    legalComments: 'none',
  });
}

// `node scripts/build-server.mjs [outdir]` (the tests build into a folder of their own).
if (process.argv[1] === fileURLToPath(import.meta.url))
  await buildServer(process.argv[2] && resolve(process.argv[2]));
