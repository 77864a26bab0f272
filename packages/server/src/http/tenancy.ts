import type { ShopId } from '@xiaoer/core';
import type { FastifyRequest } from 'fastify';
import type { Storage } from '../storage';
import { buyerIdParams, conversationIdField } from './ids';

/**
 * TEAM-4: the thing a route names, whose shop the agent acts in (with their role there): a
 * conversation (`:conversationId`, or `conversationId` in the body) or a buyer (`:buyerId`).
 */
export type ShopOf = { conversation: 'params' | 'body' } | { buyer: 'params' };

/**
 * TEAM-4: the shop of the thing a request names, so an account serving several shops acts on a
 * conversation or a buyer with its role in that thing's shop (CMP-7 masking included). Undefined
 * for no such thing (or an unknown id): the request's own shop is used, where the thing is then
 * "not found" as before. The look-up only finds the shop: every read and write after it still
 * takes the shop first. The id is read as sent (the route's schema checks it afterwards).
 */
export async function shopNamedBy(
  storage: Storage,
  req: FastifyRequest,
  shopOf: ShopOf | undefined,
): Promise<ShopId | undefined> {
  if (!shopOf) return undefined;
  if ('conversation' in shopOf) {
    const source = shopOf.conversation === 'params' ? req.params : req.body;
    const parsed = conversationIdField.safeParse(
      (source as { conversationId?: unknown } | null | undefined)?.conversationId,
    );
    return parsed.success ? storage.conversations.findConversationShop(parsed.data) : undefined;
  }
  const parsed = buyerIdParams.shape.buyerId.safeParse(
    (req.params as { buyerId?: unknown } | undefined)?.buyerId,
  );
  return parsed.success ? storage.buyers.findBuyerShop(parsed.data) : undefined;
}
