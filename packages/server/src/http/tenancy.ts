import type { BuyerId, ConversationId, ShopId } from '@xiaoer/core';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Storage } from '../storage';
import { requireAgent, type AgentContext } from './auth';

const anId = z.string().min(1).max(64);

/**
 * TEAM-4: the agent, in the shop of the thing a request names. An account serving several shops
 * acts on a conversation or a buyer with its role in that thing's shop (CMP-7 masking included);
 * for a shop the account does not serve (or an unknown id), the request's own shop is used, where
 * the thing is then "not found" as before. The look-up only finds the shop: every read and write
 * after it still takes the shop first.
 */
async function requireAgentIn(
  storage: Storage,
  req: FastifyRequest,
  now: number,
  shopId: ShopId | undefined,
): Promise<AgentContext> {
  return requireAgent(storage, req, now, shopId ? { shopId } : {});
}

/** The agent in the shop of the conversation `conversationId` (a route parameter or a body field). */
export async function requireAgentForConversation(
  storage: Storage,
  req: FastifyRequest,
  now: number,
  conversationId: unknown,
): Promise<AgentContext> {
  const parsed = anId.safeParse(conversationId);
  const shopId = parsed.success
    ? await storage.conversations.findConversationShop(parsed.data as ConversationId)
    : undefined;
  return requireAgentIn(storage, req, now, shopId);
}

/** The agent in the shop of the buyer `buyerId`. */
export async function requireAgentForBuyer(
  storage: Storage,
  req: FastifyRequest,
  now: number,
  buyerId: unknown,
): Promise<AgentContext> {
  const parsed = anId.safeParse(buyerId);
  const shopId = parsed.success ? await storage.buyers.findBuyerShop(parsed.data as BuyerId) : undefined;
  return requireAgentIn(storage, req, now, shopId);
}

/** A route parameter, as sent (the route's schema checks it afterwards). */
export function param(req: FastifyRequest, name: string): unknown {
  return (req.params as Record<string, unknown> | undefined)?.[name];
}
