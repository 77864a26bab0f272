import type { Generated } from 'kysely';

/** Table shapes. Times are epoch milliseconds (bigint columns); booleans are 0/1; JSON is text. */
export interface ShopsTable {
  id: string;
  slug: string;
  name: string;
  secret: string;
  time_zone: string;
  service_hours: string;
  created_at: number;
  /** JSON BotSettings; null: the bot is off. */
  bot_settings: string | null;
  /** Issue #15: the shop's model provider (JSON ModelSettings, the key included); null: none. */
  model_settings: string | null;
  routing_settings: string | null;
  /** JSON ComplianceSettings; null: the defaults. */
  compliance_settings: string | null;
  /** JSON MetricsSettings; null: the defaults. */
  metrics_settings: string | null;
  /** Issue #19: JSON AftersalesSettings (the platform's deadlines, the shop's floors); null: defaults. */
  aftersales_settings: string | null;
  /** TEAM-4: the organisation the shop belongs to. */
  org_id: string | null;
  /** 1 for the demo shop (served by /demo only while demo mode is on). */
  is_demo: Generated<number>;
  /** The first line a new buyer reads (null: the default). */
  welcome_message: string | null;
}
/** TEAM-4: a company (a brand, or an outsourced service centre) holding shops and accounts. */
export interface OrganisationsTable {
  id: string;
  name: string;
  /** The account that made it: manages every shop and account of the organisation. */
  owner_id: string | null;
  created_at: number;
}
/** A person who logs in (TEAM-4: one account serves any number of the organisation's shops). */
export interface AccountsTable {
  id: string;
  org_id: string;
  email: string;
  name: string;
  password_hash: string;
  disabled_at: number | null;
  created_at: number;
}
/** An account's place in one shop: role (TEAM-1), cap (RT-4), routing flag (RT-6), status (RT-8). */
export interface MembershipsTable {
  shop_id: string;
  agent_id: string;
  role: string;
  /** What routing reads: offline whenever the agent is not here. */
  status: string;
  /** What the agent chose; given back when they are here again (RT-8). */
  chosen_status: string;
  max_concurrent: number;
  takes_routing: number;
  disabled_at: number | null;
  created_at: number;
}
export interface SessionsTable {
  token_hash: string;
  agent_id: string;
  shop_id: string;
  created_at: number;
  expires_at: number;
}
export interface BuyersTable {
  id: string;
  shop_id: string;
  external_id: string | null;
  visitor_id: string | null;
  nick: string;
  phone: string | null;
  created_at: number;
  last_seen_at: number;
  /** Issue #14: tokens of an older generation are revoked. */
  token_gen: Generated<number>;
}
export interface ProductsTable {
  id: string;
  shop_id: string;
  title: string;
  price_cents: number;
  image_url: string | null;
  /** Issue #16: when the shop last wrote it (0: before the API). */
  updated_at: number;
  /** AS-1 (issue #19): fresh food, fruit, virtual, custom-made — no return for no reason. 0/1. */
  special: Generated<number>;
}
/** Issue #19: an after-sales case (AS-1 … AS-7); `data` is the whole case as the engine keeps it. */
export interface AftersalesCasesTable {
  id: string;
  shop_id: string;
  /** The platform's id of the request, when a connector reported it. */
  external_id: string | null;
  order_id: string;
  buyer_id: string;
  conversation_id: string | null;
  kind: string;
  purpose: string;
  status: string;
  /** 1 while open, null once finished: a unique index keeps one open case per order and purpose. */
  open: number | null;
  holder: string | null;
  urgent: number;
  /** The armed deadline (null: none). */
  due_at: number | null;
  due_kind: string | null;
  flagged: string | null;
  reason: string;
  opened_by: string;
  opened_at: number;
  finished_at: number | null;
  updated_at: number;
  /** Optimistic concurrency: each write expects the version it read. */
  version: number;
  /** The buyer's 1–5 rating of how the case was handled (AS-3). */
  rating: number | null;
  /** JSON: {case, workflow, evidence}. */
  data: string;
}
export interface OrdersTable {
  id: string;
  shop_id: string;
  buyer_id: string;
  status: string;
  total_cents: number;
  carrier: string | null;
  tracking_no: string | null;
  created_at: number;
  paid_at: number | null;
  shipped_at: number | null;
  /** JSON: OrderItem[] */
  items: string;
  /** JSON: LogisticsEvent[] */
  logistics: string;
  /** Issue #16: when the shop last wrote it. */
  updated_at: number;
}
export interface ConversationsTable {
  id: string;
  shop_id: string;
  buyer_id: string;
  status: string;
  /** 1 while not ended: a unique index on (shop_id, buyer_id, open) keeps one open conversation per buyer. */
  open: number | null;
  agent_id: string | null;
  last_seq: number;
  created_at: number;
  assigned_at: number | null;
  ended_at: number | null;
  last_message_at: number;
  last_message_preview: string;
  waiting_since: number | null;
  agent_unread: number;
  buyer_unread: number;
  agent_read_seq: number;
  buyer_read_seq: number;
  bot_misses: Generated<number>;
  spam_reason: string | null;
  /** SPAM-1: who reported the buyer as an advertiser (migration 0020). */
  reported_by: string | null;
  assign_reason: string | null;
  queue_group: string | null;
  queue_priority: Generated<number>;
  queued_at: number | null;
  /** Issue #16: the platform channel the buyer last wrote from; null: the widget. */
  channel: string | null;
}
export interface MessagesTable {
  id: string;
  shop_id: string;
  conversation_id: string;
  seq: number;
  client_id: string;
  sender: string;
  sender_id: string | null;
  kind: string;
  /** JSON body */
  body: string;
  created_at: number;
}
export interface QuickRepliesTable {
  id: string;
  shop_id: string;
  owner_id: string | null;
  title: string;
  text: string;
  image_url: string | null;
  created_at: number;
}
export interface UploadsTable {
  id: string;
  shop_id: string;
  content_type: string;
  size: number;
  data: Uint8Array;
  uploaded_by: string;
  created_at: number;
  /** Issue #14: when the orphan sweep found it in use (null: not yet looked at, or still young). */
  kept_at: number | null;
}
export interface FaqEntriesTable {
  id: string;
  shop_id: string;
  question: string;
  /** JSON string[] */
  similar: string;
  answer: string;
  category: string;
  enabled: number;
  /** JSON string[] of catalogue intent ids (issue #15); null: suggested from the wording. */
  intents: string | null;
  created_at: number;
  updated_at: number;
}
export interface KvTable {
  key: string;
  value: string;
  /** Issue #14: when the key may be forgotten (null: kept). */
  expires_at: number | null;
}

