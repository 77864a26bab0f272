/**
 * The HTTP contract the web app calls: each route (`METHOD /path/:param`, as the server registers
 * it) and what it answers. The web's `api(method, path)` finds the route a path fits and returns
 * its answer's type, so a caller never names (or casts) the response; a path that fits no route
 * does not compile. Shapes only the console reads are declared here too, once.
 */
import type { BuyerCaseOut, CaseOut } from './aftersales';
import type {
  BuyerCrmResponse,
  CrmSettingsDto,
  SegmentPreviewResponse,
  ReviewDto,
  ReviewListResponse,
  JourneyDryRunResponse,
  JourneyDto,
  JourneyRunDto,
  JourneyTemplateDto,
} from './crm';
import type {
  AftersalesMetrics,
  AgentDto,
  BotSettings,
  BuyerProfileResponse,
  CheckResult,
  ComplianceLogEntry,
  ComplianceSettings,
  ConversationDto,
  ConversationStateDto,
  ConversationSummaryDto,
  DayMetrics,
  FaqEntry,
  HistoryPage,
  HistoryTranscript,
  LiveBoard,
  MeResponse,
  MessageDto,
  MetricDefinition,
  MetricsAlert,
  MetricsRangeDay,
  MetricsSettings,
  ModelSettings,
  PackId,
  PromiseDto,
  PromiseKind,
  AgentPromiseCounts,
  QueueWaiting,
  QuickReplyDto,
  Rota,
  RoutingSettings,
  RulePrecision,
  SetupResponse,
  SetupStatusResponse,
  ShopDto,
  StaffingReport,
  TransferNoteDto,
  UploadResponse,
  WidgetSessionResponse,
} from './responses';

// ---------- shapes the console and the workbench read ----------
/** `GET /api/agents`: the shop's agents with their load (RT-4); emails for admins only (issue #14). */
export type AgentListing = Omit<AgentDto, 'email'> & { email?: string; load: number };
/** RT-10: a routing group as every agent sees it (to transfer to). */
export interface RoutingGroupListing {
  id: string;
  name: string;
  agentIds: string[];
}
/** RT-4: one waiting buyer as `GET /api/queue` lists it, with the conversation. */
export type QueueEntry = QueueWaiting & { conversation: ConversationDto };
/** CMP-4: a promise beside the buyer, as the workbench lists them. */
export interface BuyerPromise {
  id: string;
  kind: PromiseKind;
  detail: string;
  dueAt?: number;
  orderId: string | null;
  agentId: string;
  conversationId: string;
  createdAt: number;
}
/** CMP-4 (issue #19): the promises report of the console. */
export interface PromiseReport {
  since: number;
  leadHours: number;
  promises: (PromiseDto & { buyerNick: string | null; effectiveDueAt: number | null })[];
  counts: AgentPromiseCounts[];
}
/** Issue #17: a compliance log entry as the API sends it. */
export type ComplianceLogRow = Omit<ComplianceLogEntry, 'shopId'>;
/** Issue #17: what a review of a log entry answers. */
export interface ComplianceReviewResponse {
  entry: ComplianceLogRow;
  /** The clauses put on the allow list (with `allow`). */
  added: string[];
  /** New clauses that did not fit (the list is full). */
  leftOut: string[];
}
/** Issue #17: how often each rule's blocks and warnings were judged right. */
export interface PrecisionReport {
  since: number;
  until: number;
  entries: number;
  truncated: boolean;
  rules: RulePrecision[];
}
/** CMP-1 … CMP-5 as the agent types (`ms`: how long the check took). */
export type ComplianceCheckResponse = CheckResult & { ms?: number };
/** MET-7: a conversation of the day's spot-check sample. */
export interface QualitySample {
  conversationId: string;
  agentId: string;
  agentName: string;
  buyerNick: string;
  messages: number;
  reviewed: boolean;
}
/** MET-7: a supervisor's score of a conversation. */
export interface QualityReview {
  conversationId: string;
  agentId: string;
  attitude: number;
  accuracy: number;
  compliance: number;
  solved: boolean;
  note: string | null;
}
/** BOT-1: what the bot would do with a question (the console's test box). */
export interface BotTestResult {
  matches: {
    entryId: string;
    question: string;
    matchedQuestion: string;
    score: number;
    viaIntent?: string;
  }[];
  intents: { intentId: string; label: string; score: number }[];
  decision: string;
  reply: string[];
  threshold: number;
}
/** An FAQ entry as the console lists it: with the intents it is linked to now (issue #15). */
export type FaqListing = FaqEntry & { linkedIntents: string[] };
/** Issue #15: an intent of the built-in catalogue. */
export interface CatalogueIntent {
  id: string;
  family: string;
  label: string;
  labelEn: string;
}
/** Issue #15: the shop's model settings as shown (the key itself never leaves the server). */
export type ModelSettingsView = ModelSettings & { hasApiKey: boolean };
/** Issue #15: the model's test (embeddings and a draft reply). */
export interface ModelTestResult {
  embeddings?: {
    ok: boolean;
    ms: number;
    value?: { entryId: string; question: string; cosine: number }[];
    error?: string;
  };
  draft?: { ok: boolean; ms: number; value?: string; error?: string };
  threshold: number;
}
/** Issue #19: a shop's after-sales settings. */
export interface AftersalesSettings {
  merchantAnswerHours: number;
  buyerShipDays: number;
  merchantRefundDays: number;
  overdueRefund: 'auto-refund' | 'flag';
  couponMinValidDays: number;
  couponScopes: ('store' | 'item')[];
  stepTimeoutMinutes: number;
  alertHours: number;
}
/** Issue #19: the after-sales figures of the console, with each agent's name. */
export type AftersalesMetricsReport = AftersalesMetrics & {
  byAgent: (AftersalesMetrics['byAgent'][number] & { name: string | null })[];
  now: number;
};
/** Issue #16: a webhook as the console lists it. */
export interface WebhookInfo {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  createdAt: string;
  pending: number;
  failed: number;
}
/** Issue #16: one delivery of a webhook. */
export interface WebhookDelivery {
  seq: number;
  eventId: string;
  type: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  createdAt: string;
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  deliveredAt: string | null;
  replayOf: number | null;
  /** The exact body sent (what was signed). */
  body: string;
}
/** Issue #16: an API key as the console lists it (never the key itself). */
export interface ApiKeyInfo {
  id: string;
  name: string;
  prefix: string;
  scopes: ('read' | 'write')[];
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}
/** AS-1 (issue #19): one of the buyer's orders, to pick for an after-sales request. */
export interface WidgetOrderChoice {
  orderId: string;
  status: string;
  totalCents: number;
  createdAt: number;
  items: { productId: string; title: string; quantity: number; priceCents: number }[];
}
/** Issue #16: what an import covers. */
export type ImportKind = 'products' | 'buyers' | 'orders';
/** Issue #16: a cell an import refused. */
export interface ImportProblem {
  row: number;
  column: string;
  code: string;
  value?: string;
  message: string;
}
/** Issue #16: an import's preview (nothing written yet). */
export interface ImportPreview {
  kind: ImportKind;
  encoding: string;
  columns: { header: string; field: string | null }[];
  rows: number;
  valid: number;
  existing: number;
  fresh: number;
  problems: ImportProblem[];
  problemCount: number;
  sample: { externalId: string; rows: number[]; body: Record<string, unknown> }[];
}
/** Issue #16: what an import wrote. */
export interface ImportOutcome {
  imported: { created: number; updated: number; unchanged: number };
  skipped: number;
}

