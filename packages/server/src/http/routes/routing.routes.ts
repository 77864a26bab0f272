import { validateRoutingSettings, type AgentId, type ConversationId } from '@xiaoer/core';
import { assignSchema, conversationParams, routingSettingsSchema } from '@xiaoer/protocol';
import type { FastifyInstance } from 'fastify';
import { requireAdmin, requireAgent } from '../auth';
import type { AppContext } from '../context';
import { parse } from '../errors';
import { param, requireAgentForConversation } from '../tenancy';
import { actorOf, presentConversation } from './conversation.routes';

/** Routing (RT-1 … RT-10): the shop's settings, the live queue, pulling and manual assignment. */
export async function routingRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { storage, clock, routing } = ctx;

  app.get('/api/admin/routing', async (req) => {
    const me = await requireAdmin(storage, req, clock.now());
    return { settings: await storage.shops.findRoutingSettings(me.shop.id) };
  });

  // Replaced whole, checked against the shop's agents first: a bad change is rejected whole.
  app.put('/api/admin/routing', async (req) => {
    const me = await requireAdmin(storage, req, clock.now());
    const input = parse(routingSettingsSchema, req.body);
    const agents = await storage.agents.listAgents(me.shop.id);
    const settings = validateRoutingSettings(input, new Set(agents.map((a) => a.id)));
    await storage.shops.saveRoutingSettings(me.shop.id, settings);
    // New groups, a shorter linger or an offline list can free room: drain at once.
    await routing.rebalance(me.shop.id);
    return { settings };
  });

  // The live queue: every agent sees it (non-routing accounts pull from it, RT-6); admins assign.
  app.get('/api/queue', async (req) => {
    const me = await requireAgent(storage, req, clock.now());
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
  app.post('/api/queue/pull', async (req) => {
    const me = await requireAgent(storage, req, clock.now());
    const c = await routing.pullNext(me.shop.id, actorOf(me));
    return { conversation: c ? await presentConversation(storage, me.shop.id, c, me.agent.role) : null };
  });

  // RT-10: an admin assigns a queued or held conversation to an agent, beyond caps.
  app.post('/api/conversations/:conversationId/assign', async (req) => {
    // TEAM-4: in the conversation's shop, with my role there.
    const me = await requireAgentForConversation(storage, req, clock.now(), param(req, 'conversationId'));
    const { conversationId } = parse(conversationParams, req.params);
    const { toAgentId } = parse(assignSchema, req.body);
    const c = await routing.assignConversation(
      me.shop.id,
      actorOf(me),
      conversationId as ConversationId,
      toAgentId as AgentId,
    );
    return { conversation: await presentConversation(storage, me.shop.id, c, me.agent.role) };
  });
}
