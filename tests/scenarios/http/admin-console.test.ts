/**
 * The HTTP API in process (Fastify `inject`), the admin console's routes: every route's happy path
 * and its bad input. Bad input must get a 4xx with `{error: {code, message, field?}}` naming the
 * field, write nothing, and leave the process serving. No response in this file may be a 5xx.
 * (One of the files split by route area from tests/scenarios/http-api.test.ts in issue #20; the
 * shared helpers are in tests/support/http-api.ts.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { InjectOptions } from 'fastify';
import {
  type AgentJson,
  apiHelpers,
  assertError,
  DEMO_SHOP,
  ok,
  startApiServer,
} from '../../support/http-api';
import { makeAgent, makeShop } from '../../support/fixtures';
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
    // What the buyer-profile and another-shop files make, and these tests lean on: an outsourced
    // agent of the demo shop, and another shop's owner (whose email the demo shop cannot take).
    ok(
      await api('POST', '/api/admin/agents', {
        cookie: owner,
        payload: {
          email: 'wb@outsource.example',
          name: '外包小王',
          password: AGENT_PASSWORD,
          role: 'outsourced',
        },
      }),
      201,
    );
    await makeAgent(t.storage, await makeShop(t.storage), {
      role: 'owner',
      email: 'owner@other.example',
      status: 'offline',
    });
  });
  after(() => t.close());

  // ------------------------------------------------------------------ admin console
  describe('admin console', () => {
    const adminRoutes: [InjectOptions['method'], string, object | undefined][] = [
      ['GET', '/api/admin/shop', undefined],
      ['PATCH', '/api/admin/shop', { name: '被改了' }],
      ['GET', '/api/admin/agents', undefined],
      ['POST', '/api/admin/agents', { email: 'sneaky@demo.xiaoer.dev', name: 'x', password: AGENT_PASSWORD }],
      ['PATCH', '/api/admin/agents/agent-demo-1', { maxConcurrent: 500, role: 'admin' }],
    ];

    it('TEAM-1 the agent, operator and outsourced roles get 403 on every /api/admin route; no session is 401', async () => {
      const operator = ok<{ agent: AgentJson }>(
        await api('POST', '/api/admin/agents', {
          cookie: owner,
          payload: { email: 'op@demo.xiaoer.dev', name: '运营', password: AGENT_PASSWORD, role: 'operator' },
        }),
        201,
      );
      assert.equal(operator.agent.role, 'operator');
      const operatorCookie = await loginCookie(t.server, 'op@demo.xiaoer.dev', AGENT_PASSWORD);
      const outsourced = await loginCookie(t.server, 'wb@outsource.example', AGENT_PASSWORD);
      for (const [method, url, payload] of adminRoutes) {
        for (const cookie of [agent1, operatorCookie, outsourced]) {
          assertError(await api(method, url, { cookie, payload }), 403, 'forbidden');
        }
        assertError(await api(method, url, { payload }), 401, 'unauthenticated');
      }
      const shop = await t.storage.shops.findShop(DEMO_SHOP);
      assert.equal(shop?.name, '小二旗舰店');
      assert.equal(await t.storage.agents.emailTaken('sneaky@demo.xiaoer.dev'), false);
      const a1 = await t.storage.agents.findAgent(DEMO_SHOP, 'agent-demo-1' as never);
      assert.equal(a1?.role, 'agent');
    });

    it('a cs_admin may use the admin console', async () => {
      ok(
        await api('POST', '/api/admin/agents', {
          cookie: owner,
          payload: {
            email: 'csa@demo.xiaoer.dev',
            name: '客服主管',
            password: AGENT_PASSWORD,
            role: 'cs_admin',
          },
        }),
        201,
      );
      const csAdmin = await loginCookie(t.server, 'csa@demo.xiaoer.dev', AGENT_PASSWORD);
      assert.equal(
        ok<{ shop: { slug: string } }>(await api('GET', '/api/admin/shop', { cookie: csAdmin })).shop.slug,
        'demo',
      );
    });

    it('the owner reads and edits the shop; the secret never leaves the server', async () => {
      const got = ok<{ shop: Record<string, unknown> }>(
        await api('GET', '/api/admin/shop', { cookie: owner }),
      ).shop;
      assert.equal(got.slug, 'demo');
      assert.equal('secret' in got, false);
      const patched = ok<{ shop: Record<string, unknown> }>(
        await api('PATCH', '/api/admin/shop', {
          cookie: owner,
          payload: { name: ' 小二旗舰店 ', serviceHours: '每天 08:00–22:00', timeZone: 'Asia/Tokyo' },
        }),
      ).shop;
      assert.equal(patched.name, '小二旗舰店');
      assert.equal(patched.serviceHours, '每天 08:00–22:00');
      assert.equal(patched.timeZone, 'Asia/Tokyo');
      assert.equal('secret' in patched, false);
      ok(await api('PATCH', '/api/admin/shop', { cookie: owner, payload: { timeZone: 'Asia/Shanghai' } }));
    });

    it('BOT-3 the shop edits its welcome line; every buyer is greeted with it; one that breaks a rule (CMP-3) is refused naming welcomeMessage', async () => {
      const bad = await api('PATCH', '/api/admin/shop', {
        cookie: owner,
        payload: { welcomeMessage: '欢迎光临！加我微信 abc_12345 私聊更便宜' },
      });
      assertError(bad, 422, 'compliance_blocked', 'welcomeMessage');
      assert.equal((await t.storage.shops.findShop(DEMO_SHOP))!.welcomeMessage, null, 'nothing saved');
      ok(
        await api('PATCH', '/api/admin/shop', {
          cookie: owner,
          payload: { welcomeMessage: '亲，欢迎来到{shop}，今天想看点什么？' },
        }),
      );
      const session = ok<{ shop: { welcome: string } }>(
        await api('POST', '/api/widget/session', { payload: { shop: 'demo' } }),
      );
      assert.equal(session.shop.welcome, '亲，欢迎来到小二旗舰店，今天想看点什么？');
      ok(await api('PATCH', '/api/admin/shop', { cookie: owner, payload: { welcomeMessage: null } }));
    });

    it('a bad time zone, name or service hours is 400 naming the field and changes nothing', async () => {
      const before = await t.storage.shops.findShop(DEMO_SHOP);
      const cases: [unknown, string][] = [
        [{ timeZone: 'Mars/Olympus' }, 'timeZone'],
        [{ timeZone: 8 }, 'timeZone'],
        [{ name: '' }, 'name'],
        [{ name: 'x'.repeat(61) }, 'name'],
        [{ serviceHours: '   ' }, 'serviceHours'],
        [{ name: '新名字', timeZone: 'Nowhere/City' }, 'timeZone'],
      ];
      for (const [payload, field] of cases) {
        assertError(
          await api('PATCH', '/api/admin/shop', { cookie: owner, payload: payload as object }),
          400,
          'validation_failed',
          field,
        );
      }
      assert.deepEqual(await t.storage.shops.findShop(DEMO_SHOP), before, 'nothing half written');
    });

    it('lists agents and creates one who can then log in', async () => {
      const { agents } = ok<{ agents: AgentJson[] }>(
        await api('GET', '/api/admin/agents', { cookie: owner }),
      );
      assert.ok(agents.some((a) => a.id === 'agent-demo-1'));
      assert.ok(agents.every((a) => !('passwordHash' in a)));
      const created = ok<{ agent: AgentJson }>(
        await api('POST', '/api/admin/agents', {
          cookie: owner,
          payload: { email: ' New.Agent@Demo.Xiaoer.dev ', name: '新人', password: AGENT_PASSWORD },
        }),
        201,
      ).agent;
      assert.equal(created.email, 'new.agent@demo.xiaoer.dev');
      assert.equal(created.role, 'agent');
      assert.equal(created.status, 'offline');
      assert.equal(created.maxConcurrent, 10);
      assert.equal(created.takesRouting, true);
      assert.equal(created.shopId, DEMO_SHOP);
      const cookie = await loginCookie(t.server, 'new.agent@demo.xiaoer.dev', AGENT_PASSWORD);
      assert.equal(ok<{ agent: AgentJson }>(await api('GET', '/api/me', { cookie })).agent.id, created.id);
      const after = ok<{ agents: AgentJson[] }>(
        await api('GET', '/api/admin/agents', { cookie: owner }),
      ).agents;
      assert.equal(after.length, agents.length + 1);
    });

    it('a duplicate email (in any case) is 409 naming email', async () => {
      for (const email of ['agent1@demo.xiaoer.dev', 'AGENT1@demo.xiaoer.dev', 'owner@other.example']) {
        assertError(
          await api('POST', '/api/admin/agents', {
            cookie: owner,
            payload: { email, name: '重复', password: AGENT_PASSWORD },
          }),
          409,
          'conflict',
          'email',
        );
      }
    });

    it('bad agent fields are 400 naming the field and create nothing', async () => {
      const count = async () =>
        ok<{ agents: AgentJson[] }>(await api('GET', '/api/admin/agents', { cookie: owner })).agents.length;
      const before = await count();
      const base = { email: 'bad-fields@demo.xiaoer.dev', name: '坏字段', password: AGENT_PASSWORD };
      const cases: [unknown, string][] = [
        [{ ...base, password: 'short77' }, 'password'],
        // Never a known password on a real install: common ones are refused by name.
        [{ ...base, password: 'password123' }, 'password'],
        [{ ...base, password: 'woaini1314' }, 'password'],
        [{ ...base, password: 12345678 }, 'password'],
        [{ ...base, maxConcurrent: 0 }, 'maxConcurrent'],
        [{ ...base, maxConcurrent: 501 }, 'maxConcurrent'],
        [{ ...base, maxConcurrent: 2.5 }, 'maxConcurrent'],
        [{ ...base, maxConcurrent: '10' }, 'maxConcurrent'],
        [{ ...base, role: 'owner' }, 'role'],
        [{ ...base, role: 'superuser' }, 'role'],
        [{ ...base, email: 'not-an-email' }, 'email'],
        [{ ...base, name: '' }, 'name'],
        [{ ...base, name: 'n'.repeat(41) }, 'name'],
        [{ ...base, takesRouting: 'yes' }, 'takesRouting'],
      ];
      for (const [payload, field] of cases) {
        assertError(
          await api('POST', '/api/admin/agents', { cookie: owner, payload: payload as object }),
          400,
          'validation_failed',
          field,
        );
      }
      assert.equal(await count(), before);
      assert.equal(await t.storage.agents.emailTaken('bad-fields@demo.xiaoer.dev'), false);
    });

    it('PATCH an agent: cap, name, role; bad fields are 400; unknown agent 404 naming agentId; the owner’s role cannot change', async () => {
      const capped = ok<{ agent: AgentJson }>(
        await api('PATCH', '/api/admin/agents/agent-demo-3', {
          cookie: owner,
          payload: { maxConcurrent: 150, name: '小雪' },
        }),
      ).agent;
      assert.equal(capped.maxConcurrent, 150);
      assert.equal(
        (await t.storage.agents.findAgent(DEMO_SHOP, 'agent-demo-3' as never))?.maxConcurrent,
        150,
      );
      for (const [payload, field] of [
        [{ maxConcurrent: 0 }, 'maxConcurrent'],
        [{ maxConcurrent: 501 }, 'maxConcurrent'],
        [{ role: 'owner' }, 'role'],
        [{ password: 'short' }, 'password'],
        [{ name: '' }, 'name'],
        [{ takesRouting: 1 }, 'takesRouting'],
      ] as const) {
        assertError(
          await api('PATCH', '/api/admin/agents/agent-demo-3', { cookie: owner, payload }),
          400,
          'validation_failed',
          field,
        );
      }
      assert.equal(
        (await t.storage.agents.findAgent(DEMO_SHOP, 'agent-demo-3' as never))?.maxConcurrent,
        150,
      );
      assertError(
        await api('PATCH', '/api/admin/agents/agent-nobody', {
          cookie: owner,
          payload: { maxConcurrent: 5 },
        }),
        404,
        'not_found',
        'agentId',
      );
      assertError(
        await api('PATCH', '/api/admin/agents/agent-demo-owner', {
          cookie: owner,
          payload: { role: 'agent' },
        }),
        403,
        'forbidden',
        'role',
      );
      assert.equal((await t.storage.agents.findAgent(DEMO_SHOP, 'agent-demo-owner' as never))?.role, 'owner');
      ok(
        await api('PATCH', '/api/admin/agents/agent-demo-3', {
          cookie: owner,
          payload: { maxConcurrent: 200 },
        }),
      );
    });

    it('TEAM-1 only the owner changes the owner’s account: an admin cannot set its password', async () => {
      ok(
        await api('POST', '/api/admin/agents', {
          cookie: owner,
          payload: {
            email: 'admin2@demo.xiaoer.dev',
            name: '管理员',
            password: AGENT_PASSWORD,
            role: 'admin',
          },
        }),
        201,
      );
      const admin = await loginCookie(t.server, 'admin2@demo.xiaoer.dev', AGENT_PASSWORD);
      for (const payload of [{ password: 'Taken-0ver-2026' }, { maxConcurrent: 1 }, { name: '被改' }]) {
        assertError(
          await api('PATCH', '/api/admin/agents/agent-demo-owner', { cookie: admin, payload }),
          403,
          'forbidden',
          'agentId',
        );
      }
      assertError(
        await api('POST', '/api/auth/login', {
          payload: { email: 'owner@demo.xiaoer.dev', password: 'Taken-0ver-2026' },
        }),
        401,
        'unauthenticated',
      );
      ok(await api('GET', '/api/me', { cookie: owner }), 200);
      const self = ok<{ agent: AgentJson }>(
        await api('PATCH', '/api/admin/agents/agent-demo-owner', {
          cookie: owner,
          payload: { name: '店主' },
        }),
      );
      assert.equal(self.agent.name, '店主', 'the owner edits its own account');
      ok(await api('PATCH', '/api/admin/agents/agent-demo-2', { cookie: admin, payload: { name: '阿强' } }));
    });

    it('a new password set by an admin ends the agent’s sessions', async () => {
      ok(
        await api('POST', '/api/admin/agents', {
          cookie: owner,
          payload: { email: 'pw@demo.xiaoer.dev', name: '改密码', password: AGENT_PASSWORD },
        }),
        201,
      );
      const cookie = await loginCookie(t.server, 'pw@demo.xiaoer.dev', AGENT_PASSWORD);
      const id = ok<{ agent: AgentJson }>(await api('GET', '/api/me', { cookie })).agent.id;
      ok(
        await api('PATCH', `/api/admin/agents/${id}`, {
          cookie: owner,
          payload: { password: 'N3w-pass-2026x' },
        }),
      );
      assertError(await api('GET', '/api/me', { cookie }), 401, 'unauthenticated');
      assertError(
        await api('POST', '/api/auth/login', {
          payload: { email: 'pw@demo.xiaoer.dev', password: AGENT_PASSWORD },
        }),
        401,
        'unauthenticated',
      );
      await loginCookie(t.server, 'pw@demo.xiaoer.dev', 'N3w-pass-2026x');
    });
  });
});
