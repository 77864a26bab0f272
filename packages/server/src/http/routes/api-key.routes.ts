import { notFound } from '@xiaoer/core';
import { apiKeyCreateBody } from '@xiaoer/protocol/v1';
import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context';
import { parse } from '../errors';
import { routeAuth } from '../route-auth';

const keyParams = z.object({ id: z.string().min(1).max(64) });

/**
 * Issue #16: a shop's keys for the v1 API, managed in the console by its admins (owner, admin):
 * list (never the keys themselves), create (the key shown this once), revoke.
 */
export async function apiKeyRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { storage, clock } = ctx;
  const auth = routeAuth(ctx);

  app.get('/api/admin/api-keys', { preHandler: auth('admin') }, async (req) => {
    const me = req.agent;
    return { keys: await storage.apiKeys.list(me.shop.id) };
  });

  app.post('/api/admin/api-keys', { preHandler: auth('admin') }, async (req, reply) => {
    const me = req.agent;
    const body = parse(apiKeyCreateBody, req.body);
    const created = await storage.apiKeys.create(
      me.shop.id,
      { name: body.name, scopes: body.scopes, createdBy: me.agent.id },
      clock.now(),
    );
    return reply.code(201).send({ id: created.id, key: created.key, apiKey: created.info });
  });

  app.delete('/api/admin/api-keys/:id', { preHandler: auth('admin') }, async (req) => {
    const me = req.agent;
    const { id } = parse(keyParams, req.params);
    if (!(await storage.apiKeys.revoke(me.shop.id, id, clock.now()))) throw notFound('apiKey');
    return { revoked: true };
  });
}
