/**
 * Issue #16, `npx xiaoer apikey create|list|revoke` (the real command, spawned): the key it prints
 * once works on the v1 API of that shop; list never shows it; revoke stops it; bad input exits 2
 * naming the flag. SQLite file (the command opens the database itself).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openStorage } from '../../packages/server/src/storage';
import { makeShop } from '../support/fixtures';
import { startTestServer } from '../support/server';

const root = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'xiaoer-apikey-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function xiaoer(databaseUrl: string, args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'bin/xiaoer.mjs'), 'apikey', ...args], {
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' },
  });
  return { code: r.status, out: r.stdout.trim(), err: r.stderr.trim() };
}

describe('npx xiaoer apikey (issue #16)', () => {
  it('create prints the key once; it writes to that shop; list never shows it; revoke stops it', async () => {
    const url = `sqlite:${join(dir, 'keys.db')}`;
    const setup = await openStorage(url);
    await makeShop(setup, 'tea-cli');
    await setup.close();

    const made = xiaoer(url, ['create', '--shop', 'tea-cli', '--name', 'ERP']);
    assert.equal(made.code, 0, made.err);
    const { id, key } = JSON.parse(made.out) as { id: string; key: string };
    assert.match(key, /^xk_/);

    const listed = xiaoer(url, ['list', '--shop', 'tea-cli']);
    assert.equal(listed.code, 0, listed.err);
    assert.ok(!listed.out.includes(key));
    assert.deepEqual(
      listed.out.split('\n').map((l) => (JSON.parse(l) as { id: string; name: string }).name),
      ['ERP'],
    );

    const t = await startTestServer({ storage: await openStorage(url), demo: false });
    try {
      const put = () =>
        t.server.app.inject({
          method: 'PUT',
          url: '/api/v1/products/p-1',
          headers: { authorization: `Bearer ${key}` },
          payload: { title: '明前龙井', priceCents: 12_800 },
        });
      assert.equal((await put()).statusCode, 201);
      assert.equal(xiaoer(url, ['revoke', '--shop', 'tea-cli', '--id', id]).code, 0);
      assert.equal((await put()).statusCode, 401);
    } finally {
      await t.close();
    }

    for (const [args, flag] of [
      [['create'], '--shop'],
      [['create', '--shop', 'nope'], '--shop'],
      [['create', '--shop', 'tea-cli', '--scopes', 'read,admin'], '--scopes'],
      [['revoke', '--shop', 'tea-cli'], '--id'],
      [['revoke', '--shop', 'tea-cli', '--id', 'nope'], '--id'],
      [['rotate', '--shop', 'tea-cli'], 'unknown command'],
    ] as const) {
      const r = xiaoer(url, [...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.out}`);
      assert.ok(r.err.includes(flag), r.err);
    }
  });
});
