/**
 * The HTTP API suites' shared ground (tests/scenarios/http/*.test.ts, split by route area from one
 * file in issue #20): the shapes of answers, a real PNG, request helpers that fail on any 5xx, and
 * the in-process server every "HTTP API in process" file starts the same way.
 */
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import type { Agent, ShopId } from '@xiaoer/core';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { loginCookie, signedIdentity, startTestServer, widgetSession, type TestServer } from './server';

// ---------- shapes of answers ----------
export interface ErrorJson {
  error: { code: string; message: string; field?: string };
}
export interface ConversationJson {
  id: string;
  shopId: string;
  buyerId: string;
  status: string;
  agentId: string | null;
  lastSeq: number;
  agentReadSeq: number;
  buyer?: { id: string; nick: string };
}
export interface MessageJson {
  id: string;
  conversationId: string;
  seq: number;
  clientId: string;
  kind: string;
  sender: string;
  senderId: string | null;
  body: Record<string, unknown>;
}
export interface SendJson {
  message: MessageJson;
  conversation: ConversationJson;
}
export type AgentJson = Agent & { load?: number };
export interface QuickReplyJson {
  id: string;
  ownerId: string | null;
  title: string;
  text: string;
  imageUrl: string | null;
}

export const DAY_MS = 86_400_000;
export const DEMO_SHOP = 'shop-demo' as ShopId;
export const EMAIL_BY_AGENT: Record<string, string> = {
  'agent-demo-owner': 'owner@demo.xiaoer.dev',
  'agent-demo-1': 'agent1@demo.xiaoer.dev',
  'agent-demo-2': 'agent2@demo.xiaoer.dev',
  'agent-demo-3': 'agent3@demo.xiaoer.dev',
};
/** Rate limits high enough that only the rate-limit suite meets them. */
export const NO_LIMITS = {
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
export const PNG = onePixelPng();

/** A multipart/form-data body (built by the platform's FormData) with a file part and other fields. */
export async function multipart(
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
export interface Call {
  cookie?: string;
  token?: string;
  payload?: InjectOptions['payload'];
  headers?: Record<string, string>;
}

/** Injects a request; no request in these suites may end in a server error. */
export async function request(
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
export function ok<T>(res: LightMyRequestResponse, status = 200): T {
  assert.equal(res.statusCode, status, res.body.slice(0, 300));
  return res.json<T>();
}

/** Asserts a 4xx error with the documented shape, its code and (when given) the field it names. */
export function assertError(
  res: LightMyRequestResponse,
  status: number,
  code: string,
  field?: string,
): ErrorJson {
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
export async function identityFor(t: TestServer, externalId: string, ts = Date.now(), nick?: string) {
  const shop = await t.storage.shops.findShopBySlug('demo');
  assert.ok(shop);
  return signedIdentity(shop.secret, externalId, { ts, ...(nick !== undefined ? { nick } : {}) });
}

export async function countUploads(t: TestServer): Promise<number> {
  return (await t.storage.db.kysely.selectFrom('uploads').select('id').execute()).length;
}

export async function countBuyers(t: TestServer, shopId: ShopId = DEMO_SHOP): Promise<number> {
  return (await t.storage.buyers.listBuyers(shopId, 100_000)).length;
}

export async function storedMessages(t: TestServer, conversationId: string, shopId: ShopId = DEMO_SHOP) {
  return t.storage.conversations.listMessages(shopId, conversationId as never, 0, 1000);
}

// ---------- the in-process server of the "HTTP API in process" files ----------

/**
 * Starts the server every "HTTP API in process" file uses (in-memory SQLite, the demo shop, rate
 * limits out of the way), logs every demo account in — filling `cookies` (by agent id) — and
 * gives the demo agents room for every conversation a file opens, so none waits in the queue
 * (RT-4 has its own test).
 */
export async function startApiServer(
  cookies: Record<string, string>,
): Promise<{ t: TestServer; owner: string; agent1: string }> {
  const t = await startTestServer({ listen: false, env: NO_LIMITS });
  for (const [id, email] of Object.entries(EMAIL_BY_AGENT)) cookies[id] = await loginCookie(t.server, email);
  const owner = cookies['agent-demo-owner']!;
  const agent1 = cookies['agent-demo-1']!;
  for (const id of ['agent-demo-1', 'agent-demo-2', 'agent-demo-3']) {
    ok(
      await request(t, 'PATCH', `/api/admin/agents/${id}`, {
        cookie: owner,
        payload: { maxConcurrent: 200 },
      }),
    );
  }
  return { t, owner, agent1 };
}

/** The helpers the "HTTP API in process" files share, on the server `world()` gives at call time. */
export function apiHelpers(world: () => { t: TestServer; cookies: Record<string, string>; owner: string }) {
  const api = (method: InjectOptions['method'], url: string, call?: Call) =>
    request(world().t, method, url, call);

  /** A new anonymous buyer says something; the conversation is opened (and, RT-2, assigned). */
  async function buyerSays(text = '你好', session?: { token: string; buyerId: string }) {
    const s = session ?? (await widgetSession(world().t.server));
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
    const cookie = world().cookies[conversation.agentId];
    assert.ok(cookie, `a demo agent holds it (${conversation.agentId})`);
    return cookie;
  }

  /** A demo agent (not the owner) other than the given one. */
  function otherDemoAgent(agentId: string | null): string {
    return ['agent-demo-1', 'agent-demo-2', 'agent-demo-3'].find((id) => id !== agentId)!;
  }

  async function agentsWithLoad(): Promise<AgentJson[]> {
    return ok<{ agents: AgentJson[] }>(await api('GET', '/api/agents', { cookie: world().owner })).agents;
  }

  async function conversationNow(id: string): Promise<ConversationJson> {
    const c = await world().t.storage.conversations.findConversation(DEMO_SHOP, id as never);
    assert.ok(c);
    return c as unknown as ConversationJson;
  }

  return { api, buyerSays, holderCookie, otherDemoAgent, agentsWithLoad, conversationNow };
}
