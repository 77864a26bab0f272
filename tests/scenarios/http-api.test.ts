/**
 * The HTTP API in process (Fastify `inject`): every route's happy path and its bad input.
 * Bad input must get a 4xx with `{error: {code, message, field?}}` naming the field, write
 * nothing, and leave the process serving. No response in this file may be a 5xx.
 */
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { deflateSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import {
  FakeClock,
  newConversation as openedConversation,
  type ConversationId,
  type Agent,
  type BuyerId,
  type Order,
  type OrderId,
  type QuickReplyId,
  type ShopId,
} from '@xiaoer/core';
import { MAX_IMAGE_BYTES } from '@xiaoer/protocol';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { signBuyerToken, signIdentity } from '../../packages/server/src/auth/tokens';
import { testDatabases } from '../support/databases';
import { makeAgent, makeBuyer, makeShop } from '../support/fixtures';
import {
  AGENT_PASSWORD,
  loginCookie,
  signedIdentity,
  startTestServer,
  widgetSession,
  type TestServer,
} from '../support/server';

// ---------- shapes of answers ----------
interface ErrorJson {
  error: { code: string; message: string; field?: string };
}
interface ConversationJson {
  id: string;
  shopId: string;
  buyerId: string;
  status: string;
  agentId: string | null;
  lastSeq: number;
  agentReadSeq: number;
  buyer?: { id: string; nick: string };
}
interface MessageJson {
  id: string;
  conversationId: string;
  seq: number;
  clientId: string;
  kind: string;
  sender: string;
  senderId: string | null;
  body: Record<string, unknown>;
}
interface SendJson {
  message: MessageJson;
  conversation: ConversationJson;
}
type AgentJson = Agent & { load?: number };
interface QuickReplyJson {
  id: string;
  ownerId: string | null;
  title: string;
  text: string;
  imageUrl: string | null;
}

const DAY_MS = 86_400_000;
const DEMO_SHOP = 'shop-demo' as ShopId;
const EMAIL_BY_AGENT: Record<string, string> = {
  'agent-demo-owner': 'owner@demo.xiaoer.dev',
  'agent-demo-1': 'agent1@demo.xiaoer.dev',
  'agent-demo-2': 'agent2@demo.xiaoer.dev',
  'agent-demo-3': 'agent3@demo.xiaoer.dev',
};
/** Rate limits high enough that only the rate-limit suite meets them. */
const NO_LIMITS = {
  RATE_LIMIT_PER_MINUTE: '100000',
  LOGIN_ATTEMPTS_PER_MINUTE: '10000',
  WIDGET_SESSIONS_PER_MINUTE: '10000',
  BUYER_MESSAGES_PER_10S: '10000',
};

// ---------- a real 1×1 PNG, built here ----------
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}
function onePixelPng(): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0); // width
  ihdr.writeUInt32BE(1, 4); // height
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const scanline = Buffer.from([0, 0xff, 0x50, 0x00, 0xff]); // filter byte + one orange pixel
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(scanline)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}
const PNG = onePixelPng();

/** A multipart/form-data body (built by the platform's FormData) with a file part and other fields. */
async function multipart(
  file: { data: Buffer; type: string; name: string; field?: string } | null,
  fields: Record<string, string> = {},
): Promise<{ payload: Buffer; headers: Record<string, string> }> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  if (file)
    form.append(file.field ?? 'file', new Blob([new Uint8Array(file.data)], { type: file.type }), file.name);
  const res = new Response(form);
  return {
    payload: Buffer.from(await res.arrayBuffer()),
    headers: { 'content-type': res.headers.get('content-type')! },
  };
}

// ---------- request helpers ----------
interface Call {
  cookie?: string;
  token?: string;
  payload?: InjectOptions['payload'];
  headers?: Record<string, string>;
}

