import { DAY, DomainError, notFound, PROFILE_ORDER_WINDOW_DAYS } from '@xiaoer/core';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context';
import { parse } from '../errors';
import { buyerIdParams } from '../ids';
import { presentBuyerProfile } from '../presenters';
import { routeAuth } from '../route-auth';

/** CRM-1: the buyer beside a conversation, with the last 90 days of orders. */
export async function buyerRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { storage, clock } = ctx;
  const auth = routeAuth(ctx);

  // TEAM-4: in the buyer's shop, with my role there (CMP-7 masking by that role).
  app.get(
    '/api/buyers/:buyerId/profile',
    { preHandler: auth('agent', { shopOf: { buyer: 'params' } }) },
    async (req) => {
      const me = req.agent;
      const { buyerId } = parse(buyerIdParams, req.params);
      const buyer = await storage.buyers.findBuyer(me.shop.id, buyerId);
      if (!buyer) throw notFound('buyer', 'buyerId');
      // Issue #14: an agent reads the profile of a buyer whose conversation they may read (admins any).
      if (!me.isAdmin && !(await storage.conversations.agentSeesBuyer(me.shop.id, buyer.id, me.agent.id)))
        throw new DomainError('forbidden', 'only for agents of one of the buyer’s conversations', 'buyerId');
      const orders = await storage.orders.listBuyerOrders(
        me.shop.id,
        buyer.id,
        clock.now() - PROFILE_ORDER_WINDOW_DAYS * DAY,
      );
      return presentBuyerProfile(buyer, orders, me.agent.role);
    },
  );

  // Issue #14: an admin revokes every widget token the buyer holds (a stolen or leaked one stops
  // working); the buyer's widget starts a new session by itself (identified: the shop page signs).
  app.post(
    '/api/buyers/:buyerId/revoke-tokens',
    { preHandler: auth('admin', { shopOf: { buyer: 'params' } }) },
    async (req) => {
      const me = req.agent;
      const { buyerId } = parse(buyerIdParams, req.params);
      if (!(await storage.buyers.revokeTokens(me.shop.id, buyerId))) throw notFound('buyer', 'buyerId');
      // A socket is checked at its handshake: the open ones are closed (their reconnect is refused).
      ctx.disconnectBuyer?.(buyerId);
      return { revoked: true };
    },
  );
}
