/**
 * The HTTP API in process (Fastify `inject`): rate limits. No response in this file may be a 5xx.
 * (One of the files split by route area from tests/scenarios/http-api.test.ts in issue #20; the
 * shared helpers are in tests/support/http-api.ts.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertError, countBuyers, ok, request, type SendJson, storedMessages } from '../../support/http-api';
import { startTestServer, widgetSession } from '../../support/server';

// ------------------------------------------------------------------ rate limits
describe('rate limits', () => {
  it('per buyer: the 4th message within 10 s is 429 rate_limited and is not stored; another buyer is unaffected', async () => {
    const t = await startTestServer({ listen: false, env: { BUYER_MESSAGES_PER_10S: '3' } });
    try {
      const { token } = await widgetSession(t.server);
      const codes: number[] = [];
      let conversationId = '';
      for (let i = 0; i < 4; i++) {
        const res = await request(t, 'POST', '/api/widget/messages', {
          token,
          payload: { clientId: `r${i}`, kind: 'text', body: { text: `第${i}条` } },
        });
        codes.push(res.statusCode);
        if (res.statusCode === 200) conversationId = res.json<SendJson>().conversation.id;
        else {
          assertError(res, 429, 'rate_limited');
          // Issue #14: it says when the buyer may send again (within the 10 s window).
          const wait = res.json<{ error: { retryAfterMs?: number } }>().error.retryAfterMs ?? 0;
          assert.ok(wait > 0 && wait <= 10_000, `retryAfterMs ${wait}`);
        }
      }
      assert.deepEqual(codes, [200, 200, 200, 429]);
      const stored = await storedMessages(t, conversationId);
      assert.deepEqual(
        stored.filter((m) => m.kind !== 'system').map((m) => (m.body as { text: string }).text),
        ['第0条', '第1条', '第2条'],
        'the limited message was not stored',
      );
      const other = await widgetSession(t.server);
      ok(
        await request(t, 'POST', '/api/widget/messages', {
          token: other.token,
          payload: { clientId: 'o1', kind: 'text', body: { text: '我没超' } },
        }),
      );
    } finally {
      await t.close();
    }
  });

  it('per IP: the 6th API request within a minute is 429 rate_limited; pages outside /api are not limited', async () => {
    const t = await startTestServer({ listen: false, env: { RATE_LIMIT_PER_MINUTE: '5' } });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 6; i++) {
        const res = await request(t, 'GET', '/api/me');
        codes.push(res.statusCode);
        if (i === 5) assertError(res, 429, 'rate_limited');
      }
      assert.deepEqual(codes, [401, 401, 401, 401, 401, 429]);
      assert.equal((await request(t, 'GET', '/health')).statusCode, 200);
      // Another client address has its own budget.
      const elsewhere = await t.server.app.inject({
        method: 'GET',
        url: '/api/me',
        remoteAddress: '10.0.0.9',
      });
      assert.equal(elsewhere.statusCode, 401);
    } finally {
      await t.close();
    }
  });

  it('per IP: a client on the internet cannot dodge the limit with its own X-Forwarded-For; clients behind a trusted proxy each have their own budget', async () => {
    const t = await startTestServer({
      listen: false,
      env: { RATE_LIMIT_PER_MINUTE: '5', TRUST_PROXY: 'loopback' },
    });
    try {
      const from = async (remoteAddress: string, i: number) =>
        (
          await t.server.app.inject({
            method: 'GET',
            url: '/api/me',
            remoteAddress,
            headers: { 'x-forwarded-for': `198.51.100.${i}` },
          })
        ).statusCode;
      const spoofed: number[] = [];
      for (let i = 0; i < 6; i++) spoofed.push(await from('203.0.113.7', i));
      assert.deepEqual(spoofed, [401, 401, 401, 401, 401, 429]);
      const proxied: number[] = [];
      for (let i = 0; i < 6; i++) proxied.push(await from('127.0.0.1', i));
      assert.deepEqual(
        proxied,
        [401, 401, 401, 401, 401, 401],
        'a proxy on this host forwards real client IPs',
      );
    } finally {
      await t.close();
    }
  });

  it('login attempts per IP are limited, even with the right password', async () => {
    const t = await startTestServer({ listen: false, env: { LOGIN_ATTEMPTS_PER_MINUTE: '2' } });
    try {
      const login = (password: string) =>
        request(t, 'POST', '/api/auth/login', { payload: { email: 'agent1@demo.xiaoer.dev', password } });
      assert.equal((await login('wrong-one')).statusCode, 401);
      assert.equal((await login('wrong-two')).statusCode, 401);
      const limited = await login('password123');
      assertError(limited, 429, 'rate_limited');
      assert.equal(limited.cookies.length, 0);
    } finally {
      await t.close();
    }
  });

  it('widget sessions per IP are limited and a limited one creates no buyer', async () => {
    const t = await startTestServer({ listen: false, env: { WIDGET_SESSIONS_PER_MINUTE: '2' } });
    try {
      await widgetSession(t.server);
      await widgetSession(t.server);
      const before = await countBuyers(t);
      assertError(
        await request(t, 'POST', '/api/widget/session', { payload: { shop: 'demo' } }),
        429,
        'rate_limited',
      );
      assert.equal(await countBuyers(t), before);
    } finally {
      await t.close();
    }
  });
});
