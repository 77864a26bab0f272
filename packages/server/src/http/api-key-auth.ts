import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from './context';
import { bearerOf, routeAuth, type AuthHandler } from './route-auth';

/** A v1 route's options: who may call it and the per-key rate limit. */
export interface V1RouteOptions {
  config: { rateLimit: { max: number; timeWindow: string; keyGenerator: (req: FastifyRequest) => string } };
  preHandler: AuthHandler;
}

/**
 * Issue #16: who may call a v1 route — a live key of the shop with the route's scope
 * (`Authorization: Bearer <key>`): `app.get(path, v1.read, …)`, `app.put(path, v1.write, …)` —
 * and the per-key rate limit every v1 route shares. The handler reads the key from `req.apiKey`.
 */
export function v1Access(ctx: AppContext): { read: V1RouteOptions; write: V1RouteOptions } {
  const auth = routeAuth(ctx);
  // Per key, not per address: a shop's connector may sit behind the same address as others.
  const rateLimit = {
    max: ctx.config.API_REQUESTS_PER_MINUTE,
    timeWindow: '1 minute',
    keyGenerator: (req: FastifyRequest) => {
      const key = bearerOf(req);
      return key ? `v1:${createHash('sha256').update(key).digest('hex').slice(0, 32)}` : `v1ip:${req.ip}`;
    },
  };
  return {
    read: { config: { rateLimit }, preHandler: auth('apiKey', 'read') },
    write: { config: { rateLimit }, preHandler: auth('apiKey', 'write') },
  };
}