/** The whole database. */
export interface ComplianceLogTable {
  id: string;
  shop_id: string;
  agent_id: string;
  conversation_id: string | null;
  buyer_id: string | null;
  /** blocked | confirmed | proactive_refused */
  action: string;
  verdict: string;
  /** JSON rule ids, e.g. ["CMP-3"] */
  rules: string;
  /** JSON Finding[] */
  findings: string;
  text: string;
  created_at: number;
  /** Issue #17: correct | wrong, null until a supervisor reviews it. */
  review: string | null;
  reviewed_by: string | null;
  reviewed_at: number | null;
}
export interface OrderPromisesTable {
  id: string;
  shop_id: string;
  buyer_id: string;
  order_id: string | null;
  conversation_id: string;
  agent_id: string;
  message_seq: number;
  kind: string;
  detail: string;
  due_at: number | null;
  created_at: number;
  /** Issue #19 (CMP-4): pending, at-risk, kept, broken or void. */
  status: Generated<string>;
  reason: string | null;
  checked_at: number | null;
  at_risk_at: number | null;
  settled_at: number | null;
}
export interface ProactiveMessagesTable {
  id: string;
  shop_id: string;
  buyer_id: string;
  agent_id: string;
  conversation_id: string;
  sent_at: number;
}
export interface MetricBuyerDaysTable {
  shop_id: string;
  day: string;
  buyer_id: string;
  conversation_id: string;
  first_at: number;
  window_at: number | null;
  replied_at: number | null;
  replied_by: string | null;
}
export interface MetricTimingsTable {
  conversation_id: string;
  shop_id: string;
  first_buyer_at: number | null;
  first_reply_at: number | null;
  waiting_since: number | null;
  updated_at: number;
}
export interface MetricResponsesTable {
  shop_id: string;
  day: string;
  responder: string;
  first: number;
  bucket: number;
  count: number;
  sum_ms: number;
}
/** Issue #20: a closed day's trend counts (null figures or basis: not counted, or stale). */
export interface MetricRangeDaysTable {
  shop_id: string;
  day: string;
  version: number;
  basis: string | null;
  day_start: number;
  day_end: number;
  attribution_end: number;
  consultations: number | null;
  inquiries: number | null;
  replied: number | null;
  converted: number | null;
  responses: number | null;
  response_ms: number | null;
}
export interface ConversationRatingsTable {
  conversation_id: string;
  shop_id: string;
  buyer_id: string;
  agent_id: string | null;
  score: number;
  comment: string | null;
  day: string;
  created_at: number;
}
export interface QualityReviewsTable {
  conversation_id: string;
  shop_id: string;
  agent_id: string;
  reviewer_id: string;
  attitude: number;
  accuracy: number;
  compliance: number;
  solved: number;
  note: string | null;
  day: string;
  created_at: number;
}
/** Durable timers (ARCHITECTURE.md "Durable timers"): claimed by one node, kept once fired. */
export interface TimersTable {
  id: string;
  kind: string;
  shop_id: string | null;
  due_at: number;
  payload: string;
  attempts: number;
  claimed_by: string | null;
  claimed_until: number | null;
  fired_at: number | null;
  fired_by: string | null;
  last_error: string | null;
  created_at: number;
}

