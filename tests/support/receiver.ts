/** Issue #16: a shop's receiving system in tests — a real local HTTP server for webhook deliveries. */
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: Record<string, string | string[] | undefined>;
  raw: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  answered: number;
}

/** A shop's receiving system: records every request, answers 500 to the first `failFirst`. */
export class Receiver {
  readonly requests: Received[] = [];
  failFirst = 0;
  private server!: Server;
  private waiters: { test: (r: Received) => boolean; resolve: (r: Received) => void }[] = [];

  async start(): Promise<string> {
    this.server = createHttpServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const answered = this.requests.length < this.failFirst ? 500 : 200;
        const r: Received = { headers: req.headers, raw, body: JSON.parse(raw), answered };
        this.requests.push(r);
        res
          .writeHead(answered, { 'content-type': 'text/plain' })
          .end(answered === 200 ? 'ok' : 'down for a moment');
        for (const w of [...this.waiters])
          if (answered === 200 && w.test(r)) {
            this.waiters.splice(this.waiters.indexOf(w), 1);
            w.resolve(r);
          }
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/xiaoer-events`;
  }

  /** Resolves when a delivery that `test` accepts is answered 200 (it may have come already). */
  next(test: (r: Received) => boolean): Promise<Received> {
    const seen = this.requests.find((r) => r.answered === 200 && test(r));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }

  /** What the receiver took: one per event id (a receiver keeps the ids it handled). */
  delivered(): Received[] {
    return this.requests.filter((r) => r.answered === 200);
  }

  async stop(): Promise<void> {
    await new Promise((r) => this.server.close(r));
  }
}
