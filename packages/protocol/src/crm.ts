/**
 * Issue #21: the CRM side of the agent and console APIs — a buyer's tags and notes (CRM-1), and
 * journeys (CRM-2 … CRM-8). A journey's definition is checked whole by the core (its fields are
 * named in the refusal), so its schema here only bounds the request.
 */
import { z } from 'zod';
import { MAX_REVIEW_REPLY_LENGTH } from './limits';

export const MAX_TAG_LENGTH = 20;
export const MAX_NOTE_LENGTH = 500;
export const JOURNEY_TEMPLATE_IDS = [
  'follow-up',
  'logistics-notice',
  'win-back',
  'holiday',
  'new-arrival',
  'group-buy',
  'review-care',
] as const;
export const JOURNEY_STATUS_VALUES = ['draft', 'active', 'paused', 'stopped'] as const;

const tag = z
  .string()
  .trim()
  .min(1)
  .max(MAX_TAG_LENGTH)
  .refine((t) => !/[,，;；\n]/.test(t), 'one tag, without commas');

/** `suggested`: the agent took a tag suggested from the buyer's words (CRM-1). */
export const buyerTagBody = z.object({ tag, suggested: z.boolean().default(false) }).strict();
export const buyerTagParams = z.object({ buyerId: z.string().min(1).max(64), tag });
export const buyerNoteBody = z.object({ text: z.string().trim().min(1).max(MAX_NOTE_LENGTH) }).strict();
export const buyerNoteParams = z.object({
  buyerId: z.string().min(1).max(64),
  noteId: z.string().min(1).max(64),
});
/** CMP-6: the buyer asked for no more proactive messages (or asked for them again). */
export const buyerOptOutBody = z.object({ optedOut: z.boolean() }).strict();

/** A new journey: from a shipped template, or a definition of the shop's own. */
export const journeyCreateBody = z
  .object({
    templateId: z.enum(JOURNEY_TEMPLATE_IDS).optional(),
    journey: z.unknown().optional(),
  })
  .strict()
  .refine((b) => (b.templateId === undefined) !== (b.journey === undefined), {
    path: ['templateId'],
    message: 'give templateId or journey (one of them)',
  });
/** A draft's new definition, at the version the editor read (a later save by someone else: 409). */
export const journeyUpdateBody = z
  .object({ version: z.number().int().min(1), journey: z.unknown() })
  .strict();
export const journeyStatusBody = z.object({ status: z.enum(['active', 'paused', 'stopped']) }).strict();
export const journeyParams = z.object({ id: z.string().min(1).max(64) });
/** A dry run's horizon: what the journey would send within this many days. */
export const journeyDryRunBody = z
  .object({
    days: z.number().int().min(1).max(180).default(90),
    limit: z.number().int().min(1).max(500).default(200),
  })
  .strict();

// ---------- responses ----------
export interface BuyerTagDto {
  tag: string;
  /** agent: an agent added it; api: the shop's systems; accepted: a suggestion an agent took. */
  source: 'agent' | 'api' | 'accepted';
  addedBy: string | null;
  createdAt: number;
}
export interface BuyerNoteDto {
  id: string;
  buyerId: string;
  text: string;
  authorId: string;
  authorName: string;
  createdAt: number;
}
/** CRM-6: the buyer's loyalty tier (rank 0: none) and what the next one needs. */
export interface BuyerTierDto {
  rank: number;
  name: string;
  discountPercent: number;
  next?: { name: string; spendCentsToGo: number; ordersToGo: number };
}
/** CRM-1: a buyer's profile beyond orders. */
export interface BuyerCrmResponse {
  tags: BuyerTagDto[];
  notes: BuyerNoteDto[];
  tier: BuyerTierDto;
  spentCents: number;
  paidOrders: number;
  lastOrderAt: number | null;
  /** CMP-6: the buyer asked for no proactive messages. */
  optedOut: boolean;
  /** CRM-1: tags the buyer's own words suggest (not carried yet), with the words. */
  suggestedTags: { tag: string; evidence: string }[];
  /** CRM-3: the buyer's parcels the logistics watch flagged, not yet moving again. */
  parcelFlags: { orderId: string; kind: string; since: number; issue: string; at: number }[];
  /** CRM-1: the shop's products the buyer asked about in chat, most mentioned first. */
  interests: { productId: string; title: string; mentions: number; lastAt: number; evidence: string }[];
}

export type JourneyStepDto =
  | { kind: 'wait'; hours: number }
  | { kind: 'condition'; test: { kind: string; rank?: number; tag?: string; rating?: number } }
  | { kind: 'message'; template: string }
  | { kind: 'coupon'; coupon: { amountCents: number; minSpendCents: number; validDays: number } }
  | { kind: 'stop' };
