import {
  canSeeBuyerPii,
  DAY,
  DomainError,
  notFound,
  PROFILE_ORDER_WINDOW_DAYS,
  type BuyerId,
} from '@xiaoer/core';
import { z } from '@xiaoer/protocol';
import type { BuyerProfileResponse } from '@xiaoer/protocol';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context';
import { parse } from '../errors';
import { param, requireAgentForBuyer } from '../tenancy';

/** CMP-7: a phone number as roles without the right see it. */
export function maskPhone(phone: string | null): string | null {
  if (!phone) return phone;
  return phone.length >= 7 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : '****';
}

/** CRM-1: the buyer beside a conversation, with the last 90 days of orders. */
export async function buyerRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { storage, clock } = ctx;
  app.get('/api/buyers/:buyerId/profile', async (req) => {
    // TEAM-4: in the buyer's shop, with my role there (CMP-7 masking by that role).
    const me = await requireAgentForBuyer(storage, req, clock.now(), param(req, 'buyerId'));
    const { buyerId } = parse(z.object({ buyerId: z.string().min(1).max(64) }), req.params);
    const buyer = await storage.buyers.findBuyer(me.shop.id, buyerId as BuyerId);
    if (!buyer) throw notFound('buyer', 'buyerId');
    // Issue #14: an agent reads the profile of a buyer whose conversation they may read (admins any).
    if (!me.isAdmin && !(await storage.conversations.agentSeesBuyer(me.shop.id, buyer.id, me.agent.id)))
      throw new DomainError('forbidden', 'only for agents of one of the buyer’s conversations', 'buyerId');
    const orders = await storage.orders.listBuyerOrders(
      me.shop.id,
      buyer.id,
      clock.now() - PROFILE_ORDER_WINDOW_DAYS * DAY,
    );
    const phone = canSeeBuyerPii(me.agent.role) ? buyer.phone : maskPhone(buyer.phone);
    const body: BuyerProfileResponse = { buyer: { ...buyer, phone }, orders };
    return body;
  });

  // Issue #14: an admin revokes every widget token the buyer holds (a stolen or leaked one stops
  // working); the buyer's widget starts a new session by itself (identified: the shop page signs).
  app.post('/api/buyers/:buyerId/revoke-tokens', async (req) => {
    const me = await requireAgentForBuyer(storage, req, clock.now(), param(req, 'buyerId'));
    if (!me.isAdmin) throw new DomainError('forbidden', 'this needs an admin role');
    const { buyerId } = parse(z.object({ buyerId: z.string().min(1).max(64) }), req.params);
    if (!(await storage.buyers.revokeTokens(me.shop.id, buyerId as BuyerId)))
      throw notFound('buyer', 'buyerId');
    // A socket is checked at its handshake: the open ones are closed (their reconnect is refused).
    ctx.disconnectBuyer?.(buyerId);
    return { revoked: true };
  });
}
