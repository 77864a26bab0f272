import { validateRoutingSettings } from '@xiaoer/core';
import { routingSettingsSchema } from '@xiaoer/protocol';
import type { FastifyInstance } from 'fastify';
import { actorOf } from '../auth';
import type { AppContext } from '../context';
import { parse } from '../errors';
import { assignBody, conversationIdParams } from '../ids';
import { presentConversation } from '../presenters';
import { routeAuth } from '../route-auth';

/** Routing (RT-1 … RT-10): the shop's settings, the live queue, pulling and manual assignment. */
export async function routingRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { storage, routing } = ctx;
  const auth = routeAuth(ctx);

  app.get('/api/admin/routing', { preHandler: auth('admin') }, async (req) => {
    const me = req.agent;
    return { settings: await storage.shops.findRoutingSettings(me.shop.id) };
  });

  // Replaced whole, checked against the shop's agents first: a bad change is rejected whole.
  app.put('/api/admin/routing', { preHandler: auth('admin') }, async (req) => {
    const me = req.agent;
    const input = parse(routingSettingsSchema, req.body);
    const agents = await storage.agents.listAgents(me.shop.id);
    const settings = validateRoutingSettings(input, new Set(agents.map((a) => a.id)));
    await storage.shops.saveRoutingSettings(me.shop.id, settings);
    // New groups, a shorter linger or an offline list can free room: drain at once.
    await routing.rebalance(me.shop.id);
    return { settings };
  });

  // The live queue: every agent sees it (non-routing accounts pull from it, RT-6); admins assign.
  app.get('/api/queue', { preHandler: auth('agent') }, async (req) => {
    const me = req.agent;
    const waiting = await routing.queueOf(me.shop.id);
    const conversations = await Promise.all(
      waiting.map(async (w) => {
        const c = await storage.conversations.findConversation(me.shop.id, w.conversationId);
        return c
          ? { ...w, conversation: await presentConversation(storage, me.shop.id, c, me.agent.role) }
          : undefined;
      }),
    );
    return { waiting: conversations.filter((c) => c !== undefined) };
  });

  // RT-6: take the next queued conversation (new customers first, then the longest waiting).
  app.post('/api/queue/pull', { preHandler: auth('agent') }, async (req) => {
    const me = req.agent;
    const c = await routing.pullNext(me.shop.id, actorOf(me));
    return { conversation: c ? await presentConversation(storage, me.shop.id, c, me.agent.role) : null };
  });

  // RT-10: an admin assigns a queued or held conversation to an agent, beyond caps.
  // TEAM-4: in the conversation's shop, with my role there (the chat refuses a non-admin: 403).
  const inConversationShop = { preHandler: auth('agent', { shopOf: { conversation: 'params' } }) };
  app.post('/api/conversations/:conversationId/assign', inConversationShop, async (req) => {
    const me = req.agent;
    const { conversationId } = parse(conversationIdParams, req.params);
    const { toAgentId } = parse(assignBody, req.body);
    const c = await routing.assignConversation(me.shop.id, actorOf(me), conversationId, toAgentId);
    return { conversation: await presentConversation(storage, me.shop.id, c, me.agent.role) };
  });
}
