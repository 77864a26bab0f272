/**
 * Issue #14, cross-site request forgery: the session cookie is SameSite=Lax, so a page of the same
 * site (another port here) had the browser send it with body-less POSTs and the agent socket's
 * handshake. Requests acting with the cookie (and logins) must come from the server's own origin,
 * PUBLIC_URL's or ALLOWED_ORIGINS; clients that are not browsers (no Origin, Referer or
 * Sec-Fetch-Site) pass; the widget and the buyer socket answer every origin. Over real HTTP.
 */
import assert from 'node:assert/strict';
import { createServer, type Server as HttpServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { Conversation, ShopId } from '@xiaoer/core';
import { WS_AGENT_NAMESPACE, WS_BUYER_NAMESPACE } from '@xiaoer/protocol';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/browser';
import { testDatabases } from '../support/databases';
import { startNginx } from '../support/nginx';
import { startTestServer, WidgetBuyers, type TestServer } from '../support/server';
import { connect } from '../support/sockets';

const FOREIGN = 'http://127.0.0.1:9'; // same site as the server (127.0.0.1), another origin
const DEMO_SHOP = 'shop-demo' as ShopId;
const LIMITS = {
  RATE_LIMIT_PER_MINUTE: '100000',
  LOGIN_ATTEMPTS_PER_MINUTE: '10000',
  WIDGET_SESSIONS_PER_MINUTE: '10000',
};

interface ErrorJson {
  error: { code: string; message: string; field?: string; details?: { reason?: string } };
}

/** Logs in over HTTP (as a non-browser client) and returns the cookie header value. */
async function login(base: string, email: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ email, password: 'password123' }),
  });
}
async function cookieOf(base: string, email: string): Promise<string> {
  const res = await login(base, email);
  assert.equal(res.status, 200, await res.clone().text());
  const sid = res.headers.getSetCookie().find((c) => c.startsWith('xiaoer_sid='));
  assert.ok(sid, 'a session cookie');
  return sid.split(';')[0]!;
}

/** A body-less request (`POST /path`, or another method), as a page's form or fetch sends it. */
function post(base: string, route: string, cookie: string, headers: Record<string, string>) {
  const [method, path] = route.includes(' ') ? route.split(' ') : ['POST', route];
  return fetch(`${base}${path}`, { method, headers: { cookie, ...headers } });
}

async function assertForbidden(res: Response, what: string): Promise<void> {
  const text = await res.text();
  assert.equal(res.status, 403, `${what}: ${text}`);
  const body = JSON.parse(text) as ErrorJson;
  assert.equal(body.error.code, 'forbidden', what);
  assert.equal(body.error.field, 'origin', what);
  assert.equal(body.error.details?.reason, 'cross_origin', what);
  assert.ok(body.error.message.length > 0);
}

/** The headers a browser on a foreign page sends, in each form the check reads. */
const FORGED: [string, Record<string, string>][] = [
  ['Origin of another port', { origin: FOREIGN, 'sec-fetch-site': 'same-site' }],
  ['Origin of another site', { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }],
  ['Origin null (sandboxed page)', { origin: 'null' }],
  ['Referer only', { referer: `${FOREIGN}/page.html` }],
  ['Sec-Fetch-Site only', { 'sec-fetch-site': 'same-site' }],
];

