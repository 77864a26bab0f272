import {
  buyerBody,
  buyerOut,
  errorOut,
  externalIdParams,
  logisticsBody,
  orderBody,
  orderOut,
  ordersPageQuery,
  pageQuery,
  productBody,
  productOut,
  reviewBody,
  reviewOut,
  reviewsPageQuery,
  groupBuyBody,
  groupBuyOut,
  channelMessageBody,
  channelMessageOut,
  channelParams,
  deliveriesQuery,
  deliveryOut,
  deliveryParams,
  V1_WEBHOOK_EVENTS,
  webhookCreateBody,
  webhookEnvelope,
  webhookEventData,
  webhookOut,
  webhookParams,
  v1CaseBody,
  v1CaseEventBody,
  v1CaseListQuery,
  v1CaseOut,
  v1CaseParams,
  v1StepParams,
  v1StepReportBody,
} from '@xiaoer/protocol/v1';
import { z } from 'zod';

type Schema = z.ZodType;
interface V1Route {
  method: 'get' | 'put' | 'post' | 'delete';
  /** OpenAPI form: /api/v1/orders/{externalId}. */
  path: string;
  summary: string;
  scope: 'read' | 'write';
  query?: z.ZodObject;
  body?: Schema;
  /** The answer's body for 200 (and 201 when the write created the record). */
  answer: Schema;
  creates?: boolean;
  /** The path's parameters (default: `externalId`). */
  params?: z.ZodObject;
  /** The success status when it is not 200 (201 made, 202 queued). */
  status?: 201 | 202;
}

const one = (key: string, schema: Schema) => z.object({ [key]: schema });
const page = (key: string, schema: Schema) =>
  z.object({ [key]: z.array(schema), nextCursor: z.string().nullable() });

