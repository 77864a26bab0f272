/**
 * Issue #20: the production start. `npm start` compiles the server once (scripts/build-server.mjs,
 * esbuild) and runs it with plain node — no TypeScript loader in the process. The compiled bundle
 * must find every file the server reads beside its sources (the compliance corpus, the image-code
 * worker, the demo FAQ, the built web app), serve, and stop cleanly; `npx xiaoer start` (the bin)
 * starts the same server.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';

const root = fileURLToPath(new URL('../..', import.meta.url));
// Under packages/server, as the real dist: some dependencies live in its own node_modules.
const outdir = join(root, 'packages/server/.tmp', `dist-${process.pid}`);
const dataDir = mkdtempSync(join(tmpdir(), 'xiaoer-prod-'));

after(() => {
  rmSync(outdir, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

/** Starts a process and resolves with the workbench URL it prints once it is serving. */
async function startPrinting(args: string[], db: string): Promise<{ proc: ChildProcess; base: string }> {
  const proc = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, DATABASE_URL: `sqlite:${join(dataDir, db)}`, PORT: '0', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const base = await new Promise<string>((resolve, reject) => {
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /agent workbench\s+(http:\/\/\S+)\/workbench\//.exec(out);
      if (m) resolve(m[1]!);
    });
    proc.on('exit', (code) => reject(new Error(`exited ${code} before serving:\n${out}\n${err}`)));
  });
  return { proc, base };
}

/** SIGTERM, and the exit code once it is gone. */
async function stop(proc: ChildProcess): Promise<number | null> {
  const exited = once(proc, 'exit');
  proc.kill('SIGTERM');
  const [code] = (await exited) as [number | null];
  return code;
}

describe('production start (issue #20)', () => {
  it('compiles the server into one bundle that reaches every file it reads beside its sources', () => {
    const built = spawnSync(process.execPath, ['scripts/build-server.mjs', outdir], {
      cwd: root,
      encoding: 'utf8',
    });
    assert.equal(built.status, 0, built.stderr);
    const files = readdirSync(outdir).filter((f) => f.endsWith('.js'));
    assert.ok(files.includes('main.js') && files.includes('cli.js'), files.join(', '));
    // Each `new URL(x, import.meta.url)` of a source file was rebased onto that file's folder.
    const rebased: string[] = [];
    for (const f of files) {
      const text = readFileSync(join(outdir, f), 'utf8');
      for (const m of text.matchAll(/new URL\("([^"]+)", new URL\("([^"]+)", import\.meta\.url\)\)/g))
        rebased.push(fileURLToPath(new URL(m[1]!, new URL(m[2]!, `file://${outdir}/${f}`))));
    }
    assert.ok(rebased.length >= 4, `rebased: ${rebased.join(', ')}`);
    for (const path of rebased) assert.ok(existsSync(path), `the bundle reads ${path}, which is not there`);
    // The TypeScript workspace packages are inside the bundle; npm dependencies are not.
    const imports = files.flatMap((f) =>
      [...readFileSync(join(outdir, f), 'utf8').matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]!),
    );
    assert.ok(!imports.some((i) => i.startsWith('@xiaoer/')), imports.join(', '));
    assert.ok(imports.includes('fastify'));
  });

  it('serves from the bundle with plain node: ready, the demo login, and a clean stop', async () => {
    const { proc, base } = await startPrinting([join(outdir, 'main.js')], 'bundle.db');
    try {
      const ready = await fetch(`${base}/ready`);
      assert.equal(ready.status, 200);
      const login = await fetch(`${base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: base },
        body: JSON.stringify({ email: 'agent1@demo.xiaoer.dev', password: 'password123' }),
      });
      assert.equal(login.status, 200, await login.text());
    } finally {
      assert.equal(await stop(proc), 0);
    }
  });

  it('`npx xiaoer start` (the bin) starts the same server', async () => {
    const { proc, base } = await startPrinting(['bin/xiaoer.mjs', 'start'], 'bin.db');
    try {
      assert.equal((await fetch(`${base}/ready`)).status, 200);
    } finally {
      assert.equal(await stop(proc), 0);
    }
  });
});
