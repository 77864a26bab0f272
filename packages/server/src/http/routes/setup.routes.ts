import { DomainError } from '@xiaoer/core';
import { setupSchema, type SetupResponse, type SetupStatusResponse } from '@xiaoer/protocol';
import type { FastifyInstance } from 'fastify';
import {
  checkSetupToken,
  claimSetupToken,
  dropSetupToken,
  prepareSetupToken,
  releaseSetupToken,
} from '../../setup/setup-token';
import type { AppContext } from '../context';
import { parse } from '../errors';
import { openSession } from './auth.routes';

/**
 * Web first-run (issue #13): while the install has no real shop, the setup page creates the
 * organisation, its first shop and the owner — once, with the setup token printed at start — and
 * logs the owner in. Afterwards it is refused (409).
 */
export async function setupRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { storage } = ctx;
  await prepareSetupToken(storage);

  app.get('/api/setup', async (): Promise<SetupStatusResponse> => {
    const [real, demo] = await Promise.all([storage.shops.hasRealShop(), storage.demo.isOn()]);
    return { needed: !real, demo };
  });

  app.post(
    '/api/setup',
    { config: { rateLimit: { max: ctx.config.LOGIN_ATTEMPTS_PER_MINUTE, timeWindow: '1 minute' } } },
    async (req, reply) => {
      if (await storage.shops.hasRealShop())
        throw new DomainError('conflict', 'this install is set up already: log in to the admin console');
      const body = (req.body ?? {}) as Record<string, unknown>;
      const token = typeof body.token === 'string' ? body.token : '';
      if (!token)
        throw new DomainError(
          'unauthenticated',
          'the setup token is missing: open the /setup?token=… link xiaoer printed when it started',
          'token',
        );
      const state = await checkSetupToken(storage, token);
      // (a setup that ended meanwhile took the token with it)
      if (state === 'wrong' && (await storage.shops.hasRealShop()))
        throw new DomainError('conflict', 'this install is set up already: log in to the admin console');
      if (state === 'wrong')
        throw new DomainError(
          'forbidden',
          'wrong setup token: use the /setup?token=… link xiaoer printed when it started',
          'token',
        );
      const input = parse(setupSchema, body);
      // One setup at a time, on any node: the token is taken for it, and given back if it fails.
      if (state === 'busy' || !(await claimSetupToken(storage, token)))
        // (another setup has the token, or had it and is done)
        throw new DomainError('conflict', 'a setup is under way: wait a moment and reload', 'token');
      let created: Awaited<ReturnType<typeof ctx.team.createShop>>;
      try {
        created = await ctx.team.createShop({
          slug: input.slug,
          name: input.name,
          ownerEmail: input.ownerEmail,
          password: input.password,
          ...(input.ownerName !== undefined ? { ownerName: input.ownerName } : {}),
          ...(input.orgName !== undefined ? { orgName: input.orgName } : {}),
          ...(input.timeZone !== undefined ? { timeZone: input.timeZone } : {}),
        });
      } catch (error) {
        await releaseSetupToken(storage, token);
        throw error;
      }
      await dropSetupToken(storage);
      await openSession(ctx, reply, created.owner.id, created.shop.id);
      const { owner, organisation } = created;
      const body201: SetupResponse = {
        shop: created.shop,
        owner: { id: owner.id, email: owner.email, name: owner.name },
        organisation: { id: organisation.id, name: organisation.name },
      };
      return reply.status(201).send(body201);
    },
  );
}
