import { randomBytes, randomUUID } from 'node:crypto';
import { subscribes, type ShopId, type WebhookEventType } from '@xiaoer/core';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Engine } from './db';
import type { Database, WebhookDeliveriesTable } from './schema';

/** A shop's endpoint as listed (the secret only when it is made). */
export interface WebhookInfo {
  id: string;
  shopId: ShopId;
  url: string;
  events: string[];
  description: string | null;
  createdAt: number;
  createdBy: string | null;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One event for one endpoint, as the log shows it and the dispatcher sends it. */
export interface WebhookDelivery {
  seq: number;
  webhookId: string;
  shopId: ShopId;
  eventId: string;
  type: string;
  orderKey: string;
  /** The exact JSON posted and signed. */
  body: string;
  createdAt: number;
  status: DeliveryStatus;
  attempts: number;
  nextAt: number;
  lastAttemptAt: number | null;
  lastStatus: number | null;
  lastError: string | null;
  deliveredAt: number | null;
  replayOf: number | null;
}

/** A fact to tell the shop's endpoints of, written in the fact's own transaction. */
export interface OutboxFact {
  shopId: ShopId;
  type: WebhookEventType;
  /** Deliveries with the same key go out in order: `conversation:<id>`, `order:<externalId>`. */
  orderKey: string;
  at: number;
  /** The event's `data`, built only when an endpoint hears it (it may read in the transaction). */
  data: (trx: Kysely<Database>) => Promise<unknown> | unknown;
}

const toDelivery = (r: Selectable<WebhookDeliveriesTable>): WebhookDelivery => ({
  seq: Number(r.seq),
  webhookId: r.webhook_id,
  shopId: r.shop_id as ShopId,
  eventId: r.event_id,
  type: r.type,
  orderKey: r.order_key,
  body: r.body,
  createdAt: Number(r.created_at),
  status: r.status as DeliveryStatus,
  attempts: Number(r.attempts),
  nextAt: Number(r.next_at),
  lastAttemptAt: r.last_attempt_at === null ? null : Number(r.last_attempt_at),
  lastStatus: r.last_status === null ? null : Number(r.last_status),
  lastError: r.last_error,
  deliveredAt: r.delivered_at === null ? null : Number(r.delivered_at),
  replayOf: r.replay_of === null ? null : Number(r.replay_of),
});

/** A new event: its id and the exact body every endpoint is sent (and that is signed). */
function envelope(
  type: string,
  shopId: ShopId,
  at: number,
  data: unknown,
): { eventId: string; body: string } {
  const eventId = `evt_${randomUUID().replace(/-/g, '')}`;
  const body = JSON.stringify({ id: eventId, type, createdAt: new Date(at).toISOString(), shopId, data });
  return { eventId, body };
}

/** Whether any of a shop's live endpoints (their `events` column) hears `type`. */
export function anyListens(hooks: readonly { events: string }[], type: string): boolean {
  return hooks.some((h) => subscribes(JSON.parse(h.events) as string[], type));
}

/**
 * Issue #16: the shops' webhook endpoints and the outbox. `enqueueIn` is called inside the
 * transaction that writes a fact (a message, an assignment, an order…), so an event exists exactly
 * when its fact does; the dispatcher claims due deliveries — only the oldest pending one of each
 * endpoint's chain (conversation, order), so a chain arrives in order — and records each try.
 */
export class WebhookRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly engine: Engine,
  ) {}

  /** Whether this process queued a delivery since `takeQueued` was last asked (a hint, not a count). */
  private queued = false;

  /**
   * Whether deliveries were queued here since the last call: the dispatcher is woken only then, so a
   * shop without webhooks costs its messages nothing but the one look-up in their transaction.
   */
  takeQueued(): boolean {
    const queued = this.queued;
    this.queued = false;
    return queued;
  }

  async create(
    shopId: ShopId,
    fields: { url: string; events: readonly string[]; description: string | null; createdBy: string | null },
    now: number,
  ): Promise<{ info: WebhookInfo; secret: string }> {
    const id = `wh_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
    const secret = `whsec_${randomBytes(24).toString('base64url')}`;
    await this.db
      .insertInto('webhooks')
      .values({
        id,
        shop_id: shopId,
        url: fields.url,
        events: JSON.stringify(fields.events),
        secret,
        description: fields.description,
        created_at: now,
        created_by: fields.createdBy,
        deleted_at: null,
      })
      .execute();
    return {
      secret,
      info: {
        id,
        shopId,
        url: fields.url,
        events: [...fields.events],
        description: fields.description,
        createdAt: now,
        createdBy: fields.createdBy,
      },
    };
  }

  async list(shopId: ShopId): Promise<(WebhookInfo & { pending: number; failed: number })[]> {
    const rows = await this.db
      .selectFrom('webhooks')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('deleted_at', 'is', null)
      .orderBy('created_at')
      .execute();
    const counts = await this.db
      .selectFrom('webhook_deliveries')
      .select(['webhook_id', 'status', (eb) => eb.fn.countAll<number>().as('n')])
      .where('shop_id', '=', shopId)
      .where('status', 'in', ['pending', 'failed'])
      .groupBy(['webhook_id', 'status'])
      .execute();
    const count = (id: string, status: string) =>
      Number(counts.find((c) => c.webhook_id === id && c.status === status)?.n ?? 0);
    return rows.map((r) => ({
      id: r.id,
      shopId: r.shop_id as ShopId,
      url: r.url,
      events: JSON.parse(r.events) as string[],
      description: r.description,
      createdAt: Number(r.created_at),
      createdBy: r.created_by,
      pending: count(r.id, 'pending'),
      failed: count(r.id, 'failed'),
    }));
  }

  /** A live endpoint of the shop with its secret (to sign with), or undefined. */
  async find(shopId: ShopId, id: string): Promise<(WebhookInfo & { secret: string }) | undefined> {
    const r = await this.db
      .selectFrom('webhooks')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return (
      r && {
        id: r.id,
        shopId: r.shop_id as ShopId,
        url: r.url,
        events: JSON.parse(r.events) as string[],
        description: r.description,
        createdAt: Number(r.created_at),
        createdBy: r.created_by,
        secret: r.secret,
      }
    );
  }

  /** Deletes an endpoint: nothing more is queued for it, and what was pending is dropped. */
  async remove(shopId: ShopId, id: string, now: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const r = await trx
        .updateTable('webhooks')
        .set({ deleted_at: now })
        .where('shop_id', '=', shopId)
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) return false;
      await trx
        .updateTable('webhook_deliveries')
        .set({ status: 'failed', last_error: 'endpoint deleted', claimed_until: null })
        .where('webhook_id', '=', id)
        .where('status', '=', 'pending')
        .execute();
      return true;
    });
  }

  /**
   * Queues `fact` for every endpoint of its shop that hears it, inside `trx` (the transaction that
   * writes the fact). One select when no endpoint does; returns how many deliveries were queued.
   */
  async enqueueIn(trx: Kysely<Database>, fact: OutboxFact): Promise<number> {
    const hooks = await trx
      .selectFrom('webhooks')
      .select(['id', 'events'])
      .where('shop_id', '=', fact.shopId)
      .where('deleted_at', 'is', null)
      .execute();
    const targets = hooks.filter((h) => subscribes(JSON.parse(h.events) as string[], fact.type));
    if (targets.length === 0) return 0;
    const { eventId, body } = envelope(fact.type, fact.shopId, fact.at, await fact.data(trx));
    await trx
      .insertInto('webhook_deliveries')
      .values(
        targets.map((h) =>
          this.fresh(fact.shopId, h.id, eventId, fact.type, fact.orderKey, body, fact.at, null),
        ),
      )
      .execute();
    this.queued = true;
    return targets.length;
  }

  /**
   * Issue #19: withdraws a step's delivery not yet sent (its workflow ended without it); one already
   * claimed goes out, and the `aftersales.undo` queued after it on the same chain follows it.
   */
  async withdrawStepIn(trx: Kysely<Database>, shopId: ShopId, orderKey: string, stepId: string, now: number) {
    await trx
      .updateTable('webhook_deliveries')
      .set({
        status: 'failed',
        last_error: 'withdrawn: the workflow ended before this step was sent',
        last_attempt_at: now,
      })
      .where('shop_id', '=', shopId)
      .where('order_key', '=', orderKey)
      .where('type', '=', 'aftersales.step')
      .where('status', '=', 'pending')
      // not in a node's hands right now (that try goes out; the undo follows it on the chain)
      .where((w) => w.or([w('claimed_until', 'is', null), w('claimed_until', '<=', now)]))
      .where('body', 'like', `%"step":{"id":"${stepId}"%`)
      .execute();
  }

  /** Issue #19: whether any endpoint of the shop hears `type` (a connector listening for steps). */
  async listens(trx: Kysely<Database>, shopId: ShopId, type: string): Promise<boolean> {
    const hooks = await trx
      .selectFrom('webhooks')
      .select('events')
      .where('shop_id', '=', shopId)
      .where('deleted_at', 'is', null)
      .execute();
    return anyListens(hooks, type);
  }

  /** A test event for one endpoint (`webhook.ping`), queued now. */
  async ping(shopId: ShopId, webhookId: string, now: number): Promise<WebhookDelivery> {
    const { eventId, body } = envelope('webhook.ping', shopId, now, { webhookId });
    const row = await this.db
      .insertInto('webhook_deliveries')
      .values(this.fresh(shopId, webhookId, eventId, 'webhook.ping', `ping:${eventId}`, body, now, null))
      .returningAll()
      .executeTakeFirstOrThrow();
    this.queued = true;
    return toDelivery(row);
  }

  /**
   * Sends a delivery again (the console's replay): a new delivery of the same event — same event id,
   * so a receiver that already took it can tell — queued now, after the chain's pending ones.
   */
  async replay(
    shopId: ShopId,
    webhookId: string,
    seq: number,
    now: number,
  ): Promise<WebhookDelivery | undefined> {
    const original = await this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('webhook_id', '=', webhookId)
      .where('seq', '=', seq)
      .executeTakeFirst();
    if (!original) return undefined;
    const row = await this.db
      .insertInto('webhook_deliveries')
      .values(
        this.fresh(
          shopId,
          webhookId,
          original.event_id,
          original.type,
          original.order_key,
          original.body,
          now,
          Number(original.seq),
        ),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    this.queued = true;
    return toDelivery(row);
  }

  /** A delivery row, pending and due at `now`. */
  private fresh(
    shopId: ShopId,
    webhookId: string,
    eventId: string,
    type: string,
    orderKey: string,
    body: string,
    now: number,
    replayOf: number | null,
  ) {
    return {
      webhook_id: webhookId,
      shop_id: shopId,
      event_id: eventId,
      type,
      order_key: orderKey,
      body,
      created_at: now,
      status: 'pending',
      attempts: 0,
      next_at: now,
      claimed_by: null,
      claimed_until: null,
      last_attempt_at: null,
      last_status: null,
      last_error: null,
      delivered_at: null,
      replay_of: replayOf,
    };
  }

  /** The delivery log of an endpoint, newest first, `before` a seq for the next page. */
  async deliveries(
    shopId: ShopId,
    webhookId: string,
    options: { limit: number; before?: number; status?: DeliveryStatus },
  ): Promise<WebhookDelivery[]> {
    let q = this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('webhook_id', '=', webhookId);
    if (options.before !== undefined) q = q.where('seq', '<', options.before);
    if (options.status) q = q.where('status', '=', options.status);
    return (await q.orderBy('seq', 'desc').limit(options.limit).execute()).map(toDelivery);
  }

  /**
   * Claims up to `limit` due deliveries for `nodeId` until `now + leaseMs`: the oldest pending one of
   * each endpoint's chain only (a later one waits until the earlier is delivered or given up), none
   * another node holds.
   */
  async claimDue(
    nodeId: string,
    now: number,
    leaseMs: number,
    limit: number,
  ): Promise<(WebhookDelivery & { url: string; secret: string })[]> {
    const rows = await this.db
      .updateTable('webhook_deliveries')
      .set({ claimed_by: nodeId, claimed_until: now + leaseMs })
      .where('seq', 'in', (eb) => {
        const due = eb
          .selectFrom('webhook_deliveries as d')
          .select('d.seq')
          .where('d.status', '=', 'pending')
          .where('d.next_at', '<=', now)
          .where((w) => w.or([w('d.claimed_until', 'is', null), w('d.claimed_until', '<=', now)]))
          .where(({ not, exists, selectFrom }) =>
            not(
              exists(
                selectFrom('webhook_deliveries as e')
                  .select('e.seq')
                  .whereRef('e.webhook_id', '=', 'd.webhook_id')
                  .whereRef('e.order_key', '=', 'd.order_key')
                  .where('e.status', '=', 'pending')
                  .whereRef('e.seq', '<', 'd.seq'),
              ),
            ),
          )
          .orderBy('d.seq')
          .limit(limit);
        return this.engine === 'postgres' ? due.forUpdate().skipLocked() : due;
      })
      .returningAll()
      .execute();
    if (rows.length === 0) return [];
    const hooks = await this.db
      .selectFrom('webhooks')
      .select(['id', 'url', 'secret'])
      .where('id', 'in', [...new Set(rows.map((r) => r.webhook_id))])
      .execute();
    const byId = new Map(hooks.map((h) => [h.id, h]));
    return rows
      .map(toDelivery)
      .sort((a, b) => a.seq - b.seq)
      .flatMap((d) => {
        const hook = byId.get(d.webhookId);
        return hook ? [{ ...d, url: hook.url, secret: hook.secret }] : [];
      });
  }

  /**
   * Tries answered 2xx with `status`: delivered (those `nodeId` still holds), in one statement for
   * the lot. Returns how many were.
   */
  async delivered(seqs: readonly number[], nodeId: string, now: number, status: number): Promise<number> {
    if (seqs.length === 0) return 0;
    const r = await this.db
      .updateTable('webhook_deliveries')
      .set({
        status: 'delivered',
        attempts: sql<number>`attempts + 1`,
        last_attempt_at: now,
        last_status: status,
        last_error: null,
        delivered_at: now,
        claimed_until: null,
      })
      .where('seq', 'in', seqs)
      .where('claimed_by', '=', nodeId)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /** A try failed: again at `retryAt`, or given up (failed) when that is null. */
  async failed(
    seq: number,
    nodeId: string,
    now: number,
    outcome: { status: number | null; error: string },
    retryAt: number | null,
  ): Promise<void> {
    await this.db
      .updateTable('webhook_deliveries')
      .set({
        status: retryAt === null ? 'failed' : 'pending',
        attempts: sql<number>`attempts + 1`,
        last_attempt_at: now,
        last_status: outcome.status,
        last_error: outcome.error.slice(0, 500),
        next_at: retryAt ?? now,
        claimed_until: null,
      })
      .where('seq', '=', seq)
      .where('claimed_by', '=', nodeId)
      .where('status', '=', 'pending')
      .execute();
  }

  /** The soonest moment a pending delivery is due (for the dispatcher's next wake), or undefined. */
  async nextDue(): Promise<number | undefined> {
    const r = await this.db
      .selectFrom('webhook_deliveries')
      .select((eb) => eb.fn.min('next_at').as('at'))
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return r?.at === null || r?.at === undefined ? undefined : Number(r.at);
  }

  /** Forgets delivered and failed deliveries older than `before` (the log is kept 30 days). */
  async prune(before: number): Promise<number> {
    const r = await this.db
      .deleteFrom('webhook_deliveries')
      .where('status', 'in', ['delivered', 'failed'])
      .where('created_at', '<', before)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