/** Injects a request; no request in this file may end in a server error. */
async function request(
  t: TestServer,
  method: InjectOptions['method'],
  url: string,
  call: Call = {},
): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { ...call.headers };
  if (call.cookie) headers.cookie = call.cookie;
  if (call.token) headers.authorization = `Bearer ${call.token}`;
  const res = await t.server.app.inject({
    method,
    url,
    headers,
    ...(call.payload !== undefined ? { payload: call.payload } : {}),
  });
  assert.ok(res.statusCode < 500, `${method} ${url} answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
  return res;
}

/** The JSON body of a 2xx answer. */
function ok<T>(res: LightMyRequestResponse, status = 200): T {
  assert.equal(res.statusCode, status, res.body.slice(0, 300));
  return res.json<T>();
}

/** Asserts a 4xx error with the documented shape, its code and (when given) the field it names. */
function assertError(res: LightMyRequestResponse, status: number, code: string, field?: string): ErrorJson {
  assert.equal(res.statusCode, status, res.body.slice(0, 300));
  assert.match(String(res.headers['content-type']), /^application\/json/);
  const body = res.json<ErrorJson>();
  assert.equal(body.error?.code, code, res.body.slice(0, 300));
  assert.equal(typeof body.error.message, 'string');
  assert.ok(body.error.message.length > 0, 'the error says what is wrong');
  if (field !== undefined)
    assert.equal(body.error.field, field, `names the field: ${res.body.slice(0, 300)}`);
  return body;
}

/** A signed shop-page identity for a buyer of the demo shop. */
async function identityFor(t: TestServer, externalId: string, ts = Date.now(), nick?: string) {
  const shop = await t.storage.shops.findShopBySlug('demo');
  assert.ok(shop);
  return signedIdentity(shop.secret, externalId, { ts, ...(nick !== undefined ? { nick } : {}) });
}

async function countUploads(t: TestServer): Promise<number> {
  return (await t.storage.db.kysely.selectFrom('uploads').select('id').execute()).length;
}

async function countBuyers(t: TestServer, shopId: ShopId = DEMO_SHOP): Promise<number> {
  return (await t.storage.buyers.listBuyers(shopId, 100_000)).length;
}

async function storedMessages(t: TestServer, conversationId: string, shopId: ShopId = DEMO_SHOP) {
  return t.storage.conversations.listMessages(shopId, conversationId as never, 0, 1000);
}

describe('HTTP API in process', () => {
  let t: TestServer;
  /** Session cookies by agent id. */
  const cookies: Record<string, string> = {};
  let owner: string;
  let agent1: string;

  const api = (method: InjectOptions['method'], url: string, call?: Call) => request(t, method, url, call);

  /** A new anonymous buyer says something; the conversation is opened (and, RT-2, assigned). */
  async function buyerSays(text = '你好', session?: { token: string; buyerId: string }) {
    const s = session ?? (await widgetSession(t.server));
    const sent = ok<SendJson>(
      await api('POST', '/api/widget/messages', {
        token: s.token,
        payload: { clientId: `c-${Math.random().toString(36).slice(2)}`, kind: 'text', body: { text } },
      }),
    );
    return { ...s, conversation: sent.conversation, message: sent.message };
  }

  /** The session cookie of the agent holding a conversation. */
  function holderCookie(conversation: ConversationJson): string {
    assert.ok(conversation.agentId, `conversation ${conversation.id} is assigned`);
    const cookie = cookies[conversation.agentId];
    assert.ok(cookie, `a demo agent holds it (${conversation.agentId})`);
    return cookie;
  }

  /** A demo agent (not the owner) other than the given one. */
  function otherDemoAgent(agentId: string | null): string {
    return ['agent-demo-1', 'agent-demo-2', 'agent-demo-3'].find((id) => id !== agentId)!;
  }

  async function agentsWithLoad(): Promise<AgentJson[]> {
    return ok<{ agents: AgentJson[] }>(await api('GET', '/api/agents', { cookie: owner })).agents;
  }

  async function conversationNow(id: string): Promise<ConversationJson> {
    const c = await t.storage.conversations.findConversation(DEMO_SHOP, id as never);
    assert.ok(c);
    return c as unknown as ConversationJson;
  }

  before(async () => {
    t = await startTestServer({ listen: false, env: NO_LIMITS });
    for (const [id, email] of Object.entries(EMAIL_BY_AGENT))
      cookies[id] = await loginCookie(t.server, email);
    owner = cookies['agent-demo-owner']!;
    agent1 = cookies['agent-demo-1']!;
    // Room for every conversation this suite opens, so none waits in the queue (RT-4 has its own test).
    for (const id of ['agent-demo-1', 'agent-demo-2', 'agent-demo-3']) {
      ok(await api('PATCH', `/api/admin/agents/${id}`, { cookie: owner, payload: { maxConcurrent: 200 } }));
    }
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

  // ------------------------------------------------------------------ widget
  describe('widget', () => {
    it('opens an anonymous session: a token, a visitor buyer, the shop, no conversation yet', async () => {
      const before = await countBuyers(t);
      const res = ok<{
        token: string;
        buyer: { id: string; nick: string };
        shop: Record<string, unknown>;
        conversation: unknown;
        messages: unknown[];
      }>(await api('POST', '/api/widget/session', { payload: { shop: 'demo' } }));
      assert.ok(res.token.length > 0);
      assert.ok(res.buyer.nick.length > 0);
      assert.deepEqual(Object.keys(res.shop).sort(), ['name', 'serviceHours', 'welcome']);
      assert.equal(res.shop.name, '小二旗舰店');
      // BOT-3: every buyer is greeted with the shop's welcome line (the default names the shop).
      assert.equal(
        (res.shop as { welcome?: string }).welcome,
        '您好，欢迎光临小二旗舰店！请问有什么可以帮您？',
      );
      assert.equal(res.conversation, null);
      assert.deepEqual(res.messages, []);
      const buyer = await t.storage.buyers.findBuyer(DEMO_SHOP, res.buyer.id as BuyerId);
      assert.equal(buyer?.externalId, null, 'a visitor, not an identified buyer');
      assert.equal(await countBuyers(t), before + 1);
    });

    it('keeps the same anonymous buyer with the same token; a garbage token just starts a new visitor', async () => {
      const first = await widgetSession(t.server);
      const again = await widgetSession(t.server, { shop: 'demo', token: first.token });
      assert.equal(again.buyerId, first.buyerId);
      const garbage = await widgetSession(t.server, { shop: 'demo', token: 'not-a-token' });
      assert.notEqual(garbage.buyerId, first.buyerId);
      const forged = await widgetSession(t.server, {
        shop: 'demo',
        token: signBuyerToken('someone-elses-secret-someone-elses', {
          shopId: 'shop-demo',
          buyerId: first.buyerId,
          gen: 0,
          exp: Date.now() + 3600_000,
        }),
      });
      assert.notEqual(forged.buyerId, first.buyerId, 'a forged token does not take over a buyer');
    });

    it('an identity signed with the shop secret logs in the buyer with that externalId, creating it once', async () => {
      const demo = await widgetSession(t.server, {
        shop: 'demo',
        identity: await identityFor(t, 'tb100001'),
      });
      assert.equal(demo.buyerId, 'buyer-demo-01');
      const before = await countBuyers(t);
      const fresh = await widgetSession(t.server, {
        shop: 'demo',
        identity: await identityFor(t, 'tb-new-777', Date.now(), '新买家'),
      });
      const created = await t.storage.buyers.findBuyer(DEMO_SHOP, fresh.buyerId as BuyerId);
      assert.equal(created?.externalId, 'tb-new-777');
      assert.equal(created?.nick, '新买家');
      const again = await widgetSession(t.server, {
        shop: 'demo',
        identity: await identityFor(t, 'tb-new-777', Date.now() + 1000),
      });
      assert.equal(again.buyerId, fresh.buyerId, 'the same externalId is the same buyer');
      assert.equal(await countBuyers(t), before + 1);
    });

    it('a forged identity signature is 401 naming identity.sig and creates no buyer', async () => {
      const before = await countBuyers(t);
      const real = await identityFor(t, 'tb100002');
      const forgedSigs = [
        signIdentity('a-guessed-secret', real),
        // A real signature of another buyer does not log in this one.
        (await identityFor(t, 'tb100003', real.ts)).sig,
      ];
      for (const sig of forgedSigs) {
        const res = await api('POST', '/api/widget/session', {
          payload: { shop: 'demo', identity: { ...real, sig } },
        });
        assertError(res, 401, 'unauthenticated', 'identity.sig');
      }
      const unknown = await api('POST', '/api/widget/session', {
        payload: { shop: 'demo', identity: { ...(await identityFor(t, 'tb-x')), externalId: 'tb-y' } },
      });
      assertError(unknown, 401, 'unauthenticated', 'identity.sig');
      assert.equal(await countBuyers(t), before, 'nothing half written');
    });

    it('an identity signed more than 10 minutes ago (or ahead) is 401', async () => {
      for (const ts of [Date.now() - 11 * 60_000, Date.now() + 11 * 60_000]) {
        const res = await api('POST', '/api/widget/session', {
          payload: { shop: 'demo', identity: await identityFor(t, 'tb100004', ts) },
        });
        assertError(res, 401, 'unauthenticated', 'identity.sig');
      }
      const fresh = await api('POST', '/api/widget/session', {
        payload: { shop: 'demo', identity: await identityFor(t, 'tb100004', Date.now() - 9 * 60_000) },
      });
      assert.equal(ok<{ buyer: { id: string } }>(fresh).buyer.id, 'buyer-demo-04');
    });

    it('malformed session fields are 400 naming the field', async () => {
      const good = await identityFor(t, 'tb100004');
      const cases: [unknown, string][] = [
        [{}, 'shop'],
        [{ shop: 5 }, 'shop'],
        [{ shop: '' }, 'shop'],
        [{ shop: 'demo', token: 12 }, 'token'],
        [{ shop: 'demo', identity: { ...good, ts: 'now' } }, 'identity.ts'],
        [{ shop: 'demo', identity: { ...good, ts: 1.5 } }, 'identity.ts'],
        [{ shop: 'demo', identity: { ...good, sig: 'abc' } }, 'identity.sig'],
        [{ shop: 'demo', identity: { ...good, externalId: '' } }, 'identity.externalId'],
        [{ shop: 'demo', identity: { ...good, externalId: 'x'.repeat(65) } }, 'identity.externalId'],
        [{ shop: 'demo', identity: 'tb100004' }, 'identity'],
      ];
      for (const [payload, field] of cases) {
        const res = await api('POST', '/api/widget/session', { payload: payload as object });
        assertError(res, 400, 'validation_failed', field);
      }
    });

    it('an unknown shop is 404 naming shop', async () => {
      assertError(
        await api('POST', '/api/widget/session', { payload: { shop: 'no-such-shop' } }),
        404,
        'not_found',
        'shop',
      );
    });

    it('an identified buyer’s token is not reused anonymously, nor a token of another shop', async () => {
      const known = await widgetSession(t.server, {
        shop: 'demo',
        identity: await identityFor(t, 'tb100006'),
      });
      assert.equal(known.buyerId, 'buyer-demo-06');
      const anon = await widgetSession(t.server, { shop: 'demo', token: known.token });
      assert.notEqual(anon.buyerId, 'buyer-demo-06', 'the shop page must sign again');
      const otherSlug = `other-${Date.now().toString(36)}`;
      await makeShop(t.storage, otherSlug);
      const elsewhere = await widgetSession(t.server, { shop: otherSlug });
      const here = await widgetSession(t.server, { shop: 'demo', token: elsewhere.token });
      assert.notEqual(here.buyerId, elsewhere.buyerId);
      const stored = await t.storage.buyers.findBuyer(DEMO_SHOP, here.buyerId as BuyerId);
      assert.equal(stored?.shopId, DEMO_SHOP);
    });

    it('GET and POST /api/widget/messages without a token, with a forged one or another scheme are 401 naming authorization; nothing is stored', async () => {
      const real = await widgetSession(t.server, {
        shop: 'demo',
        identity: await identityFor(t, 'tb100008'),
      });
      const [, shopId, buyerId] = real.token.split('.');
      const bad: Record<string, string>[] = [
        {},
        { authorization: 'Bearer ' },
        { authorization: 'Bearer garbage' },
        { authorization: `Bearer v1.${shopId}.${buyerId}.forgedforgedforged` },
        {
          authorization: `Bearer ${signBuyerToken('another-server-secret-another-server', {
            shopId: shopId!,
            buyerId: buyerId!,
            gen: 0,
            exp: Date.now() + 3600_000,
          })}`,
        },
        { authorization: `Basic ${real.token}` },
        { authorization: real.token },
      ];
      for (const headers of bad) {
        assertError(
          await api('GET', '/api/widget/messages', { headers }),
          401,
          'unauthenticated',
          'authorization',
        );
        assertError(
          await api('POST', '/api/widget/messages', {
            headers,
            payload: { clientId: 'forged-1', kind: 'text', body: { text: '冒充' } },
          }),
          401,
          'unauthenticated',
          'authorization',
        );
      }
      const open = await t.storage.conversations.findOpenByBuyer(DEMO_SHOP, 'buyer-demo-08' as BuyerId);
      assert.equal(open, undefined, 'no conversation was opened by a forged request');
    });

    it('GET /api/widget/messages before the first message has no conversation', async () => {
      const { token } = await widgetSession(t.server);
      const res = ok<{ conversation: unknown; messages: unknown[] }>(
        await api('GET', '/api/widget/messages', { token }),
      );
      assert.equal(res.conversation, null);
      assert.deepEqual(res.messages, []);
    });

    it('RT-2 the first buyer message opens a conversation assigned to the least-loaded online agent', async () => {
      for (let i = 0; i < 4; i++) {
        const agents = await agentsWithLoad();
        const candidates = agents.filter(
          (a) => a.status === 'online' && a.takesRouting && (a.load ?? 0) < a.maxConcurrent,
        );
        assert.ok(candidates.length >= 2, 'several demo agents are online');
        const least = Math.min(...candidates.map((a) => a.load ?? 0));
        const { conversation, message, buyerId } = await buyerSays(`  第${i}位买家  `);
        assert.equal(conversation.status, 'assigned');
        assert.equal(conversation.buyerId, buyerId);
        const chosen = candidates.find((a) => a.id === conversation.agentId);
        assert.ok(chosen, `assigned to an online routing agent, got ${conversation.agentId}`);
        assert.equal(chosen.load, least, 'the least loaded one');
        assert.equal(message.seq, 1);
        assert.equal(message.sender, 'buyer');
        assert.equal(message.senderId, buyerId);
        assert.deepEqual(message.body, { text: `第${i}位买家` }, 'text is trimmed');
      }
    });

    it('a later session returns the open conversation and its messages', async () => {
      const { token, conversation, message } = await buyerSays('在吗');
      const res = ok<{ conversation: ConversationJson; messages: MessageJson[] }>(
        await api('POST', '/api/widget/session', { payload: { shop: 'demo', token } }),
      );
      assert.equal(res.conversation.id, conversation.id);
      assert.deepEqual(
        res.messages.filter((m) => m.kind !== 'system').map((m) => m.id),
        [message.id],
      );
    });

    it('bad buyer messages are 400 naming the field; nothing is stored, no conversation is opened', async () => {
      const cases: [unknown, string][] = [
        [{ clientId: 'b1', kind: 'text', body: { text: '' } }, 'body.text'],
        [{ clientId: 'b2', kind: 'text', body: { text: ' \n\t ' } }, 'body.text'],
        [{ clientId: 'b3', kind: 'text', body: { text: '长'.repeat(5001) } }, 'body.text'],
        [{ clientId: 'b4', kind: 'text', body: { text: 'x'.repeat(10_001) } }, 'body.text'],
        [{ clientId: 'b5', kind: 'text', body: { text: 123 } }, 'body.text'],
        [{ clientId: 'b6', kind: 'text', body: 'hello' }, 'body'],
        [{ clientId: 'b7', kind: 'text' }, 'body'],
        [{ clientId: 'b8', kind: 'video', body: { url: '/uploads/x' } }, 'kind'],
        [{ clientId: 'b9', kind: 'order_card', body: { orderId: 'DD20261100001' } }, 'kind'],
        [{ clientId: 'b10', kind: 'system', body: { text: '系统' } }, 'kind'],
        [{ clientId: 'b11', body: { text: 'x' } }, 'kind'],
        [{ clientId: 'b12', kind: 'image', body: { url: 'https://evil.example/a.png' } }, 'body.url'],
        [{ clientId: 'b13', kind: 'image', body: { url: 'javascript:alert(1)' } }, 'body.url'],
        [{ clientId: 'b14', kind: 'image', body: { url: '/uploads/../../etc/passwd' } }, 'body.url'],
        [{ clientId: 'b15', kind: 'image', body: {} }, 'body.url'],
        [{ clientId: '', kind: 'text', body: { text: 'x' } }, 'clientId'],
        [{ clientId: 'c'.repeat(65), kind: 'text', body: { text: 'x' } }, 'clientId'],
        [{ clientId: 5, kind: 'text', body: { text: 'x' } }, 'clientId'],
        [{ kind: 'text', body: { text: 'x' } }, 'clientId'],
      ];
      // A buyer with no conversation yet: a rejected first message opens none.
      const newcomer = await widgetSession(t.server);
      // A buyer with one: a rejected message adds nothing to it.
      const talking = await buyerSays('第一条');
      for (const [payload, field] of cases) {
        for (const token of [newcomer.token, talking.token]) {
          const res = await api('POST', '/api/widget/messages', { token, payload: payload as object });
          assertError(res, 400, 'validation_failed', field);
        }
      }
      assert.equal(
        await t.storage.conversations.findOpenByBuyer(DEMO_SHOP, newcomer.buyerId as BuyerId),
        undefined,
      );
      assert.equal((await conversationNow(talking.conversation.id)).lastSeq, 2);
      assert.equal((await storedMessages(t, talking.conversation.id)).length, 2);
    });

    it('accepts text of exactly 5,000 characters', async () => {
      const { message } = await buyerSays('字'.repeat(5000));
      assert.equal((message.body.text as string).length, 5000);
    });

    it('the same clientId twice stores one message and answers with the same id', async () => {
      const { token, conversation } = await buyerSays('第一条');
      const send = async () =>
        ok<SendJson>(
          await api('POST', '/api/widget/messages', {
            token,
            payload: { clientId: 'retry-me', kind: 'text', body: { text: '只存一次' } },
          }),
        );
      const a = await send();
      const b = await send();
      assert.equal(b.message.id, a.message.id);
      assert.equal(b.message.seq, a.message.seq);
      assert.equal((await conversationNow(conversation.id)).lastSeq, 3);
      const texts = (await storedMessages(t, conversation.id)).map((m) => (m.body as { text: string }).text);
      assert.deepEqual(
        texts.filter((x) => !x.startsWith('客服')),
        ['第一条', '只存一次'],
      );
    });

    it('GET /api/widget/messages returns messages after a seq, oldest first; a bad after or limit is 400 naming it', async () => {
      const s = await buyerSays('一');
      for (const text of ['二', '三']) {
        ok(
          await api('POST', '/api/widget/messages', {
            token: s.token,
            payload: { clientId: `m-${text}`, kind: 'text', body: { text } },
          }),
        );
      }
      const all = ok<{ conversation: ConversationJson; messages: MessageJson[] }>(
        await api('GET', '/api/widget/messages', { token: s.token }),
      );
      assert.equal(all.conversation.id, s.conversation.id);
      assert.deepEqual(
        all.messages.map((m) => m.seq),
        [1, 2, 3, 4],
      );
      const later = ok<{ messages: MessageJson[] }>(
        await api('GET', '/api/widget/messages?after=2&limit=1', { token: s.token }),
      );
      assert.deepEqual(
        later.messages.map((m) => m.body.text),
        ['二'],
      );
      for (const [query, field] of [
        ['after=-1', 'after'],
        ['after=abc', 'after'],
        ['after=1.5', 'after'],
        ['limit=0', 'limit'],
        ['limit=201', 'limit'],
      ] as const) {
        assertError(
          await api('GET', `/api/widget/messages?${query}`, { token: s.token }),
          400,
          'validation_failed',
          field,
        );
      }
    });
  });

  // ------------------------------------------------------------------ workbench
  describe('conversations as an agent', () => {
    it('an agent lists only its own conversations, with the buyer’s nick; the owner (admin) sees all', async () => {
      const opened = [await buyerSays('列表一'), await buyerSays('列表二'), await buyerSays('列表三')];
      const holders = new Set(opened.map((o) => o.conversation.agentId));
      assert.ok(holders.size >= 2, 'RT-2 spreads them over agents');
      for (const agentId of ['agent-demo-1', 'agent-demo-2', 'agent-demo-3']) {
        const { conversations } = ok<{ conversations: ConversationJson[] }>(
          await api('GET', '/api/conversations', { cookie: cookies[agentId] }),
        );
        assert.ok(
          conversations.every((c) => c.agentId === agentId),
          `${agentId} sees only its own`,
        );
        for (const o of opened) {
          assert.equal(
            conversations.some((c) => c.id === o.conversation.id),
            o.conversation.agentId === agentId,
          );
        }
        for (const c of conversations) assert.ok(c.buyer?.nick, 'each carries the buyer nick');
      }
      const all = ok<{ conversations: ConversationJson[] }>(
        await api('GET', '/api/conversations?limit=200', { cookie: owner }),
      );
      for (const o of opened) assert.ok(all.conversations.some((c) => c.id === o.conversation.id));
      assert.ok(new Set(all.conversations.map((c) => c.agentId)).size >= 2);
    });

    it('filters the list by status and limit; a bad status or limit is 400 naming it', async () => {
      const limited = ok<{ conversations: ConversationJson[] }>(
        await api('GET', '/api/conversations?limit=1', { cookie: owner }),
      );
      assert.equal(limited.conversations.length, 1);
      const ended = ok<{ conversations: ConversationJson[] }>(
        await api('GET', '/api/conversations?status=ended', { cookie: owner }),
      );
      assert.ok(ended.conversations.every((c) => c.status === 'ended'));
      for (const [query, field] of [
        ['status=bogus', 'status'],
        ['limit=0', 'limit'],
        ['limit=201', 'limit'],
        ['limit=ten', 'limit'],
      ] as const) {
        assertError(
          await api('GET', `/api/conversations?${query}`, { cookie: owner }),
          400,
          'validation_failed',
          field,
        );
      }
    });

    it('GET one conversation: the holder and the owner see it; another agent gets 403 conversation_not_yours', async () => {
      const { conversation } = await buyerSays('单个');
      for (const cookie of [holderCookie(conversation), owner]) {
        const got = ok<{ conversation: ConversationJson }>(
          await api('GET', `/api/conversations/${conversation.id}`, { cookie }),
        );
        assert.equal(got.conversation.id, conversation.id);
        assert.equal(got.conversation.buyer?.id, conversation.buyerId);
      }
      const stranger = cookies[otherDemoAgent(conversation.agentId)];
      assertError(
        await api('GET', `/api/conversations/${conversation.id}`, { cookie: stranger }),
        403,
        'conversation_not_yours',
        'conversationId',
      );
      assertError(
        await api('GET', `/api/conversations/${conversation.id}/messages`, { cookie: stranger }),
        403,
        'conversation_not_yours',
        'conversationId',
      );
    });

    it('messages after a seq, oldest first, with a limit; a bad after or limit is 400 naming it', async () => {
      const { conversation } = await buyerSays('一');
      const cookie = holderCookie(conversation);
      for (const text of ['二', '三']) {
        ok(
          await api('POST', `/api/conversations/${conversation.id}/messages`, {
            cookie,
            payload: { clientId: `a-${text}`, kind: 'text', body: { text } },
          }),
        );
      }
      const url = `/api/conversations/${conversation.id}/messages`;
      const after1 = ok<{ messages: MessageJson[] }>(await api('GET', `${url}?after=2`, { cookie }));
      assert.deepEqual(
        after1.messages.map((m) => [m.seq, m.body.text]),
        [
          [3, '二'],
          [4, '三'],
        ],
      );
      const one = ok<{ messages: MessageJson[] }>(await api('GET', `${url}?after=2&limit=1`, { cookie }));
      assert.deepEqual(
        one.messages.map((m) => m.seq),
        [3],
      );
      assert.deepEqual(
        ok<{ messages: MessageJson[] }>(await api('GET', `${url}?after=4`, { cookie })).messages,
        [],
      );
      for (const [query, field] of [
        ['after=-1', 'after'],
        ['after=x', 'after'],
        ['limit=0', 'limit'],
        ['limit=9999', 'limit'],
      ] as const) {
        assertError(await api('GET', `${url}?${query}`, { cookie }), 400, 'validation_failed', field);
      }
    });

    it('an agent’s reply is stored trimmed, reaches the buyer, and a retried clientId is one message', async () => {
      const { conversation, token } = await buyerSays('有货吗');
      const cookie = holderCookie(conversation);
      const send = async () =>
        ok<SendJson>(
          await api('POST', `/api/conversations/${conversation.id}/messages`, {
            cookie,
            payload: { clientId: 'reply-1', kind: 'text', body: { text: '  有的亲  ' } },
          }),
        );
      const first = await send();
      assert.equal(first.message.sender, 'agent');
      assert.equal(first.message.senderId, conversation.agentId);
      assert.deepEqual(first.message.body, { text: '有的亲' });
      assert.equal(first.conversation.lastSeq, 3);
      const retry = await send();
      assert.equal(retry.message.id, first.message.id);
      assert.equal((await conversationNow(conversation.id)).lastSeq, 3);
      const seen = ok<{ messages: MessageJson[] }>(
        await api('GET', '/api/widget/messages?after=2', { token }),
      );
      assert.deepEqual(
        seen.messages.map((m) => m.id),
        [first.message.id],
      );
    });

    it('bad agent messages are 400 naming the field and store nothing', async () => {
      const { conversation } = await buyerSays('坏消息测试');
      const cookie = holderCookie(conversation);
      const cases: [unknown, string][] = [
        [{ clientId: 'x1', kind: 'text', body: { text: '' } }, 'body.text'],
        [{ clientId: 'x2', kind: 'text', body: { text: '   ' } }, 'body.text'],
        [{ clientId: 'x3', kind: 'text', body: { text: 'a'.repeat(5001) } }, 'body.text'],
        [{ clientId: 'x4', kind: 'text', body: { text: ['a'] } }, 'body.text'],
        [{ clientId: 'x5', kind: 'sticker', body: {} }, 'kind'],
        [{ clientId: 'x6', kind: 'image', body: { url: 'http://img.example.com/1.png' } }, 'body.url'],
        [{ clientId: 'x7', kind: 'image', body: { url: 42 } }, 'body.url'],
        [{ clientId: '', kind: 'text', body: { text: 'ok' } }, 'clientId'],
        [{ clientId: true, kind: 'text', body: { text: 'ok' } }, 'clientId'],
      ];
      for (const [payload, field] of cases) {
        assertError(
          await api('POST', `/api/conversations/${conversation.id}/messages`, {
            cookie,
            payload: payload as object,
          }),
          400,
          'validation_failed',
          field,
        );
      }
      assert.equal((await conversationNow(conversation.id)).lastSeq, 2, 'nothing half written');
      assert.equal((await storedMessages(t, conversation.id)).length, 2);
    });

    it('CRM-1 sends the buyer’s own order as a card; another buyer’s or an unknown order is 400 naming orderId', async () => {
      const session = await widgetSession(t.server, {
        shop: 'demo',
        identity: await identityFor(t, 'tb100005'),
      });
      const { conversation } = await buyerSays('我的订单', session);
      const cookie = holderCookie(conversation);
      const url = `/api/conversations/${conversation.id}/order-card`;
      const own = (await t.storage.orders.listBuyerOrders(DEMO_SHOP, 'buyer-demo-05' as BuyerId, 0))[0]!;
      const card = ok<SendJson>(
        await api('POST', url, { cookie, payload: { clientId: 'card-1', orderId: own.id } }),
      );
      assert.equal(card.message.kind, 'order_card');
      assert.equal(card.message.body.orderId, own.id);
      assert.equal(card.message.body.status, own.status);
      assert.equal(card.message.body.totalCents, own.totalCents);
      const foreign = (await t.storage.orders.listBuyerOrders(DEMO_SHOP, 'buyer-demo-06' as BuyerId, 0))[0]!;
      const cases: [unknown, string][] = [
        [{ clientId: 'card-2', orderId: foreign.id }, 'orderId'],
        [{ clientId: 'card-3', orderId: 'DD-NO-SUCH' }, 'orderId'],
        [{ clientId: 'card-4', orderId: 20261100001 }, 'orderId'],
        [{ clientId: 'card-5' }, 'orderId'],
        [{ orderId: own.id }, 'clientId'],
      ];
      for (const [payload, field] of cases) {
        assertError(
          await api('POST', url, { cookie, payload: payload as object }),
          400,
          'validation_failed',
          field,
        );
      }
      assert.equal((await conversationNow(conversation.id)).lastSeq, 3, 'only the good card was stored');
    });

    it('read marks up to a seq (clamped to the last message); a bad seq is 400 naming seq', async () => {
      const { conversation } = await buyerSays('已读');
      const cookie = holderCookie(conversation);
      const url = `/api/conversations/${conversation.id}/read`;
      const read = ok<{ conversation: ConversationJson }>(
        await api('POST', url, { cookie, payload: { seq: 99 } }),
      );
      assert.equal(read.conversation.agentReadSeq, 2);
      for (const payload of [{ seq: -1 }, { seq: '1' }, { seq: 1.5 }, {}]) {
        assertError(await api('POST', url, { cookie, payload }), 400, 'validation_failed', 'seq');
      }
      assertError(
        await api('POST', url, {
          cookie: cookies[otherDemoAgent(conversation.agentId)],
          payload: { seq: 1 },
        }),
        403,
        'conversation_not_yours',
      );
    });

    it('RT-9 ending frees the agent’s slot; sending afterwards is 409 conversation_ended; the buyer’s next message opens a new conversation', async () => {
      const session = await widgetSession(t.server, {
        shop: 'demo',
        identity: await identityFor(t, 'tb100011'),
      });
      const { conversation, token } = await buyerSays('结束', session);
      const cookie = holderCookie(conversation);
      const loadOf = async () => (await agentsWithLoad()).find((a) => a.id === conversation.agentId)!.load;
      const before = await loadOf();
      const url = `/api/conversations/${conversation.id}`;
      const ended = ok<{ conversation: ConversationJson }>(await api('POST', `${url}/end`, { cookie }));
      assert.equal(ended.conversation.status, 'ended');
      assert.equal(await loadOf(), before! - 1, 'the slot is free at once');
      const lastSeq = (await conversationNow(conversation.id)).lastSeq;
      assertError(
        await api('POST', `${url}/messages`, {
          cookie,
          payload: { clientId: 'late', kind: 'text', body: { text: '还在吗' } },
        }),
        409,
        'conversation_ended',
      );
      const order = (await t.storage.orders.listBuyerOrders(DEMO_SHOP, 'buyer-demo-11' as BuyerId, 0))[0]!;
      assertError(
        await api('POST', `${url}/order-card`, {
          cookie,
          payload: { clientId: 'late-card', orderId: order.id },
        }),
        409,
        'conversation_ended',
      );
      assertError(
        await api('POST', `${url}/transfer`, {
          cookie,
          payload: { toAgentId: otherDemoAgent(conversation.agentId) },
        }),
        409,
        'conversation_ended',
      );
      assert.equal(
        (await conversationNow(conversation.id)).lastSeq,
        lastSeq,
        'nothing written after the end',
      );
      // The holder still reads the ended conversation; ending again changes nothing.
      ok(await api('GET', `${url}/messages`, { cookie }));
      assert.equal(
        ok<{ conversation: ConversationJson }>(await api('POST', `${url}/end`, { cookie })).conversation
          .status,
        'ended',
      );
      const next = ok<SendJson>(
        await api('POST', '/api/widget/messages', {
          token,
          payload: { clientId: 'after-end', kind: 'text', body: { text: '又来了' } },
        }),
      );
      assert.notEqual(next.conversation.id, conversation.id);
      assert.equal(next.message.seq, 1);
    });

    it('RT-10 transfer moves the conversation and the old agent can no longer send', async () => {
      const { conversation } = await buyerSays('转接');
      const from = conversation.agentId!;
      const to = otherDemoAgent(from);
      const url = `/api/conversations/${conversation.id}`;
      const moved = ok<{ conversation: ConversationJson }>(
        await api('POST', `${url}/transfer`, { cookie: cookies[from], payload: { toAgentId: to } }),
      );
      assert.equal(moved.conversation.agentId, to);
      assert.equal(moved.conversation.status, 'assigned');
      const note = (await storedMessages(t, conversation.id)).at(-1)!;
      assert.equal(note.kind, 'system', 'the transfer is noted in the conversation');
      const lastSeq = (await conversationNow(conversation.id)).lastSeq;
      assertError(
        await api('POST', `${url}/messages`, {
          cookie: cookies[from],
          payload: { clientId: 'old', kind: 'text', body: { text: '我还在' } },
        }),
        403,
        'conversation_not_yours',
        'conversationId',
      );
      assert.equal((await conversationNow(conversation.id)).lastSeq, lastSeq);
      const theirs = ok<{ conversations: ConversationJson[] }>(
        await api('GET', '/api/conversations', { cookie: cookies[to] }),
      );
      assert.ok(theirs.conversations.some((c) => c.id === conversation.id));
      ok(
        await api('POST', `${url}/messages`, {
          cookie: cookies[to],
          payload: { clientId: 'new', kind: 'text', body: { text: '我来接待' } },
        }),
      );
    });

    it('RT-10 transfer to an unknown agent, to the holder, or without a target is 400 naming toAgentId; to an offline agent is 409 agent_unavailable', async () => {
      const { conversation } = await buyerSays('转接失败');
      const cookie = holderCookie(conversation);
      const offline = ok<{ agent: AgentJson }>(
        await api('POST', '/api/admin/agents', {
          cookie: owner,
          payload: { email: 'offline-target@demo.xiaoer.dev', name: '不在线', password: AGENT_PASSWORD },
        }),
        201,
      ).agent;
      assert.equal(offline.status, 'offline');
      const url = `/api/conversations/${conversation.id}/transfer`;
      for (const payload of [
        { toAgentId: 'ghost' },
        { toAgentId: conversation.agentId },
        {},
        { toAgentId: 7 },
      ]) {
        assertError(await api('POST', url, { cookie, payload }), 400, 'validation_failed', 'toAgentId');
      }
      assertError(
        await api('POST', url, { cookie, payload: { toAgentId: offline.id } }),
        409,
        'agent_unavailable',
        'toAgentId',
      );
      const now = await conversationNow(conversation.id);
      assert.equal(now.agentId, conversation.agentId, 'still with its agent');
      assert.equal(now.lastSeq, 2, 'no transfer note was written');
    });

    it('RT-10 an agent cannot transfer beyond the target’s cap; an admin can (RT-6 non-routing target)', async () => {
      const target = ok<{ agent: AgentJson }>(
        await api('POST', '/api/admin/agents', {
          cookie: owner,
          payload: {
            email: 'capped@demo.xiaoer.dev',
            name: '限一个',
            password: AGENT_PASSWORD,
            maxConcurrent: 1,
            takesRouting: false,
          },
        }),
        201,
      ).agent;
      const targetCookie = await loginCookie(t.server, 'capped@demo.xiaoer.dev', AGENT_PASSWORD);
      // (at their desk: RT-8 presence has its own tests)
      await t.server.ctx.chat.setAgentStatus(DEMO_SHOP, target.id as never, 'online');
      const a = await buyerSays('第一位');
      const b = await buyerSays('第二位');
      assert.notEqual(a.conversation.agentId, target.id, 'RT-6: never assigned automatically');
      ok(
        await api('POST', `/api/conversations/${a.conversation.id}/transfer`, {
          cookie: holderCookie(a.conversation),
          payload: { toAgentId: target.id },
        }),
      );
      assertError(
        await api('POST', `/api/conversations/${b.conversation.id}/transfer`, {
          cookie: holderCookie(b.conversation),
          payload: { toAgentId: target.id },
        }),
        409,
        'agent_unavailable',
        'toAgentId',
      );
      const byAdmin = ok<{ conversation: ConversationJson }>(
        await api('POST', `/api/conversations/${b.conversation.id}/transfer`, {
          cookie: owner,
          payload: { toAgentId: target.id },
        }),
      );
      assert.equal(byAdmin.conversation.agentId, target.id);
      ok(await api('PUT', '/api/me/status', { cookie: targetCookie, payload: { status: 'offline' } }));
    });

    it('an unknown conversation id is 404 naming conversationId on every route; an over-long one is 400', async () => {
      const id = 'no-such-conversation';
      const routes: [InjectOptions['method'], string, object | undefined][] = [
        ['GET', `/api/conversations/${id}`, undefined],
        ['GET', `/api/conversations/${id}/messages`, undefined],
        ['POST', `/api/conversations/${id}/messages`, { clientId: 'z', kind: 'text', body: { text: 'x' } }],
        ['POST', `/api/conversations/${id}/order-card`, { clientId: 'z', orderId: 'DD20261100001' }],
        ['POST', `/api/conversations/${id}/read`, { seq: 1 }],
        ['POST', `/api/conversations/${id}/end`, undefined],
        ['POST', `/api/conversations/${id}/transfer`, { toAgentId: 'agent-demo-2' }],
      ];
      for (const [method, url, payload] of routes) {
        for (const cookie of [agent1, owner]) {
          assertError(await api(method, url, { cookie, payload }), 404, 'not_found', 'conversationId');
        }
        assertError(
          await api(method, url.replace(id, 'x'.repeat(65)), { cookie: owner, payload }),
          400,
          'validation_failed',
          'conversationId',
        );
        assertError(await api(method, url, { payload }), 401, 'unauthenticated');
      }
    });
  });

  // ------------------------------------------------------------------ another shop
  describe('TEAM-4 another shop', () => {
    let otherShop: ShopId;
    let otherConversationId: string;
    let otherBuyerId: BuyerId;
    let otherAgentId: string;
    let otherOwner: string;
    let otherOrderId: OrderId;
    let otherReplyId: QuickReplyId;

    before(async () => {
      otherShop = await makeShop(t.storage);
      const agent = await makeAgent(t.storage, otherShop, { status: 'online' });
      otherAgentId = agent.id;
      await makeAgent(t.storage, otherShop, {
        role: 'owner',
        email: 'owner@other.example',
        status: 'offline',
      });
      otherOwner = await loginCookie(t.server, 'owner@other.example');
      const buyer = await makeBuyer(t.storage, otherShop, '别家买家');
      otherBuyerId = buyer.id;
      const sent = await t.server.ctx.chat.sendBuyerMessage(otherShop, buyer.id, 'o-1', {
        kind: 'text',
        body: { text: '别家的会话' },
      });
      otherConversationId = sent.conversation.id;
      otherOrderId = 'DD-OTHER-1' as OrderId;
      await t.storage.orders.insertOrder({
        id: otherOrderId,
        shopId: otherShop,
        buyerId: buyer.id,
        status: 'paid',
        totalCents: 100,
        carrier: null,
        trackingNo: null,
        createdAt: Date.now() - DAY_MS,
        paidAt: Date.now() - DAY_MS,
        shippedAt: null,
        items: [],
        logistics: [],
      });
      otherReplyId = 'qr-other-1' as QuickReplyId;
      await t.storage.quickReplies.insertQuickReply({
        id: otherReplyId,
        shopId: otherShop,
        ownerId: null,
        title: '发货别家',
        text: '别家的快捷回复',
        imageUrl: null,
        createdAt: Date.now(),
      });
    });

    it("TEAM-4 another shop's conversation is not found on every route, and nothing is written to it", async () => {
      const id = otherConversationId;
      const routes: [InjectOptions['method'], string, object | undefined][] = [
        ['GET', `/api/conversations/${id}`, undefined],
        ['GET', `/api/conversations/${id}/messages`, undefined],
        [
          'POST',
          `/api/conversations/${id}/messages`,
          { clientId: 'leak', kind: 'text', body: { text: 'x' } },
        ],
        ['POST', `/api/conversations/${id}/order-card`, { clientId: 'leak2', orderId: otherOrderId }],
        ['POST', `/api/conversations/${id}/read`, { seq: 1 }],
        ['POST', `/api/conversations/${id}/end`, undefined],
        ['POST', `/api/conversations/${id}/transfer`, { toAgentId: 'agent-demo-1' }],
      ];
      for (const [method, url, payload] of routes) {
        for (const cookie of [owner, agent1]) {
          assertError(await api(method, url, { cookie, payload }), 404, 'not_found', 'conversationId');
        }
      }
      const c = await t.storage.conversations.findConversation(otherShop, id as never);
      assert.equal(c?.lastSeq, 2);
      assert.equal(c?.status, 'assigned');
      assert.equal(c?.agentId, otherAgentId);
      assert.equal(c?.agentReadSeq, 0);
      const lists = ok<{ conversations: ConversationJson[] }>(
        await api('GET', '/api/conversations?limit=200', { cookie: owner }),
      );
      assert.ok(lists.conversations.every((x) => x.shopId === DEMO_SHOP));
    });

    it("TEAM-4 another shop's owner sees none of the demo shop's conversations", async () => {
      const { conversation } = await buyerSays('本店的');
      const mine = ok<{ conversations: ConversationJson[] }>(
        await api('GET', '/api/conversations?limit=200', { cookie: otherOwner }),
      );
      assert.ok(mine.conversations.some((c) => c.id === otherConversationId));
      assert.ok(mine.conversations.every((c) => c.shopId === otherShop));
      assertError(
        await api('GET', `/api/conversations/${conversation.id}`, { cookie: otherOwner }),
        404,
        'not_found',
        'conversationId',
      );
      assertError(
        await api('GET', '/api/buyers/buyer-demo-01/profile', { cookie: otherOwner }),
        404,
        'not_found',
        'buyerId',
      );
    });

    it("TEAM-4 another shop's buyer profile is not found", async () => {
      assertError(
        await api('GET', `/api/buyers/${otherBuyerId}/profile`, { cookie: owner }),
        404,
        'not_found',
        'buyerId',
      );
    });

    it("TEAM-4 another shop's order cannot be sent as a card", async () => {
      const { conversation } = await buyerSays('订单卡片');
      assertError(
        await api('POST', `/api/conversations/${conversation.id}/order-card`, {
          cookie: holderCookie(conversation),
          payload: { clientId: 'foreign-card', orderId: otherOrderId },
        }),
        400,
        'validation_failed',
        'orderId',
      );
      assert.equal((await conversationNow(conversation.id)).lastSeq, 2);
    });

    it("TEAM-4 another shop's agents are not transfer targets, not editable, not listed", async () => {
      const { conversation } = await buyerSays('转给别家');
      assertError(
        await api('POST', `/api/conversations/${conversation.id}/transfer`, {
          cookie: holderCookie(conversation),
          payload: { toAgentId: otherAgentId },
        }),
        400,
        'validation_failed',
        'toAgentId',
      );
      assertError(
        await api('PATCH', `/api/admin/agents/${otherAgentId}`, {
          cookie: owner,
          payload: { maxConcurrent: 1 },
        }),
        404,
        'not_found',
        'agentId',
      );
      assert.equal((await t.storage.agents.findAgent(otherShop, otherAgentId as never))?.maxConcurrent, 10);
      for (const url of ['/api/agents', '/api/admin/agents']) {
        const { agents } = ok<{ agents: AgentJson[] }>(await api('GET', url, { cookie: owner }));
        assert.ok(
          agents.every((a) => a.shopId === DEMO_SHOP),
          url,
        );
      }
    });

    it("TEAM-4 another shop's quick replies are invisible and cannot be changed", async () => {
      const { quickReplies } = ok<{ quickReplies: QuickReplyJson[] }>(
        await api('GET', '/api/quick-replies?q=fh', { cookie: owner }),
      );
      assert.ok(!quickReplies.some((q) => q.id === otherReplyId));
      assertError(
        await api('PATCH', `/api/quick-replies/${otherReplyId}`, {
          cookie: owner,
          payload: { text: '改别家' },
        }),
        404,
        'not_found',
        'id',
      );
      assertError(
        await api('DELETE', `/api/quick-replies/${otherReplyId}`, { cookie: owner }),
        404,
        'not_found',
        'id',
      );
      assert.equal(
        (await t.storage.quickReplies.findQuickReply(otherShop, otherReplyId))?.text,
        '别家的快捷回复',
      );
    });
  });

  // ------------------------------------------------------------------ buyers
  describe('buyer profile', () => {
    it('CRM-1 the profile shows the buyer and orders of the last 90 days only, newest first', async () => {
      const buyerId = 'buyer-demo-10' as BuyerId;
      const order = (id: string, ageDays: number): Order => ({
        id: id as OrderId,
        shopId: DEMO_SHOP,
        buyerId,
        status: 'completed',
        totalCents: 1000,
        carrier: null,
        trackingNo: null,
        createdAt: Date.now() - ageDays * DAY_MS,
        paidAt: null,
        shippedAt: null,
        items: [],
        logistics: [],
      });
      await t.storage.orders.insertOrder(order('DD-OLD-100', 100));
      await t.storage.orders.insertOrder(order('DD-OLD-89', 89));
      const profile = ok<{ buyer: { id: string; nick: string; phone: string }; orders: Order[] }>(
        await api('GET', `/api/buyers/${buyerId}/profile`, { cookie: owner }),
      );
      assert.equal(profile.buyer.id, buyerId);
      assert.match(profile.buyer.phone, /^1\d{10}$/, 'full number for the owner');
      const ids = profile.orders.map((o) => o.id);
      assert.ok(ids.includes('DD-OLD-89' as OrderId), 'an 89-day-old order is shown');
      assert.ok(!ids.includes('DD-OLD-100' as OrderId), 'a 100-day-old order is not');
      assert.ok(profile.orders.every((o) => o.buyerId === buyerId));
      assert.ok(profile.orders.every((o) => o.createdAt >= Date.now() - 90 * DAY_MS));
      for (let i = 1; i < profile.orders.length; i++) {
        assert.ok(profile.orders[i - 1]!.createdAt >= profile.orders[i]!.createdAt, 'newest first');
      }
      assert.ok(profile.orders.length >= 2);
    });

    it('an unknown buyer is 404 naming buyerId; an over-long id is 400; no session is 401', async () => {
      assertError(
        await api('GET', '/api/buyers/buyer-nobody/profile', { cookie: agent1 }),
        404,
        'not_found',
        'buyerId',
      );
      assertError(
        await api('GET', `/api/buyers/${'b'.repeat(65)}/profile`, { cookie: agent1 }),
        400,
        'validation_failed',
        'buyerId',
      );
      assertError(await api('GET', '/api/buyers/buyer-demo-01/profile'), 401, 'unauthenticated');
    });

    it('CMP-7 outsourced agents see masked phone numbers', async () => {
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
      const outsourced = await loginCookie(t.server, 'wb@outsource.example', AGENT_PASSWORD);
      // Issue #14: agents read the profile of a buyer whose conversation they may read (the bot's: all).
      await t.storage.conversations.createOrGetOpen(
        openedConversation(
          'conv-cmp7-bot' as ConversationId,
          DEMO_SHOP,
          'buyer-demo-07' as BuyerId,
          Date.now(),
          { status: 'bot' },
        ),
      );
      const phoneAs = async (cookie: string) =>
        ok<{ buyer: { phone: string } }>(await api('GET', '/api/buyers/buyer-demo-07/profile', { cookie }))
          .buyer.phone;
      const full = await phoneAs(agent1);
      const masked = await phoneAs(outsourced);
      assert.match(full, /^1\d{10}$/);
      assert.equal(masked, `${full.slice(0, 3)}****${full.slice(-4)}`);
      assert.ok(!masked.includes(full.slice(3, 7)), 'the middle digits are hidden');
    });
  });

  // ------------------------------------------------------------------ quick replies
  describe('quick replies', () => {
    it('lists the shop’s shared replies and the agent’s own, not another agent’s personal ones', async () => {
      const mine = ok<{ quickReply: QuickReplyJson }>(
        await api('POST', '/api/quick-replies', {
          cookie: agent1,
          payload: { title: '小美的', text: '私人话术' },
        }),
        201,
      ).quickReply;
      const as1 = ok<{ quickReplies: QuickReplyJson[] }>(
        await api('GET', '/api/quick-replies', { cookie: agent1 }),
      );
      assert.ok(as1.quickReplies.some((q) => q.id === mine.id));
      assert.ok(as1.quickReplies.some((q) => q.title === '欢迎语' && q.ownerId === null));
      const as2 = ok<{ quickReplies: QuickReplyJson[] }>(
        await api('GET', '/api/quick-replies', { cookie: cookies['agent-demo-2'] }),
      );
      assert.ok(!as2.quickReplies.some((q) => q.id === mine.id));
      assert.ok(as2.quickReplies.every((q) => q.ownerId === null || q.ownerId === 'agent-demo-2'));
      assertError(await api('GET', '/api/quick-replies'), 401, 'unauthenticated');
    });

    it('TEAM-3 quick replies are found by pinyin initials', async () => {
      const found = ok<{ quickReplies: QuickReplyJson[] }>(
        await api('GET', '/api/quick-replies?q=fh', { cookie: agent1 }),
      );
      assert.ok(found.quickReplies.some((q) => q.title === '发货时间'));
      const byText = ok<{ quickReplies: QuickReplyJson[] }>(
        await api('GET', `/api/quick-replies?q=${encodeURIComponent('发票')}`, { cookie: agent1 }),
      );
      assert.ok(byText.quickReplies.some((q) => q.title === '发票'));
      assertError(
        await api('GET', `/api/quick-replies?q=${'a'.repeat(101)}`, { cookie: agent1 }),
        400,
        'validation_failed',
        'q',
      );
    });

    it('creates a personal reply; a shared one needs an admin role (403 naming personal); the owner can', async () => {
      const personal = ok<{ quickReply: QuickReplyJson }>(
        await api('POST', '/api/quick-replies', {
          cookie: agent1,
          payload: { title: '  包邮  ', text: '亲，满 99 包邮哦', imageUrl: null },
        }),
        201,
      ).quickReply;
      assert.equal(personal.ownerId, 'agent-demo-1');
      assert.equal(personal.title, '包邮');
      const countShared = async () =>
        ok<{ quickReplies: QuickReplyJson[] }>(
          await api('GET', '/api/quick-replies', { cookie: owner }),
        ).quickReplies.filter((q) => q.ownerId === null).length;
      const shared = await countShared();
      assertError(
        await api('POST', '/api/quick-replies', {
          cookie: agent1,
          payload: { title: '共享', text: '大家的', personal: false },
        }),
        403,
        'forbidden',
        'personal',
      );
      assert.equal(await countShared(), shared, 'nothing half written');
      const byOwner = ok<{ quickReply: QuickReplyJson }>(
        await api('POST', '/api/quick-replies', {
          cookie: owner,
          payload: { title: '共享', text: '大家的', personal: false },
        }),
        201,
      ).quickReply;
      assert.equal(byOwner.ownerId, null);
      assert.equal(await countShared(), shared + 1);
    });

    it('a bad title, text, imageUrl or personal flag is 400 naming it and stores nothing', async () => {
      const count = async () =>
        ok<{ quickReplies: QuickReplyJson[] }>(await api('GET', '/api/quick-replies', { cookie: agent1 }))
          .quickReplies.length;
      const before = await count();
      const cases: [unknown, string][] = [
        [{ title: '', text: 'x' }, 'title'],
        [{ title: '   ', text: 'x' }, 'title'],
        [{ title: '长'.repeat(51), text: 'x' }, 'title'],
        [{ title: 5, text: 'x' }, 'title'],
        [{ text: 'x' }, 'title'],
        [{ title: 't', text: '' }, 'text'],
        [{ title: 't', text: 'x'.repeat(2001) }, 'text'],
        [{ title: 't', text: 'x', imageUrl: 'https://evil.example/a.png' }, 'imageUrl'],
        [{ title: 't', text: 'x', personal: 'yes' }, 'personal'],
      ];
      for (const [payload, field] of cases) {
        assertError(
          await api('POST', '/api/quick-replies', { cookie: agent1, payload: payload as object }),
          400,
          'validation_failed',
          field,
        );
      }
      assert.equal(await count(), before);
    });

    it('patches and deletes one’s own; another agent’s personal or a shared reply is 403 for agents; unknown is 404', async () => {
      const mine = ok<{ quickReply: QuickReplyJson }>(
        await api('POST', '/api/quick-replies', { cookie: agent1, payload: { title: '改我', text: '原文' } }),
        201,
      ).quickReply;
      const url = `/api/quick-replies/${mine.id}`;
      const patched = ok<{ quickReply: QuickReplyJson }>(
        await api('PATCH', url, { cookie: agent1, payload: { text: '改过', imageUrl: '/uploads/abc-123' } }),
      ).quickReply;
      assert.equal(patched.text, '改过');
      assert.equal(patched.title, '改我');
      assert.equal(patched.imageUrl, '/uploads/abc-123');
      const retitled = ok<{ quickReply: QuickReplyJson }>(
        await api('PATCH', url, { cookie: agent1, payload: { title: '改我二' } }),
      ).quickReply;
      assert.equal(retitled.imageUrl, '/uploads/abc-123', 'a patch without imageUrl keeps the image');
      assert.equal(retitled.text, '改过');
      for (const [payload, field] of [
        [{ title: '' }, 'title'],
        [{ title: 'x'.repeat(51) }, 'title'],
        [{ imageUrl: 'data:text/html,<script>' }, 'imageUrl'],
      ] as const) {
        assertError(await api('PATCH', url, { cookie: agent1, payload }), 400, 'validation_failed', field);
      }
      assertError(
        await api('PATCH', url, { cookie: agent1, payload: { personal: false } }),
        403,
        'forbidden',
        'personal',
      );
      const agent2 = cookies['agent-demo-2']!;
      assertError(await api('PATCH', url, { cookie: agent2, payload: { text: '偷改' } }), 403, 'forbidden');
      assertError(await api('DELETE', url, { cookie: agent2 }), 403, 'forbidden');
      const shared = 'qr-demo-1';
      assertError(
        await api('PATCH', `/api/quick-replies/${shared}`, { cookie: agent1, payload: { text: '改共享' } }),
        403,
        'forbidden',
      );
      assertError(await api('DELETE', `/api/quick-replies/${shared}`, { cookie: agent1 }), 403, 'forbidden');
      const stillShared = await t.storage.quickReplies.findQuickReply(DEMO_SHOP, shared as QuickReplyId);
      assert.equal(stillShared?.title, '欢迎语');
      assert.equal(
        (await t.storage.quickReplies.findQuickReply(DEMO_SHOP, mine.id as QuickReplyId))?.text,
        '改过',
      );
      const ownerEdit = ok<{ quickReply: QuickReplyJson }>(
        await api('PATCH', `/api/quick-replies/${shared}`, {
          cookie: owner,
          payload: { text: '亲，您好！' },
        }),
      );
      assert.equal(ownerEdit.quickReply.text, '亲，您好！');
      assert.equal(ownerEdit.quickReply.ownerId, null, 'an edit by the owner keeps the reply shared');
      const seenBy1 = ok<{ quickReplies: QuickReplyJson[] }>(
        await api('GET', '/api/quick-replies', { cookie: agent1 }),
      );
      assert.ok(
        seenBy1.quickReplies.some((q) => q.id === shared),
        'agents still see it',
      );
      const deleted = await api('DELETE', url, { cookie: agent1 });
      assert.equal(deleted.statusCode, 204);
      assert.equal(
        await t.storage.quickReplies.findQuickReply(DEMO_SHOP, mine.id as QuickReplyId),
        undefined,
      );
      assertError(await api('DELETE', url, { cookie: agent1 }), 404, 'not_found', 'id');
      assertError(
        await api('PATCH', url, { cookie: agent1, payload: { text: 'x' } }),
        404,
        'not_found',
        'id',
      );
    });
  });

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

  // ------------------------------------------------------------------ uploads
  describe('uploads', () => {
    it('an agent uploads a PNG: 201 with url, type and size; GET serves it as image/png with nosniff and a sandbox', async () => {
      const body = await multipart({ data: PNG, type: 'image/png', name: 'pixel.png' });
      const up = ok<{ url: string; contentType: string; size: number }>(
        await api('POST', '/api/uploads', { cookie: agent1, headers: body.headers, payload: body.payload }),
        201,
      );
      assert.match(up.url, /^\/uploads\/[0-9a-f-]{36}$/);
      assert.equal(up.contentType, 'image/png');
      assert.equal(up.size, PNG.length);
      // Issue #14: served to agents of the shop (and the buyer it is shown to), not to anyone.
      assertError(await api('GET', up.url), 404, 'not_found', 'id');
      const got = await api('GET', up.url, { cookie: agent1 });
      assert.equal(got.statusCode, 200);
      assert.equal(got.headers['content-type'], 'image/png');
      assert.equal(got.headers['x-content-type-options'], 'nosniff');
      assert.match(String(got.headers['content-security-policy']), /sandbox/);
      assert.deepEqual(got.rawPayload, PNG);
      // The uploaded image is sendable as a message.
      const { conversation } = await buyerSays('看图');
      const sent = ok<SendJson>(
        await api('POST', `/api/conversations/${conversation.id}/messages`, {
          cookie: holderCookie(conversation),
          payload: { clientId: 'img', kind: 'image', body: { url: up.url } },
        }),
      );
      assert.deepEqual(sent.message.body, { url: up.url });
    });

    it('the type comes from the bytes: a JPEG-named PNG is stored as image/png', async () => {
      const body = await multipart({ data: PNG, type: 'image/jpeg', name: 'photo.jpg' });
      const up = ok<{ url: string; contentType: string }>(
        await api('POST', '/api/uploads', { cookie: agent1, headers: body.headers, payload: body.payload }),
        201,
      );
      assert.equal(up.contentType, 'image/png');
      assert.equal((await api('GET', up.url, { cookie: agent1 })).headers['content-type'], 'image/png');
    });

    it('HTML named .png and sent as image/png, SVG, and text are 415 naming file; an empty file is 400; nothing is stored', async () => {
      const before = await countUploads(t);
      const fakes: { data: Buffer; type: string; name: string }[] = [
        {
          data: Buffer.from('<!doctype html><html><script>alert(document.cookie)</script></html>'),
          type: 'image/png',
          name: 'x.png',
        },
        {
          data: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
          type: 'image/svg+xml',
          name: 'x.svg',
        },
        { data: Buffer.from('just some text'), type: 'text/plain', name: 'notes.txt' },
        { data: Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n'), type: 'image/png', name: 'doc.png' },
      ];
      for (const file of fakes) {
        const body = await multipart(file);
        assertError(
          await api('POST', '/api/uploads', { cookie: agent1, headers: body.headers, payload: body.payload }),
          415,
          'unsupported_media_type',
          'file',
        );
      }
      const empty = await multipart({ data: Buffer.alloc(0), type: 'image/png', name: 'empty.png' });
      assertError(
        await api('POST', '/api/uploads', { cookie: agent1, headers: empty.headers, payload: empty.payload }),
        400,
        'validation_failed',
        'file',
      );
      assert.equal(await countUploads(t), before);
    });

    it('a file over 10 MB is 413 naming file and nothing is stored; exactly 10 MB is accepted', async () => {
      const before = await countUploads(t);
      const tooBig = await multipart({
        data: Buffer.concat([PNG, Buffer.alloc(MAX_IMAGE_BYTES + 1 - PNG.length)]),
        type: 'image/png',
        name: 'big.png',
      });
      assertError(
        await api('POST', '/api/uploads', {
          cookie: agent1,
          headers: tooBig.headers,
          payload: tooBig.payload,
        }),
        413,
        'payload_too_large',
        'file',
      );
      assert.equal(await countUploads(t), before, 'nothing half written');
      const atLimit = await multipart({
        data: Buffer.concat([PNG, Buffer.alloc(MAX_IMAGE_BYTES - PNG.length)]),
        type: 'image/png',
        name: 'limit.png',
      });
      const up = ok<{ size: number }>(
        await api('POST', '/api/uploads', {
          cookie: agent1,
          headers: atLimit.headers,
          payload: atLimit.payload,
        }),
        201,
      );
      assert.equal(up.size, MAX_IMAGE_BYTES);
    });

    it('without a session or buyer token, or with a forged token, an upload is 401 and nothing is stored', async () => {
      const before = await countUploads(t);
      const body = await multipart({ data: PNG, type: 'image/png', name: 'a.png' });
      for (const call of [
        {},
        { token: 'v1.shop-demo.buyer-demo-01.forged' },
        { cookie: 'xiaoer_sid=made-up' },
      ] as Call[]) {
        assertError(
          await api('POST', '/api/uploads', { ...call, headers: body.headers, payload: body.payload }),
          401,
          'unauthenticated',
        );
      }
      assert.equal(await countUploads(t), before);
    });

    it('a buyer uploads with a Bearer token and sends the image', async () => {
      const { token } = await widgetSession(t.server);
      const body = await multipart({ data: PNG, type: 'image/png', name: 'mine.png' });
      const up = ok<{ url: string }>(
        await api('POST', '/api/uploads', { token, headers: body.headers, payload: body.payload }),
        201,
      );
      const sent = ok<SendJson>(
        await api('POST', '/api/widget/messages', {
          token,
          payload: { clientId: 'pic', kind: 'image', body: { url: up.url } },
        }),
      );
      assert.equal(sent.message.kind, 'image');
      assert.deepEqual(sent.message.body, { url: up.url });
    });

    it('a non-multipart body is 415; multipart without a file is 400 naming file', async () => {
      assertError(
        await api('POST', '/api/uploads', { cookie: agent1, payload: { file: PNG.toString('base64') } }),
        415,
        'unsupported_media_type',
        'file',
      );
      const noFile = await multipart(null, { note: 'no file here' });
      assertError(
        await api('POST', '/api/uploads', {
          cookie: agent1,
          headers: noFile.headers,
          payload: noFile.payload,
        }),
        400,
        'validation_failed',
        'file',
      );
    });

    it('a malformed multipart body is 400 naming file, not a server error, and stores nothing', async () => {
      const before = await countUploads(t);
      const cases: [string, string][] = [
        ['multipart/form-data', 'garbage'],
        ['multipart/form-data; boundary=xyz', 'garbage'],
        [
          'multipart/form-data; boundary=xyz',
          '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n\x89PNG',
        ],
      ];
      for (const [type, payload] of cases) {
        assertError(
          await api('POST', '/api/uploads', { cookie: agent1, headers: { 'content-type': type }, payload }),
          400,
          'validation_failed',
          'file',
        );
      }
      assert.equal(await countUploads(t), before);
    });

    it('GET /uploads/:id of an unknown id is 404; a malformed id is 400 naming id', async () => {
      assertError(await api('GET', '/uploads/00000000-0000-4000-8000-000000000000'), 404, 'not_found', 'id');
      assertError(await api('GET', '/uploads/not-a-uuid'), 400, 'validation_failed', 'id');
      assertError(await api('GET', '/uploads/..%2F..%2Fetc%2Fpasswd'), 400, 'validation_failed', 'id');
    });
  });

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

// ------------------------------------------------------------------ time
describe('sessions and identities over time', () => {
  it('an agent session lasts 7 days, then /api/me is 401', async () => {
    const clock = new FakeClock();
    const t = await startTestServer({ listen: false, clock });
    try {
      const cookie = await loginCookie(t.server, 'agent1@demo.xiaoer.dev');
      clock.advance(7 * DAY_MS - 60_000);
      ok(await request(t, 'GET', '/api/me', { cookie }));
      clock.advance(2 * 60_000);
      assertError(await request(t, 'GET', '/api/me', { cookie }), 401, 'unauthenticated');
    } finally {
      await t.close();
    }
  });

  it('a shop identity is good for exactly 10 minutes either way', async () => {
    const clock = new FakeClock();
    const t = await startTestServer({ listen: false, clock });
    try {
      const now = clock.now();
      const tenMinutes = 10 * 60_000;
      for (const [ts, status] of [
        [now - tenMinutes, 200],
        [now + tenMinutes, 200],
        [now - tenMinutes - 1, 401],
        [now + tenMinutes + 1, 401],
      ] as const) {
        const res = await request(t, 'POST', '/api/widget/session', {
          payload: { shop: 'demo', identity: await identityFor(t, 'tb100012', ts) },
        });
        if (status === 200) assert.equal(ok<{ buyer: { id: string } }>(res).buyer.id, 'buyer-demo-12');
        else assertError(res, 401, 'unauthenticated', 'identity.sig');
      }
    } finally {
      await t.close();
    }
  });
});

// ------------------------------------------------------------------ RT-4 queue
describe('RT-4 caps and the queue over HTTP', () => {
  it('RT-4 with every agent at its cap a buyer waits in the queue; raising the cap assigns it at once', async () => {
    const t = await startTestServer({ listen: false });
    try {
      const owner = await loginCookie(t.server, 'owner@demo.xiaoer.dev');
      for (const id of ['agent-demo-2', 'agent-demo-3']) {
        await t.server.ctx.chat.setAgentStatus(DEMO_SHOP, id as never, 'offline');
      }
      ok(
        await request(t, 'PATCH', '/api/admin/agents/agent-demo-1', {
          cookie: owner,
          payload: { maxConcurrent: 1 },
        }),
      );
      const send = async (text: string) => {
        const { token } = await widgetSession(t.server);
        return ok<SendJson>(
          await request(t, 'POST', '/api/widget/messages', {
            token,
            payload: { clientId: text, kind: 'text', body: { text } },
          }),
        ).conversation;
      };
      const first = await send('第一位');
      assert.equal(first.agentId, 'agent-demo-1');
      const second = await send('第二位');
      assert.equal(second.status, 'queued');
      assert.equal(second.agentId, null);
      ok(
        await request(t, 'PATCH', '/api/admin/agents/agent-demo-1', {
          cookie: owner,
          payload: { maxConcurrent: 2 },
        }),
      );
      const now = await t.storage.conversations.findConversation(DEMO_SHOP, second.id as never);
      assert.equal(now?.status, 'assigned');
      assert.equal(now?.agentId, 'agent-demo-1');
    } finally {
      await t.close();
    }
  });
});

// ------------------------------------------------------------------ both engines
for (const engine of testDatabases) {
  describe(`core message flow over HTTP on ${engine.name}`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer({ listen: false, storage: await engine.open() });
    });
    after(() => t.close());

    it('widget session → buyer sends → the assigned agent sees it and replies → the buyer syncs; retries and bad input store nothing', async () => {
      const session = await widgetSession(t.server, {
        shop: 'demo',
        identity: await identityFor(t, 'tb100009'),
      });
      assert.equal(session.buyerId, 'buyer-demo-09');
      const first = ok<SendJson>(
        await request(t, 'POST', '/api/widget/messages', {
          token: session.token,
          payload: { clientId: 'b-1', kind: 'text', body: { text: '什么时候发货' } },
        }),
      );
      const conversation = first.conversation;
      assert.equal(conversation.status, 'assigned');
      assert.ok(conversation.agentId && EMAIL_BY_AGENT[conversation.agentId]);
      const cookie = await loginCookie(t.server, EMAIL_BY_AGENT[conversation.agentId]!);

      const listed = ok<{ conversations: ConversationJson[] }>(
        await request(t, 'GET', '/api/conversations', { cookie }),
      );
      const row = listed.conversations.find((c) => c.id === conversation.id);
      assert.ok(row, 'the agent sees the conversation');
      assert.equal(row.buyer?.id, 'buyer-demo-09');
      const incoming = ok<{ messages: MessageJson[] }>(
        await request(t, 'GET', `/api/conversations/${conversation.id}/messages?after=0`, { cookie }),
      );
      assert.deepEqual(
        incoming.messages.filter((m) => m.kind !== 'system').map((m) => m.body.text),
        ['什么时候发货'],
      );

      const reply = () =>
        request(t, 'POST', `/api/conversations/${conversation.id}/messages`, {
          cookie,
          payload: { clientId: 'a-1', kind: 'text', body: { text: '亲，48 小时内发货' } },
        });
      const replied = ok<SendJson>(await reply());
      assert.equal(replied.message.seq, 3, 'after the buyer’s line and the one naming the agent (BOT-3)');
      assert.equal(ok<SendJson>(await reply()).message.id, replied.message.id, 'agent retry deduped');
      const buyerRetry = ok<SendJson>(
        await request(t, 'POST', '/api/widget/messages', {
          token: session.token,
          payload: { clientId: 'b-1', kind: 'text', body: { text: '什么时候发货' } },
        }),
      );
      assert.equal(buyerRetry.message.id, first.message.id, 'buyer retry deduped');

      assertError(
        await request(t, 'POST', '/api/widget/messages', {
          token: session.token,
          payload: { clientId: 'b-2', kind: 'text', body: { text: 'x'.repeat(5001) } },
        }),
        400,
        'validation_failed',
        'body.text',
      );
      assertError(
        await request(t, 'POST', `/api/conversations/${conversation.id}/messages`, {
          cookie,
          payload: { clientId: 'a-2', kind: 'image', body: { url: 'https://elsewhere.example/x.png' } },
        }),
        400,
        'validation_failed',
        'body.url',
      );

      const synced = ok<{ messages: MessageJson[] }>(
        await request(t, 'GET', '/api/widget/messages?after=1', { token: session.token }),
      );
      assert.deepEqual(
        synced.messages.map((m) => [m.seq, m.sender, m.body.text]),
        [
          // BOT-3: the buyer is told who took them, by name.
          [2, 'system', '客服小美为您服务'],
          [3, 'agent', '亲，48 小时内发货'],
        ],
      );
      const stored = await t.storage.conversations.findConversation(DEMO_SHOP, conversation.id as never);
      assert.equal(stored?.lastSeq, 3, 'three messages, no more');

      const read = ok<{ conversation: ConversationJson }>(
        await request(t, 'POST', `/api/conversations/${conversation.id}/read`, {
          cookie,
          payload: { seq: 3 },
        }),
      );
      assert.equal(read.conversation.agentReadSeq, 3);
      const ended = ok<{ conversation: ConversationJson }>(
        await request(t, 'POST', `/api/conversations/${conversation.id}/end`, { cookie }),
      );
      assert.equal(ended.conversation.status, 'ended');
    });

    it('TEAM-4 another shop’s conversation is not found on this engine too', async () => {
      const otherShop = await makeShop(t.storage);
      await makeAgent(t.storage, otherShop, { status: 'online' });
      const buyer = await makeBuyer(t.storage, otherShop);
      const r = await t.server.ctx.chat.sendBuyerMessage(otherShop, buyer.id, 'x', {
        kind: 'text',
        body: { text: '别家' },
      });
      const owner = await loginCookie(t.server, 'owner@demo.xiaoer.dev');
      assertError(
        await request(t, 'GET', `/api/conversations/${r.conversation.id}/messages`, { cookie: owner }),
        404,
        'not_found',
        'conversationId',
      );
      assertError(
        await request(t, 'POST', `/api/conversations/${r.conversation.id}/messages`, {
          cookie: owner,
          payload: { clientId: 'leak', kind: 'text', body: { text: '串店' } },
        }),
        404,
        'not_found',
        'conversationId',
      );
      assert.equal(
        (await t.storage.conversations.findConversation(otherShop, r.conversation.id))?.lastSeq,
        2, // the buyer's line and the one telling them who took it (BOT-3)
      );
    });
  });
}
