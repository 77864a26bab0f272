import { DomainError } from '@xiaoer/core';
import { agentStatusSchema, loginSchema, type MeResponse } from '@xiaoer/protocol';
import type { FastifyInstance } from 'fastify';
import { verifyPassword } from '../../auth/password';
import { hashToken, newSessionToken } from '../../auth/tokens';
import { publicShop } from '../../storage';
import { requireAgent, SESSION_COOKIE, SESSION_TTL_MS } from '../auth';
import type { AppContext } from '../context';
import { parse } from '../errors';

/** Login, logout, who am I, and my status (RT-8). */
export async function authRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { storage, clock } = ctx;

  app.post(
    '/api/auth/login',
    { config: { rateLimit: { max: ctx.config.LOGIN_ATTEMPTS_PER_MINUTE, timeWindow: '1 minute' } } },
    async (req, reply) => {
      const { email, password } = parse(loginSchema, req.body);
      const found = await storage.agents.findAgentForLogin(email);
      // The same answer for an unknown email and a wrong password: no account probing.
      if (!found || !(await verifyPassword(password, found.passwordHash))) {
        throw new DomainError('unauthenticated', 'wrong email or password', 'password');
      }
      const shop = await storage.shops.findShop(found.agent.shopId);
      if (!shop) throw new DomainError('unauthenticated', 'wrong email or password', 'password');
      const token = newSessionToken();
      const now = clock.now();
      await storage.sessions.insertSession({
        tokenHash: hashToken(token),
        agentId: found.agent.id,
        shopId: shop.id,
        createdAt: now,
        expiresAt: now + SESSION_TTL_MS,
      });
      reply.setCookie(SESSION_COOKIE, token, {
        httpOnly: true,
        sameSite: 'lax',
        secure: ctx.config.COOKIE_SECURE,
        path: '/',
        maxAge: SESSION_TTL_MS / 1000,
      });
      const body: MeResponse = { agent: found.agent, shop: publicShop(shop) };
      return body;
    },
  );

  app.post('/api/auth/logout', async (req, reply) => {
    const token = req.cookies[SESSION_COOKIE];
    if (token) await storage.sessions.deleteSession(hashToken(token));
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send();
  });

  app.get('/api/me', async (req) => {
    const { agent, shop } = await requireAgent(storage, req, clock.now());
    const body: MeResponse = { agent, shop: publicShop(shop) };
    return body;
  });

  app.put('/api/me/status', async (req) => {
    const { agent, shop } = await requireAgent(storage, req, clock.now());
    const { status } = parse(agentStatusSchema, req.body);
    return { agent: await ctx.chat.setAgentStatus(shop.id, agent.id, status) };
  });

  app.get('/api/agents', async (req) => {
    const { shop } = await requireAgent(storage, req, clock.now());
    const [agents, loads, routing] = await Promise.all([
      storage.agents.listAgents(shop.id),
      storage.conversations.countAssignedByAgent(shop.id),
      storage.shops.findRoutingSettings(shop.id),
    ]);
    return {
      agents: agents.map((a) => ({ ...a, load: loads.get(a.id) ?? 0 })),
      // RT-10: every agent may transfer to a group, so every agent sees the groups (not the settings).
      groups: routing.groups.map((g) => ({ id: g.id, name: g.name, agentIds: g.agentIds })),
    };
  });
}
