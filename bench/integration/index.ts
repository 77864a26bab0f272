/**
 * bench/integration (issue #16): order upserts through the v1 API over HTTP with a key — validated,
 * authenticated, one transaction each (with the buyer found or created) — next to the same rows
 * written through the storage layer directly, in the same run, on one SQLite file. Half the
 * writes create an order, half replace one with a new status (the usual mix of a connector).
 *
 * Env: BENCH_INTEGRATION_ORDERS (4000), BENCH_INTEGRATION_CONCURRENCY (16).
 */
import { mkdtempSync, rmSync } from 'node:fs';
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
          note: 'webhook deliveries: not built yet (issue #16, next)',
        },
      ],
    );
  } finally {
    await server.close();
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