for (const engine of testDatabases) {
  describe(`origin checks on ${engine.name}`, () => {
    let t: TestServer;
    const buyers = new WidgetBuyers(() => t.server);
    before(async () => {
      // Agents offline: conversations wait in the queue, for take-over and pull.
      t = await startTestServer({ storage: await engine.open(), agentsOnline: false, env: LIMITS });
    });
    after(() => t.close());

    const status = async (c: Conversation) =>
      (await t.storage.conversations.findConversation(DEMO_SHOP, c.id))!.status;

    it('forged body-less POSTs with the agent cookie — logout, take-over, end, release, pull — are 403 and change nothing; from the app’s own origin they work', async () => {
      // The owner: taking over a queued conversation is for who may read it, admins (issue #14).
      const cookie = await cookieOf(t.url, 'owner@demo.xiaoer.dev');
      const me = () => fetch(`${t.url}/api/me`, { headers: { cookie } });
      const first = await buyers.says('甲', '在吗');
      const second = await buyers.says('乙', '在吗');
      assert.equal(first.status, 'queued');
      assert.equal(second.status, 'queued');
      const paths = [
        '/api/auth/logout',
        `/api/conversations/${first.id}/take-over`,
        `/api/conversations/${first.id}/end`,
        `/api/conversations/${second.id}/release`,
        '/api/queue/pull',
        'PUT /api/me/status',
      ];
      for (const [how, headers] of FORGED)
        for (const path of paths)
          await assertForbidden(await post(t.url, path, cookie, headers), `${how} ${path}`);
      assert.equal((await me()).status, 200, 'still logged in');
      assert.equal(await status(first), 'queued');
      assert.equal(await status(second), 'queued');

      // The app's own pages: Origin (or only Referer, or only Sec-Fetch-Site: same-origin) of the server.
      const own = { origin: t.url, 'sec-fetch-site': 'same-origin' };
      const took = await post(t.url, `/api/conversations/${first.id}/take-over`, cookie, own);
      assert.equal(took.status, 200, await took.text());
      assert.equal(await status(first), 'assigned');
      const ended = await post(t.url, `/api/conversations/${first.id}/end`, cookie, {
        referer: `${t.url}/workbench/`,
      });
      assert.equal(ended.status, 200, await ended.text());
      assert.equal(await status(first), 'ended');
      const pulled = await post(t.url, '/api/queue/pull', cookie, { 'sec-fetch-site': 'same-origin' });
      assert.notEqual(pulled.status, 403, await pulled.text());
      const out = await post(t.url, '/api/auth/logout', cookie, own);
      assert.equal(out.status, 204);
      assert.equal((await me()).status, 401, 'logged out');
    });

    it('a client that is not a browser (no Origin, Referer or Sec-Fetch-Site) acts with its cookie: the tests, scripts, the CLI', async () => {
      const cookie = await cookieOf(t.url, 'owner@demo.xiaoer.dev');
      const third = await buyers.says('丙', '在吗');
      const took = await post(t.url, `/api/conversations/${third.id}/take-over`, cookie, {});
      assert.equal(took.status, 200, await took.text());
      assert.equal(await status(third), 'assigned');
    });

    it('login from a foreign page is 403 with no session planted (no login CSRF); from our origin it works', async () => {
      for (const [how, headers] of FORGED) {
        const res = await login(t.url, 'agent3@demo.xiaoer.dev', headers);
        assert.equal(res.headers.getSetCookie().length, 0, how);
        await assertForbidden(res, how);
      }
      const ok = await login(t.url, 'agent3@demo.xiaoer.dev', { origin: t.url });
      assert.equal(ok.status, 200);
    });

    it('the agent socket: a foreign Origin is refused even with a valid cookie; our origin and non-browsers connect; the buyer socket takes any origin and never the agent cookie', async () => {
      const cookie = await cookieOf(t.url, 'agent1@demo.xiaoer.dev');
      for (const origin of [FOREIGN, 'https://evil.example', 'null']) {
        const err = (await connect(t.url, WS_AGENT_NAMESPACE, { cookie, headers: { origin } }).then(
          (s) => {
            s.close();
            assert.fail(`the agent socket opened from ${origin}`);
          },
          (e: unknown) => e,
        )) as Error & { data?: ErrorJson };
        assert.match(err.message, /^forbidden/, origin);
        assert.equal(err.data?.error.field, 'origin');
      }
      for (const headers of [{ origin: t.url }, {}] as Record<string, string>[]) {
        const s = await connect(t.url, WS_AGENT_NAMESPACE, { cookie, headers });
        s.close();
      }
      // The widget runs on shops' own sites: any origin, by token.
      const token = await buyers.token('丁');
      const buyer = await connect(t.url, WS_BUYER_NAMESPACE, {
        token,
        headers: { origin: 'https://shop.example' },
      });
      buyer.close();
      // The agent's cookie is no buyer credential, from any origin.
      for (const headers of [{ origin: t.url }, {}] as Record<string, string>[])
        await assert.rejects(
          connect(t.url, WS_BUYER_NAMESPACE, { cookie, headers }),
          /unauthenticated/,
          'the buyer namespace ignores the agent cookie',
        );
    });

    it('the widget from a shop’s own site works: session, messages, rating, preflight', async () => {
      const shopSite = { origin: 'https://shop.example', 'sec-fetch-site': 'cross-site' };
      const session = await fetch(`${t.url}/api/widget/session`, {
        method: 'POST',
        headers: { ...shopSite, 'content-type': 'application/json' },
        body: JSON.stringify({ shop: 'demo' }),
      });
      assert.equal(session.status, 200, await session.clone().text());
      assert.equal(session.headers.get('access-control-allow-origin'), 'https://shop.example');
      const { token } = (await session.json()) as { token: string };
      const sent = await fetch(`${t.url}/api/widget/messages`, {
        method: 'POST',
        headers: { ...shopSite, authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ clientId: 'w-1', kind: 'text', body: { text: '你好' } }),
      });
      assert.equal(sent.status, 200, await sent.text());
      const preflight = await fetch(`${t.url}/api/widget/messages`, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://shop.example',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });
      assert.ok(preflight.status < 300, `preflight ${preflight.status}`);
    });
  });
}

