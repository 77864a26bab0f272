import { createHash } from 'node:crypto';
import { DomainError } from '@xiaoer/core';
import type { FastifyRequest } from 'fastify';
import type { ApiKeyInfo, ApiScope } from '../storage/api-key.repository';
import type { AppContext } from './context';

/** The bearer key of a v1 request, or undefined. */
function bearerOf(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
}

/**
 * Issue #16: who may call a v1 route — a live key of the shop with the route's scope
 * (`Authorization: Bearer <key>`) — and the per-key rate limit every v1 route shares.
 */
export function v1Access(ctx: AppContext) {
  const { storage, clock, config } = ctx;
  // Per key, not per address: a shop's connector may sit behind the same address as others.
  const rateLimit = {
    max: config.API_REQUESTS_PER_MINUTE,
    timeWindow: '1 minute',
    keyGenerator: (req: FastifyRequest) => {
      const key = bearerOf(req);
      return key ? `v1:${createHash('sha256').update(key).digest('hex').slice(0, 32)}` : `v1ip:${req.ip}`;
    },
  };
  const options = { config: { rateLimit } };

  async function requireKey(req: FastifyRequest, scope: ApiScope): Promise<ApiKeyInfo> {
    const key = bearerOf(req);
    if (!key)
      throw new DomainError(
        'unauthenticated',
        'an API key is needed: Authorization: Bearer <key>',
        'authorization',
      );
    const info = await storage.apiKeys.authenticate(key, clock.now());
    if (!info) throw new DomainError('unauthenticated', 'the API key is unknown or revoked', 'authorization');
    if (!info.scopes.includes(scope))
      throw new DomainError(
        'forbidden',
        `this key may not ${scope}: it has ${info.scopes.join(', ')}`,
        'authorization',
      );
    return info;
  }
  return { options, requireKey };
}