/** Issue #16: a shop's key for the v1 API; only the SHA-256 of the key is kept. */
export interface ApiKeysTable {
  id: string;
  shop_id: string;
  name: string;
  /** The key's first characters, shown to tell keys apart. */
  prefix: string;
  key_hash: string;
  /** Comma-separated: read, write. */
  scopes: string;
  created_at: number;
  created_by: string | null;
  last_used_at: number | null;
  revoked_at: number | null;
}

/** Issue #16: a shop's webhook endpoint. */
export interface WebhooksTable {
  id: string;
  shop_id: string;
  url: string;
  /** JSON array of event types, or ["*"]. */
  events: string;
  /** Signs each delivery (HMAC-SHA256); shown once, when the endpoint is made. */
  secret: string;
  description: string | null;
  created_at: number;
  created_by: string | null;
  deleted_at: number | null;
}

/** Issue #16: the outbox — one event for one endpoint, from the fact's transaction to its delivery. */
export interface WebhookDeliveriesTable {
  seq: Generated<number>;
  webhook_id: string;
  shop_id: string;
  event_id: string;
  type: string;
  /** Deliveries with the same key go out one at a time, in seq order (a conversation, an order). */
  order_key: string;
  /** The exact JSON posted (and signed). */
  body: string;
  created_at: number;
  /** pending | delivered | failed (given up). */
  status: string;
  attempts: number;
  next_at: number;
  claimed_by: string | null;
  claimed_until: number | null;
  last_attempt_at: number | null;
  last_status: number | null;
  last_error: string | null;
  delivered_at: number | null;
  /** Set on a copy the console sent again: the delivery it repeats. */
  replay_of: number | null;
}

/** Issue #16: a platform message taken in (its id, per shop and channel) and where it was stored. */
export interface ChannelMessagesTable {
  shop_id: string;
  channel: string;
  platform_message_id: string;
  conversation_id: string;
  message_id: string;
  created_at: number;
}

/** Issue #15: the model's summary of a conversation handed to a person (agents only). */
export interface ConversationSummariesTable {
  shop_id: string;
  conversation_id: string;
  text: string;
  upto_seq: number;
  created_at: number;
}

/** Issue #18: a shop's rota for the staffing planner (one row per shop). */
export interface StaffingRotasTable {
  shop_id: string;
  /** JSON number[24]: agents scheduled per local hour of day. */
  hours: string;
  updated_at: number;
  /** The agent who saved it. */
  updated_by: string | null;
}

/** Issue #18: the note an agent left for the next one when transferring (agents only). */
export interface ConversationNotesTable {
  shop_id: string;
  conversation_id: string;
  text: string;
  author_id: string;
  author_name: string;
  created_at: number;
}

/** Issue #21 (CRM-1): a buyer's tags. */
export interface BuyerTagDismissalsTable {
  shop_id: string;
  buyer_id: string;
  tag: string;
  dismissed_by: string;
  created_at: number;
}
export interface BuyerTagsTable {
  shop_id: string;
  buyer_id: string;
  tag: string;
  source: string;
  added_by: string | null;
  created_at: number;
}

/** Issue #21 (CRM-1): notes on a buyer, for every agent who serves them next. */
export interface BuyerNotesTable {
  id: string;
  shop_id: string;
  buyer_id: string;
  text: string;
  author_id: string;
  author_name: string;
  created_at: number;
  deleted_at: number | null;
}