/** Every v1 route, with the schemas that validate it (the contract test checks it is complete). */
export const V1_ROUTES: readonly V1Route[] = [
  {
    method: 'put',
    path: '/api/v1/products/{externalId}',
    summary: 'Create or replace a product',
    scope: 'write',
    body: productBody,
    answer: one('product', productOut),
    creates: true,
  },
  {
    method: 'get',
    path: '/api/v1/products/{externalId}',
    summary: 'Read a product',
    scope: 'read',
    answer: one('product', productOut),
  },
  {
    method: 'get',
    path: '/api/v1/products',
    summary: 'List products by id',
    scope: 'read',
    query: pageQuery,
    answer: page('products', productOut),
  },
  {
    method: 'put',
    path: '/api/v1/buyers/{externalId}',
    summary: 'Create or update a buyer',
    scope: 'write',
    body: buyerBody,
    answer: one('buyer', buyerOut),
    creates: true,
  },
  {
    method: 'get',
    path: '/api/v1/buyers/{externalId}',
    summary: 'Read a buyer',
    scope: 'read',
    answer: one('buyer', buyerOut),
  },
  {
    method: 'get',
    path: '/api/v1/buyers',
    summary: "List the shop's buyers by id",
    scope: 'read',
    query: pageQuery,
    answer: page('buyers', buyerOut),
  },
  {
    method: 'put',
    path: '/api/v1/orders/{externalId}',
    summary: 'Create or replace an order (a buyer not sent yet is created)',
    scope: 'write',
    body: orderBody,
    answer: one('order', orderOut),
    creates: true,
  },
  {
    method: 'get',
    path: '/api/v1/orders/{externalId}',
    summary: 'Read an order',
    scope: 'read',
    answer: one('order', orderOut),
  },
  {
    method: 'get',
    path: '/api/v1/orders',
    summary: 'List orders by id (optionally one buyer’s)',
    scope: 'read',
    query: ordersPageQuery,
    answer: page('orders', orderOut),
  },
  {
    method: 'post',
    path: '/api/v1/orders/{externalId}/logistics',
    summary: 'Add tracking events (once per event id)',
    scope: 'write',
    body: logisticsBody,
    answer: z.object({ added: z.number().int(), order: orderOut }),
  },
  {
    method: 'put',
    path: '/api/v1/reviews/{externalId}',
    summary: "Create or update a buyer's review (agents answer it; the answer comes as review.replied)",
    scope: 'write',
    body: reviewBody,
    answer: one('review', reviewOut),
    creates: true,
  },
  {
    method: 'get',
    path: '/api/v1/reviews/{externalId}',
    summary: 'Read a review and its reply',
    scope: 'read',
    answer: one('review', reviewOut),
  },
  {
    method: 'get',
    path: '/api/v1/reviews',
    summary: 'List reviews by id (answered=false: those waiting for a reply)',
    scope: 'read',
    query: reviewsPageQuery,
    answer: page('reviews', reviewOut),
  },
  {
    method: 'put',
    path: '/api/v1/group-buys/{externalId}',
    summary: 'Create or update a group buy (opening one starts the group-buy journeys)',
    scope: 'write',
    body: groupBuyBody,
    answer: one('groupBuy', groupBuyOut),
    creates: true,
  },
  {
    method: 'get',
    path: '/api/v1/group-buys/{externalId}',
    summary: 'Read a group buy',
    scope: 'read',
    answer: one('groupBuy', groupBuyOut),
  },
  {
    method: 'get',
    path: '/api/v1/group-buys',
    summary: 'List group buys by id',
    scope: 'read',
    query: pageQuery,
    answer: page('groupBuys', groupBuyOut),
  },
  {
    method: 'post',
    path: '/api/v1/channels/{channel}/messages',
    summary:
      "A buyer's message from a platform channel: into the conversation loop (bot, routing, metrics); 201 stored, 200 a message id seen before",
    scope: 'write',
    params: channelParams,
    body: channelMessageBody,
    answer: channelMessageOut,
    creates: true,
  },
  {
    method: 'get',
    path: '/api/v1/webhooks',
    summary: "List the shop's webhook endpoints",
    scope: 'read',
    answer: z.object({ webhooks: z.array(webhookOut) }),
  },
  {
    method: 'post',
    path: '/api/v1/webhooks',
    summary: 'Make a webhook endpoint (its signing secret is shown this once)',
    scope: 'write',
    body: webhookCreateBody,
    answer: z.object({ id: z.string(), secret: z.string(), webhook: webhookOut }),
    status: 201,
  },
  {
    method: 'delete',
    path: '/api/v1/webhooks/{id}',
    summary: 'Delete a webhook endpoint (its pending deliveries are dropped)',
    scope: 'write',
    params: webhookParams,
    answer: z.object({ deleted: z.literal(true) }),
  },
  {
    method: 'get',
    path: '/api/v1/webhooks/{id}/deliveries',
    summary: "An endpoint's delivery log, newest first",
    scope: 'read',
    params: webhookParams,
    query: deliveriesQuery,
    answer: z.object({ deliveries: z.array(deliveryOut), nextBefore: z.number().int().nullable() }),
  },
  {
    method: 'post',
    path: '/api/v1/webhooks/{id}/deliveries/{seq}/replay',
    summary: 'Send a delivery again (the same event id), now',
    scope: 'write',
    params: deliveryParams,
    answer: z.object({ delivery: deliveryOut }),
    status: 202,
  },
  {
    method: 'post',
    path: '/api/v1/webhooks/{id}/ping',
    summary: 'Send a test event (webhook.ping) to this endpoint',
    scope: 'write',
    params: webhookParams,
    answer: z.object({ delivery: deliveryOut }),
    status: 202,
  },
  // Issue #19: after-sales cases.
  {
    method: 'post',
    path: '/api/v1/aftersales',
    summary: "Report a buyer's after-sales request made on the platform (idempotent by externalId)",
    scope: 'write',
    body: v1CaseBody,
    answer: one('case', v1CaseOut),
    creates: true,
    params: z.object({}),
  },
  {
    method: 'get',
    path: '/api/v1/aftersales',
    summary: "The shop's after-sales cases",
    scope: 'read',
    query: v1CaseListQuery,
    answer: page('cases', v1CaseOut),
    params: z.object({}),
  },
  {
    method: 'get',
    path: '/api/v1/aftersales/{id}',
    summary: "An after-sales case, by xiaoer's or the platform's id",
    scope: 'read',
    params: v1CaseParams,
    answer: one('case', v1CaseOut),
  },
  {
    method: 'post',
    path: '/api/v1/aftersales/{id}/events',
    summary:
      'Report what the platform did on a case (decided, return shipped or received, refunded, reshipped)',
    scope: 'write',
    params: v1CaseParams,
    body: v1CaseEventBody,
    answer: one('case', v1CaseOut),
  },
  {
    method: 'post',
    path: '/api/v1/aftersales/{id}/steps/{stepId}',
    summary: 'Confirm (or report failed) a step sent as aftersales.step',
    scope: 'write',
    params: v1StepParams,
    body: v1StepReportBody,
    answer: one('case', v1CaseOut),
  },
];

