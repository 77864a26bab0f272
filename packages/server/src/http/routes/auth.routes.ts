import { DomainError, type AgentId, type ShopId } from '@xiaoer/core';
import { agentStatusSchema, loginSchema, passwordChangeSchema } from '@xiaoer/protocol';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { verifyLogin } from '../../auth/password';
import { hashToken, newSessionToken } from '../../auth/tokens';
import { accountContext, SESSION_COOKIE, SESSION_TTL_MS } from '../auth';
import type { AppContext } from '../context';
import { parse } from '../errors';
import { presentAgents, presentMe } from '../presenters';
import { routeAuth } from '../route-auth';

/** Logs the account in on this browser: a new session (stored hashed) in its cookie. */
export async function openSession(
  ctx: AppContext,
  reply: FastifyReply,
  accountId: AgentId,
  shopId: ShopId,
): Promise<void> {
  const token = newSessionToken();
  const now = ctx.clock.now();
  // Issue #14: the account's expired sessions go as it opens a new one (the hourly sweep gets the rest).
  await ctx.storage.sessions.deleteExpired(now, accountId);
  await ctx.storage.sessions.insertSession({
    tokenHash: hashToken(token),
    agentId: accountId,
    shopId,
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
}

/** Login, logout, who am I, and my status (RT-8). */
export async function authRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { storage, clock } = ctx;
  const auth = routeAuth(ctx);
  // Issue #14: failed logins per email, whatever the IP (the per-IP limit below is dodged by an
  // attacker with many addresses). Counted for every email, known or not, so the limit itself
  // tells nobody which emails have accounts. In memory, per node, like the per-IP limits.
  const failuresPerEmail = new RateLimiterMemory({
    keyPrefix: 'login-email',
    points: ctx.config.LOGIN_FAILURES_PER_EMAIL_PER_15MIN,
    duration: 15 * 60,
  });

  app.post(
    '/api/auth/login',
    { config: { rateLimit: { max: ctx.config.LOGIN_ATTEMPTS_PER_MINUTE, timeWindow: '1 minute' } } },
    async (req, reply) => {
      const { email, password } = parse(loginSchema, req.body);
      // Every attempt takes a point before the password is looked at (a right password past the
      // limit is refused too, or the limit would not slow guessing); a success gives them back.
      try {
        await failuresPerEmail.consume(email);
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) throw error;
        const retryAfterSeconds = Math.ceil(error.msBeforeNext / 1000);
        void reply.header('retry-after', String(retryAfterSeconds));
        throw new DomainError(
          'rate_limited',
          'too many failed logins for this email, try again later (登录失败次数过多，请稍后再试)',
          'email',
          { retryAfterSeconds },
        );
      }
      const found = await storage.agents.findAccountForLogin(email);
      // The same answer for an unknown email and a wrong password, after the same hashing work
      // (issue #14: a dummy hash when there is no account): no account probing.
      if (!(await verifyLogin(password, found?.passwordHash)) || !found) {
        throw new DomainError('unauthenticated', 'wrong email or password', 'password');
      }
      await failuresPerEmail.delete(email);
      const me = await accountContext(storage, found.account.id, []);
      if (!me) {
        // Issue #13: the demo's accounts have known passwords: no login while demo mode is off.
        const closed = await storage.demo.closedShops();
        const memberships = await storage.agents.listMemberships(found.account.id);
        if (found.account.disabledAt === null && memberships.some((m) => closed.has(m.shopId)))
          throw new DomainError(
            'forbidden',
            'demo mode is off: the demo shop’s accounts cannot log in (演示模式已关闭，演示账号不能登录)',
            'email',
            { reason: 'demo_off' },
          );
        // A disabled account, or one no shop keeps any more (TEAM-1 lifecycle).
        throw new DomainError('forbidden', 'this account is disabled', 'email');
      }
      await openSession(ctx, reply, me.account.id, me.shop.id);
      return presentMe(storage, me);
    },
  );

  // Logging out ends every session and socket of the account, and sets them offline in every
  // shop (RT-8: nobody is given buyers after they have left).
  app.post('/api/auth/logout', async (req, reply) => {
    const token = req.cookies[SESSION_COOKIE];
    const session = token ? await storage.sessions.findSession(hashToken(token), clock.now()) : undefined;
    if (session) {
      const accountId = session.agent_id as AgentId;
      await storage.sessions.deleteAgentSessions(accountId);
      await ctx.team.loggedOut(accountId);
      for (const m of await storage.agents.listMemberships(accountId))
        if (m.status !== 'offline') await ctx.routing.setAgentStatus(m.shopId, accountId, 'offline');
    }
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send();
  });

  // My own password (knowing the current one); every session and socket of mine ends.
  app.post('/api/me/password', { preHandler: auth('agent') }, async (req, reply) => {
    const me = req.agent;
    const { currentPassword, newPassword } = parse(passwordChangeSchema, req.body);
    await ctx.team.changeOwnPassword(me.account.id, currentPassword, newPassword);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send();
  });

  app.get('/api/me', { preHandler: auth('agent') }, async (req) => presentMe(storage, req.agent));

  // RT-8: my status, in every shop I serve; it takes effect while my workbench is open.
  app.put('/api/me/status', { preHandler: auth('agent') }, async (req) => {
    const me = req.agent;
    const { status } = parse(agentStatusSchema, req.body);
    let mine = me.agent;
    for (const m of me.memberships) {
      const present = await ctx.presence.isPresent(m.shopId, me.account.id);
      const agent = await ctx.routing.chooseStatus(m.shopId, me.account.id, status, present);
      if (m.shopId === me.shop.id) mine = agent;
    }
    return { agent: mine };
  });

  app.get('/api/agents', { preHandler: auth('agent') }, async (req) => {
    const { shop, isAdmin } = req.agent;
    const [agents, loads, routing] = await Promise.all([
      storage.agents.listAgents(shop.id),
      storage.conversations.countAssignedByAgent(shop.id),
      storage.shops.findRoutingSettings(shop.id),
    ]);
    return {
      // Issue #14: staff emails are for admins; agents get names only.
      agents: presentAgents(agents, loads, isAdmin),
      // RT-10: every agent may transfer to a group, so every agent sees the groups (not the settings).
      groups: routing.groups.map((g) => ({ id: g.id, name: g.name, agentIds: g.agentIds })),
    };
  });
}
