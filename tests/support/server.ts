import type { Clock, Conversation, ShopId } from '@xiaoer/core';
import { randomBytes } from 'node:crypto';
import { createServer, type XiaoerServer } from '../../packages/server/src/app';
import { signIdentity } from '../../packages/server/src/auth/tokens';
import { parseConfig } from '../../packages/server/src/config';
import { seedDemoShop } from '../../packages/server/src/demo/demo-shop';
import { openStorage, type Storage } from '../../packages/server/src/storage';

/** A server for tests: in process, on a free loopback port, with the demo shop seeded. */
export interface TestServer {
  server: XiaoerServer;
  storage: Storage;
  /** http://127.0.0.1:<port>, once listening */
  url: string;
  close(): Promise<void>;
}

/** Starts a server on the given storage (default: in-memory SQLite) with the demo shop. */
export async function startTestServer(
  options: {
    storage?: Storage;
    clock?: Clock;
    env?: Record<string, string>;
    listen?: boolean;
    bot?: boolean;
    /**
     * RT-8: the demo's agents are at their desks (online, as if their workbench were open) unless
     * false; presence tests connect real sockets instead.
     */
    agentsOnline?: boolean;
    /** Issue #13: false starts on an empty database (no demo shop), as a fresh install. */
    demo?: boolean;
  } = {},
): Promise<TestServer> {
  const storage = options.storage ?? (await openStorage('sqlite::memory:'));
  // The bot is off unless a test asks for it, so conversations go straight to agents.
  if (options.demo !== false)
    await seedDemoShop(storage, options.clock?.now(), { bot: options.bot ?? false });
  const config = parseConfig({
    PORT: '0',
    LOG_LEVEL: 'silent',
    SECRET: 'test-secret-test-secret-test-secret!',
    // A socket a test closes does not take its agent offline mid-file (presence tests set it low).
    PRESENCE_EXPIRY_SECONDS: '300',
    // The demo's accounts stay usable beside the shops tests create (issue #13: auto would close it).
    ...(options.demo !== false ? { DEMO: 'true' } : {}),
    ...options.env,
  });
  const server = await createServer(config, { storage, ...(options.clock ? { clock: options.clock } : {}) });
  if (options.agentsOnline !== false)
    for (const agent of await storage.agents.listAgents('shop-demo' as ShopId))
      if (agent.status === 'offline' && agent.chosenStatus !== 'offline')
        await server.ctx.chat.setAgentStatus(agent.shopId, agent.id, agent.chosenStatus);
  const url = options.listen === false ? '' : await server.listen();
  return {
    server,
    storage,
    url,
    async close() {
      await server.close();
      await storage.close();
    },
  };
}

/** A password strong enough for accounts tests create (the demo's accounts use "password123"). */
export const AGENT_PASSWORD = 'Kefu-2026-strong';

/** Logs in by HTTP inject and returns the session cookie header value. */
export async function loginCookie(
  server: XiaoerServer,
  email: string,
  password = 'password123',
): Promise<string> {
  const res = await server.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email, password },
  });
  if (res.statusCode !== 200) throw new Error(`login ${email} failed: ${res.statusCode} ${res.body}`);
  const cookie = res.cookies.find((c) => c.name === 'xiaoer_sid');
  if (!cookie) throw new Error('no session cookie');
  return `xiaoer_sid=${cookie.value}`;
}

/**
 * A shop page's identity for a logged-in buyer (issue #14, format v2), signed with the shop's
 * secret: a new nonce each time.
 */
export function signedIdentity(
  shopSecret: string,
  externalId: string,
  options: { ts?: number; nick?: string; nonce?: string } = {},
): { externalId: string; nick?: string; ts: number; nonce: string; sig: string } {
  const identity = {
    externalId,
    ...(options.nick !== undefined ? { nick: options.nick } : {}),
    ts: options.ts ?? Date.now(),
    nonce: options.nonce ?? randomBytes(16).toString('base64url'),
  };
  return { ...identity, sig: signIdentity(shopSecret, identity) };
}

/** Opens a widget session by HTTP inject and returns the buyer token and id. */
export async function widgetSession(
  server: XiaoerServer,
  body: Record<string, unknown> = { shop: 'demo' },
): Promise<{ token: string; buyerId: string }> {
  const res = await server.app.inject({ method: 'POST', url: '/api/widget/session', payload: body });
  if (res.statusCode !== 200) throw new Error(`widget session failed: ${res.statusCode} ${res.body}`);
  const json = res.json() as { token: string; buyer: { id: string } };
  return { token: json.token, buyerId: json.buyer.id };
}

/**
 * Named widget buyers: each name gets a session once, then sends through the widget's HTTP route;
 * `says` returns the conversation as the server answered.
 */
export class WidgetBuyers {
  private readonly tokens = new Map<string, string>();

  constructor(private readonly server: () => XiaoerServer) {}

  /** The buyer's bearer token (a new session on first use). */
  async token(name: string, shop = 'demo'): Promise<string> {
    let token = this.tokens.get(name);
    if (!token) this.tokens.set(name, (token = (await widgetSession(this.server(), { shop })).token));
    return token;
  }

  async says(name: string, text: string, shop = 'demo'): Promise<Conversation> {
    const res = await this.server().app.inject({
      method: 'POST',
      url: '/api/widget/messages',
      headers: { authorization: `Bearer ${await this.token(name, shop)}` },
      payload: { clientId: `c-${Math.random()}`, kind: 'text', body: { text } },
    });
    if (res.statusCode !== 200) throw new Error(`${name} could not send: ${res.statusCode} ${res.body}`);
    return (res.json() as { conversation: Conversation }).conversation;
  }
}
