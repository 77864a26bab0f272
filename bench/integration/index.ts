/**
 * bench/integration (issue #16): order upserts through the v1 API over HTTP with a key — validated,
 * authenticated, one transaction each (with the buyer found or created) — next to the same rows
 * written through the storage layer directly, in the same run, on one SQLite file. Half the
 * writes create an order, half replace one with a new status (the usual mix of a connector).
 *
 * Then webhooks: a receiver on loopback (answers 204 at once) subscribed to the order events.
 * BENCH_INTEGRATION_EVENTS events are queued with the dispatcher stopped, then drained (signed, one
 * at a time per order): deliveries per second beside the same bodies POSTed straight to the
 * receiver, as many at a time as the dispatcher sends. Then BENCH_INTEGRATION_LIVE_EVENTS writes one
 * after another with the dispatcher running: the time from each fact (its event's createdAt) to its
 * arrival.
 *
 * Env: BENCH_INTEGRATION_ORDERS (4000), BENCH_INTEGRATION_CONCURRENCY (16),
 * BENCH_INTEGRATION_EVENTS (2000), BENCH_INTEGRATION_LIVE_EVENTS (300).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, createServer as createHttpServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OrderId, OrderStatus, ProductId } from '@xiaoer/core';
import { createServer } from '../../packages/server/src/app';
import { openStorage } from '../../packages/server/src/storage';
import { externalBuyerIn } from '../../packages/server/src/storage/buyer.repository';
import { benchConfig, seedBenchShop } from '../lib/bench-shop';
import { fmt, printTable, quantile } from '../lib/stats';

const ORDERS = Number(process.env.BENCH_INTEGRATION_ORDERS ?? 4000);
const CONCURRENCY = Number(process.env.BENCH_INTEGRATION_CONCURRENCY ?? 16);
const EVENTS = Number(process.env.BENCH_INTEGRATION_EVENTS ?? 2000);
const LIVE_EVENTS = Number(process.env.BENCH_INTEGRATION_LIVE_EVENTS ?? 300);
/** Deliveries the dispatcher sends at once (its claim batch). */
const DISPATCH_WIDTH = 16;

/** A webhook receiver on loopback: answers 204 at once, records each arrival's time and body. */
async function startReceiver() {
  const arrivals: { at: number; body: string }[] = [];
  let waiting: { n: number; resolve: () => void } | undefined;
  const server = createHttpServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (raw += c));
    req.on('end', () => {
      arrivals.push({ at: Date.now(), body: raw });
      res.writeHead(204).end();
      if (waiting && arrivals.length >= waiting.n) waiting.resolve();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    arrivals,
    /** Resolves once `n` requests have arrived in all. */
    until: (n: number) =>
      arrivals.length >= n ? Promise.resolve() : new Promise<void>((resolve) => (waiting = { n, resolve })),
    close: () => new Promise((r) => server.close(r)),
  };
}

/** POSTs `bodies` to `url`, `width` at a time, over keep-alive connections (the receiver's own pace). */
async function postAll(url: string, bodies: readonly string[], width: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: width });
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        await new Promise<void>((resolve, reject) => {
          const req = httpRequest(
            url,
            { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
            (res) => {
              res.resume();
              res.on('end', resolve);
            },
          );
          req.on('error', reject);
          req.end(body);
        });
      }
    }),
  );
  agent.destroy();
  return (performance.now() - t0) / 1000;
}

/** The i-th write: orders 0 … n/2-1 are created, then each is written again as shipped. */
function write(i: number, prefix: string) {
  const n = i % (ORDERS / 2);
  const again = i >= ORDERS / 2;
  return {
    id: `${prefix}-${String(n).padStart(6, '0')}`,
    body: {
      buyerExternalId: `${prefix}-buyer-${n % 500}`,
      status: (again ? 'shipped' : 'paid') as OrderStatus,
      totalCents: 9_900 + n,
      items: [
        {
          productExternalId: `sku-${n % 50}`,
          title: `商品 ${n % 50}`,
          quantity: 1 + (n % 3),
          priceCents: 3_300,
        },
      ],
      carrier: again ? '顺丰速运' : null,
      trackingNo: again ? `SF${n}` : null,
      createdAt: new Date(1_790_000_000_000 + n * 1000).toISOString(),
      paidAt: new Date(1_790_000_060_000 + n * 1000).toISOString(),
      shippedAt: again ? new Date(1_790_086_400_000 + n * 1000).toISOString() : null,
    },
  };
}

