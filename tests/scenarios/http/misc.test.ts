/**
 * The HTTP API in process (Fastify `inject`), health, errors and the rest: every route's happy path
 * and its bad input. Bad input must get a 4xx with `{error: {code, message, field?}}` naming the
 * field, write nothing, and leave the process serving. No response in this file may be a 5xx.
 * (One of the files split by route area from tests/scenarios/http-api.test.ts in issue #20; the
 * shared helpers are in tests/support/http-api.ts.)
 */
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { apiHelpers, assertError, ok, startApiServer } from '../../support/http-api';
import { widgetSession, type TestServer } from '../../support/server';

describe('HTTP API in process', () => {
  let t: TestServer;
  /** Session cookies by agent id. */
  const cookies: Record<string, string> = {};
  let owner: string;
  let agent1: string;

  const { api, buyerSays, conversationNow } = apiHelpers(() => ({ t, cookies, owner }));

  before(async () => {
    ({ t, owner, agent1 } = await startApiServer(cookies));
  });
  after(() => t.close());

  // ------------------------------------------------------------------ misc
  describe('misc', () => {
    it('an unknown route is a 404 JSON error', async () => {
      for (const [method, url] of [
        ['GET', '/api/nope'],
        ['POST', '/api/conversations'],
        ['DELETE', '/api/me'],
      ] as const) {
        assertError(await api(method, url), 404, 'not_found');
      }
    });

    it('GET /health answers ok and its roles, never the host or pid (issue #14)', async () => {
      const health = ok(await api('GET', '/health'));
      assert.deepEqual(health, { ok: true, roles: ['web', 'ws', 'worker'] });
      assert.ok(!JSON.stringify(health).includes(String(process.pid)));
      assert.ok(!JSON.stringify(health).includes(hostname()));
      assert.deepEqual(ok(await api('GET', '/ready')), { ok: true, database: 'ok', redis: 'off' });
    });

    it('a body that is not JSON but says so is 400, not 500', async () => {
      for (const payload of ['{"email":', 'not json at all', '{"a":1}}']) {
        assertError(
          await api('POST', '/api/auth/login', { headers: { 'content-type': 'application/json' }, payload }),
          400,
          'validation_failed',
        );
      }
      assertError(
        await api('POST', '/api/widget/messages', {
          token: (await widgetSession(t.server)).token,
          headers: { 'content-type': 'application/json' },
          payload: '{"clientId": "x", "kind": "text", "body": {"text": "半截',
        }),
        400,
        'validation_failed',
      );
    });

    it('a prototype-poisoning body is 400, and a repeated query parameter is 400 naming it', async () => {
      for (const payload of [
        '{"__proto__":{"isAdmin":true},"email":"agent1@demo.xiaoer.dev","password":"password123"}',
        '{"constructor":{"prototype":{"isAdmin":true}},"email":"agent1@demo.xiaoer.dev","password":"password123"}',
      ]) {
        const res = await api('POST', '/api/auth/login', {
          headers: { 'content-type': 'application/json' },
          payload,
        });
        assertError(res, 400, 'validation_failed');
        assert.equal(res.cookies.length, 0);
      }
      assertError(
        await api('GET', '/api/conversations?limit=1&limit=2', { cookie: agent1 }),
        400,
        'validation_failed',
        'limit',
      );
    });

    it('a body over the 64 KB limit is 413 and stores nothing', async () => {
      const s = await buyerSays('大包');
      assertError(
        await api('POST', '/api/widget/messages', {
          token: s.token,
          headers: { 'content-type': 'application/json' },
          payload: JSON.stringify({ clientId: 'huge', kind: 'text', body: { text: 'x'.repeat(70_000) } }),
        }),
        413,
        'payload_too_large',
      );
      assert.equal((await conversationNow(s.conversation.id)).lastSeq, 2);
      assertError(
        await api('POST', '/api/auth/login', {
          headers: { 'content-type': 'application/json' },
          payload: JSON.stringify({ email: 'x'.repeat(70_000), password: 'p' }),
        }),
        413,
        'payload_too_large',
      );
    });

    it('a body of an unsupported content type is 415; plain text where an object belongs is 400', async () => {
      for (const type of ['application/x-www-form-urlencoded', 'application/xml']) {
        assertError(
          await api('POST', '/api/auth/login', {
            headers: { 'content-type': type },
            payload: 'email=agent1@demo.xiaoer.dev&password=password123',
          }),
          415,
          'unsupported_media_type',
        );
      }
      assertError(
        await api('POST', '/api/auth/login', {
          headers: { 'content-type': 'text/plain' },
          payload: 'email=agent1@demo.xiaoer.dev&password=password123',
        }),
        400,
        'validation_failed',
      );
    });

    it('after all the bad input above the process still serves', async () => {
      assert.equal((ok(await api('GET', '/health')) as { ok: boolean }).ok, true);
      ok(await api('GET', '/api/me', { cookie: agent1 }));
      const { conversation } = await buyerSays('最后一条');
      assert.equal(conversation.status, 'assigned');
    });
  });
});
