import { canAdminister, DomainError, type Agent, type BuyerId, type ShopId } from '@xiaoer/core';
import type { FastifyRequest } from 'fastify';
import { hashToken, verifyBuyerToken } from '../auth/tokens';
import type { ShopWithSecret, Storage } from '../storage';
import type { Buyer } from '@xiaoer/core';

export const SESSION_COOKIE = 'xiaoer_sid';
export const SESSION_TTL_MS = 7 * 24 * 3600_000;

/** An authenticated agent and its shop. */
export interface AgentContext {
  agent: Agent;
  shop: ShopWithSecret;
  isAdmin: boolean;
}

/** An authenticated buyer and its shop. */
export interface BuyerContext {
  buyer: Buyer;
  shop: ShopWithSecret;
}

/** Resolves the agent behind a session token, or undefined. */
export async function agentFromToken(
  storage: Storage,
  token: string | undefined,
  now: number,
): Promise<AgentContext | undefined> {
  if (!token) return undefined;
  const session = await storage.sessions.findSession(hashToken(token), now);
  if (!session) return undefined;
  const shop = await storage.shops.findShop(session.shop_id as ShopId);
  const agent = shop && (await storage.agents.findAgent(shop.id, session.agent_id as Agent['id']));
  if (!shop || !agent) return undefined;
  return { agent, shop, isAdmin: canAdminister(agent.role) };
}

/** The agent of this request's session cookie; 401 without one. */
export async function requireAgent(
  storage: Storage,
  req: FastifyRequest,
  now: number,
): Promise<AgentContext> {
  const ctx = await agentFromToken(storage, req.cookies[SESSION_COOKIE], now);
  if (!ctx) throw new DomainError('unauthenticated', 'log in first');
  return ctx;
}

/** As requireAgent, and the role must administer the shop (owner, admin, CS admin). */
export async function requireAdmin(
  storage: Storage,
  req: FastifyRequest,
  now: number,
): Promise<AgentContext> {
  const ctx = await requireAgent(storage, req, now);
  if (!ctx.isAdmin) throw new DomainError('forbidden', 'this needs an admin role');
  return ctx;
}

/** Resolves the buyer behind a widget token, or undefined when missing, forged or stale. */
export async function buyerFromToken(
  storage: Storage,
  secret: string,
  token: string | undefined,
): Promise<BuyerContext | undefined> {
  const claims = token ? verifyBuyerToken(secret, token) : undefined;
  if (!claims) return undefined;
  const shop = await storage.shops.findShop(claims.shopId as ShopId);
  const buyer = shop && (await storage.buyers.findBuyer(shop.id, claims.buyerId as BuyerId));
  if (!shop || !buyer) return undefined;
  return { buyer, shop };
}

/** The buyer of this request's `Authorization: Bearer` widget token; 401 without a valid one. */
export async function requireBuyer(
  storage: Storage,
  secret: string,
  req: FastifyRequest,
): Promise<BuyerContext> {
  const header = req.headers.authorization;
  const token = header?.startsWith('Bearer ') ? header.slice(7) : undefined;
  const ctx = await buyerFromToken(storage, secret, token);
  if (!ctx) throw new DomainError('unauthenticated', 'missing or invalid buyer token', 'authorization');
  return ctx;
}
