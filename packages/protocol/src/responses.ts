/**
 * The wire shapes: what the server answers over HTTP and pushes over Socket.IO, named once here.
 * The server's presenters return these types and the web and the widget read them, so a change to
 * a shape fails the typecheck on both sides. Where the wire carries a domain record as it is, the
 * shape is that record's type (one definition, in the core); where it differs, it is declared here.
 */
import type {
  AccessChange,
  Agent,
  AgentStatus,
  Buyer,
  Conversation,
  ConversationStatus,
  DomainErrorCode,
  Message,
  Order,
  QuickReply,
  ReplyRateAlert,
  Shop,
  StoredPromise,
} from '@xiaoer/core';

// ---------- records ----------
export type ShopDto = Shop;
export type AgentDto = Agent;
export type AgentRoleDto = Agent['role'];
export type AgentStatusDto = AgentStatus;
export type BuyerDto = Buyer;
export type OrderDto = Order;
export type MessageDto = Message;
export type QuickReplyDto = QuickReply;
/** A conversation's state, as the buyer, acks and action answers carry it (no buyer nick). */
export type ConversationStateDto = Conversation;
export type ConversationStatusDto = ConversationStatus;
/** A conversation as agents' lists and pushes carry it: with its buyer's nick. */
export type ConversationDto = ConversationStateDto & { buyer: Pick<Buyer, 'id' | 'nick'> };

// ---------- conversations ----------
/** Issue #15: what the shop's model wrote of a conversation for the agent who took it. */
export interface ConversationSummaryDto {
  text: string;
  uptoSeq: number;
  createdAt: number;
}
/** Issue #18: the note the last transfer left for the next agent. */
export interface TransferNoteDto {
  text: string;
  authorId: string;
  authorName: string;
  createdAt: number;
}
/** One waiting buyer: its queue (a group id, or null for the general queue) and place in it. */
export interface QueueWaiting {
  conversationId: string;
  buyerId: string;
  queue: string | null;
  position: number;
  etaMinutes: number | null;
}

// ---------- metrics and compliance ----------
/** MET-5: the reply rate projected from the buyers now waiting falls below the threshold (with their nicks). */
export type MetricsAlert = Omit<ReplyRateAlert, 'atRisk'> & {
  atRisk: (ReplyRateAlert['atRisk'][number] & { nick: string })[];
};
/** GET /api/admin/metrics/range: one row a day. */
export interface MetricsRangeDay {
  date: string;
  consultations: number;
  inquiries: number;
  replyRate: number | null;
  avgResponseMs: number | null;
  conversionRate: number | null;
  provisional: boolean;
}
/** CMP-4 (issue #19): a promise an agent made, as the console lists it and hears of it. */
export type PromiseDto = Omit<StoredPromise, 'shopId'>;

// ---------- auth and session ----------
/** Why an account's sockets were ended (TEAM-1): it comes back, if it may, with what it may do now. */
export type AccessChangeDto = AccessChange;

export interface MeResponse {
  /** My membership of the request's shop. */
  agent: AgentDto;
  /** The request's shop (the `X-Xiaoer-Shop` header's, else the one I logged in to). */
  shop: ShopDto;
  /** TEAM-4: every shop I serve, with my role there. */
  shops: { id: string; slug: string; name: string; role: AgentDto['role'] }[];
  /** I own the organisation: I manage every shop and account of it. */
  isOrgOwner: boolean;
}
/** `GET /api/setup`: whether the install still needs its first shop, and whether the demo is served. */
export interface SetupStatusResponse {
  needed: boolean;
  demo: boolean;
}
/** `POST /api/setup` (201): what was made; the owner is logged in (session cookie). */
export interface SetupResponse {
  shop: ShopDto;
  owner: { id: string; email: string; name: string };
  organisation: { id: string; name: string };
}
export interface BuyerProfileResponse {
  buyer: BuyerDto;
  /** CRM-1: the last 90 days, newest first. */
  orders: OrderDto[];
}
export interface WidgetSessionResponse {
  token: string;
  buyer: Pick<BuyerDto, 'id' | 'nick'>;
  /** BOT-3: `welcome` is the shop's first line to every buyer, shown above the conversation. */
  shop: Pick<ShopDto, 'name' | 'serviceHours'> & { welcome: string };
  conversation: ConversationStateDto | null;
  messages: MessageDto[];
}
export interface UploadResponse {
  url: string;
  contentType: string;
  size: number;
}

// ---------- errors ----------
/** An error's code: a domain failure's, or `internal_error` for a fault of the server's own (500). */
export type ErrorCode = DomainErrorCode | 'internal_error';

/** Every error has this shape, over HTTP and in WebSocket acks. */
export interface ErrorBody {
  /** `retryAfterMs`: with `rate_limited`, when the same call may go again. */
  error: { code: ErrorCode; message: string; field?: string; details?: unknown; retryAfterMs?: number };
}

// ---------- reports and settings the server sends as the core computes them ----------
// One definition each, in the core's pure modules; named here as the wire's, so the web and the
// widget read them from the protocol only.
export type {
  AftersalesFigures,
  AftersalesMetrics,
  AgentPromiseCounts,
  AgentRow,
  BotSettings,
  CheckResult,
  ComplianceLogEntry,
  ComplianceSettings,
  DayMetrics,
  FaqEntry,
  Finding,
  GroupRow,
  HistoryPage,
  HistoryRow,
  HistoryTranscript,
  LiveAgent,
  LiveBoard,
  MetricDefinition,
  MetricsSettings,
  ModelSettings,
  PackId,
  ProactiveSettings,
  PromiseKind,
  PromiseStatus,
  RoutingSettings,
  RouteStatus,
  Rota,
  RulePrecision,
  StaffingHour,
  StaffingReport,
  StoredPromise,
  TextSpan,
  TranscriptMessage,
} from '@xiaoer/core';