// ---------- the routes ----------
/** Each route the web app calls and what it answers (204: `void`). */
export interface HttpResponses {
  // session and account
  'GET /api/setup': SetupStatusResponse;
  'POST /api/setup': SetupResponse;
  'POST /api/auth/login': MeResponse;
  'POST /api/auth/logout': void;
  'GET /api/me': MeResponse;
  'POST /api/me/password': void;
  'PUT /api/me/status': { agent: AgentDto };
  // the workbench
  'GET /api/agents': { agents: AgentListing[]; groups: RoutingGroupListing[] };
  'GET /api/conversations': { conversations: ConversationDto[] };
  'GET /api/conversations/:conversationId/messages': { messages: MessageDto[] };
  'GET /api/conversations/:conversationId/summary': {
    summary: ConversationSummaryDto | null;
    note?: TransferNoteDto | null;
  };
  'POST /api/conversations/:conversationId/end': { conversation: ConversationStateDto };
  'POST /api/conversations/:conversationId/release': { conversation: ConversationDto };
  'POST /api/conversations/:conversationId/take-over': { conversation: ConversationDto };
  'POST /api/conversations/:conversationId/transfer': { conversation: ConversationStateDto };
  'POST /api/conversations/:conversationId/assign': { conversation: ConversationDto };
  'POST /api/conversations/:conversationId/report-spam': { conversation: ConversationDto };
  'POST /api/conversations/:conversationId/unreport-spam': { conversation: ConversationDto };
  'POST /api/conversations/:conversationId/suggest-reply': { suggestion: string };
  'GET /api/queue': { waiting: QueueEntry[] };
  'POST /api/queue/pull': { conversation: ConversationDto | null };
  'GET /api/buyers/:buyerId/profile': BuyerProfileResponse;
  'GET /api/buyers/:buyerId/promises': { promises: BuyerPromise[] };
  'POST /api/buyers/:buyerId/proactive': { message: MessageDto; conversation: ConversationStateDto };
  // CRM-1 (issue #21): tags, notes, opt-out
  'GET /api/buyers/:buyerId/crm': BuyerCrmResponse;
  'POST /api/buyers/:buyerId/tags': BuyerCrmResponse;
  'DELETE /api/buyers/:buyerId/tags/:tag': BuyerCrmResponse;
  'POST /api/buyers/:buyerId/tag-suggestions/:tag/dismiss': BuyerCrmResponse;
  'POST /api/buyers/:buyerId/notes': BuyerCrmResponse;
  'DELETE /api/buyers/:buyerId/notes/:noteId': BuyerCrmResponse;
  'PUT /api/buyers/:buyerId/opt-out': BuyerCrmResponse;
  // CRM-7: the shop's reviews, answered in the workbench (issue #21)
  'GET /api/reviews': ReviewListResponse;
  'GET /api/reviews/count': { unanswered: number };
  'POST /api/reviews/:id/reply': { review: ReviewDto };
  'GET /api/quick-replies': { quickReplies: QuickReplyDto[] };
  'POST /api/quick-replies': { quickReply: QuickReplyDto };
  'PATCH /api/quick-replies/:id': { quickReply: QuickReplyDto };
  'DELETE /api/quick-replies/:id': void;
  'POST /api/uploads': UploadResponse;
  'POST /api/compliance/check': ComplianceCheckResponse;
  'GET /api/metrics/alert': { alert: MetricsAlert | null; replyMinutes: number };
  'GET /api/faq/suggest': { entries: { id: string; question: string; score: number }[] };
  'POST /api/faq/learn': { entry: FaqEntry };
  'GET /api/aftersales': { cases: CaseOut[]; now: number };
  'POST /api/aftersales': { case: CaseOut };
  'POST /api/aftersales/:id/actions': { case: CaseOut };
  // the widget (the buyer's token)
  'POST /api/widget/session': WidgetSessionResponse;
  'GET /api/widget/orders': { orders: WidgetOrderChoice[] };
  'GET /api/widget/aftersales': { cases: BuyerCaseOut[]; now: number };
  'POST /api/widget/aftersales': { case: BuyerCaseOut };
  'POST /api/widget/aftersales/:id/actions': { case: BuyerCaseOut };
  // the console: shop and team
  'GET /api/admin/shop': { shop: ShopDto };
  'PATCH /api/admin/shop': { shop: ShopDto };
  'POST /api/admin/shops': { shop: ShopDto };
  'GET /api/admin/agents': { agents: AgentDto[] };
  'POST /api/admin/agents': { agent: AgentDto };
  'PATCH /api/admin/agents/:agentId': { agent: AgentDto };
  'DELETE /api/admin/agents/:agentId': void;
  'POST /api/admin/agents/:agentId/password': void;
  'POST /api/admin/agents/:agentId/disable': { agent: AgentDto };
  'POST /api/admin/agents/:agentId/enable': { agent: AgentDto };
  'GET /api/admin/routing': { settings: RoutingSettings };
  'PUT /api/admin/routing': { settings: RoutingSettings };
  // the console: live board, metrics, staffing, quality (MET-*)
  'GET /api/admin/live': LiveBoard;
  'GET /api/admin/metrics/definitions': { definitions: MetricDefinition[] };
  'GET /api/admin/metrics/day': DayMetrics;
  'GET /api/admin/metrics/range': { days: MetricsRangeDay[] };
  'GET /api/admin/metrics/settings': { settings: MetricsSettings };
  'PUT /api/admin/metrics/settings': { settings: MetricsSettings };
  'GET /api/admin/staffing': StaffingReport;
  'POST /api/admin/staffing/plan': StaffingReport;
  'PUT /api/admin/staffing/rota': { rota: Rota };
  'GET /api/admin/quality/sample': { date: string; conversations: QualitySample[] };
  'POST /api/admin/quality/reviews': { review: QualityReview };
  'GET /api/admin/history': HistoryPage;
  'GET /api/admin/history/:id': HistoryTranscript;
  // the console: compliance (CMP-*)
  'GET /api/admin/compliance': { settings: ComplianceSettings; packs: PackId[] };
  'PUT /api/admin/compliance': { settings: ComplianceSettings };
  'GET /api/admin/compliance/log': { entries: ComplianceLogRow[] };
  'POST /api/admin/compliance/log/:id/review': ComplianceReviewResponse;
  'GET /api/admin/compliance/precision': PrecisionReport;
  'GET /api/admin/compliance/promises': PromiseReport;
  // the console: the bot and the model (BOT-*)
  'GET /api/admin/bot': { settings: BotSettings };
  'PUT /api/admin/bot': { settings: BotSettings };
  'GET /api/admin/faq': { entries: FaqListing[] };
  'POST /api/admin/faq': { entry: FaqEntry };
  'PUT /api/admin/faq/:id': { entry: FaqEntry };
  'DELETE /api/admin/faq/:id': void;
  'POST /api/admin/faq/import': { imported: number };
  'GET /api/admin/faq/intents': { intents: CatalogueIntent[] };
  'GET /api/admin/faq/test': BotTestResult;
  'GET /api/admin/model': { settings: ModelSettingsView };
  'PUT /api/admin/model': { settings: ModelSettingsView };
  'POST /api/admin/model/test': ModelTestResult;
  // the console: after-sales (AS-*)
  'GET /api/admin/aftersales/settings': { settings: AftersalesSettings };
  'PUT /api/admin/aftersales/settings': { settings: AftersalesSettings };
  'GET /api/admin/aftersales/metrics': AftersalesMetricsReport;
  // the console: journeys (issue #21)
  'GET /api/admin/journey-templates': { templates: JourneyTemplateDto[] };
  'GET /api/admin/crm/settings': { settings: CrmSettingsDto };
  'POST /api/admin/segments/preview': SegmentPreviewResponse;
  'PUT /api/admin/crm/settings': { settings: CrmSettingsDto };
  'GET /api/admin/journeys': { journeys: JourneyDto[] };
  'POST /api/admin/journeys': { journey: JourneyDto };
  'GET /api/admin/journeys/:id': { journey: JourneyDto; runs: JourneyRunDto[] };
  'PUT /api/admin/journeys/:id': { journey: JourneyDto };
  'POST /api/admin/journeys/:id/status': { journey: JourneyDto };
  'POST /api/admin/journeys/:id/dry-run': JourneyDryRunResponse;
  // the console: integration (issue #16)
  'GET /api/admin/webhooks': { webhooks: WebhookInfo[] };
  'POST /api/admin/webhooks': { id: string; secret: string; webhook: WebhookInfo };
  'DELETE /api/admin/webhooks/:id': { deleted: true };
  'GET /api/admin/webhooks/:id/deliveries': { deliveries: WebhookDelivery[] };
  'POST /api/admin/webhooks/:id/deliveries/:seq/replay': { delivery: WebhookDelivery };
  'POST /api/admin/webhooks/:id/ping': { delivery: WebhookDelivery };
  'GET /api/admin/api-keys': { keys: ApiKeyInfo[] };
  'POST /api/admin/api-keys': { key: string };
  'DELETE /api/admin/api-keys/:id': { revoked: true };
  'POST /api/admin/imports/:kind/preview': { preview: ImportPreview };
  'POST /api/admin/imports/:kind': ImportOutcome;
}

