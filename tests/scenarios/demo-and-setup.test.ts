/**
 * Issue #13: the demo only as a demo. DEMO is three-state: unset (auto) serves the demo while no
 * real shop exists, `true` always, `false` never; a closed demo answers 404 at `/demo`, refuses its
 * accounts' logins (403), their existing sessions and sockets, and its widget.
 */
import assert from 'node:assert/strict';
import { after, afterEach, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { WS_AGENT_NAMESPACE, WS_BUYER_NAMESPACE } from '@xiaoer/protocol';
import { seedDemoShop } from '../../packages/server/src/demo/demo-shop';
import type { Storage } from '../../packages/server/src/storage';
import { testDatabases } from '../support/databases';
import { makeShop } from '../support/fixtures';
import { loginCookie, startTestServer, widgetSession, type TestServer } from '../support/server';
import { connect } from '../support/sockets';

const OWNER = 'owner@demo.xiaoer.dev';
const AGENT = 'agent1@demo.xiaoer.dev';
const STRONG = 'Chaguan-2026-setup';

interface ErrorJson {
  error: { code: string; message: string; field?: string; details?: { reason?: string } };
}

/** A fresh database of the engine, with the demo shop seeded unless told. */
async function openDb(engine: (typeof testDatabases)[number], demo = true): Promise<Storage> {
  const storage = await engine.open();
  if (demo) await seedDemoShop(storage);
  return storage;
}

function field(res: LightMyRequestResponse): string | undefined {
  return (res.json() as ErrorJson).error.field;
}

for (const engine of testDatabases) {
  describe(`issue #13 demo mode, ${engine.name}`, () => {
    const servers: TestServer[] = [];
    const storages: Storage[] = [];
    /** A server on `storage` (kept open across servers: closed at the end of the test). */
    const start = async (storage: Storage, env: Record<string, string>) => {
      const t = await startTestServer({ storage, env, demo: false });
      servers.push(t);
      return t;
    };
    const db = async (demo = true) => {
      const storage = await openDb(engine, demo);
      storages.push(storage);
      return storage;
    };
    afterEach(async () => {
      for (const t of servers.splice(0)) await t.server.close();
      for (const s of storages.splice(0)) await s.close();
    });
    after(async () => {
      for (const t of servers.splice(0)) await t.server.close();
    });

    const get = (t: TestServer, url: string, cookie?: string) =>
      t.server.app.inject({ method: 'GET', url, ...(cookie ? { headers: { cookie } } : {}) });
    const login = (t: TestServer, email: string, password = 'password123') =>
      t.server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password } });
    const widget = (t: TestServer, shop = 'demo') =>
      t.server.app.inject({ method: 'POST', url: '/api/widget/session', payload: { shop } });

    /** The demo door is shut: page, logins, sessions, sockets and widget. */
    async function assertDemoClosed(t: TestServer, old?: { cookie: string; buyerToken: string }) {
      assert.equal((await get(t, '/demo')).statusCode, 404, '/demo is gone');
      assert.equal((await get(t, '/demo?buyer=tb100001')).statusCode, 404, 'no buyer is signed in by /demo');
      for (const email of [OWNER, AGENT]) {
        const res = await login(t, email);
        assert.equal(res.statusCode, 403, res.body);
        const body = res.json() as ErrorJson;
        assert.equal(body.error.field, 'email');
        assert.equal(body.error.details?.reason, 'demo_off');
        assert.match(body.error.message, /demo mode is off/);
      }
      const w = await widget(t);
      assert.equal(w.statusCode, 403, w.body);
      assert.equal(field(w), 'shop');
      if (old) {
        // A session (and a buyer token) from while the demo was on is refused too.
        assert.equal((await get(t, '/api/me', old.cookie)).statusCode, 401);
        const messages = await t.server.app.inject({
          method: 'GET',
          url: '/api/widget/messages',
          headers: { authorization: `Bearer ${old.buyerToken}` },
        });
        assert.equal(messages.statusCode, 401);
        await assert.rejects(connect(t.url, WS_AGENT_NAMESPACE, { cookie: old.cookie }), /unauthenticated/);
        await assert.rejects(
          connect(t.url, WS_BUYER_NAMESPACE, { token: old.buyerToken }),
          /unauthenticated/,
        );
      }
    }

    /** The demo is served: its page (saying it is a demo), logins and widget. */
    async function assertDemoOpen(t: TestServer) {
      const page = await get(t, '/demo');
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /这是演示店铺/);
      assert.match(page.body, /This is a demo shop/);
      assert.match(page.body, /DEMO=false/);
      assert.match(page.body, /\/setup\?token=/, 'the page says how to set up a real shop');
      assert.equal((await login(t, OWNER)).statusCode, 200);
      assert.equal((await widget(t)).statusCode, 200);
    }

    it('DEMO=false closes the demo: /demo 404, demo logins 403, an open session, socket and widget refused', async () => {
      const storage = await db();
      const on = await start(storage, { DEMO: 'true' });
      await assertDemoOpen(on);
      const cookie = await loginCookie(on.server, AGENT);
      const { token: buyerToken } = await widgetSession(on.server);
      await on.server.close();
      servers.splice(0);

      const off = await start(storage, { DEMO: 'false' });
      await assertDemoClosed(off, { cookie, buyerToken });
    });

    it('auto: the demo is on while the install has no real shop, and shuts once one exists', async () => {
      const storage = await db();
      const t = await start(storage, { DEMO: 'auto' });
      await assertDemoOpen(t);
      // A shop the demo's owner opens is part of the demo: it does not end demo mode.
      const owner = await loginCookie(t.server, OWNER);
      const opened = await t.server.app.inject({
        method: 'POST',
        url: '/api/admin/shops',
        headers: { cookie: owner },
        payload: { slug: 'demo-second', name: '小二二号店' },
      });
      assert.equal(opened.statusCode, 201, opened.body);
      assert.equal((await storage.shops.findShopBySlug('demo-second'))?.isDemo, true);
      assert.equal(await storage.shops.hasRealShop(), false);
      await assertDemoOpen(t);

      const cookie = await loginCookie(t.server, AGENT);
      const { token: buyerToken } = await widgetSession(t.server);
      // A real shop, made as the command line makes it (another process: nothing told the server).
      await t.server.ctx.team.createShop({
        slug: 'tea-house',
        name: '茶馆',
        ownerEmail: 'boss@tea.cn',
        password: STRONG,
      });
      await assertDemoClosed(t, { cookie, buyerToken });
      // The demo organisation's second shop is closed with it.
      assert.equal((await widget(t, 'demo-second')).statusCode, 403);
      // The real owner logs in.
      assert.equal((await login(t, 'boss@tea.cn', STRONG)).statusCode, 200);
    });

    it('auto on an install that has a real shop: the demo is closed from the start', async () => {
      const storage = await db();
      const first = await start(storage, { DEMO: 'true' });
      await first.server.ctx.team.createShop({
        slug: 'tea-house',
        name: '茶馆',
        ownerEmail: 'boss@tea.cn',
        password: STRONG,
      });
      await first.server.close();
      servers.splice(0);
      const t = await start(storage, { DEMO: 'auto' });
      await assertDemoClosed(t);
    });

    it('DEMO=true keeps the demo open beside a real shop', async () => {
      const storage = await db();
      const t = await start(storage, { DEMO: 'true' });
      await t.server.ctx.team.createShop({
        slug: 'tea-house',
        name: '茶馆',
        ownerEmail: 'boss@tea.cn',
        password: STRONG,
      });
      await assertDemoOpen(t);
      assert.equal((await login(t, 'boss@tea.cn', STRONG)).statusCode, 200);
    });

    it('/demo serves only the demo shop: a real shop named `demo` is not reached through it', async () => {
      const storage = await db(false);
      // (the slug is reserved for shops made by setup or the command line; an older install may have one)
      await makeShop(storage, 'demo');
      const t = await start(storage, { DEMO: 'true' });
      assert.equal((await get(t, '/demo')).statusCode, 404);
      assert.equal((await get(t, '/demo?buyer=anonymous')).statusCode, 404);
    });
  });
}
