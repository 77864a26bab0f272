/**
 * Issue #19: after-sales cases (AS-1 … AS-7) as the agent API, the widget and the v1 API take and
 * give them. Times in the agent and widget shapes are epoch milliseconds; the v1 API's are ISO 8601.
 */
import { z } from 'zod';

export const AFTERSALES_KIND_VALUES = [
  'refund-only',
  'return-refund',
  'exchange',
  'reship',
  'compensation',
] as const;
export const AFTERSALES_STATUS_VALUES = [
  'requested',
  'approved',
  'rejected',
  'awaiting-return',
  'return-shipped',
  'received',
  'refunded',
  'reshipped',
  'compensated',
  'closed',
] as const;
export const AFTERSALES_STEP_VALUES = [
  'approve',
  'reject',
  'restock',
  'refund',
  'reserve',
  'ship',
  'coupon',
  'gift',
] as const;

const cents = z.number().int().min(0).max(1e12);
const id = z.string().trim().min(1).max(64);
const reason = z.string().trim().min(1).max(500);

/** AS-5: a coupon given as compensation. */
export const couponBody = z
  .object({
    amountCents: z.number().int().min(1).max(1e9),
    validDays: z.number().int().min(1).max(3650),
    scope: z.enum(['store', 'item', 'category']),
    productIds: z.array(id).max(50).optional(),
  })
  .strict();

/** Opening a case (buyer, agent or platform): the order, what is asked, why. */
export const openCaseBody = z
  .object({
    orderId: id,
    kind: z.enum(AFTERSALES_KIND_VALUES),
    reason,
    /** What is asked back, in cents (default: what the order paid and is not yet refunded). */
    amountCents: cents.optional(),
    /** The order's products the case is about (default: all). */
    productIds: z.array(id).max(200).optional(),
    /** Uploaded photos (ids from the upload route), AS-7: carried with the case once. */
    evidence: z.array(id).max(9).default([]),
    /** The conversation the case came from. */
    conversationId: id.optional(),
  })
  .strict();
export type OpenCaseBody = z.infer<typeof openCaseBody>;

/** An agent's action on a case (AS-6 says which need a deciding role). */
export const caseActionBody = z.discriminatedUnion('type', [
  z.object({ type: z.literal('approve'), reason: z.string().trim().max(500).optional() }).strict(),
  z.object({ type: z.literal('reject'), reason }).strict(),
  z
    .object({
      type: z.literal('ship-return'),
      carrier: z.string().trim().max(40).optional(),
      trackingNo: z.string().trim().max(64).optional(),
    })
    .strict(),
  z.object({ type: z.literal('receive') }).strict(),
  z.object({ type: z.literal('refund'), amountCents: cents.optional() }).strict(),
  z.object({ type: z.literal('reship') }).strict(),
  z
    .object({
      type: z.literal('compensate'),
      amountCents: cents.optional(),
      coupon: couponBody.optional(),
      gift: z.string().trim().min(1).max(100).optional(),
    })
    .strict(),
  z.object({ type: z.literal('escalate'), to: id, note: z.string().trim().min(1).max(1000) }).strict(),
  z.object({ type: z.literal('mark-urgent') }).strict(),
  /** Takes a case nobody holds (or, for a decider, any case). */
  z.object({ type: z.literal('take') }).strict(),
  /** AS-4: after the buyer is made whole, the shop claims from the carrier. */
  z
    .object({
      type: z.literal('claim-carrier'),
      carrier: z.string().trim().min(1).max(40),
      trackingNo: z.string().trim().max(64).optional(),
      amountCents: cents.optional(),
      note: z.string().trim().max(500).optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('claim-settle'),
      recoveredCents: cents,
      note: z.string().trim().max(500).optional(),
    })
    .strict(),
]);
export type CaseActionBody = z.infer<typeof caseActionBody>;

/** The buyer's actions in the widget: ship the return, rate the handling (AS-3). */
export const buyerCaseActionBody = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('ship-return'),
      carrier: z.string().trim().min(1).max(40),
      trackingNo: z.string().trim().min(1).max(64),
    })
    .strict(),
  z.object({ type: z.literal('rate'), score: z.number().int().min(1).max(5) }).strict(),
]);
export type BuyerCaseActionBody = z.infer<typeof buyerCaseActionBody>;

