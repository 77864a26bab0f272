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
} from '@xiaoer/protocol/v1';
import { z } from 'zod';

type Schema = z.ZodType;
interface V1Route {
  method: 'get' | 'put' | 'post';
  /** OpenAPI form: /api/v1/orders/{externalId}. */
  path: string;
  summary: string;
  scope: 'read' | 'write';
  query?: z.ZodObject;
  body?: Schema;
  /** The answer's body for 200 (and 201 when the write created the record). */
  answer: Schema;
  creates?: boolean;
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
    if (r.path.includes('{externalId}'))
      parameters.push({
        name: 'externalId',
        in: 'path',
        required: true,
        schema: json(externalIdParams.shape.externalId, 'input'),
      });
    if (r.query)
      for (const [name, schema] of Object.entries(r.query.shape))
        parameters.push({ name, in: 'query', required: false, schema: json(schema as Schema, 'input') });
    const ok = { content: { 'application/json': { schema: json(r.answer, 'output') } } };
    (paths[r.path] ??= {})[r.method] = {
      summary: r.summary,
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
        '200': { description: r.creates ? 'updated, or unchanged (nothing written)' : 'ok', ...ok },
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
        "A shop's systems write its products, buyers, orders and tracking events by their own ids. Keys: console → 集成, or `npx xiaoer apikey create`.",
    },
    servers: [{ url: serverUrl }],
    components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}
