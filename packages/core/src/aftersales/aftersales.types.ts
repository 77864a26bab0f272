import type { AgentRole } from '../agents/agent.types';

/** AS-1: the five kinds of after-sales case. */
export type AftersalesKind = 'refund-only' | 'return-refund' | 'exchange' | 'reship' | 'compensation';
export const AFTERSALES_KINDS: readonly AftersalesKind[] = [
  'refund-only',
  'return-refund',
  'exchange',
  'reship',
  'compensation',
];

/**
 * A case's status. Open: requested, approved, awaiting-return, return-shipped, received.
 * Finished (no event but a stale timer touches them again): rejected, refunded, reshipped,
 * compensated, closed.
 */
export type AftersalesStatus =
  | 'requested'
  | 'approved'
  | 'rejected'
  | 'awaiting-return'
  | 'return-shipped'
  | 'received'
  | 'refunded'
  | 'reshipped'
  | 'compensated'
  | 'closed';
export const FINISHED_STATUSES: readonly AftersalesStatus[] = [
  'rejected',
  'refunded',
  'reshipped',
  'compensated',
  'closed',
];

/** Who caused a change: the buyer, a shop agent, the engine on a deadline, or the platform. */
export type AftersalesActor = 'buyer' | 'agent' | 'system' | 'platform';

/** AS-1: "one case per order and purpose" — both refund kinds share the purpose "refund". */
export type AftersalesPurpose = 'refund' | 'exchange' | 'reship' | 'compensation';

/** The deadline kinds (AS-2). */
export type AftersalesTimerKind = 'merchant-answer' | 'buyer-ship' | 'merchant-refund';

/** A platform's rules and the shop's floors the engine reads (AS-2, AS-5). */
export interface AftersalesSettings {
  /** AS-2: the merchant answers a request within this many hours or it is approved (seed 001: 48). */
  merchantAnswerHours: number;
  /** AS-2: the buyer ships an approved return within this many days or the case closes. */
  buyerShipDays: number;
  /** AS-2: the merchant refunds (or reships an exchange) within this many days of receipt. */
  merchantRefundDays: number;
  /** What an overdue refund becomes: refunded by the platform's rule, or flagged for a person. */
  overdueRefund: 'auto-refund' | 'flag';
  /** AS-5: a compensation coupon stays valid at least this many days (seed 004: 3 was an insult). */
  couponMinValidDays: number;
  /** AS-5: where a compensation coupon must be usable: the whole store, or the case's item too. */
  couponScopes: readonly ('store' | 'item')[];
}

/** Defaults: seed 001's 48 hours; 7 days to ship a return, 7 to refund after receipt; 30-day coupons. */
export const DEFAULT_AFTERSALES_SETTINGS: AftersalesSettings = {
  merchantAnswerHours: 48,
  buyerShipDays: 7,
  merchantRefundDays: 7,
  overdueRefund: 'auto-refund',
  couponMinValidDays: 30,
  couponScopes: ['store', 'item'],
};

/** The order a case is about, as the engine needs it (amounts in cents). */
export interface AftersalesOrder {
  id: string;
  status: 'unpaid' | 'paid' | 'shipped' | 'completed' | 'after_sales' | 'closed';
  items: { productId: string; quantity: number; priceCents: number }[];
  paidCents: number;
  paidAt: number | null;
  shippedAt: number | null;
}

/** A product as the engine needs it: AS-1 special goods (fresh, fruit, virtual, custom-made). */
export interface AftersalesProduct {
  id: string;
  special: boolean;
}

/** A compensation coupon (AS-5). */
export interface CompensationCoupon {
  amountCents: number;
  validDays: number;
  scope: 'store' | 'item' | 'category';
  /** For scope "item": the products it is usable on. */
  productIds?: readonly string[];
}

/** One line of a case's history: carried once with the case, wherever it goes (AS-7). */
export interface AftersalesHistoryEntry {
  at: number;
  status: AftersalesStatus;
  by: AftersalesActor;
  reason: string;
  /** The agent who acted, when one did. */
  agent?: string;
  note?: string;
}