export const caseListQuery = z
  .object({
    /** open: not finished; mine: held by the caller; all: every case (newest first). */
    view: z.enum(['open', 'mine', 'all']).default('open'),
    buyerId: id.optional(),
    orderId: id.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    /** The `openedAt` of the last case of the previous page (view all). */
    before: z.coerce.number().int().min(0).optional(),
  })
  .strict();

export const caseParams = z.object({ id });
/** AS-2, AS-5: the platform's deadlines and the shop's floors. */
export const aftersalesSettingsBody = z
  .object({
    merchantAnswerHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 30),
    buyerShipDays: z.number().int().min(1).max(60),
    merchantRefundDays: z.number().int().min(1).max(60),
    overdueRefund: z.enum(['auto-refund', 'flag']),
    couponMinValidDays: z.number().int().min(1).max(3650),
    couponScopes: z
      .array(z.enum(['store', 'item']))
      .min(1)
      .max(2),
    /** Minutes the shop's connector has to confirm a step before it counts as failed. */
    stepTimeoutMinutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60),
    /** Hours before a deadline that its holder and the supervisors are alerted. */
    alertHours: z.number().int().min(0).max(72),
  })
  .strict();
export type AftersalesSettingsBody = z.infer<typeof aftersalesSettingsBody>;

const historyEntry = z.object({
  at: z.number(),
  status: z.enum(AFTERSALES_STATUS_VALUES),
  by: z.enum(['buyer', 'agent', 'system', 'platform']),
  reason: z.string(),
  agent: z.string().optional(),
  note: z.string().optional(),
});
const stepOut = z.object({
  id: z.string(),
  name: z.enum(AFTERSALES_STEP_VALUES),
  status: z.enum(['pending', 'waiting', 'confirmed', 'failed', 'undone']),
  confirmedBy: z.enum(['connector', 'manual']).optional(),
  error: z.string().optional(),
  at: z.number().optional(),
});

/** A case as agents (and, with `history` notes left out, the buyer) see it. */
export const caseOut = z.object({
  id: z.string(),
  externalId: z.string().nullable(),
  orderId: z.string(),
  buyerId: z.string(),
  conversationId: z.string().nullable(),
  kind: z.enum(AFTERSALES_KIND_VALUES),
  status: z.enum(AFTERSALES_STATUS_VALUES),
  open: z.boolean(),
  holder: z.string().nullable(),
  urgent: z.boolean(),
  flagged: z.string().nullable(),
  reason: z.string(),
  productIds: z.array(z.string()),
  requestedCents: z.number(),
  paidCents: z.number(),
  refundedCents: z.number(),
  coupons: z.array(couponBody),
  deadline: z.object({ kind: z.string(), at: z.number() }).nullable(),
  openedBy: z.enum(['buyer', 'agent', 'system', 'platform']),
  openedAt: z.number(),
  finishedAt: z.number().nullable(),
  updatedAt: z.number(),
  evidence: z.array(z.object({ id: z.string(), url: z.string() })),
  history: z.array(historyEntry),
  workflow: z
    .object({
      id: z.string(),
      action: z.string(),
      status: z.enum(['running', 'done', 'compensated', 'superseded']),
      steps: z.array(stepOut),
      error: z.string().nullable(),
    })
    .nullable(),
  rating: z.number().nullable(),
  /** AS-4: the shop's claim against the carrier, once the buyer was compensated. */
  claim: z
    .object({
      carrier: z.string(),
      trackingNo: z.string().nullable(),
      amountCents: z.number().nullable(),
      note: z.string().nullable(),
      openedAt: z.number(),
      openedBy: z.string(),
      status: z.enum(['open', 'settled']),
      recoveredCents: z.number().nullable(),
      settledAt: z.number().nullable(),
    })
    .nullable(),
});
export type CaseOut = z.infer<typeof caseOut>;
/** A case as its buyer sees it: no holder, no flag, no carrier claim (and history without notes). */
export type BuyerCaseOut = Omit<CaseOut, 'holder' | 'flagged' | 'claim'> & {
  holder: null;
  flagged: null;
  claim: null;
};