/** Runs `task(i)` for i in 0 … n-1, `width` at a time in order; returns each one's ms and the total s. */
async function timed(n: number, width: number, task: (i: number) => Promise<void>) {
  const times: number[] = [];
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      // Writes of one order stay in order: its replacement comes after its creation's half.
      while (next < n) {
        const i = next++;
        const s = performance.now();
        await task(i);
        times.push(performance.now() - s);
      }
    }),
  );
  return { times, seconds: (performance.now() - t0) / 1000 };
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'xiaoer-bench-integration-'));
  const storage = await openStorage(`sqlite:${join(dir, 'bench.db')}`);
  const shopId = await seedBenchShop(storage, 1);
  const { key } = await storage.apiKeys.create(
    shopId,
    { name: 'bench', scopes: ['read', 'write'], createdBy: null },
    Date.now(),
  );
  const server = await createServer(benchConfig({ API_REQUESTS_PER_MINUTE: '10000000', HOST: '127.0.0.1' }), {
    storage,
  });
  const url = await server.listen();
  try {
    let failures = 0;
    const http = await timed(ORDERS, CONCURRENCY, async (i) => {
      const w = write(i, 'http');
      const res = await fetch(`${url}/api/v1/orders/${w.id}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(w.body),
      });
      await res.arrayBuffer();
      if (res.status !== (i < ORDERS / 2 ? 201 : 200)) failures++;
    });
    const direct = await timed(ORDERS, CONCURRENCY, async (i) => {
      const w = write(i, 'direct');
      const now = Date.now();
      await storage.orders.upsertOrder(
        {
          id: w.id as OrderId,
          shopId,
          status: w.body.status,
          totalCents: w.body.totalCents,
          carrier: w.body.carrier,
          trackingNo: w.body.trackingNo,
          createdAt: Date.parse(w.body.createdAt),
          paidAt: Date.parse(w.body.paidAt),
          shippedAt: w.body.shippedAt === null ? null : Date.parse(w.body.shippedAt),
          items: w.body.items.map((x) => ({
            productId: x.productExternalId as ProductId,
            title: x.title,
            quantity: x.quantity,
            priceCents: x.priceCents,
          })),
        },
        (trx) => externalBuyerIn(trx, shopId, w.body.buyerExternalId, now),
        now,
      );
    });
    // Webhooks: every order write from here on is an event for the receiver.
    const receiver = await startReceiver();
    await storage.webhooks.create(
      shopId,
      { url: receiver.url, events: ['order.created', 'order.updated'], description: null, createdBy: null },
      Date.now(),
    );
    const put = async (w: ReturnType<typeof write>) => {
      const res = await fetch(`${url}/api/v1/orders/${w.id}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(w.body),
      });
      await res.arrayBuffer();
    };
    // Drain: EVENTS events queued while the dispatcher is stopped (as after a receiver's outage),
    // then delivered — one at a time per order (created, then shipped), 16 orders at once.
    await server.dispatcher.stop();
    await timed(EVENTS, CONCURRENCY, (i) =>
      put(write(i % 2 === 0 ? i / 2 : ORDERS / 2 + (i - 1) / 2, 'hook')),
    );
    const t0 = performance.now();
    server.dispatcher.start();
    await receiver.until(EVENTS);
    const hookSeconds = (performance.now() - t0) / 1000;
    const outOfOrder = (() => {
      const last = new Map<string, string>();
      let wrong = 0;
      for (const a of receiver.arrivals) {
        const e = JSON.parse(a.body) as { type: string; data: { order: { externalId: string } } };
        if (e.type === 'order.created' && last.has(e.data.order.externalId)) wrong++;
        last.set(e.data.order.externalId, e.type);
      }
      return wrong;
    })();
    // Live: a connector writing one order at a time; each event's way from the write to the receiver.
    const before = receiver.arrivals.length;
    await timed(LIVE_EVENTS, 1, (i) => put(write(i, 'live')));
    await receiver.until(before + LIVE_EVENTS);
    const lag = receiver.arrivals
      .slice(before)
      .map((a) => a.at - Date.parse((JSON.parse(a.body) as { createdAt: string }).createdAt));
    const bodies = receiver.arrivals.slice(0, EVENTS).map((a) => a.body);
    const directSeconds = await postAll(receiver.url, bodies, DISPATCH_WIDTH);
    await receiver.close();

    const perSecond = (r: { seconds: number }) => ORDERS / r.seconds;
    printTable(
      `integration: ${ORDERS} order upserts (half create, half replace), ${CONCURRENCY} at a time, SQLite`,
      [
        {
          label: 'upserts / s',
          ours: fmt(perSecond(http), 0),
          baseline: `${fmt(perSecond(direct), 0)} (storage layer)`,
          ratio: `${fmt(perSecond(http) / perSecond(direct), 2)}×`,
          note: `HTTP answers not as expected: ${failures}`,
        },
        {
          label: 'p50 / p99 (ms)',
          ours: `${fmt(quantile(http.times, 0.5), 2)} / ${fmt(quantile(http.times, 0.99), 2)}`,
          baseline: `${fmt(quantile(direct.times, 0.5), 2)} / ${fmt(quantile(direct.times, 0.99), 2)}`,
          ratio: '',
          note: '',
        },
        {
          label: 'webhook deliveries / s',
          ours: fmt(EVENTS / hookSeconds, 0),
          baseline: `${fmt(EVENTS / directSeconds, 0)} (same bodies straight to the receiver, ${DISPATCH_WIDTH} at a time)`,
          ratio: `${fmt(directSeconds / hookSeconds, 2)}×`,
          note: `${EVENTS} events queued, then drained (2 per order, in order); out of order: ${outOfOrder}`,
        },
        {
          label: 'fact → delivery p50 / p99 (ms)',
          ours: `${fmt(quantile(lag, 0.5), 1)} / ${fmt(quantile(lag, 0.99), 1)}`,
          baseline: '',
          ratio: '',
          note: `${LIVE_EVENTS} writes one after another: each event's createdAt (the write) to its arrival`,
        },
      ],
    );
  } finally {
    await server.close();
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
