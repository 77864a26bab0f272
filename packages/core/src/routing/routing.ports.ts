import type { BuyerId, ConversationId, ShopId } from '../kernel';
import type { QueuedConversation } from './router';
import type { RouteStatus, RoutingSettings } from './routing.types';

/**
 * Serializes a shop's routing steps so caps hold and nothing is assigned twice (RT-4): in process
 * on one node, across nodes in a cluster.
 */
export interface ShopLock {
  run<T>(shopId: ShopId, fn: () => Promise<T>): Promise<T>;
}

/** What the routing engine starts from, read under the shop's lock (RT-4, RT-9). */
export interface RoutingSnapshot {
  /** Open conversations held by agents. */
  assigned: { conversationId: string; buyerId: string; agentId: string }[];
  /** Routed queued conversations, oldest first. */
  queued: QueuedConversation[];
  /** Queued conversations not routed yet (just opened or handed off), oldest first. */
  unrouted: { conversationId: string; buyerId: string }[];
  /** RT-9: conversations ended since the linger window began, with their agents. */
  lingering: { agentId: string; endedAt: number }[];
}

/** What routing reads besides agents (RT-1, RT-3, RT-7, RT-9). Every method takes the shop first. */
export interface RoutingStore {
  settings(shopId: ShopId): Promise<RoutingSettings>;
  snapshot(shopId: ShopId, endedSince: number): Promise<RoutingSnapshot>;
  /**
   * RT-1: the human agent the buyer last talked to since `since` (a conversation an agent held,
   * other than `exceptConversation`, by its last message), RT-3: the buyer's latest order status,
   * RT-7: whether the buyer is a new customer.
   */
  buyerFacts(
    shopId: ShopId,
    buyerId: BuyerId,
    exceptConversation: ConversationId,
    since: number,
    now: number,
    /** CRM-6: whether the tier is wanted (the shop's routing puts a tier first). */
    withTier: boolean,
  ): Promise<{
    orderStatus: RouteStatus;
    newCustomer: boolean;
    /** CRM-6: the buyer's loyalty tier rank under the shop's ladder (0: none). */
    tierRank: number;
    recentAgent: { agentId: string; at: number } | null;
  }>;
  /** Conversations ended since a time, and by how many agents (the queue's pace, for wait estimates). */
  countEndedSince(shopId: ShopId, since: number): Promise<{ ends: number; agents: number }>;
}