describe('allowed origins', () => {
  it('ALLOWED_ORIGINS and PUBLIC_URL’s origin may act with the cookie and open the agent socket; others may not', async () => {
    const t = await startTestServer({
      env: {
        ...LIMITS,
        ALLOWED_ORIGINS: 'https://console.example.com, http://127.0.0.1:5173',
        PUBLIC_URL: 'https://kefu.example.com/xiaoer/',
      },
    });
    try {
      const cookie = await cookieOf(t.url, 'agent1@demo.xiaoer.dev');
      for (const origin of [
        'https://console.example.com',
        'http://127.0.0.1:5173',
        'https://kefu.example.com',
      ]) {
        const res = await post(t.url, 'PUT /api/me/status', cookie, { origin });
        assert.notEqual(res.status, 403, `${origin}: ${await res.text()}`);
        (await connect(t.url, WS_AGENT_NAMESPACE, { cookie, headers: { origin } })).close();
      }
      for (const origin of [
        'https://console.example.com:8443',
        'http://console.example.com',
        'https://evil.example',
      ])
        await assertForbidden(await post(t.url, 'PUT /api/me/status', cookie, { origin }), origin);
    } finally {
      await t.close();
    }
  });

  it('ALLOWED_ORIGINS that are not origins are refused at start, naming the variable', async () => {
    const { parseConfig } = await import('../../packages/server/src/config');
    for (const bad of [
      'console.example.com',
      'https://x.example/path',
      'ftp://x.example',
      'https://a@x.example',
    ])
      assert.throws(() => parseConfig({ ALLOWED_ORIGINS: bad }), /ALLOWED_ORIGINS/, bad);
    assert.deepEqual(
      parseConfig({ ALLOWED_ORIGINS: 'HTTPS://X.example:443/, http://y:8080' }).ALLOWED_ORIGINS,
      ['https://x.example', 'http://y:8080'],
    );
  });
});

describe('behind nginx (deploy/nginx/xiaoer.conf)', () => {
  it('the own origin is the one the browser used, through nginx; X-Forwarded-Proto counts only from a trusted proxy', async () => {
    const t = await startTestServer({ env: { ...LIMITS, TRUST_PROXY: 'loopback' } });
    const nginx = await startNginx({ web: [new URL(t.url).host] });
    try {
      const cookie = await cookieOf(nginx.url, 'agent1@demo.xiaoer.dev');
      // Through nginx (another port than the node's): its own origin works, the node's is foreign.
      const ok = await post(nginx.url, 'PUT /api/me/status', cookie, { origin: nginx.url });
      assert.notEqual(ok.status, 403, await ok.text());
      await assertForbidden(
        await post(nginx.url, 'PUT /api/me/status', cookie, { origin: FOREIGN }),
        'foreign',
      );
      (await connect(nginx.url, WS_AGENT_NAMESPACE, { cookie, headers: { origin: nginx.url } })).close();
      await assert.rejects(
        connect(nginx.url, WS_AGENT_NAMESPACE, { cookie, headers: { origin: FOREIGN } }),
        /forbidden/,
      );
      // TLS ended at a trusted proxy: the page is https.
      const host = new URL(t.url).host;
      const tls = await post(t.url, 'PUT /api/me/status', cookie, {
        origin: `https://${host}`,
        'x-forwarded-proto': 'https',
      });
      assert.notEqual(tls.status, 403, await tls.text());
    } finally {
      await nginx.stop();
      await t.close();
    }
    // A node that trusts no proxy takes nobody's word for the scheme.
    const direct = await startTestServer({ env: LIMITS });
    try {
      const cookie = await cookieOf(direct.url, 'agent1@demo.xiaoer.dev');
      const host = new URL(direct.url).host;
      await assertForbidden(
        await post(direct.url, 'PUT /api/me/status', cookie, {
          origin: `https://${host}`,
          'x-forwarded-proto': 'https',
        }),
        'untrusted X-Forwarded-Proto',
      );
    } finally {
      await direct.close();
    }
  });
});

