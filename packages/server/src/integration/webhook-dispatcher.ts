import { createHmac } from 'node:crypto';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { isLoopbackHost, isPrivateAddress, nextWebhookAttempt, type Clock, type Logger } from '@xiaoer/core';
import type { WebhookDelivery, WebhookRepository } from '../storage/webhook.repository';

/** `sha256=<hex HMAC-SHA256(secret, body)>`: the value of `X-Xiaoer-Signature`. */
export function signWebhook(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** What one try came to: an HTTP status (2xx is delivered), or an error before any. */
interface TryOutcome {
  status: number | null;
  error: string | null;
}

export interface SendRules {
  /** Whether loopback and private addresses may receive (names are checked as they resolve). */
  allowPrivate: boolean;
  /** xiaoer's own ports: refused on this machine whatever the name. */
  ownPorts: readonly number[];
  timeoutMs: number;
}

/**
 * A lookup that refuses what the URL check would have refused had the name been written as its
 * address (a name the shop controls can point anywhere, and change after it was checked).
 */
function guardedLookup(rules: SendRules, port: number): LookupFunction {
  return ((hostname: string, options: object, callback: (...args: unknown[]) => void) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error);
      const refused = addresses.find(
        (a) =>
          (!rules.allowPrivate && isPrivateAddress(a.address)) ||
          (isLoopbackHost(a.address) && rules.ownPorts.includes(port)),
      );
      if (refused) return callback(new Error(`${hostname} resolves to ${refused.address}, which is refused`));
      if ((options as { all?: boolean }).all) return callback(null, addresses);
      return callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  }) as LookupFunction;
}

/** POSTs `body` to `url`: the status, or why there was none. Redirects are not followed. */
export function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  rules: SendRules,
): Promise<TryOutcome> {
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return resolve({ status: null, error: 'invalid URL' });
    }
    const secure = target.protocol === 'https:';
    const port = Number(target.port || (secure ? 443 : 80));
    const request = (secure ? https : http).request(
      target,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'xiaoer-webhooks/1',
          ...headers,
        },
        lookup: guardedLookup(rules, port),
        timeout: rules.timeoutMs,
      },
      (response) => {
        // The answer's body is not needed; a little is read for the log, the rest dropped.
        let seen = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          if (seen.length < 200) seen += chunk.slice(0, 200 - seen.length);
        });
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          resolve({
            status,
            error: status >= 200 && status < 300 ? null : `HTTP ${status}${seen ? `: ${seen}` : ''}`,
          });
        });
        response.on('error', (error) =>
          resolve({ status: response.statusCode ?? null, error: error.message }),
        );
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${rules.timeoutMs} ms`)));
    request.on('error', (error) => resolve({ status: null, error: error.message }));
    request.end(body);
  });
}

export interface DispatcherOptions {
  webhooks: WebhookRepository;
  clock: Clock;
  nodeId: string;
  rules: SendRules;
  /** How often due deliveries are looked for besides the kicks (a retry comes due, another node wrote). */
  pollMs?: number;
  /** How long a claim holds; a node that dies mid-try leaves the delivery to another after this. */
  leaseMs?: number;
  /** Deliveries claimed (and sent at once, each to its own chain) per query. */
  batch?: number;
  /** Where a failed pass is told. */
  logger: Logger;
}

/**
 * Issue #16: delivers the outbox (worker role). Claims due deliveries — the oldest pending one of
 * each endpoint's chain — posts each signed, and records the try: 2xx delivered; anything else tried
 * again with backoff for more than a day, then failed (and the chain goes on). Any number of worker
 * nodes may run one; a claim is held by one node at a time.
 */
export class WebhookDispatcher {
  private running = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private ticking: Promise<void> | undefined;
  private again = false;
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private readonly batch: number;

  constructor(private readonly opts: DispatcherOptions) {
    this.pollMs = opts.pollMs ?? 1000;
    this.leaseMs = opts.leaseMs ?? Math.max(60_000, opts.rules.timeoutMs * 3);
    this.batch = opts.batch ?? 16;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.kick();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.ticking;
  }

  /** Something was queued: look now (called after the fact's transaction committed). */
  kick(): void {
    if (!this.running) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.ticking = this.runDue()
      .catch((error: unknown) => this.opts.logger.error('webhook pass failed', { err: error }))
      .then(() => {
        this.ticking = undefined;
        if (!this.running) return;
        if (this.again) {
          this.again = false;
          this.kick();
        } else {
          this.timer = setTimeout(() => this.kick(), this.pollMs);
          this.timer.unref();
        }
      });
  }

  /** Sends everything due now, chain by chain, until nothing is (tests call it with a fake clock). */
  async runDue(): Promise<number> {
    const { webhooks, clock, nodeId } = this.opts;
    let sent = 0;
    // Bounded, so a pass ends (and a stop is heard) even while a busy shop keeps queueing.
    for (let round = 0; round < 500; round++) {
      const claimed = await webhooks.claimDue(nodeId, clock.now(), this.leaseMs, this.batch);
      if (claimed.length === 0) break;
      // One per chain in a claim: they may all go at once; what was delivered is recorded in one
      // statement per answer status, each failure on its own (its retry time is its own).
      const tries = await Promise.all(claimed.map(async (d) => ({ d, outcome: await this.send(d) })));
      const now = clock.now();
      const byStatus = new Map<number, number[]>();
      for (const { d, outcome } of tries) {
        if (outcome.error === null && outcome.status !== null) {
          const seqs = byStatus.get(outcome.status) ?? [];
          seqs.push(d.seq);
          byStatus.set(outcome.status, seqs);
        } else
          await webhooks.failed(
            d.seq,
            nodeId,
            now,
            { status: outcome.status, error: outcome.error ?? 'no answer' },
            nextWebhookAttempt(d.attempts + 1, now),
          );
      }
      for (const [status, seqs] of byStatus) sent += await webhooks.delivered(seqs, nodeId, now, status);
    }
    return sent;
  }

  /** One try of one delivery. */
  private send(d: WebhookDelivery & { url: string; secret: string }): Promise<TryOutcome> {
    return postJson(
      d.url,
      d.body,
      {
        'x-xiaoer-event': d.type,
        'x-xiaoer-signature': signWebhook(d.secret, d.body),
        'x-xiaoer-delivery': String(d.seq),
        'x-xiaoer-event-id': d.eventId,
      },
      this.opts.rules,
    );
  }
}