/** Issue #21: a journey (its definition is JSON, checked whole when saved). */
export interface JourneysTable {
  id: string;
  shop_id: string;
  name: string;
  template_id: string | null;
  trigger_kind: string;
  definition: string;
  status: string;
  version: number;
  created_by: string;
  created_at: number;
  updated_at: number;
  started_at: number | null;
}

/** Issue #21: one buyer's run of a journey. */
export interface JourneyRunsTable {
  id: string;
  shop_id: string;
  journey_id: string;
  buyer_id: string;
  run_key: string;
  status: string;
  stop_reason: string | null;
  step: number;
  due_at: number | null;
  context: string;
  version: number;
  started_at: number;
  updated_at: number;
  claimed_by: string | null;
  claimed_until: number | null;
}

/** Issue #21: what a run's step sent (the key is run id : step). */
export interface JourneySendsTable {
  key: string;
  shop_id: string;
  journey_id: string;
  run_id: string;
  buyer_id: string;
  kind: string;
  text: string | null;
  coupon_id: string | null;
  conversation_id: string | null;
  message_id: string | null;
  outcome: string;
  at: number;
  replied_at: number | null;
  converted_order_id: string | null;
}

export interface CouponsTable {
  id: string;
  shop_id: string;
  buyer_id: string;
  amount_cents: number;
  min_spend_cents: number;
  expires_at: number;
  source: string;
  source_key: string;
  used_order_id: string | null;
  created_at: number;
}

export interface CrmOptoutsTable {
  shop_id: string;
  buyer_id: string;
  at: number;
  source: string;
}

/** Issue #21 (CRM-7). */
export interface ReviewsTable {
  id: string;
  shop_id: string;
  external_id: string;
  buyer_id: string;
  order_id: string | null;
  product_id: string | null;
  rating: number;
  text: string;
  posted_at: number;
  reply_text: string | null;
  replied_at: number | null;
  replied_by: string | null;
  created_at: number;
  updated_at: number;
}

/** Issue #21 (CRM-8). */
export interface GroupBuysTable {
  id: string;
  shop_id: string;
  external_id: string;
  product_id: string | null;
  title: string;
  price_cents: number;
  ends_at: number;
  status: string;
  created_at: number;
  updated_at: number;
}

/** Issue #21 (CRM-3). */
export interface ParcelFlagsTable {
  key: string;
  shop_id: string;
  order_id: string;
  buyer_id: string;
  kind: string;
  since: number;
  event: string | null;
  issue: string;
  created_at: number;
  resolved_at: number | null;
}

export interface CrmSettingsTable {
  shop_id: string;
  loyalty: string | null;
  logistics: string | null;
  updated_at: number;
}

export interface Database {
  shops: ShopsTable;
  organisations: OrganisationsTable;
  accounts: AccountsTable;
  memberships: MembershipsTable;
  account_sessions: SessionsTable;
  buyers: BuyersTable;
  products: ProductsTable;
  aftersales_cases: AftersalesCasesTable;
  orders: OrdersTable;
  conversations: ConversationsTable;
  messages: MessagesTable;
  quick_replies: QuickRepliesTable;
  uploads: UploadsTable;
  kv: KvTable;
  faq_entries: FaqEntriesTable;
  compliance_log: ComplianceLogTable;
  order_promises: OrderPromisesTable;
  proactive_messages: ProactiveMessagesTable;
  metric_buyer_days: MetricBuyerDaysTable;
  metric_timings: MetricTimingsTable;
  metric_responses: MetricResponsesTable;
  metric_range_days: MetricRangeDaysTable;
  conversation_ratings: ConversationRatingsTable;
  quality_reviews: QualityReviewsTable;
  timers: TimersTable;
  conversation_summaries: ConversationSummariesTable;
  conversation_notes: ConversationNotesTable;
  api_keys: ApiKeysTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  channel_messages: ChannelMessagesTable;
  staffing_rotas: StaffingRotasTable;
  buyer_tags: BuyerTagsTable;
  buyer_tag_dismissals: BuyerTagDismissalsTable;
  buyer_notes: BuyerNotesTable;
  journeys: JourneysTable;
  journey_runs: JourneyRunsTable;
  journey_sends: JourneySendsTable;
  coupons: CouponsTable;
  crm_optouts: CrmOptoutsTable;
  reviews: ReviewsTable;
  group_buys: GroupBuysTable;
  parcel_flags: ParcelFlagsTable;
  crm_settings: CrmSettingsTable;
}

export type { Generated };
