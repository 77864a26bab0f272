import { ApiKeyRepository } from './api-key.repository';
import { randomIds } from '@xiaoer/core';
import { DemoMode } from '../demo/demo-mode';
import { AgentRepository } from './agent.repository';
import { BuyerRepository } from './buyer.repository';
import { ComplianceRepository } from './compliance.repository';
import { FaqRepository } from './faq.repository';
import { KyselyConversationStore } from './conversation.repository';
import { KvRepository } from './kv.repository';
import { openDatabase, type Db } from './db';
import { migrateToLatest } from './migrations';
import { MetricsRepository } from './metrics.repository';
import { OrderRepository } from './order.repository';
import { QuickReplyRepository } from './quick-reply.repository';
import { RoutingRepository } from './routing.repository';
import { SessionRepository } from './session.repository';
import { ShopRepository } from './shop.repository';
import { TimerRepository } from './timer.repository';
import { TeamRepository } from './team.repository';
import { UploadRepository } from './upload.repository';
import { WebhookRepository } from './webhook.repository';
import { ChannelRepository } from './channel.repository';
import { HistoryRepository } from './history.repository';
import { StaffingRepository } from './staffing.repository';
import { AftersalesRepository } from './aftersales.repository';
import { CrmRepository } from './crm.repository';
import { ReviewRepository } from './review.repository';
import { JourneyRepository } from './journey.repository';

/** Every repository over one database. */
export interface Storage {
  db: Db;
  shops: ShopRepository;
  agents: AgentRepository;
  buyers: BuyerRepository;
  orders: OrderRepository;
  conversations: KyselyConversationStore;
  quickReplies: QuickReplyRepository;
  sessions: SessionRepository;
  uploads: UploadRepository;
  faq: FaqRepository;
  routing: RoutingRepository;
  compliance: ComplianceRepository;
  metrics: MetricsRepository;
  timers: TimerRepository;
  /** Issue #14: keyed values with an expiry (used identity nonces). */
  kv: KvRepository;
  /** TEAM-1, TEAM-4: shops with owners, members and accounts, written all or nothing. */
  team: TeamRepository;
  /** Issue #16: the shops' keys for the v1 API. */
  apiKeys: ApiKeyRepository;
  /** Issue #16: the shops' webhook endpoints and the outbox of their events. */
  webhooks: WebhookRepository;
  /** Issue #16: platform message ids taken in through the channels API (dedupe). */
  channels: ChannelRepository;
  /** Issue #18: the chat history supervisors search. */
  history: HistoryRepository;
  /** Issue #18: the staffing planner's rota and the history it reads. */
  staffing: StaffingRepository;
  /** Issue #19: after-sales cases and the shops' after-sales settings. */
  aftersales: AftersalesRepository;
  /** Issue #21 (CRM-1): tags, notes, opt-outs, coupons and the shops' CRM settings. */
  crm: CrmRepository;
  /** Issue #21: reviews (CRM-7) and group buys (CRM-8) from the shop's systems. */
  reviews: ReviewRepository;
  /** Issue #21: journeys, their runs and sends. */
  journeys: JourneyRepository;
  /** Issue #13: whether the demo shop is served (`DEMO`, set at start; `auto` until then). */
  demo: DemoMode;
  close(): Promise<void>;
}

/** Opens and migrates the database at `url`, and builds the repositories. */
export async function openStorage(url: string, options: { poolSize?: number } = {}): Promise<Storage> {
  const db = openDatabase(url, options);
  await migrateToLatest(db);
  const k = db.kysely;
  const shops = new ShopRepository(k);
  // Issue #16: the repositories that write facts queue their webhook events in the same transaction.
  const webhooks = new WebhookRepository(k, db.engine);
  const orders = new OrderRepository(k, webhooks);
  return {
    db,
    shops,
    agents: new AgentRepository(k),
    buyers: new BuyerRepository(k),
    orders,
    conversations: new KyselyConversationStore(k, () => randomIds.next(), webhooks, db.sqlite),
    quickReplies: new QuickReplyRepository(k),
    sessions: new SessionRepository(k),
    uploads: new UploadRepository(k),
    faq: new FaqRepository(k),
    routing: new RoutingRepository(k, shops, orders),
    compliance: new ComplianceRepository(k, () => randomIds.next()),
    metrics: new MetricsRepository(k, webhooks),
    timers: new TimerRepository(k, db.engine),
    kv: new KvRepository(k),
    team: new TeamRepository(k),
    apiKeys: new ApiKeyRepository(k),
    webhooks,
    channels: new ChannelRepository(k),
    history: new HistoryRepository(k),
    staffing: new StaffingRepository(k),
    aftersales: new AftersalesRepository(k, db.engine),
    crm: new CrmRepository(k, webhooks),
    reviews: new ReviewRepository(k, () => randomIds.next(), webhooks),
    journeys: new JourneyRepository(k, db.engine),
    demo: new DemoMode(shops),
    close: () => db.close(),
  };
}

export { openDatabase, type Db } from './db';
export type { DurableTimer } from './timer.repository';
export type { ShopWithSecret } from './shop.repository';
export type {
  StoredJourney,
  StoredRun,
  JourneySend,
  JourneyStats,
  JourneyStatus,
} from './journey.repository';
export type { BuyerTag, BuyerNote, Coupon, CrmSettings, SegmentRow, TagSource } from './crm.repository';
export type { StoredReview, StoredGroupBuy, ReviewWithBuyer } from './review.repository';
export { publicShop } from './shop.repository';