// ---------- matching a path to its route, in types ----------
/** An HTTP method the web app uses. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type RouteKey = keyof HttpResponses & string;
type PatternOf<K> = K extends `${string} ${infer Pattern}` ? Pattern : never;
/** A route's pattern as a template: each `:param` any text. */
type Template<S extends string> = S extends `${infer Head}:${string}/${infer Rest}`
  ? `${Head}${string}/${Template<Rest>}`
  : S extends `${infer Head}:${string}`
    ? `${Head}${string}`
    : S;
/** Every route of the method a path fits (with a query string or without). */
type Fitting<M extends HttpMethod, P extends string> = {
  [K in RouteKey]: K extends `${M} ${infer Pattern}`
    ? P extends Template<Pattern> | `${Template<Pattern>}?${string}`
      ? K
      : never
    : never;
}[RouteKey];
/** The routes among `Others` that extend `K`'s path by more segments (`/a/:id/b` beside `/a/:id`). */
type Deeper<K extends string, Others extends string> = Others extends unknown
  ? Template<PatternOf<Others>> extends `${Template<PatternOf<K>>}/${string}`
    ? Others
    : never
  : never;
/** The route a path of a method is: the deepest it fits (a `:param` matches one segment). */
export type HttpRouteOf<
  M extends HttpMethod,
  P extends string,
  All extends string = Fitting<M, P>,
> = All extends unknown ? ([Deeper<All, Exclude<Fitting<M, P>, All>>] extends [never] ? All : never) : never;
/** What a path of a method answers. */
export type HttpResponseOf<M extends HttpMethod, P extends string> = HttpResponses[HttpRouteOf<M, P>];
