/**
 * A reference connector: receives a Shopify store's webhooks and writes what they say into xiaoer
 * through the v1 API — orders (with their shipments as tracking events), customers, products — so
 * xiaoer's bot answers buyers about their real orders (BOT-4) and routing sees their status (RT-3).
 *
 * Run it beside xiaoer (no dependencies beyond Node 20):
 *   XIAOER_URL=http://127.0.0.1:3000 XIAOER_API_KEY=xk_… SHOPIFY_WEBHOOK_SECRET=… PORT=3100 \
 *     npx tsx examples/shopify-connector/connector.ts
 * and point the store's webhooks (orders/create, orders/updated, orders/paid, orders/fulfilled,
 * orders/cancelled, customers/create, customers/update, products/create, products/update) at
 * http://<this host>:3100/shopify/webhooks. See README.md beside this file.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import {
  customerToXiaoer,
  orderToXiaoer,
  productToXiaoer,
  verifyShopify,
  type ShopifyCustomer,
  type ShopifyOrder,
  type ShopifyProduct,
} from './mapping';

export interface ConnectorOptions {
  /** xiaoer's base URL, such as http://127.0.0.1:3000. */
  xiaoerUrl: string;
  /** A write key of the shop (console → 集成 → API 密钥, or `npx xiaoer apikey create`). */
  xiaoerKey: string;
  /** The app's client secret, or the store's webhook signing key (Settings → Notifications → Webhooks). */
  shopifySecret: string;
  /** Where problems are told (default: stderr). */
  log?: (line: string) => void;
}

/** Shopify gives up on an endpoint that takes longer than 5 s; bodies stay far below this. */
const MAX_BODY = 2 * 1024 * 1024;

class Retry extends Error {}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The connector's HTTP server (not yet listening). */
export function createConnector(options: ConnectorOptions): Server {
  const log = options.log ?? ((line: string) => console.error(line));

  /** One v1 call; a 5xx or no answer is worth Shopify's retry, a 4xx is not (the data is wrong). */
  async function v1(method: 'PUT' | 'POST', path: string, body: unknown): Promise<void> {
    let res: Response;
    try {
      res = await fetch(new URL(path, options.xiaoerUrl), {
        method,
        headers: { authorization: `Bearer ${options.xiaoerKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(4000),
      });
    } catch (error) {
      throw new Retry(`xiaoer unreachable: ${(error as Error).message}`);
    }
    const text = await res.text();
    if (res.status >= 500 || res.status === 429) throw new Retry(`xiaoer ${res.status}: ${text}`);
    if (!res.ok) log(`xiaoer refused ${method} ${path}: ${res.status} ${text}`);
  }

  async function handle(topic: string, payload: unknown): Promise<void> {
    if (topic.startsWith('orders/')) {
      const { externalId, body, logistics } = orderToXiaoer(payload as ShopifyOrder);
      await v1('PUT', `/api/v1/orders/${encodeURIComponent(externalId)}`, body);
      if (logistics.length > 0)
        await v1('POST', `/api/v1/orders/${encodeURIComponent(externalId)}/logistics`, { events: logistics });
    } else if (topic.startsWith('customers/')) {
      const { externalId, body } = customerToXiaoer(payload as ShopifyCustomer);
      await v1('PUT', `/api/v1/buyers/${encodeURIComponent(externalId)}`, body);
    } else if (topic.startsWith('products/')) {
      for (const { externalId, body } of productToXiaoer(payload as ShopifyProduct))
        await v1('PUT', `/api/v1/products/${encodeURIComponent(externalId)}`, body);
    }
    // Other topics are not xiaoer's business: answered 200 and left.
  }

  return createServer(async (req, res) => {
    if (req.method !== 'POST' || req.url?.split('?')[0] !== '/shopify/webhooks') {
      res.writeHead(404).end();
      return;
    }
    try {
      const raw = await readBody(req);
      const hmac = req.headers['x-shopify-hmac-sha256'];
      if (!verifyShopify(raw, typeof hmac === 'string' ? hmac : undefined, options.shopifySecret)) {
        res.writeHead(401).end('bad signature');
        return;
      }
      const topic = String(req.headers['x-shopify-topic'] ?? '');
      await handle(topic, JSON.parse(raw.toString('utf8')));
      res.writeHead(200).end('ok');
    } catch (error) {
      // Shopify tries again (up to 8 times over 4 hours) on anything but 2xx: only when it may help.
      if (error instanceof Retry) {
        log(error.message);
        res.writeHead(503).end('try again');
      } else {
        log(`dropped: ${(error as Error).message}`);
        res.writeHead(400).end('unreadable');
      }
    }
  });
}

// Run directly: configured from the environment.
if (import.meta.url === `file://${process.argv[1]}`) {
  const need = (name: string) => {
    const value = process.env[name];
    if (!value) throw new Error(`set ${name}`);
    return value;
  };
  const port = Number(process.env.PORT ?? 3100);
  createConnector({
    xiaoerUrl: need('XIAOER_URL'),
    xiaoerKey: need('XIAOER_API_KEY'),
    shopifySecret: need('SHOPIFY_WEBHOOK_SECRET'),
  }).listen(port, () => console.error(`shopify connector on :${port}/shopify/webhooks`));
}
