/**
 * Issue #16, the v1 contract: `GET /api/v1/openapi.json` (OpenAPI 3.1, generated from the zod
 * schemas the routes validate with) describes every v1 route the app registers and no other, and
 * what the routes answer fits the answers it describes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ORDER_STATUSES } from '@xiaoer/core';
import { buyerOut, deliveryOut, webhookOut, orderOut, productOut } from '@xiaoer/protocol/v1';
import { z } from 'zod';
import { makeAgent, makeShop } from '../support/fixtures';
import { registeredRoutes } from '../support/routes';
import { loginCookie, startTestServer, type TestServer } from '../support/server';
import { V1_ORDER } from '../support/v1';

describe('issue #16 the v1 OpenAPI document', () => {
  let t: TestServer;
  let key = '';
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let doc: any;

  before(async () => {
    t = await startTestServer({ demo: false });
    const shopId = await makeShop(t.storage, 'contract');
    const owner = await makeAgent(t.storage, shopId, { role: 'owner' });
    const res = await t.server.app.inject({
      method: 'POST',
      url: '/api/admin/api-keys',
      headers: { cookie: await loginCookie(t.server, owner.email) },
      payload: { name: 'contract' },
    });
    key = (res.json() as { key: string }).key;
    const got = await t.server.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    assert.equal(got.statusCode, 200);
    doc = got.json();
  });
  after(async () => {
    await t.close();
  });

  it('is OpenAPI 3.1 and lists exactly the v1 routes the app registers', () => {
    assert.equal(doc.openapi, '3.1.0');
    const described = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
      )
      .sort();
    const registered = registeredRoutes(t.server.app.printRoutes({ commonPrefix: false }))
      .filter(
        (r) =>
          r.includes(' /api/v1/') && r !== 'GET /api/v1/openapi.json' && !r.startsWith('GET /api/v1/docs'),
      )
      .sort();
    assert.deepEqual(described, registered);
  });

  it('its request schemas are the ones the routes enforce', async () => {
    const order = doc.paths['/api/v1/orders/{externalId}'].put.requestBody.content['application/json'].schema;
    assert.deepEqual([...order.required].sort(), [
      'buyerExternalId',
      'createdAt',
      'items',
      'status',
      'totalCents',
    ]);
    // The statuses are the core's (RT-3 and BOT-4 read them).
    assert.deepEqual(order.properties.status.enum, [...ORDER_STATUSES]);
    assert.equal(order.additionalProperties, false);
    // What the document says is required, the route refuses without.
    const res = await t.server.app.inject({
      method: 'PUT',
      url: '/api/v1/orders/T-1',
      headers: { authorization: `Bearer ${key}` },
      payload: { status: 'paid' },
    });
    assert.equal(res.statusCode, 400);
  });

  it('what the routes answer fits the answers it describes', async () => {
    const call = async (method: 'PUT' | 'GET' | 'POST', url: string, payload?: object) => {
      const res = await t.server.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${key}` },
        ...(payload ? { payload } : {}),
      });
      assert.ok(res.statusCode < 300, res.body);
      return res.json() as Record<string, unknown>;
    };
    productOut.parse((await call('PUT', '/api/v1/products/p-1', { title: '茶', priceCents: 100 })).product);
    buyerOut.parse((await call('PUT', '/api/v1/buyers/b-1', { nick: '茶友' })).buyer);
    const order = {
      ...V1_ORDER,
      buyerExternalId: 'b-1',
      status: 'shipped',
      carrier: '顺丰速运',
      trackingNo: 'SF1',
      shippedAt: '2026-12-01T16:00:00+08:00',
    };

    orderOut.parse((await call('PUT', '/api/v1/orders/T-1', order)).order);
    const added = await call('POST', '/api/v1/orders/T-1/logistics', {
      events: [{ id: 'e1', at: '2026-12-01T18:00:00+08:00', description: '已揽收' }],
    });
    z.object({ added: z.number(), order: orderOut }).parse(added);
    z.object({ orders: z.array(orderOut), nextCursor: z.string().nullable() }).parse(
      await call('GET', '/api/v1/orders?buyer=b-1'),
    );
    const hook = await call('POST', '/api/v1/webhooks', { url: 'http://127.0.0.1:9/hooks', events: ['*'] });
    webhookOut.parse(hook.webhook);
    const id = hook.id as string;
    z.object({ webhooks: z.array(webhookOut) }).parse(await call('GET', '/api/v1/webhooks'));
    const ping = await call('POST', `/api/v1/webhooks/${id}/ping`, {});
    deliveryOut.parse(ping.delivery);
    const log = await call('GET', `/api/v1/webhooks/${id}/deliveries`);
    z.object({ deliveries: z.array(deliveryOut), nextBefore: z.number().nullable() }).parse(log);
  });
});
