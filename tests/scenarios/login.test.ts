/**
 * Issue #14, login: an unknown email and a wrong password answer alike after the same hashing
 * work (no account probing by answer or time), failed logins are limited per email whatever the
 * client's address, and X-Forwarded-For counts only from a configured proxy (TRUST_PROXY).
 */
import assert from 'node:assert/strict';
import { createHook } from 'node:async_hooks';
import { after, before, describe, it } from 'node:test';
import type { ShopId } from '@xiaoer/core';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { testDatabases } from '../support/databases';
import { makeAgent } from '../support/fixtures';
import { startTestServer, type TestServer } from '../support/server';

const DEMO_SHOP = 'shop-demo' as ShopId;

/**
 * Runs `fn` and counts the scrypt computations started meanwhile (Node's own async resource for
 * crypto.scrypt): the hashing work a login does, observed without touching the server's code.
 */
async function scryptsDuring<T>(fn: () => Promise<T>): Promise<{ result: T; scrypts: number }> {
  let scrypts = 0;
  const hook = createHook({
    init(_id, type) {
      if (type === 'SCRYPTREQUEST') scrypts++;
    },
  }).enable();
  try {
    const result = await fn();
    return { result, scrypts };
  } finally {
    hook.disable();
  }
}

function login(
  t: TestServer,
  email: string,
  password: string,
  extra: Partial<InjectOptions> = {},
): Promise<LightMyRequestResponse> {
  return t.server.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email, password },
    ...extra,
  });
}

/** What a client can tell apart: the status, the body, the cookies set. */
function seen(res: LightMyRequestResponse) {
  return { status: res.statusCode, body: res.json<unknown>(), cookies: res.cookies.length };
}

for (const engine of testDatabases) {
  describe(`login on ${engine.name}`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer({
        listen: false,
        storage: await engine.open(),
        env: { LOGIN_ATTEMPTS_PER_MINUTE: '10000', LOGIN_FAILURES_PER_EMAIL_PER_15MIN: '3' },
      });
    });
    after(() => t.close());

    it('an unknown email, a wrong password, a disabled account and an account without a usable hash answer alike, each after one scrypt', async () => {
      const disabled = await makeAgent(t.storage, DEMO_SHOP, { email: 'gone@example.com' });
      await t.storage.agents.updateAgent(DEMO_SHOP, disabled.id, { disabledAt: Date.now() });
      const hashless = await makeAgent(t.storage, DEMO_SHOP, { email: 'nohash@example.com' });
      await t.storage.db.kysely
        .updateTable('accounts')
        .set({ password_hash: '!' })
        .where('id', '=', hashless.id)
        .execute();

      const cases = {
        unknown: await scryptsDuring(() => login(t, 'nobody-here@example.com', 'password123')),
        wrong: await scryptsDuring(() => login(t, 'agent1@demo.xiaoer.dev', 'not-the-password')),
        disabled: await scryptsDuring(() => login(t, 'gone@example.com', 'not-the-password')),
        hashless: await scryptsDuring(() => login(t, 'nohash@example.com', 'password123')),
      };
      const expected = {
        status: 401,
        body: { error: { code: 'unauthenticated', message: 'wrong email or password', field: 'password' } },
        cookies: 0,
      };
      for (const [name, { result, scrypts }] of Object.entries(cases)) {
        assert.deepEqual(seen(result), expected, name);
        assert.equal(scrypts, 1, `${name}: one password hash computed, as for a known account`);
      }
      // The right password still logs in (one scrypt too).
      const right = await scryptsDuring(() => login(t, 'agent1@demo.xiaoer.dev', 'password123'));
      assert.equal(right.result.statusCode, 200, right.result.body);
      assert.equal(right.scrypts, 1);
    });

    it('per email: the 4th failure in the window is 429 from any address, even with the right password; an unknown email alike; a success clears the count', async () => {
      // Every attempt from its own address (as from a botnet): the per-IP limit never sees two.
      let n = 0;
      const from = (email: string, password: string) =>
        login(t, email, password, { remoteAddress: `203.0.113.${++n}` });
      for (const email of ['agent2@demo.xiaoer.dev', 'unknown-2@example.com']) {
        for (let i = 0; i < 3; i++) assert.equal((await from(email, `guess-${i}`)).statusCode, 401);
        for (const password of ['guess-3', 'password123']) {
          const limited = await from(email, password);
          assert.equal(limited.statusCode, 429, limited.body);
          assert.deepEqual(
            limited.json<{ error: { code: string; field: string } }>().error.code,
            'rate_limited',
          );
          assert.equal(limited.json<{ error: { field: string } }>().error.field, 'email');
          assert.ok(Number(limited.headers['retry-after']) > 0, 'says when to come back');
          assert.equal(limited.cookies.length, 0);
        }
      }
      // The same answer for a known and an unknown email at the limit (no probing through it).
      const known = await from('agent2@demo.xiaoer.dev', 'x');
      const unknown = await from('unknown-2@example.com', 'x');
      assert.deepEqual(
        { status: known.statusCode, code: known.json<{ error: { code: string } }>().error.code },
        { status: unknown.statusCode, code: unknown.json<{ error: { code: string } }>().error.code },
      );
      // Another email is not affected; its success clears its failures.
      const other = 'agent3@demo.xiaoer.dev';
      for (let i = 0; i < 2; i++) assert.equal((await from(other, `guess-${i}`)).statusCode, 401);
      assert.equal((await from(other, 'password123')).statusCode, 200);
      for (let i = 0; i < 3; i++) assert.equal((await from(other, `again-${i}`)).statusCode, 401);
      assert.equal((await from(other, 'again-3')).statusCode, 429);
      // Case and spaces do not make another email.
      assert.equal((await from('  AGENT2@demo.xiaoer.dev ', 'password123')).statusCode, 429);
    });
  });
}

describe('X-Forwarded-For (TRUST_PROXY)', () => {
  /** Status codes of 6 requests to the API, each with its own X-Forwarded-For, from `remoteAddress`. */
  async function sixFrom(t: TestServer, remoteAddress: string): Promise<number[]> {
    const codes: number[] = [];
    for (let i = 0; i < 6; i++)
      codes.push(
        (
          await t.server.app.inject({
            method: 'GET',
            url: '/api/me',
            remoteAddress,
            headers: { 'x-forwarded-for': `198.51.100.${i}` },
          })
        ).statusCode,
      );
    return codes;
  }

  it('by default no peer is a proxy: X-Forwarded-For from this host or a private network does not dodge the per-IP limit', async () => {
    const t = await startTestServer({ listen: false, env: { RATE_LIMIT_PER_MINUTE: '5' } });
    try {
      for (const peer of ['127.0.0.1', '10.1.2.3', '192.168.0.7', 'fd00::1'])
        assert.deepEqual(await sixFrom(t, peer), [401, 401, 401, 401, 401, 429], peer);
    } finally {
      await t.close();
    }
  });

  it('from a configured proxy, X-Forwarded-For names the client; from other peers it is still ignored', async () => {
    const t = await startTestServer({
      listen: false,
      env: { RATE_LIMIT_PER_MINUTE: '5', TRUST_PROXY: '10.0.0.2' },
    });
    try {
      assert.deepEqual(await sixFrom(t, '10.0.0.2'), [401, 401, 401, 401, 401, 401]);
      assert.deepEqual(await sixFrom(t, '10.0.0.3'), [401, 401, 401, 401, 401, 429]);
    } finally {
      await t.close();
    }
  });
});
