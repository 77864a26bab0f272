/**
 * The HTTP API in process (Fastify `inject`), auth: log in and out, /api/me: every route's happy
 * path and its bad input. Bad input must get a 4xx with `{error: {code, message, field?}}` naming
 * the field, write nothing, and leave the process serving. No response in this file may be a 5xx.
 * (One of the files split by route area from tests/scenarios/http-api.test.ts in issue #20; the
 * shared helpers are in tests/support/http-api.ts.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeAgent } from '../../support/fixtures';
import {
  type AgentJson,
  apiHelpers,
  assertError,
  DEMO_SHOP,
  EMAIL_BY_AGENT,
  ok,
  startApiServer,
} from '../../support/http-api';
import { AGENT_PASSWORD, loginCookie, type TestServer } from '../../support/server';

describe('HTTP API in process', () => {
  let t: TestServer;
  /** Session cookies by agent id. */
  const cookies: Record<string, string> = {};
  let owner: string;
  let agent1: string;

  const { api } = apiHelpers(() => ({ t, cookies, owner }));

  before(async () => {
    ({ t, owner, agent1 } = await startApiServer(cookies));
  });
  after(() => t.close());

  // ------------------------------------------------------------------ auth
  describe('auth', () => {
    it('logs in with an httpOnly session cookie and answers MeResponse without secrets', async () => {
      const res = await api('POST', '/api/auth/login', {
        payload: { email: 'agent1@demo.xiaoer.dev', password: 'password123' },
      });
      const me = ok<{ agent: Record<string, unknown>; shop: Record<string, unknown> }>(res);
      assert.equal(me.agent.id, 'agent-demo-1');
      assert.equal(me.shop.slug, 'demo');
      assert.equal('secret' in me.shop, false, 'the shop secret never leaves the server');
      assert.equal('passwordHash' in me.agent, false);
      const cookie = res.cookies.find((c) => c.name === 'xiaoer_sid');
      assert.ok(cookie?.value, 'a session cookie is set');
      assert.equal(cookie.httpOnly, true);
      assert.equal(cookie.path, '/');
      assert.equal(String(cookie.sameSite).toLowerCase(), 'lax');
      const again = ok<{ agent: { email: string } }>(
        await api('GET', '/api/me', { cookie: `xiaoer_sid=${cookie.value}` }),
      );
      assert.equal(again.agent.email, 'agent1@demo.xiaoer.dev');
    });

    it('treats the email case-insensitively', async () => {
      const res = await api('POST', '/api/auth/login', {
        payload: { email: '  Agent2@Demo.XIAOER.dev ', password: 'password123' },
      });
      assert.equal(ok<{ agent: { id: string } }>(res).agent.id, 'agent-demo-2');
    });

    it('answers a wrong password and an unknown email with the same 401, and sets no cookie', async () => {
      const wrong = await api('POST', '/api/auth/login', {
        payload: { email: 'agent1@demo.xiaoer.dev', password: 'password124' },
      });
      const unknown = await api('POST', '/api/auth/login', {
        payload: { email: 'nobody@demo.xiaoer.dev', password: 'password124' },
      });
      const a = assertError(wrong, 401, 'unauthenticated');
      const b = assertError(unknown, 401, 'unauthenticated');
      assert.deepEqual(a, b, 'no account probing');
      assert.equal(wrong.cookies.length, 0);
      assert.equal(unknown.cookies.length, 0);
    });

    it('rejects a malformed email, a missing or wrongly typed password, and a non-object body with 400 naming the field', async () => {
      const cases: [unknown, string | undefined][] = [
        [{ email: 'not-an-email', password: 'password123' }, 'email'],
        [{ email: 42, password: 'password123' }, 'email'],
        [{ password: 'password123' }, 'email'],
        [{ email: 'agent1@demo.xiaoer.dev', password: '' }, 'password'],
        [{ email: 'agent1@demo.xiaoer.dev', password: 12345678 }, 'password'],
        [{ email: 'agent1@demo.xiaoer.dev' }, 'password'],
        [['agent1@demo.xiaoer.dev', 'password123'], undefined],
      ];
      for (const [payload, field] of cases) {
        const res = await api('POST', '/api/auth/login', { payload: payload as object });
        assertError(res, 400, 'validation_failed', field);
        assert.equal(res.cookies.length, 0);
      }
    });

    it('GET /api/me without a cookie or with a made-up one is 401', async () => {
      assertError(await api('GET', '/api/me'), 401, 'unauthenticated');
      assertError(await api('GET', '/api/me', { cookie: 'xiaoer_sid=made-up' }), 401, 'unauthenticated');
    });

    it('logout ends every session of the account on the server, clears the cookie and sets them offline (RT-8)', async () => {
      const agent = await makeAgent(t.storage, DEMO_SHOP, {
        email: 'leaving@demo.xiaoer.dev',
        password: AGENT_PASSWORD,
      });
      const cookie = await loginCookie(t.server, agent.email, AGENT_PASSWORD);
      const phone = await loginCookie(t.server, agent.email, AGENT_PASSWORD);
      ok(await api('GET', '/api/me', { cookie }));
      const out = await api('POST', '/api/auth/logout', { cookie });
      assert.equal(out.statusCode, 204);
      const cleared = out.cookies.find((c) => c.name === 'xiaoer_sid');
      assert.ok(cleared, 'the cookie is cleared');
      assert.equal(cleared.value, '');
      // The old token is dead even if a client keeps sending it, and so is the other device's.
      assertError(await api('GET', '/api/me', { cookie }), 401, 'unauthenticated');
      assertError(await api('GET', '/api/me', { cookie: phone }), 401, 'unauthenticated');
      assert.equal((await t.storage.agents.findAgent(DEMO_SHOP, agent.id))!.status, 'offline');
      assert.equal((await api('POST', '/api/auth/logout')).statusCode, 204, 'logging out twice is harmless');
    });

    it('RT-8 PUT /api/me/status records the chosen status; with no workbench open the agent stays offline; a bad status is 400 naming status', async () => {
      const agent = await makeAgent(t.storage, DEMO_SHOP, {
        email: 'chooser@demo.xiaoer.dev',
        password: AGENT_PASSWORD,
        status: 'offline',
      });
      const cookie = await loginCookie(t.server, agent.email, AGENT_PASSWORD);
      for (const status of ['hung_up', 'offline', 'online'] as const) {
        const res = await api('PUT', '/api/me/status', { cookie, payload: { status } });
        const shown = ok<{ agent: AgentJson }>(res).agent;
        assert.equal(shown.chosenStatus, status);
        // Nobody is given buyers unseen: the status applies once their workbench connects.
        assert.equal(shown.status, 'offline');
        const stored = await t.storage.agents.findAgent(DEMO_SHOP, agent.id);
        assert.deepEqual([stored?.status, stored?.chosenStatus], ['offline', status]);
      }
      for (const payload of [{ status: 'asleep' }, { status: 1 }, {}]) {
        assertError(
          await api('PUT', '/api/me/status', { cookie, payload }),
          400,
          'validation_failed',
          'status',
        );
      }
      assert.equal((await t.storage.agents.findAgent(DEMO_SHOP, agent.id))?.chosenStatus, 'online');
      assertError(
        await api('PUT', '/api/me/status', { payload: { status: 'online' } }),
        401,
        'unauthenticated',
      );
    });

    it('GET /api/agents lists the shop’s agents with their load for transfers', async () => {
      const { agents } = ok<{ agents: AgentJson[] }>(await api('GET', '/api/agents', { cookie: agent1 }));
      const ids = agents.map((a) => a.id);
      for (const id of Object.keys(EMAIL_BY_AGENT)) assert.ok(ids.includes(id as never), id);
      for (const a of agents) {
        assert.equal(a.shopId, DEMO_SHOP);
        assert.equal(typeof a.load, 'number');
        assert.equal('passwordHash' in a, false);
      }
      assertError(await api('GET', '/api/agents'), 401, 'unauthenticated');
    });
  });
});
