import type { AgentId, TeamActor } from '@xiaoer/core';
import {
  agentCreateSchema,
  agentParams,
  agentPatchSchema,
  passwordResetSchema,
  shopCreateSchema,
  shopPatchSchema,
} from '@xiaoer/protocol';
import type { FastifyInstance } from 'fastify';
import { publicShop } from '../../storage';
import { requireAdmin, requireAgent, type AgentContext } from '../auth';
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
    // Every text that leaves the shop passes the guard: the welcome line goes to every buyer, the
    // name and service hours into the widget's header, the bot's answers and the queue lines.
    const by = { agentId: me.agent.id };
    for (const field of ['welcomeMessage', 'name', 'serviceHours'] as const) {
      const text = patch[field];
      if (text) await ctx.compliance.screenShopText(me.shop.id, text, field, by);
    }
    const shop = await storage.shops.updateShop(me.shop.id, patch);
    // The metric roll-ups are kept per local day: another time zone recounts them (in the background).
    if (shop.timeZone !== me.shop.timeZone)
      ctx.metrics.rebuild(shop.id).catch((error) => req.log.error({ err: error }, 'metrics rebuild failed'));
    // The bot quotes the shop's name and service hours ({{shop.serviceHours}}, BOT-5).
    await ctx.faq.settingsChanged(shop.id, await storage.shops.findBotSettings(shop.id), shop);
    return { shop: publicShop(shop) };
  });

  app.get('/api/admin/agents', async (req) => {
    const me = await requireAdmin(storage, req, clock.now());
    return { agents: await storage.agents.listAgents(me.shop.id) };
  });

  // TEAM-1 / TEAM-4: a new account, or an account of the organisation that serves other shops.
  app.post('/api/admin/agents', async (req, reply) => {
    const me = await requireAdmin(storage, req, clock.now());
    const input = parse(agentCreateSchema, req.body);
    const agent = await ctx.team.addAgent(teamActor(me), me.shop.id, input);
    return reply.status(201).send({ agent });
  });

  app.patch('/api/admin/agents/:agentId', async (req) => {
    const me = await requireAdmin(storage, req, clock.now());
    const { agentId } = parse(agentParams, req.params);
    const { password, ...patch } = parse(agentPatchSchema, req.body);
    const id = agentId as AgentId;
    let agent = await ctx.team.updateAgent(teamActor(me), me.shop.id, id, patch);
    if (password) {
      await ctx.team.resetPassword(teamActor(me), me.shop.id, id, password);
      agent = (await storage.agents.findAgent(me.shop.id, id)) ?? agent;
    }
    return { agent };
  });

  // Forgot their password: a new one, and every session and socket of theirs ends.
  app.post('/api/admin/agents/:agentId/password', async (req, reply) => {
    const me = await requireAdmin(storage, req, clock.now());
    const { agentId } = parse(agentParams, req.params);
    const { password } = parse(passwordResetSchema, req.body);
    await ctx.team.resetPassword(teamActor(me), me.shop.id, agentId as AgentId, password);
    return reply.status(204).send();
  });

  // Keeps their history; their chats go back to routing; they are disconnected at once.
  app.post('/api/admin/agents/:agentId/disable', async (req) => {
    const me = await requireAdmin(storage, req, clock.now());
    const { agentId } = parse(agentParams, req.params);
    return { agent: await ctx.team.disableAgent(teamActor(me), me.shop.id, agentId as AgentId) };
  });

  app.post('/api/admin/agents/:agentId/enable', async (req) => {
    const me = await requireAdmin(storage, req, clock.now());
    const { agentId } = parse(agentParams, req.params);
    return { agent: await ctx.team.enableAgent(teamActor(me), me.shop.id, agentId as AgentId) };
  });

  // Only someone who never served a buyer here (a typo, an invitation never used).
  app.delete('/api/admin/agents/:agentId', async (req, reply) => {
    const me = await requireAdmin(storage, req, clock.now());
    const { agentId } = parse(agentParams, req.params);
    await ctx.team.deleteAgent(teamActor(me), me.shop.id, agentId as AgentId);
    return reply.status(204).send();
  });

  // TEAM-4: the organisation's owner opens another shop of it.
  app.post('/api/admin/shops', async (req, reply) => {
    const me = await requireAgent(storage, req, clock.now());
    const input = parse(shopCreateSchema, req.body);
    const shop = await ctx.team.addShop({ ...teamActor(me), type: 'agent' }, input);
    return reply.status(201).send({ shop });
  });
}

/** TEAM-1: who acts on the team, with their role in the request's shop. */
export function teamActor(me: AgentContext): TeamActor & { type: 'agent' } {
  return { type: 'agent', agentId: me.account.id, role: me.agent.role, isOrgOwner: me.isOrgOwner };
}