describe('in Chromium', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(() => browser.close());

  it('a page on another port of the same host cannot log the agent out, end a conversation or open the agent socket with their cookie', async () => {
    const t = await startTestServer({ agentsOnline: false, env: LIMITS });
    const buyers = new WidgetBuyers(() => t.server);
    // The attacker's page: same site (127.0.0.1), another port, so the Lax cookie goes along.
    const evil: HttpServer = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end('<!doctype html><title>evil</title>');
    });
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
    const address = evil.address();
    assert.ok(address && typeof address === 'object');
    const evilUrl = `http://127.0.0.1:${address.port}`;
    const context = await browser.newContext();
    try {
      const conversation = await buyers.says('戊', '在吗');
      // The owner logs in on the real app (the browser keeps the cookie), and takes the queued
      // buyer (taking over from the queue is for admins, issue #14).
      const page = await context.newPage();
      await page.goto(`${t.url}/health`);
      const took = await page.evaluate(async (id) => {
        const login = await fetch('/api/auth/login', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'owner@demo.xiaoer.dev', password: 'password123' }),
        });
        const take = await fetch(`/api/conversations/${id}/take-over`, { method: 'POST' });
        return [login.status, take.status];
      }, conversation.id);
      assert.deepEqual(took, [200, 200], 'the app’s own page acts');

      const attacker = await context.newPage();
      await attacker.goto(`${evilUrl}/`);
      const attempts = await attacker.evaluate(
        async ({ base, id }) => {
          // One after the other (no named helpers: the page gets this function's source).
          const outcomes: string[] = [];
          for (const path of [`/api/conversations/${id}/end`, '/api/auth/logout'])
            outcomes.push(
              await fetch(`${base}${path}`, { method: 'POST', credentials: 'include', mode: 'no-cors' }).then(
                () => 'sent',
                (e: unknown) => String(e),
              ),
            );
          return outcomes;
        },
        { base: t.url, id: conversation.id },
      );
      assert.deepEqual(attempts, ['sent', 'sent'], 'the browser sent them (opaque answers)');
      // A plain form post, the oldest forgery.
      await attacker.setContent(
        `<form method="post" action="${t.url}/api/auth/logout"><button>go</button></form>`,
      );
      await Promise.all([attacker.waitForURL(`${t.url}/api/auth/logout`), attacker.click('button')]);
      assert.equal(await attacker.evaluate(() => document.body.innerText.includes('forbidden')), true);
      // The agent socket from the attacker's page.
      await attacker.goto(`${evilUrl}/`);
      const socketOutcome = await attacker.evaluate(
        (url) =>
          new Promise<string>((resolve) => {
            const ws = new WebSocket(`${url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`);
            ws.onmessage = (m) => {
              const data = String(m.data);
              if (data.startsWith('0')) ws.send('40/agent,');
              else if (data.startsWith('40/agent')) resolve('connected');
              else if (data.startsWith('44/agent')) resolve(data);
            };
            ws.onerror = () => resolve('error');
          }),
        t.url,
      );
      assert.match(socketOutcome, /^44\/agent,.*forbidden/, 'connect_error: forbidden');

      // Nothing happened: still logged in, the conversation still theirs.
      const after = await page.evaluate(async () => (await fetch('/api/me')).status);
      assert.equal(after, 200, 'still logged in');
      const stored = await t.storage.conversations.findConversation(DEMO_SHOP, conversation.id);
      assert.equal(stored?.status, 'assigned');
    } finally {
      await context.close();
      evil.close();
      await t.close();
    }
  });
});
