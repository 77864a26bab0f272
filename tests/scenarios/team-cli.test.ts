import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { AgentId, ShopId } from '@xiaoer/core';
import { freshPostgresUrl } from '../support/databases';
import { openStorage } from '../../packages/server/src/storage';
import { createServer } from '../../packages/server/src/app';
import { parseConfig } from '../../packages/server/src/config';
import { runTeamCli } from '../../packages/server/src/team/team-cli';

const root = new URL('../..', import.meta.url).pathname;

/** Runs `npx xiaoer …` against a database, with `stdin` on standard input. */
function xiaoer(databaseUrl: string, args: string[], stdin = '') {
  const r = spawnSync(process.execPath, [join(root, 'bin/xiaoer.mjs'), ...args], {
    input: stdin,
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' },
  });
  return { code: r.status, out: r.stdout.trim(), err: r.stderr.trim() };
}

/** The command's own function, in this process. */
async function inProcess(databaseUrl: string, group: 'shop' | 'agent', args: string[], stdin = '') {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runTeamCli(group, args, {
    open: () => openStorage(databaseUrl),
    readStdin: async () => stdin,
    out: (l) => out.push(l),
    err: (l) => err.push(l),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const dir = mkdtempSync(join(tmpdir(), 'xiaoer-team-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`npx xiaoer shop / agent on ${engine}`, () => {
    it('shop create, then the owner logs in; bad input exits 2 naming the field and writes nothing', async () => {
      const url = engine === 'sqlite' ? `sqlite:${join(dir, 'team.db')}` : await freshPostgresUrl();
      const made = xiaoer(
        url,
        [
          'shop',
          'create',
          '--slug',
          'tea-house',
          '--name',
          '茶馆',
          '--owner-email',
          'Boss@Tea.cn',
          '--password-stdin',
        ],
        'Tea-house-2026\n',
      );
      assert.equal(made.code, 0, made.err);
      const printed = JSON.parse(made.out) as { shop: Record<string, string>; owner: Record<string, string> };
      assert.deepEqual(Object.keys(printed), ['shop', 'owner']);
      assert.deepEqual(Object.keys(printed.shop), ['id', 'slug', 'name']);
      assert.deepEqual(Object.keys(printed.owner), ['id', 'email']);
      assert.equal(printed.shop.slug, 'tea-house');
      assert.equal(printed.owner.email, 'boss@tea.cn');

      const refused: [string[], string, string][] = [
        [['--slug', 'tea-house', '--name', 'x', '--owner-email', 'b2@tea.cn'], 'Tea-house-2026', '--slug'],
        [['--slug', 'Bad_Slug', '--name', 'x', '--owner-email', 'b2@tea.cn'], 'Tea-house-2026', '--slug'],
        [
          ['--slug', 'second', '--name', 'x', '--owner-email', 'boss@tea.cn'],
          'Tea-house-2026',
          '--owner-email',
        ],
        [
          ['--slug', 'second', '--name', 'x', '--owner-email', 'not-an-email'],
          'Tea-house-2026',
          '--owner-email',
        ],
        [
          ['--slug', 'second', '--name', 'x', '--owner-email', 'b2@tea.cn'],
          'password123',
          '--password-stdin',
        ],
        [['--slug', 'second', '--name', 'x', '--owner-email', 'b2@tea.cn'], 'short', '--password-stdin'],
        [['--slug', 'second', '--name', '   ', '--owner-email', 'b2@tea.cn'], 'Tea-house-2026', '--name'],
        [
          ['--slug', 'second', '--name', 'x', '--owner-email', 'b2@tea.cn', '--time-zone', 'Mars/Base'],
          'Tea-house-2026',
          '--time-zone',
        ],
      ];
      // (in process: the same function the command runs, without a process start per case)
      for (const [args, password, field] of refused) {
        const r = await inProcess(url, 'shop', ['create', ...args, '--password-stdin'], `${password}\n`);
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
        assert.ok(r.err.includes(field), `names ${field}: ${r.err}`);
      }
      // Without --password-stdin the password is never taken from a flag.
      const noStdin = xiaoer(url, [
        'shop',
        'create',
        '--slug',
        'second',
        '--name',
        'x',
        '--owner-email',
        'b2@tea.cn',
      ]);
      assert.equal(noStdin.code, 2);
      assert.match(noStdin.err, /--password-stdin/);
      const unknown = await inProcess(url, 'shop', ['create', '--slug', 'second', '--password', 'x']);
      assert.equal(unknown.code, 2);

      const list = xiaoer(url, ['shop', 'list']);
      assert.equal(list.code, 0, list.err);
      const shops = list.out.split('\n').map((l) => JSON.parse(l) as { slug: string; demo: boolean });
      assert.deepEqual(
        shops.map((s) => [s.slug, s.demo]),
        [['tea-house', false]],
        'nothing half-written by the refusals',
      );

      // The team: a new agent, a disabled one, a password reset.
      const agent = xiaoer(
        url,
        [
          'agent',
          'create',
          '--shop',
          'tea-house',
          '--email',
          'a1@tea.cn',
          '--name',
          '小美',
          '--cap',
          '5',
          '--password-stdin',
        ],
        'Xiaomei-2026!\n',
      );
      assert.equal(agent.code, 0, agent.err);
      const a1 = (JSON.parse(agent.out) as { agent: { id: string; role: string; shop: string } }).agent;
      assert.deepEqual([a1.role, a1.shop], ['agent', 'tea-house']);
      const weak = xiaoer(
        url,
        ['agent', 'create', '--shop', 'tea-house', '--email', 'a2@tea.cn', '--name', 'x', '--password-stdin'],
        '12345678\n',
      );
      assert.equal(weak.code, 2);
      assert.match(weak.err, /--password-stdin/);
      assert.equal(xiaoer(url, ['agent', 'create', '--shop', 'nope', '--email', 'a2@tea.cn']).code, 2);
      assert.equal(
        xiaoer(url, ['agent', 'create', '--shop', 'tea-house', '--email', 'a2@tea.cn', '--role', 'owner'])
          .code,
        2,
      );

      const storage = await openStorage(url);
      const server = await createServer(
        parseConfig({ PORT: '0', LOG_LEVEL: 'silent', DATABASE_URL: url, DEMO: 'false' }),
        {
          storage,
        },
      );
      try {
        const login = (email: string, password: string) =>
          server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password } });
        const owner = await login('boss@tea.cn', 'Tea-house-2026');
        assert.equal(owner.statusCode, 200, owner.body);
        const me = owner.json() as { agent: { role: string }; shop: { slug: string } };
        assert.deepEqual([me.agent.role, me.shop.slug], ['owner', 'tea-house']);
        assert.equal((await login('a1@tea.cn', 'Xiaomei-2026!')).statusCode, 200);

        const reset = xiaoer(
          url,
          ['agent', 'reset-password', '--shop', 'tea-house', '--email', 'a1@tea.cn', '--password-stdin'],
          'Xiaomei-2027!\n',
        );
        assert.equal(reset.code, 0, reset.err);
        assert.equal((await login('a1@tea.cn', 'Xiaomei-2026!')).statusCode, 401);
        assert.equal((await login('a1@tea.cn', 'Xiaomei-2027!')).statusCode, 200);

        const disabled = xiaoer(url, ['agent', 'disable', '--shop', 'tea-house', '--email', 'a1@tea.cn']);
        assert.equal(disabled.code, 0, disabled.err);
        assert.equal(
          (await login('a1@tea.cn', 'Xiaomei-2027!')).statusCode,
          403,
          'a disabled agent cannot log in',
        );
        const shopId = (await storage.shops.findShopBySlug('tea-house'))!.id as ShopId;
        const kept = await storage.agents.findAgent(shopId, a1.id as AgentId);
        assert.ok(kept?.disabledAt, 'kept for history, marked disabled');
      } finally {
        await server.close();
        await storage.close();
      }
    });
  });
}
