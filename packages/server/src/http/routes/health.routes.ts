import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context';

/** `/health` and `/ready`: answered by every node, whatever its roles. */
export async function healthRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  // Liveness: the process answers. Readiness: it can reach what it needs (a load balancer sends
  // traffic only to ready nodes): the database, and Redis in cluster mode; a node shutting down
  // says so while it drains.
  // Issue #14: the node's name (host and pid by default) is not told to whoever asks.
  app.get('/health', async () => ({ ok: true, roles: [...ctx.config.ROLE] }));
  app.get('/ready', async (_req, reply) => {
    const check = async (probe: (() => Promise<unknown>) | undefined) => {
      if (!probe) return 'off';
      try {
        await Promise.race([
          probe(),
          new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000).unref()),
        ]);
        return 'ok';
      } catch {
        return 'down';
      }
    };
    const [database, redis] = await Promise.all([check(ctx.probes.database), check(ctx.probes.redis)]);
    const draining = ctx.node.draining;
    const ok = database === 'ok' && redis !== 'down' && !draining;
    return reply.status(ok ? 200 : 503).send({ ok, database, redis, ...(draining ? { draining } : {}) });
  });
}
