/**
 * Issue #16: the reference connector (examples/shopify-connector) against Shopify webhook payloads
 * written from Shopify's documentation (its fixtures, by a helper who did not see the connector):
 * a real xiaoer for a new shop, the connector between, each payload posted signed as Shopify signs
 * it — orders, their shipments, refunds and cancellations, customers, products and a guest order
 * arrive as xiaoer's orders, buyers and products; a bad signature writes nothing; xiaoer away is a
 * 503, so Shopify tries again.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ShopId } from '@xiaoer/core';
import { createConnector } from '../../examples/shopify-connector/connector';
import { makeShop } from '../support/fixtures';
import { startTestServer, type TestServer } from '../support/server';

const SECRET = 'shpss_test_secret';
const fixture = (name: string) =>
  readFileSync(new URL(`../../examples/shopify-connector/fixtures/${name}.json`, import.meta.url));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = (name: string): any => JSON.parse(fixture(name).toString('utf8'));

describe('issue #16 the Shopify reference connector', () => {
  let t: TestServer;
  let shopId: ShopId;
  let connector: Server;
  let base = '';
  const logged: string[] = [];

  const push = async (topic: string, name: string, secret = SECRET) => {
    const body = fixture(name);
    const res = await fetch(`${base}/shopify/webhooks`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': topic,
        'x-shopify-hmac-sha256': createHmac('sha256', secret).update(body).digest('base64'),
        'x-shopify-shop-domain': 'tea-shop.myshopify.com',
      },
      body,
    });
    return res.status;
  };
  const order = (name: string) => t.storage.orders.findOrderWithTime(shopId, `shopify-${json(name).id}`);

  before(async () => {
    t = await startTestServer({ demo: false });
    shopId = await makeShop(t.storage, 'shopify-tea');
    const { key } = await t.storage.apiKeys.create(
      shopId,
      { name: 'Shopify', scopes: ['read', 'write'], createdBy: null },
      Date.now(),
    );
    connector = createConnector({
      xiaoerUrl: t.url,
      xiaoerKey: key,
      shopifySecret: SECRET,
      log: (l) => logged.push(l),
    });
    await new Promise<void>((r) => connector.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(connector.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((r) => connector.close(r));
    await t.close();
  });

  it('a bad signature is refused and writes nothing', async () => {
    assert.equal(await push('orders/create', 'orders-create', 'not-the-secret'), 401);
    assert.equal(await order('orders-create'), undefined);
  });

  it('a new paid order arrives with its items, total and buyer', async () => {
    assert.equal(await push('orders/create', 'orders-create'), 200);
    const src = json('orders-create');
    const got = (await order('orders-create'))!;
    assert.ok(got, 'the order is in xiaoer');
    assert.equal(got.status, 'paid');
    assert.equal(got.totalCents, Math.round(Number(src.total_price) * 100));
    assert.equal(got.items.length, src.line_items.length);
    assert.deepEqual(
      got.items.map((i) => i.quantity),
      src.line_items.map((l: { quantity: number }) => l.quantity),
    );
    assert.equal(new Date(got.createdAt).getTime(), Date.parse(src.created_at));
    const buyer = await t.storage.buyers.findBuyer(shopId, got.buyerId);
    assert.equal(buyer?.externalId, `shopify-${src.customer.id}`);
    // The customer's own webhook names them.
    assert.equal(await push('customers/create', 'customers-create'), 200);
    const named = await t.storage.buyers.findByExternalId(shopId, `shopify-${json('customers-create').id}`);
    assert.equal(named?.id, got.buyerId, 'the same buyer');
    assert.ok(named!.nick.includes(json('customers-create').first_name), named!.nick);
  });

  it('shipped: status, carrier, tracking number and a tracking event — once, however often Shopify resends', async () => {
    const src = json('orders-fulfilled');
    for (let i = 0; i < 2; i++) assert.equal(await push('orders/fulfilled', 'orders-fulfilled'), 200);
    const got = (await order('orders-fulfilled'))!;
    assert.equal(got.status, 'shipped');
    assert.equal(got.trackingNo, src.fulfillments[0].tracking_number);
    assert.equal(got.carrier, src.fulfillments[0].tracking_company);
    assert.equal(got.logistics.length, 1);
    assert.match(got.logistics[0]!.description, new RegExp(src.fulfillments[0].tracking_number));
  });

  it('a refund puts the order in after-sales; a cancelled order is closed', async () => {
    assert.equal(await push('orders/updated', 'orders-updated-refund'), 200);
    assert.equal((await order('orders-updated-refund'))?.status, 'after_sales');
    assert.equal(await push('orders/cancelled', 'orders-cancelled'), 200);
    assert.equal((await order('orders-cancelled'))?.status, 'closed');
  });

  it('a guest checkout (no customer) has a buyer of its own; unpaid', async () => {
    assert.equal(await push('orders/create', 'orders-create-guest'), 200);
    const got = (await order('orders-create-guest'))!;
    assert.equal(got.status, 'unpaid');
    const buyer = await t.storage.buyers.findBuyer(shopId, got.buyerId);
    assert.match(buyer?.externalId ?? '', /^shopify-/);
  });

  it('a product arrives with its price', async () => {
    assert.equal(await push('products/create', 'products-create'), 200);
    const src = json('products-create');
    const variant = src.variants[0];
    const id = variant.sku?.trim() ? variant.sku.trim() : `shopify-${src.id}`;
    const product = await t.storage.orders.findProduct(shopId, id);
    assert.equal(product?.title, src.title);
    assert.equal(product?.priceCents, Math.round(Number(variant.price) * 100));
    assert.deepEqual(logged, [], 'xiaoer refused nothing the connector sent');
  });

  it('xiaoer away: 503, so Shopify tries again', async () => {
    const away = createConnector({
      xiaoerUrl: 'http://127.0.0.1:9',
      xiaoerKey: 'xk_x',
      shopifySecret: SECRET,
      log: () => undefined,
    });
    await new Promise<void>((r) => away.listen(0, '127.0.0.1', r));
    try {
      const body = fixture('orders-create');
      const res = await fetch(`http://127.0.0.1:${(away.address() as AddressInfo).port}/shopify/webhooks`, {
        method: 'POST',
        headers: {
          'x-shopify-topic': 'orders/create',
          'x-shopify-hmac-sha256': createHmac('sha256', SECRET).update(body).digest('base64'),
        },
        body,
      });
      assert.equal(res.status, 503);
    } finally {
      await new Promise((r) => away.close(r));
    }
  });
});
