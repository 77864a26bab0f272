import {
  canAdminister,
  DomainError,
  type Account,
  type Agent,
  type AgentId,
  type BuyerId,
  type ShopId,
  type TeamActor,
} from '@xiaoer/core';
import type { FastifyRequest } from 'fastify';
import { hashToken, verifyBuyerToken } from '../auth/tokens';
import type { ShopWithSecret, Storage } from '../storage';
import type { Buyer } from '@xiaoer/core';

export const SESSION_COOKIE = 'xiaoer_sid';
export const SESSION_TTL_MS = 7 * 24 * 3600_000;

/** The request header that names the shop a request is for (TEAM-4: an account of several shops). */
export const SHOP_HEADER = 'x-xiaoer-shop';

/** An authenticated agent, in the shop the request is for. */
export interface AgentContext {
  /** The account's membership of `shop` (role, cap, status there). */
  agent: Agent;
  shop: ShopWithSecret;
  isAdmin: boolean;
  account: Account;
  /** TEAM-4: every shop the account serves (active memberships), oldest first. */
  memberships: Agent[];
  /** The organisation's owner manages every shop and account of it. */
  isOrgOwner: boolean;
}

/** An authenticated buyer and its shop. */
export interface BuyerContext {
  buyer: Buyer;
  shop: ShopWithSecret;
}

/**
 * The account's context in one of its shops: `shopId` when it is a member there, else the
 * session's shop, else its first shop. Undefined for a disabled account or one with no shop left
 * (with demo mode off, the demo's shops are not left to anyone: issue #13).
 */
export async function accountContext(
  storage: Storage,
  accountId: AgentId,
  preferred: (string | undefined)[],
): Promise<AgentContext | undefined> {
  // Every authenticated request runs this: the reads that do not depend on each other go together.
  const [account, all, closed] = await Promise.all([
    storage.agents.findAccount(accountId),
    storage.agents.listMemberships(accountId),
    // Issue #13: with demo mode off, the demo shop's accounts (known passwords) serve nothing.
    storage.demo.closedShops(),
  ]);
  if (!account || account.disabledAt !== null) return undefined;
  const memberships = all.filter((m) => m.disabledAt === null && !closed.has(m.shopId));
  const agent =
    preferred.flatMap((id) => memberships.filter((m) => id !== undefined && m.shopId === id))[0] ??
    memberships[0];
  if (!agent) return undefined;
  const [shop, org] = await Promise.all([
    storage.shops.findShop(agent.shopId),
    storage.agents.findOrganisation(account.orgId),
  ]);
  if (!shop) return undefined;
  return {
    agent,
    shop,
    isAdmin: canAdminister(agent.role),
    account,
    memberships,
    isOrgOwner: org?.ownerId === account.id,
  };
}

/** Resolves the agent behind a session token, or undefined; `shopId`: the shop the request is for. */
export async function agentFromToken(
  storage: Storage,
  token: string | undefined,
  now: number,
  shopId?: string,
): Promise<AgentContext | undefined> {
  if (!token) return undefined;
  const session = await storage.sessions.findSession(hashToken(token), now);
  if (!session) return undefined;
  return accountContext(storage, session.agent_id as AgentId, [shopId, session.shop_id]);
}

/**
 * The shop a request asks to act in: the `X-Xiaoer-Shop` header, or for a GET (a download link,
 * which cannot carry a header) the `shop` query parameter.
 */
function requestedShop(req: FastifyRequest): string | undefined {
  const header = req.headers[SHOP_HEADER];
  if (typeof header === 'string') return header;
  if (req.method !== 'GET') return undefined;
  const query = req.query as Record<string, unknown> | undefined;
  return typeof query?.shop === 'string' ? query.shop : undefined;
}

/**
 * The agent of this request's session cookie; 401 without one. The shop is the one the request
 * asks for (`options.shopId`, e.g. a conversation's, else `requestedShop`), when the account
 * serves it; otherwise the session's.
 */
export async function requireAgent(
  storage: Storage,
  req: FastifyRequest,
  now: number,
  options: { shopId?: string } = {},
): Promise<AgentContext> {
  const ctx = await agentFromToken(
    storage,
    req.cookies[SESSION_COOKIE],
    now,
    options.shopId ?? requestedShop(req),
  );
  if (!ctx) throw new DomainError('unauthenticated', 'log in first');
  return ctx;
}

/** As requireAgent, and the role must administer the shop (owner, admin, CS admin). */
export async function requireAdmin(
  storage: Storage,
  req: FastifyRequest,
  now: number,
  options: { shopId?: string } = {},
): Promise<AgentContext> {
  const ctx = await requireAgent(storage, req, now, options);
  if (!ctx.isAdmin) throw new DomainError('forbidden', 'this needs an admin role');
  return ctx;
}

/**
 * Resolves the buyer behind a widget token, or undefined when missing, forged, of the old format,
 * expired at `now` or revoked (issue #14: its generation is not the buyer's).
 */
export async function buyerFromToken(
  storage: Storage,
  secret: string,
  token: string | undefined,
  now: number,
): Promise<BuyerContext | undefined> {
  const claims = token ? verifyBuyerToken(secret, token, now) : undefined;
  if (!claims) return undefined;
  const shop = await storage.shops.findShop(claims.shopId as ShopId);
  const found = shop && (await storage.buyers.findBuyerForToken(shop.id, claims.buyerId as BuyerId));
  if (!shop || !found || found.tokenGen !== claims.gen) return undefined;
  // Issue #13: the demo shop's buyers are not served while demo mode is off.
  if (shop.isDemo && (await storage.demo.isClosed(shop.id))) return undefined;
  return { buyer: found.buyer, shop };
}

/** The buyer of this request's `Authorization: Bearer` widget token; 401 without a valid one. */
export async function requireBuyer(
  storage: Storage,
  secret: string,
  req: FastifyRequest,
  now: number,
): Promise<BuyerContext> {
  const header = req.headers.authorization;
  const token = header?.startsWith('Bearer ') ? header.slice(7) : undefined;
  const ctx = await buyerFromToken(storage, secret, token, now);
  if (!ctx)
    throw new DomainError(
      'unauthenticated',
      'missing, invalid, expired or revoked buyer token',
      'authorization',
    );
  return ctx;
}

/** The chat's actor for an agent's request, with their role in the request's shop (TEAM-4). */
export const actorOf = (me: AgentContext) => ({
  type: 'agent' as const,
  agentId: me.agent.id,
  isAdmin: me.isAdmin,
});

/** TEAM-1: who acts on the team, with their role in the request's shop. */
export function teamActor(me: AgentContext): TeamActor & { type: 'agent' } {
  return { type: 'agent', agentId: me.account.id, role: me.agent.role, isOrgOwner: me.isOrgOwner };
}