export interface JourneyDefinitionDto {
  name: string;
  trigger: { kind: string; days?: number; date?: string; holiday?: string };
  audience: {
    tags?: string[];
    minSpendCents?: number;
    orderedWithinDays?: number;
    notOrderedForDays?: number;
    minTierRank?: number;
  };
  steps: JourneyStepDto[];
  exitOnOrder: boolean;
  attributionDays: number;
}
export interface JourneyStatsDto {
  runs: { active: number; done: number; stopped: number };
  stopped: Partial<
    Record<'condition_failed' | 'ordered' | 'opted_out' | 'blocked' | 'journey_stopped', number>
  >;
  sends: number;
  blocked: number;
  coupons: number;
  replies: number;
  conversions: number;
}
export interface JourneyDto {
  id: string;
  shopId: string;
  name: string;
  templateId: string | null;
  definition: JourneyDefinitionDto;
  status: (typeof JOURNEY_STATUS_VALUES)[number];
  version: number;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
  stats: JourneyStatsDto;
}
export interface JourneyTemplateDto {
  id: (typeof JOURNEY_TEMPLATE_IDS)[number];
  rule: string;
  definition: JourneyDefinitionDto;
}
export interface JourneyRunDto {
  id: string;
  buyerId: string;
  startedAt: number;
  step: number;
  dueAt: number | null;
  status: 'active' | 'done' | 'stopped';
  stopReason?: string;
}
export interface PlannedSendDto {
  buyerId: string;
  buyerNick: string;
  at: number;
  step: number;
  text: string;
  coupon?: { amountCents: number; expiresAt: number };
}
export interface JourneyDryRunResponse {
  buyers: number;
  sends: PlannedSendDto[];
  truncated: boolean;
  from: number;
  until: number;
}

// ---------- reviews (CRM-7) ----------
export const REVIEW_VIEWS = ['unanswered', 'answered', 'all'] as const;
export const reviewListQuery = z
  .object({
    view: z.enum(REVIEW_VIEWS).default('unanswered'),
    /** The `nextCursor` of the previous page. */
    cursor: z
      .string()
      .regex(/^\d{1,15}:[\w-]{1,64}$/, 'must be the nextCursor of a previous page')
      .optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();
export const reviewParams = z.object({ id: z.string().min(1).max(64) });
export const reviewReplyBody = z
  .object({
    text: z.string().trim().min(1).max(MAX_REVIEW_REPLY_LENGTH),
    /** The agent saw the guard's warnings and sends anyway (CMP-1 … CMP-5: blocks are never sent). */
    confirm: z.boolean().default(false),
  })
  .strict();

export type ReviewAspectDto =
  'delivery' | 'packaging' | 'quality' | 'size' | 'colour' | 'service' | 'price' | 'taste' | 'effect';
export interface ReviewDto {
  id: string;
  externalId: string;
  buyerId: string;
  buyerNick: string;
  orderId: string | null;
  /** What was bought (the order's item, or the product's title). */
  item: string;
  rating: number;
  text: string;
  postedAt: number;
  reply: { text: string; at: number; agentId: string; agentName: string } | null;
  /** What the review praises and complains of, as the draft read it. */
  reading: {
    praised: ReviewAspectDto[];
    complained: ReviewAspectDto[];
    tone: 'positive' | 'mixed' | 'negative';
  };
  /** A reply written from the review's own content, for the agent to edit (unanswered reviews). */
  draft: string | null;
}
export interface ReviewListResponse {
  reviews: ReviewDto[];
  /** CRM-7: the shop's reviews still waiting for a reply. */
  unanswered: number;
  nextCursor: string | null;
}

// ---------- CRM-6 loyalty ladder and CRM-3 watch settings (console) ----------
/** Each part replaces the shop's whole (checked whole by the core); a part left out is kept. */
export const crmSettingsBody = z
  .object({ loyalty: z.unknown().optional(), logistics: z.unknown().optional() })
  .strict();
export interface LoyaltyTierDto {
  name: string;
  minSpendCents: number;
  minOrders: number;
  discountPercent: number;
}
export interface CrmSettingsDto {
  loyalty: { tiers: LoyaltyTierDto[] };
  logistics: { defaultGapHours: number; carrierGapHours: Record<string, number> };
}

// ---------- CRM-1 segments (console) ----------
/** Who is in a segment (a journey audience's shape, checked by the core), the first `limit` shown. */
export const segmentPreviewBody = z
  .object({ audience: z.unknown(), limit: z.number().int().min(1).max(200).default(50) })
  .strict();
export interface SegmentBuyerDto {
  buyerId: string;
  externalId: string | null;
  nick: string;
  spentCents: number;
  orders: number;
  lastOrderAt: number | null;
  tierName: string;
  tags: string[];
}
export interface SegmentPreviewResponse {
  count: number;
  buyers: SegmentBuyerDto[];
}
