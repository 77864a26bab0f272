import {
  DEFAULT_LOYALTY_LADDER,
  isNewCustomerPriority,
  tierOf,
  type LoyaltyLadder,
  routeStatusOf,
  type BuyerId,
  type ConversationId,
  type RoutingSettings,
  type RoutingSnapshot,
  type RoutingStore,
  type ShopId,
} from '@xiaoer/core';
import type { Kysely } from 'kysely';
import type { OrderRepository } from './order.repository';
import type { Database } from './schema';
import type { ShopRepository } from './shop.repository';

/** What routing reads, on Kysely (the same queries on SQLite and PostgreSQL). */
export class RoutingRepository implements RoutingStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly shops: ShopRepository,
    private readonly orders: OrderRepository,
  ) {}

  settings(shopId: ShopId): Promise<RoutingSettings> {
    return this.shops.findRoutingSettings(shopId);
  }

  /** Shops with conversations waiting unrouted (queued, never given a place): the sweep routes them. */
  async shopsWithUnrouted(): Promise<ShopId[]> {
    const rows = await this.db
      .selectFrom('conversations')
      .select('shop_id')
      .distinct()
      .where('status', '=', 'queued')
      .where('queued_at', 'is', null)
      .execute();
    return rows.map((r) => r.shop_id as ShopId);
  }

  async snapshot(shopId: ShopId, endedSince: number): Promise<RoutingSnapshot> {
    const open = await this.db
      .selectFrom('conversations')
      .select([
        'id',
        'buyer_id',
        'agent_id',
        'status',
        'queue_group',
        'queue_priority',
        'queued_at',
        'created_at',
      ])
      .where('shop_id', '=', shopId)
      .where('status', 'in', ['assigned', 'queued'])
      .execute();
    const snapshot: RoutingSnapshot = { assigned: [], queued: [], unrouted: [], lingering: [] };
    const byAge = (a: { at: number; id: string }, b: { at: number; id: string }) =>
      a.at - b.at || (a.id < b.id ? -1 : 1);
    const queued: { at: number; id: string; row: (typeof open)[number] }[] = [];
    const unrouted: { at: number; id: string; row: (typeof open)[number] }[] = [];
    for (const row of open) {
      if (row.status === 'assigned' && row.agent_id)
        snapshot.assigned.push({ conversationId: row.id, buyerId: row.buyer_id, agentId: row.agent_id });
      else if (row.status === 'queued' && row.queued_at !== null)
        queued.push({ at: Number(row.queued_at), id: row.id, row });
      else if (row.status === 'queued') unrouted.push({ at: Number(row.created_at), id: row.id, row });
    }
    snapshot.queued = queued.sort(byAge).map(({ at, row }) => ({
      conversationId: row.id,
      buyerId: row.buyer_id,
      queue: row.queue_group,
      priority: Number(row.queue_priority) === 1,
      queuedAt: at,
    }));
    snapshot.unrouted = unrouted
      .sort(byAge)
      .map(({ row }) => ({ conversationId: row.id, buyerId: row.buyer_id }));
    if (endedSince < Number.MAX_SAFE_INTEGER) {
      const ended = await this.db
        .selectFrom('conversations')
        .select(['agent_id', 'ended_at'])
        .where('shop_id', '=', shopId)
        .where('ended_at', '>', endedSince)
        .where('status', '=', 'ended')
        .where('agent_id', 'is not', null)
        .execute();
      snapshot.lingering = ended.map((r) => ({ agentId: r.agent_id!, endedAt: Number(r.ended_at) }));
    }
    return snapshot;
  }

  async buyerFacts(
    shopId: ShopId,
    buyerId: BuyerId,
    exceptConversation: ConversationId,
    since: number,
    now: number,
    withTier: boolean,
  ) {
    const [recent, orders, crm] = await Promise.all([
      this.db
        .selectFrom('conversations')
        .select(['agent_id', 'last_message_at'])
        .where('shop_id', '=', shopId)
        .where('buyer_id', '=', buyerId)
        .where('id', '!=', exceptConversation)
        .where('agent_id', 'is not', null)
        .where('last_message_at', '>=', since)
        .orderBy('last_message_at', 'desc')
        .limit(1)
        .executeTakeFirst(),
      this.orders.listBuyerOrders(shopId, buyerId, 0),
      // CRM-6: the shop's ladder, read only when routing puts a tier first.
      withTier
        ? this.db
            .selectFrom('crm_settings')
            .select('loyalty')
            .where('shop_id', '=', shopId)
            .executeTakeFirst()
        : Promise.resolve(undefined),
    ]);
    let tierRank = 0;
    if (withTier) {
      const paid = orders.filter((o) => o.paidAt !== null && o.status !== 'closed');
      const ladder = crm?.loyalty ? (JSON.parse(crm.loyalty) as LoyaltyLadder) : DEFAULT_LOYALTY_LADDER;
      tierRank = tierOf(ladder, {
        spentCents: paid.reduce((n, o) => n + o.totalCents, 0),
        orders: paid.length,
      }).rank;
    }
    return {
      orderStatus: routeStatusOf(orders[0]),
      newCustomer: isNewCustomerPriority(orders, now),
      tierRank,
      recentAgent: recent ? { agentId: recent.agent_id!, at: Number(recent.last_message_at) } : null,
    };
  }

  async countEndedSince(shopId: ShopId, since: number): Promise<{ ends: number; agents: number }> {
    const row = await this.db
      .selectFrom('conversations')
      .select((eb) => [
        eb.fn.countAll<number>().as('n'),
        eb.fn.count<number>('agent_id').distinct().as('agents'),
      ])
      .where('shop_id', '=', shopId)
      .where('ended_at', '>=', since)
      .executeTakeFirst();
    return { ends: Number(row?.n ?? 0), agents: Number(row?.agents ?? 0) };
  }
}