const json = (schema: Schema, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;

const errors = (codes: number[]) =>
  Object.fromEntries(
    codes.map((c) => [
      String(c),
      {
        description:
          {
            400: 'a field is invalid (named in error.field); nothing written',
            401: 'no, unknown or revoked key',
            403: 'the key lacks the scope',
            404: 'no such record of the shop',
            429: 'past the per-key rate limit',
          }[c] ?? '',
        content: { 'application/json': { schema: json(errorOut, 'output') } },
      },
    ]),
  );

/** The v1 API as OpenAPI 3.1, generated from the zod schemas the routes validate with. */
export function v1OpenApi(serverUrl = '/'): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of V1_ROUTES) {
    const parameters: unknown[] = [];
    const params = (r.params ?? externalIdParams).shape as Record<string, Schema>;
    for (const [, name] of r.path.matchAll(/\{(\w+)\}/g))
      parameters.push({ name, in: 'path', required: true, schema: json(params[name!]!, 'input') });
    if (r.query)
      for (const [name, schema] of Object.entries(r.query.shape))
        parameters.push({ name, in: 'query', required: false, schema: json(schema as Schema, 'input') });
    const ok = { content: { 'application/json': { schema: json(r.answer, 'output') } } };
    (paths[r.path] ??= {})[r.method] = {
      summary: r.summary,
      // Grouped by what they touch: products, buyers, orders, channels, webhooks.
      tags: [r.path.split('/')[3]!],
      security: [{ apiKey: [] }],
      'x-xiaoer-scope': r.scope,
      parameters,
      ...(r.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: json(r.body, 'input') } },
            },
          }
        : {}),
      responses: {
        ...(r.status
          ? { [String(r.status)]: { description: r.status === 201 ? 'created' : 'queued', ...ok } }
          : { '200': { description: r.creates ? 'updated, or unchanged (nothing written)' : 'ok', ...ok } }),
        ...(r.creates ? { '201': { description: 'created', ...ok } } : {}),
        ...errors([400, 401, 403, 404, 429]),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'xiaoer integration API',
      version: '1',
      description:
        "A shop's systems write its products, buyers, orders and tracking events by their own ids, pass on its buyers' messages from platform channels, and hear what happens in xiaoer through signed webhooks (see Webhooks below: each event's body; `X-Xiaoer-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>`). Keys: console → 集成, or `npx xiaoer apikey create`; `Authorization: Bearer <key>`.",
    },
    servers: [{ url: serverUrl }],
    components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
    paths,
    webhooks: webhookDescriptions(),
  };
}

/**
 * What each event's delivery posts (OpenAPI 3.1 `webhooks`): the body, and the headers that come
 * with it — `X-Xiaoer-Event`, `X-Xiaoer-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>`,
 * `X-Xiaoer-Event-Id`, `X-Xiaoer-Delivery`. Any 2xx answer is delivered; anything else is tried
 * again for more than a day, in order per conversation and per order.
 */
function webhookDescriptions(): Record<string, unknown> {
  const header = (description: string) => ({ description, required: true, schema: { type: 'string' } });
  const types = [...V1_WEBHOOK_EVENTS, 'webhook.ping'] as const;
  return Object.fromEntries(
    types.map((type) => [
      type,
      {
        post: {
          summary: `${type} (to each endpoint subscribed to it, or to *)`,
          parameters: [
            { name: 'X-Xiaoer-Event', in: 'header', ...header('the event type') },
            {
              name: 'X-Xiaoer-Signature',
              in: 'header',
              ...header('sha256=<hex HMAC-SHA256(the endpoint secret, the raw body)>'),
            },
            {
              name: 'X-Xiaoer-Event-Id',
              in: 'header',
              ...header('the event id (as in the body): the same in retries and replays'),
            },
            { name: 'X-Xiaoer-Delivery', in: 'header', ...header('this delivery (a replay is a new one)') },
          ],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: json(
                  webhookEnvelope(
                    type,
                    type === 'webhook.ping' ? z.object({ webhookId: z.string() }) : webhookEventData[type],
                  ),
                  'output',
                ),
              },
            },
          },
          responses: { '200': { description: 'any 2xx: delivered' } },
        },
      },
    ]),
  );
}
