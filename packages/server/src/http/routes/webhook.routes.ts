import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import { checkWebhookUrl, DomainError, invalid, isPrivateAddress, notFound, type ShopId } from '@xiaoer/core';
import { deliveriesQuery, deliveryParams, webhookCreateBody, webhookParams } from '@xiaoer/protocol/v1';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { deliveryOut, webhookOut } from '../../integration/v1-out';
import { v1Access } from '../api-key-auth';
import type { AppContext } from '../context';
import { parse } from '../errors';
import { routeAuth, type AuthHandler } from '../route-auth';

/** Endpoints a shop may have at once. */
const MAX_WEBHOOKS = 20;

/**
 * Issue #16: a shop's webhook endpoints — made, listed, deleted, their delivery log read and a
 * delivery sent again, a test event sent — by the shop's systems with a v1 key (`/api/v1/webhooks`,
 * read or write scope) and by its admins in the console (`/api/admin/webhooks`). The same handlers
 * behind both; who may call is each route's options (`access.read`, `access.write`).
 */
export async function webhookRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { storage, clock, config } = ctx;
  const auth = routeAuth(ctx);

  /** The ports this server answers on (the configured one, and the one it got when that was 0). */
  const ownPorts = () => {
    const address = app.server.address();
    return [config.PORT, ...(typeof address === 'object' && address ? [address.port] : [])];
  };

  /** A URL as the shop wrote it, checked; with private addresses forbidden, its name's addresses too. */
  async function checkedUrl(raw: string): Promise<string> {
    const publicUrl = config.PUBLIC_URL ? new URL(config.PUBLIC_URL) : undefined;
    const url = checkWebhookUrl(raw, {
      ownPorts: ownPorts(),
      ownHosts: [hostname()],
      allowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
    });
    if (publicUrl && url.origin === publicUrl.origin)
      throw invalid(
        'url',
        `points at xiaoer itself (${publicUrl.origin}): give the address of the receiving system`,
        { issue: 'url_self' },
      );
    if (!config.WEBHOOK_ALLOW_PRIVATE) {
      const addresses = await lookup(url.hostname, { all: true }).catch(() => {
        throw invalid('url', `${url.hostname} cannot be resolved`, { issue: 'url_unresolvable' });
      });
      if (addresses.some((a) => isPrivateAddress(a.address)))
        throw invalid(
          'url',
          `${url.hostname} resolves to a private address, which this server does not deliver to`,
          { issue: 'url_private' },
        );
    }
    return url.toString();
  }

  /** Who may read and who may write a family's endpoints: the route options of each. */
  interface Access {
    read: { preHandler: AuthHandler };
    write: { preHandler: AuthHandler };
  }
  const byKey: Access = v1Access(ctx);
  const byAdmin: Access = { read: { preHandler: auth('admin') }, write: { preHandler: auth('admin') } };
  /** The shop the caller acts for, and who they are as the log records them. */
  const ownerOf = (req: FastifyRequest): { shopId: ShopId; by: string | null } =>
    req.caller?.kind === 'apiKey'
      ? { shopId: req.apiKey.shopId, by: `apikey:${req.apiKey.id}` }
      : { shopId: req.agent.shop.id, by: req.agent.agent.id };

  const register = (base: string, access: Access) => {
    app.get(base, access.read, async (req) => {
      const { shopId } = ownerOf(req);
      return { webhooks: (await storage.webhooks.list(shopId)).map(webhookOut) };
    });

    app.post(base, access.write, async (req, reply) => {
      const { shopId, by } = ownerOf(req);
      const body = parse(webhookCreateBody, req.body);
      const url = await checkedUrl(body.url);
      if ((await storage.webhooks.list(shopId)).length >= MAX_WEBHOOKS)
        throw new DomainError(
          'conflict',
          `a shop may have ${MAX_WEBHOOKS} webhooks: delete one first`,
          'url',
        );
      const events = body.events.includes('*') ? ['*'] : [...new Set(body.events)];
      const made = await storage.webhooks.create(
        shopId,
        { url, events, description: body.description, createdBy: by },
        clock.now(),
      );
      // The secret is shown this once (as a key is); deliveries are signed with it.
      return reply.code(201).send({ id: made.info.id, secret: made.secret, webhook: webhookOut(made.info) });
    });

    app.delete(`${base}/:id`, access.write, async (req) => {
      const { shopId } = ownerOf(req);
      const { id } = parse(webhookParams, req.params);
      if (!(await storage.webhooks.remove(shopId, id, clock.now()))) throw notFound('webhook', 'id');
      return { deleted: true };
    });

    app.get(`${base}/:id/deliveries`, access.read, async (req) => {
      const { shopId } = ownerOf(req);
      const { id } = parse(webhookParams, req.params);
      const q = parse(deliveriesQuery, req.query);
      if (!(await storage.webhooks.find(shopId, id))) throw notFound('webhook', 'id');
      const rows = await storage.webhooks.deliveries(shopId, id, {
        limit: q.limit,
        ...(q.before !== undefined ? { before: q.before } : {}),
        ...(q.status ? { status: q.status } : {}),
      });
      return {
        deliveries: rows.map(deliveryOut),
        nextBefore: rows.length === q.limit ? rows.at(-1)!.seq : null,
      };
    });

    // Sends a delivery again: the same event (same id), queued now behind its chain.
    app.post(`${base}/:id/deliveries/:seq/replay`, access.write, async (req, reply) => {
      const { shopId } = ownerOf(req);
      const { id, seq } = parse(deliveryParams, req.params);
      if (!(await storage.webhooks.find(shopId, id))) throw notFound('webhook', 'id');
      const copy = await storage.webhooks.replay(shopId, id, seq, clock.now());
      if (!copy) throw notFound('delivery', 'seq');
      ctx.webhooks.kick();
      return reply.code(202).send({ delivery: deliveryOut(copy) });
    });

    // A test event (`webhook.ping`) to this endpoint only.
    app.post(`${base}/:id/ping`, access.write, async (req, reply) => {
      const { shopId } = ownerOf(req);
      const { id } = parse(webhookParams, req.params);
      if (!(await storage.webhooks.find(shopId, id))) throw notFound('webhook', 'id');
      const delivery = await storage.webhooks.ping(shopId, id, clock.now());
      ctx.webhooks.kick();
      return reply.code(202).send({ delivery: deliveryOut(delivery) });
    });
  };

  register('/api/v1/webhooks', byKey);
  register('/api/admin/webhooks', byAdmin);
}