/** The armed deadline: at most one per case; a timer that no longer matches it never fires. */
export interface AftersalesDeadline {
  kind: AftersalesTimerKind;
  at: number;
}

/** An after-sales case. */
export interface AftersalesCase {
  id: string;
  kind: AftersalesKind;
  purpose: AftersalesPurpose;
  status: AftersalesStatus;
  orderId: string;
  productIds: string[];
  reason: string;
  openedBy: AftersalesActor;
  openedAt: number;
  /** AS-6: who holds the case now (an agent id), null while nobody has taken it. */
  holder: string | null;
  urgent: boolean;
  /** What the buyer asked back, in cents. */
  requestedCents: number;
  /** What the order was paid, in cents. */
  paidCents: number;
  /** The most this case could refund when it opened: paid minus the order's other cases' refunds. */
  limitCents: number;
  refundedCents: number;
  coupons: CompensationCoupon[];
  deadline: AftersalesDeadline | null;
  /** Set when a deadline passed and the settings say a person must act (overdueRefund "flag"). */
  flagged: string | null;
  history: AftersalesHistoryEntry[];
}

/** The acting party of an event: agents carry their role (AS-6). */
export type AftersalesBy =
  { by: 'buyer' } | { by: 'platform' } | { by: 'agent'; agent: string; role: AgentRole };

/** An event the engine applies to a case. */
export type AftersalesEvent =
  | ({
      type: 'request';
      caseId: string;
      kind: AftersalesKind;
      order: AftersalesOrder;
      /** The products of the order (at least those of the case). */
      products: readonly AftersalesProduct[];
      /** The order's other cases, open or finished (one per purpose; refunds count against paid). */
      otherCases: readonly AftersalesCase[];
      /** The products the case is about; default: all of the order's. */
      productIds?: readonly string[];
      reason: string;
      amountCents?: number;
    } & AftersalesBy)
  | ({ type: 'approve'; reason?: string } & AftersalesBy)
  | ({ type: 'reject'; reason?: string } & AftersalesBy)
  | ({ type: 'ship-return'; carrier?: string; trackingNo?: string } & AftersalesBy)
  | ({ type: 'receive' } & AftersalesBy)
  | ({ type: 'refund'; amountCents?: number; otherRefundedCents?: number } & AftersalesBy)
  | ({ type: 'reship' } & AftersalesBy)
  | ({
      type: 'compensate';
      /** A partial refund given as compensation (AS-4). */
      amountCents?: number;
      coupon?: CompensationCoupon;
      gift?: string;
      otherRefundedCents?: number;
    } & AftersalesBy)
  | ({ type: 'escalate'; to: string; note: string } & AftersalesBy)
  | ({ type: 'mark-urgent' } & AftersalesBy)
  /** A durable timer fired; it acts only when it is still the case's armed deadline. */
  | { type: 'deadline'; kind: AftersalesTimerKind; at: number; otherRefundedCents?: number };

/*
 * otherRefundedCents: what the order's other cases have refunded by now, so two cases of one order
 * never refund more than was paid together; absent, what they had refunded when this case opened.
 */

/** One state change, as the simulator prints it. */
export interface AftersalesChange {
  at: number;
  case: string;
  kind: AftersalesKind;
  status: AftersalesStatus;
  by: AftersalesActor;
  reason: string;
}

/** A timer to (re)arm; arming one for a case replaces the case's previous one. */
export interface AftersalesTimer {
  case: string;
  kind: AftersalesTimerKind;
  at: number;
}

/** What apply returns: the new case, the changes it went through, the timers to arm. */
export interface AftersalesResult {
  case: AftersalesCase;
  changes: AftersalesChange[];
  timers: AftersalesTimer[];
}

/** The roles that may decide, refund, compensate and mark urgent (AS-6). */
export const AFTERSALES_DECIDING_ROLES: readonly AgentRole[] = ['owner', 'admin', 'cs_admin'];
