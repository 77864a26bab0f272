/**
 * Issue #13: the demo only as a demo, and the web first run. DEMO is three-state: unset (auto) serves
 * the demo while no real shop exists, `true` always, `false` never; a closed demo answers 404 at
 * `/demo`, refuses its accounts' logins (403), their existing sessions and sockets, and its widget.
 * The setup page creates the organisation, the first shop and its owner once, with the token printed
 * at start; bad input names its field and writes nothing.
 */
import assert from 'node:assert/strict';
import { after, afterEach, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { WS_AGENT_NAMESPACE, WS_BUYER_NAMESPACE } from '@xiaoer/protocol';
import { checkSetupToken, readSetupToken } from '../../packages/server/src/setup/setup-token';
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
  describe(`issue #13 demo mode and first-run setup, ${engine.name}`, () => {
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
    const setup = (t: TestServer, payload: Record<string, unknown>) =>
      t.server.app.inject({ method: 'POST', url: '/api/setup', payload });

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
      // No real shop and no demo: `/` leads to the setup page, which is needed.
      const root = await get(off, '/');
      assert.equal(root.statusCode, 302);
      assert.equal(root.headers.location, '/setup');
      assert.deepEqual((await get(off, '/api/setup')).json(), { needed: true, demo: false });
    });

    it('auto: the demo is on while the install has no real shop, and shuts once one exists', async () => {
      const storage = await db();
      const t = await start(storage, { DEMO: 'auto' });
      await assertDemoOpen(t);
      assert.deepEqual((await get(t, '/api/setup')).json(), { needed: true, demo: true });
      // `/` shows both paths (the landing of the setup page), not a redirect.
      const root = await get(t, '/');
      assert.ok([200, 503].includes(root.statusCode), `landing: ${root.statusCode}`);
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
      // The real owner logs in; `/` is the workbench; setup is gone.
      assert.equal((await login(t, 'boss@tea.cn', STRONG)).statusCode, 200);
      const root2 = await get(t, '/');
      assert.equal(root2.statusCode, 302);
      assert.equal(root2.headers.location, '/workbench/');
      assert.equal((await get(t, '/setup')).statusCode, 404);
      assert.equal((await get(t, '/setup/')).statusCode, 404);
      assert.deepEqual((await get(t, '/api/setup')).json(), { needed: false, demo: false });
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
      // Nor is a setup token kept for it.
      assert.equal(await readSetupToken(storage), undefined);
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

    it('setup: the token is required (naming `token`), bad fields are refused naming the field with nothing written', async () => {
      // The demo's shop is there, closed: it does not count as the install's shop.
      const storage = await db();
      const t = await start(storage, { DEMO: 'false' });
      assert.deepEqual((await get(t, '/api/setup')).json(), { needed: true, demo: false });
      const token = await readSetupToken(storage);
      assert.ok(token && token.length >= 24, 'a setup token was made at start');
      const good = {
        token,
        orgName: '茶馆集团',
        slug: 'tea-house',
        name: '茶馆',
        ownerName: '老板',
        ownerEmail: 'boss@tea.cn',
        password: STRONG,
        timeZone: 'Asia/Shanghai',
      };
      const { token: _t, ...noToken } = good;

      const missing = await setup(t, noToken);
      assert.equal(missing.statusCode, 401, missing.body);
      assert.equal(field(missing), 'token');
      const wrong = await setup(t, { ...good, token: 'guessed-token' });
      assert.equal(wrong.statusCode, 403, wrong.body);
      assert.equal(field(wrong), 'token');
      // Bad fields with a wrong token: the token is what is named.
      assert.equal(field(await setup(t, { ...good, token: 'x', slug: 'A B' })), 'token');

      const bad: [Record<string, unknown>, string][] = [
        [{ slug: 'Tea House' }, 'slug'],
        [{ slug: 'demo' }, 'slug'],
        [{ name: '' }, 'name'],
        [{ ownerEmail: 'not-an-email' }, 'ownerEmail'],
        [{ password: 'password123' }, 'password'],
        [{ password: 'short' }, 'password'],
        [{ timeZone: 'Mars/Olympus' }, 'timeZone'],
        [{ orgName: 'x'.repeat(61) }, 'orgName'],
        [{ ownerName: 'x'.repeat(41) }, 'ownerName'],
        [{ extra: 1 }, ''],
      ];
      // A taken email (the demo owner's) is a conflict on its field.
      const taken = await setup(t, { ...good, ownerEmail: 'Owner@demo.xiaoer.dev' });
      assert.equal(taken.statusCode, 409, taken.body);
      assert.equal(field(taken), 'ownerEmail');
      for (const [patch, name] of bad) {
        const res = await setup(t, { ...good, ...patch });
        assert.equal(res.statusCode, 400, `${JSON.stringify(patch)}: ${res.body}`);
        if (name) assert.equal(field(res), name, JSON.stringify(patch));
      }
      // Nothing was written, and the token still works.
      assert.deepEqual(
        (await storage.shops.listShops()).map((s) => s.slug),
        ['demo'],
      );
      assert.equal(await storage.agents.findAccountByEmail('boss@tea.cn'), undefined);
      assert.equal(await checkSetupToken(storage, token), 'ok');
      assert.equal((await setup(t, good)).statusCode, 201);
    });

    it('setup creates the organisation, shop and owner, logs the owner in, and is refused the second time', async () => {
      const storage = await db(false);
      const t = await start(storage, { DEMO: 'false' });
      const token = (await readSetupToken(storage))!;
      const res = await setup(t, {
        token,
        orgName: '茶馆集团',
        slug: 'tea-house',
        name: '茶馆',
        ownerName: '老板',
        ownerEmail: 'Boss@Tea.cn',
        password: STRONG,
      });
      assert.equal(res.statusCode, 201, res.body);
      const body = res.json() as {
        shop: { id: string; slug: string; name: string; isDemo: boolean };
        owner: { id: string; email: string; name: string };
        organisation: { id: string; name: string };
      };
      assert.equal(body.shop.slug, 'tea-house');
      assert.equal(body.shop.isDemo, false);
      assert.equal(body.owner.email, 'boss@tea.cn');
      assert.equal(body.organisation.name, '茶馆集团');
      assert.equal(JSON.stringify(body).includes('secret'), false, 'no shop secret in the answer');
      // Logged in as the owner, in the new shop, owning the organisation.
      const sid = res.cookies.find((c) => c.name === 'xiaoer_sid');
      assert.ok(sid, 'a session cookie');
      const me = await get(t, '/api/me', `xiaoer_sid=${sid.value}`);
      assert.equal(me.statusCode, 200);
      const m = me.json() as { agent: { role: string }; shop: { slug: string }; isOrgOwner: boolean };
      assert.deepEqual([m.agent.role, m.shop.slug, m.isOrgOwner], ['owner', 'tea-house', true]);
      assert.equal((await login(t, 'boss@tea.cn', STRONG)).statusCode, 200);
      // The owner brings an agent in.
      const agent = await t.server.app.inject({
        method: 'POST',
        url: '/api/admin/agents',
        headers: { cookie: `xiaoer_sid=${sid.value}` },
        payload: {
          email: 'xiaomei@tea.cn',
          name: '小美',
          password: 'Kefu-2026-strong',
          role: 'agent',
          maxConcurrent: 5,
          takesRouting: true,
        },
      });
      assert.equal(agent.statusCode, 201, agent.body);

      // Once: the token is gone, a second attempt (with it or any other) is refused, the page is gone.
      assert.equal(await readSetupToken(storage), undefined);
      for (const again of [token, 'another'])
        assert.equal(
          (
            await setup(t, {
              token: again,
              slug: 'second',
              name: '二店',
              ownerEmail: 'b@x.cn',
              password: STRONG,
            })
          ).statusCode,
          409,
        );
      assert.equal((await storage.shops.listShops()).length, 1);
      assert.deepEqual((await get(t, '/api/setup')).json(), { needed: false, demo: false });
      assert.equal((await get(t, '/setup')).statusCode, 404);
      const root = await get(t, '/');
      assert.equal(root.headers.location, '/workbench/');
    });

    it('setup: two at once with the right token make one shop; the other is refused', async () => {
      const storage = await db();
      const t = await start(storage, { DEMO: 'auto' });
      const token = (await readSetupToken(storage))!;
      const results = await Promise.all(
        ['one', 'two', 'three'].map((n) =>
          setup(t, { token, slug: `shop-${n}`, name: n, ownerEmail: `${n}@x.cn`, password: STRONG }),
        ),
      );
      const codes = results.map((r) => r.statusCode).sort();
      assert.deepEqual(codes, [201, 409, 409], results.map((r) => r.body).join('\n'));
      assert.equal((await storage.shops.listShops()).filter((s) => !s.isDemo).length, 1);
      // The install had the demo on (auto): the new real shop ends it.
      await assertDemoClosed(t);
    });
  });
}
