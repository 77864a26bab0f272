import type {
  AgentId,
  BotService,
  ChatService,
  Clock,
  ComplianceGuard,
  Logger,
  RoutingService,
  ShopId,
  TeamService,
} from '@xiaoer/core';
import type { ShopModels } from '../bot/model-provider';
import type { FaqCache } from '../bot/faq-cache';
import type { PeerBus } from '../cluster/bus';
import type { MetricsService } from '../metrics/metrics.service';
import type { PromiseWatch } from '../compliance/promise-watch';
import type { RateLimiterMemory } from 'rate-limiter-flexible';
import type { Config } from '../config';
import type { EventBus } from '../events/event-bus';
import type { Storage } from '../storage';
import type { AftersalesService } from '../aftersales/aftersales.service';
import type { JourneyRunner } from '../crm/journey-runner';

/** What routes and socket handlers are given: the composed services. */
export interface AppContext {
  config: Config;
  storage: Storage;
  chat: ChatService;
  /** RT-1 … RT-10: routing conversations to agents, agents' status, the queue, transfers. */
  routing: RoutingService;
  /** TEAM-1, TEAM-4: shops, owners, agents and their access. */
  team: TeamService;
  bot: BotService;
  /** Each shop's FAQ index, kept current as the console edits it. */
  faq: FaqCache;
  /** Issue #15: each shop's optional model provider (embeddings, drafts, suggestions). */
  models: ShopModels;
  /** CMP-1 … CMP-6: each shop's compiled checker, the log and recorded promises. */
  compliance: ComplianceGuard;
  /** Issue #19 (CMP-4): recorded promises checked against what happened. */
  promises: PromiseWatch;
  /** MET-1 … MET-7: roll-ups, figures, alerts. */
  metrics: MetricsService;
  events: EventBus;
  /** Issue #19: after-sales cases, their deadlines and workflows (AS-1 … AS-7). */
  aftersales: AftersalesService;
  /** Issue #21: journeys (CRM-2 … CRM-8): triggers and the runner. */
  journeys: JourneyRunner;
  /**
   * Issue #16: the outbox's dispatcher — `kick()` after a write that queued webhook events, so they go
   * out now rather than at the next poll (a hint: nothing is lost without it).
   */
  webhooks: { kick(): void };
  clock: Clock;
  /** The node's logger (LOG_LEVEL; every line names the node): `child({ shop })` for a shop's lines. */
  logger: Logger;
  /** Signs buyer tokens. */
  secret: string;
  /** What /ready checks: the database, and Redis in cluster mode. */
  probes: { database: () => Promise<unknown>; redis?: () => Promise<unknown> };
  /** This node: its name in the cluster, and whether it is shutting down (`/ready` says 503). */
  node: { id: string; draining: boolean };
  /**
   * RT-8 presence: agents' workbench sockets are counted (in this process, or across the cluster in
   * Redis); an agent is available only while one is connected, offline after a grace without.
   */
  presence: {
    connected(shopId: ShopId, agentId: AgentId): Promise<void>;
    disconnected(shopId: ShopId, agentId: AgentId): void;
    isPresent(shopId: ShopId, agentId: AgentId): Promise<boolean>;
  };
  /** Cluster mode: notices between nodes (a setting changed: drop what you cached). */
  peers?: PeerBus;
  /** Issue #14: ends the buyer's live widget sockets on every node (its tokens were revoked). */
  disconnectBuyer?: (buyerId: string) => void;
  /** Per-buyer message rate limit, shared by HTTP and WebSocket sends. */
  buyerMessageLimiter: RateLimiterMemory;
}
