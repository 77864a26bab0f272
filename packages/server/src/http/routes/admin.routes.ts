import {
  agentCreateSchema,
  agentPatchSchema,
  passwordResetSchema,
  shopCreateSchema,
  shopPatchSchema,
} from '@xiaoer/protocol';
import type { FastifyInstance } from 'fastify';
import { publicShop } from '../../storage';
import { teamActor } from '../auth';
import type { AppContext } from '../context';
import { parse } from '../errors';
import { agentIdParams } from '../ids';
import { routeAuth } from '../route-auth';

/** The admin console: the shop's settings and its agents. */
export async function adminRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { storage } = ctx;
  const auth = routeAuth(ctx);

  app.get('/api/admin/shop', { preHandler: auth('admin') }, async (req) => {
    const me = req.agent;
    return { shop: publicShop(me.shop) };
  });

  app.patch('/api/admin/shop', { preHandler: auth('admin') }, async (req) => {
    const me = req.agent;
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

  app.get('/api/admin/agents', { preHandler: auth('admin') }, async (req) => {
    const me = req.agent;
    return { agents: await storage.agents.listAgents(me.shop.id) };
  });

  // TEAM-1 / TEAM-4: a new account, or an account of the organisation that serves other shops.
  app.post('/api/admin/agents', { preHandler: auth('admin') }, async (req, reply) => {
    const me = req.agent;
    const input = parse(agentCreateSchema, req.body);
    const agent = await ctx.team.addAgent(teamActor(me), me.shop.id, input);
    return reply.status(201).send({ agent });
  });

  app.patch('/api/admin/agents/:agentId', { preHandler: auth('admin') }, async (req) => {
    const me = req.agent;
    const { agentId } = parse(agentIdParams, req.params);
    const { password, ...patch } = parse(agentPatchSchema, req.body);
    let agent = await ctx.team.updateAgent(teamActor(me), me.shop.id, agentId, patch);
    if (password) {
      await ctx.team.resetPassword(teamActor(me), me.shop.id, agentId, password);
      agent = (await storage.agents.findAgent(me.shop.id, agentId)) ?? agent;
    }
    return { agent };
  });

  // Forgot their password: a new one, and every session and socket of theirs ends.
  app.post('/api/admin/agents/:agentId/password', { preHandler: auth('admin') }, async (req, reply) => {
    const me = req.agent;
    const { agentId } = parse(agentIdParams, req.params);
    const { password } = parse(passwordResetSchema, req.body);
    await ctx.team.resetPassword(teamActor(me), me.shop.id, agentId, password);
    return reply.status(204).send();
  });

  // Keeps their history; their chats go back to routing; they are disconnected at once.
  app.post('/api/admin/agents/:agentId/disable', { preHandler: auth('admin') }, async (req) => {
    const me = req.agent;
    const { agentId } = parse(agentIdParams, req.params);
    return { agent: await ctx.team.disableAgent(teamActor(me), me.shop.id, agentId) };
  });

  app.post('/api/admin/agents/:agentId/enable', { preHandler: auth('admin') }, async (req) => {
    const me = req.agent;
    const { agentId } = parse(agentIdParams, req.params);
    return { agent: await ctx.team.enableAgent(teamActor(me), me.shop.id, agentId) };
  });

  // Only someone who never served a buyer here (a typo, an invitation never used).
  app.delete('/api/admin/agents/:agentId', { preHandler: auth('admin') }, async (req, reply) => {
    const me = req.agent;
    const { agentId } = parse(agentIdParams, req.params);
    await ctx.team.deleteAgent(teamActor(me), me.shop.id, agentId);
    return reply.status(204).send();
  });

  // TEAM-4: the organisation's owner opens another shop of it.
  // Who may: any agent is let in; TEAM-4: the team service refuses all but the org's owner (403).
  app.post('/api/admin/shops', { preHandler: auth('agent') }, async (req, reply) => {
    const me = req.agent;
    const input = parse(shopCreateSchema, req.body);
    const shop = await ctx.team.addShop({ ...teamActor(me), type: 'agent' }, input);
    return reply.status(201).send({ shop });
  });
}
