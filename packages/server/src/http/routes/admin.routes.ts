import { DomainError, type Agent, type AgentId } from '@xiaoer/core';
import { agentCreateSchema, agentParams, agentPatchSchema, shopPatchSchema } from '@xiaoer/protocol';
import type { FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import { hashPassword } from '../../auth/password';
import { publicShop } from '../../storage';
import { requireAdmin } from '../auth';
import type { AppContext } from '../context';
import { parse } from '../errors';

/** The admin console: the shop's settings and its agents. */
export async function adminRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { storage, clock } = ctx;

  app.get('/api/admin/shop', async (req) => {
    const me = await requireAdmin(storage, req, clock.now());
    return { shop: publicShop(me.shop) };
  });

  app.patch('/api/admin/shop', async (req) => {
    const me = await requireAdmin(storage, req, clock.now());
    const patch = parse(shopPatchSchema, req.body);
    const shop = await storage.shops.updateShop(me.shop.id, patch);
    // The bot quotes the shop's name and service hours ({{shop.serviceHours}}, BOT-5).
    await ctx.faq.settingsChanged(shop.id, await storage.shops.findBotSettings(shop.id), shop);
    return { shop: publicShop(shop) };
  });

  app.get('/api/admin/agents', async (req) => {
    const me = await requireAdmin(storage, req, clock.now());
    return { agents: await storage.agents.listAgents(me.shop.id) };
  });

  app.post('/api/admin/agents', async (req, reply) => {
    const me = await requireAdmin(storage, req, clock.now());
    const input = parse(agentCreateSchema, req.body);
    if (await storage.agents.emailTaken(input.email)) {
      throw new DomainError('conflict', 'an account with this email exists', 'email');
    }
    const agent: Agent = {
      id: randomUUID() as AgentId,
      shopId: me.shop.id,
      email: input.email,
      name: input.name,
      role: input.role,
      status: 'offline',
      maxConcurrent: input.maxConcurrent,
      takesRouting: input.takesRouting,
      createdAt: clock.now(),
    };
    await storage.agents.insertAgent(agent, await hashPassword(input.password));
    return reply.status(201).send({ agent });
  });

  app.patch('/api/admin/agents/:agentId', async (req) => {
    const me = await requireAdmin(storage, req, clock.now());
    const { agentId } = parse(agentParams, req.params);
    const { password, ...patch } = parse(agentPatchSchema, req.body);
    const target = await storage.agents.findAgent(me.shop.id, agentId as AgentId);
    if (!target) throw new DomainError('not_found', 'agent not found', 'agentId');
    // TEAM-1: the shop's main account is the owner's own; an admin setting its password would take it over.
    if (target.role === 'owner' && me.agent.role !== 'owner')
      throw new DomainError('forbidden', "only the owner changes the owner's account", 'agentId');
    if (target.role === 'owner' && patch.role)
      throw new DomainError('forbidden', "the owner's role cannot change", 'role');
    const agent = await storage.agents.updateAgent(me.shop.id, target.id, {
      ...patch,
      ...(password ? { passwordHash: await hashPassword(password) } : {}),
    });
    if (password) await storage.sessions.deleteAgentSessions(agent.id);
    // RT-4/RT-6: a raised cap or a routing flag switched on frees room: queued buyers are assigned at once.
    if (patch.maxConcurrent !== undefined || patch.takesRouting !== undefined)
      await ctx.chat.rebalance(me.shop.id);
    return { agent };
  });
}
