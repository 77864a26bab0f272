/**
 * The after-sales case engine (AS-1, AS-2, AS-5, AS-6): a pure state machine.
 * `applyAftersalesEvent(case, event, settings, now)` returns the new case, the state changes it went
 * through and the deadline to arm; it throws a DomainError naming the field and changes nothing
 * when the rules refuse the event.
 *
 * Transitions (by: who may cause them; "deciders" are owner, admin and cs_admin — AS-6):
 *   (none)          request       → requested       buyer, any agent, platform; arms merchant-answer
 *                                                    (refund-only, return-refund, exchange)
 *   requested       approve       → approved        deciders, platform; on the merchant-answer
 *                                                    deadline: system, reason "deadline" (AS-2)
 *     refund-only                                    then arms merchant-refund
 *     return-refund, exchange     → awaiting-return  at once after approved; arms buyer-ship
 *   requested       reject        → rejected        deciders, platform
 *   awaiting-return ship-return   → return-shipped  buyer, any agent, platform
 *   awaiting-return buyer-ship deadline → closed    system, reason "return-not-shipped"
 *   awaiting-return, return-shipped receive → received   any agent, platform; arms merchant-refund
 *   approved (refund-only), received (return-refund) refund → refunded   deciders, platform
 *   merchant-refund deadline      → refunded        system, reason "deadline" (overdueRefund
 *                                                    "auto-refund"); else the case is flagged
 *                                                    ("refund-overdue", status unchanged)
 *   approved (reship), received (exchange) reship → reshipped   any agent, platform
 *   requested, approved (compensation) compensate → compensated   deciders (AS-5 coupon floor)
 *   any open        escalate      (status unchanged, holder moves, note kept)   any agent
 *   any open        mark-urgent   (status unchanged)                             deciders
 * Escalations, urgency and flags are history entries, not state changes: `changes` lists only
 * moves from one status to another.
 * A case holds at most one deadline; changing status clears or replaces it, so an older timer that
 * fires later finds no match and does nothing (fires at most once). An event arriving at or after
 * the armed deadline first settles the deadline (at the deadline's time), then applies.
 */
import type { AgentRole } from '../agents/agent.types';
import { DomainError, invalid, notFound } from '../kernel';
import {
  AFTERSALES_DECIDING_ROLES,
  FINISHED_STATUSES,
  type AftersalesActor,
  type AftersalesCase,
  type AftersalesChange,
  type AftersalesEvent,
  type AftersalesKind,
  type AftersalesPurpose,
  type AftersalesResult,
  type AftersalesSettings,
  type AftersalesStatus,
  type AftersalesTimerKind,
} from './aftersales.types';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** AS-1: the kinds special goods still allow ("cannot be returned for no reason"). */
export const SPECIAL_GOODS_KINDS: readonly AftersalesKind[] = ['refund-only', 'reship', 'compensation'];

/** AS-1: one case per order and purpose; both refund kinds share "refund". */
export function purposeOf(kind: AftersalesKind): AftersalesPurpose {
  return kind === 'refund-only' || kind === 'return-refund' ? 'refund' : kind;
}

/** True while a case can still change (not rejected, refunded, reshipped, compensated or closed). */
export function isCaseOpen(c: Pick<AftersalesCase, 'status'>): boolean {
  return !FINISHED_STATUSES.includes(c.status);
}

type Party = Exclude<AftersalesEvent, { type: 'deadline' }>;
type Level = 'any' | 'decide';

/** AS-6: who may cause an event; outsourced and junior agents record and submit only. */
function checkRight(e: Party, actors: readonly AftersalesActor[], level: Level): void {
  if (!actors.includes(e.by))
    throw new DomainError('forbidden', `role: ${e.by} may not ${e.type} a case`, 'role', {
      issue: 'aftersales_actor',
      by: e.by,
    });
  if (e.by === 'agent' && level === 'decide' && !AFTERSALES_DECIDING_ROLES.includes(e.role))
    throw new DomainError(
      'forbidden',
      `role: ${e.type} needs owner, admin or cs_admin; ${e.role} may record and submit the case`,
      'role',
      { issue: 'aftersales_role', role: e.role, allowed: AFTERSALES_DECIDING_ROLES },
    );
}

function needStatus(c: AftersalesCase, event: string, allowed: readonly AftersalesStatus[]): void {
  if (!allowed.includes(c.status))
    throw new DomainError(
      'conflict',
      `status: ${c.kind} case ${c.id} is ${c.status}; ${event} needs ${allowed.join(' or ')}`,
      'status',
    );
}

function needKind(c: AftersalesCase, event: string, allowed: readonly AftersalesKind[]): void {
  if (!allowed.includes(c.kind))
    throw invalid('kind', `${event} does not apply to a ${c.kind} case`, {
      issue: 'aftersales_kind_event',
      kind: c.kind,
    });
}

class Draft {
  readonly changes: AftersalesChange[] = [];
  armed: { kind: AftersalesTimerKind; at: number } | null = null;
  constructor(public c: AftersalesCase) {}

  move(
    at: number,
    status: AftersalesStatus,
    by: AftersalesActor,
    reason: string,
    agent?: string,
    note?: string,
  ) {
    this.c = {
      ...this.c,
      status,
      deadline: null,
      history: [
        ...this.c.history,
        { at, status, by, reason, ...(agent ? { agent } : {}), ...(note ? { note } : {}) },
      ],
    };
    this.armed = null;
    this.changes.push({ at, case: this.c.id, kind: this.c.kind, status, by, reason });
  }

  /**
   * A note that keeps the status (escalation, urgency, a flag): kept in the history the case
   * carries, not a state change, so it never reads as one (a flag is not a second approval).
   */
  mark(at: number, by: AftersalesActor, reason: string, agent?: string, note?: string) {
    const status = this.c.status;
    this.c = {
      ...this.c,
      history: [
        ...this.c.history,
        { at, status, by, reason, ...(agent ? { agent } : {}), ...(note ? { note } : {}) },
      ],
    };
  }

  arm(kind: AftersalesTimerKind, at: number) {
    this.c = { ...this.c, deadline: { kind, at } };
    this.armed = { kind, at };
  }
}

function agentOf(e: Party): string | undefined {
  return e.by === 'agent' ? e.agent : undefined;
}

/** The approval, by a decider, the platform or the system on the answer deadline. */
function approve(
  d: Draft,
  at: number,
  by: AftersalesActor,
  reason: string,
  s: AftersalesSettings,
  agent?: string,
) {
  d.move(at, 'approved', by, reason, agent);
  const kind = d.c.kind;
  if (kind === 'refund-only') d.arm('merchant-refund', at + s.merchantRefundDays * DAY);
  if (kind === 'return-refund' || kind === 'exchange') {
    d.move(at, 'awaiting-return', by, 'return-needed', agent);
    d.arm('buyer-ship', at + s.buyerShipDays * DAY);
  }
}

/** What the case may still refund: paid, less the order's other refunds and its own. */
function refundable(c: AftersalesCase, otherRefundedCents?: number): number {
  const others = otherRefundedCents ?? c.paidCents - c.limitCents;
  return Math.max(0, c.paidCents - others - c.refundedCents);
}

function fireDeadline(d: Draft, s: AftersalesSettings, otherRefundedCents?: number): void {
  const deadline = d.c.deadline!;
  const at = deadline.at;
  switch (deadline.kind) {
    case 'merchant-answer':
      // AS-2: unanswered by the deadline → approved by the system, at exactly the deadline.
      approve(d, at, 'system', 'deadline', s);
      return;
    case 'buyer-ship':
      d.move(at, 'closed', 'system', 'return-not-shipped');
      return;
    case 'merchant-refund': {
      const canRefund = d.c.kind === 'refund-only' || d.c.kind === 'return-refund';
      if (canRefund && s.overdueRefund === 'auto-refund') {
        const amount = Math.min(d.c.requestedCents - d.c.refundedCents, refundable(d.c, otherRefundedCents));
        d.c = { ...d.c, refundedCents: d.c.refundedCents + Math.max(0, amount) };
        d.move(at, 'refunded', 'system', 'deadline');
      } else {
        d.c = { ...d.c, flagged: 'refund-overdue', deadline: null };
        d.mark(at, 'system', 'refund-overdue');
      }
      return;
    }
  }
}

function openCase(
  e: Extract<AftersalesEvent, { type: 'request' }>,
  s: AftersalesSettings,
  now: number,
): Draft {
  checkRight(e, ['buyer', 'agent', 'platform'], 'any');
  const { order, kind } = e;
  if (order.status === 'unpaid' || order.paidAt === null)
    throw invalid('order', `order ${order.id} is not paid; there is nothing to refund or return`, {
      issue: 'aftersales_unpaid',
    });
  const orderProducts = new Set(order.items.map((i) => i.productId));
  const productIds = e.productIds?.length ? [...e.productIds] : [...orderProducts];
  for (const id of productIds)
    if (!orderProducts.has(id))
      throw invalid('productIds', `product ${id} is not in order ${order.id}`, { issue: 'aftersales_item' });
  const needsShipment = kind === 'return-refund' || kind === 'exchange' || kind === 'reship';
  const shipped = order.shippedAt !== null || ['shipped', 'completed', 'after_sales'].includes(order.status);
  if (needsShipment && !shipped)
    throw invalid(
      'kind',
      `order ${order.id} has not shipped; ${kind} needs a shipped order — ask for refund-only`,
      {
        issue: 'aftersales_not_shipped',
        allowed: ['refund-only', 'compensation'],
      },
    );
  if (kind === 'return-refund' || kind === 'exchange') {
    const special = productIds.filter((id) => e.products.find((p) => p.id === id)?.special === true);
    if (special.length > 0)
      // AS-1: fresh food, fruit, virtual and custom-made goods cannot be returned for no reason.
      throw invalid(
        'kind',
        `${special.join(', ')} ${special.length > 1 ? 'are' : 'is'} special goods (fresh, fruit, virtual or custom-made) and cannot be returned; allowed: ${SPECIAL_GOODS_KINDS.join(', ')}`,
        { issue: 'aftersales_special_goods', products: special, allowed: SPECIAL_GOODS_KINDS },
      );
  }
  const purpose = purposeOf(kind);
  const twin = e.otherCases.find((c) => c.orderId === order.id && c.purpose === purpose && isCaseOpen(c));
  if (twin)
    throw new DomainError(
      'conflict',
      `order: order ${order.id} already has an open ${purpose} case (${twin.id}, ${twin.status})`,
      'order',
      { issue: 'aftersales_duplicate', case: twin.id },
    );
  const limitCents = order.paidCents - e.otherCases.reduce((sum, c) => sum + c.refundedCents, 0);
  const requestedCents = e.amountCents ?? (purpose === 'refund' ? limitCents : 0);
  if (!Number.isInteger(requestedCents) || requestedCents < 0)
    throw invalid('amount', 'must be a whole number of cents, 0 or more', { issue: 'aftersales_amount' });
  if (requestedCents > limitCents)
    throw invalid(
      'amount',
      `${requestedCents / 100} is more than the ${limitCents / 100} paid and not yet refunded`,
      {
        issue: 'aftersales_amount_above_paid',
        limit: limitCents,
      },
    );
  const c: AftersalesCase = {
    id: e.caseId,
    kind,
    purpose,
    status: 'requested',
    orderId: order.id,
    productIds,
    reason: e.reason,
    openedBy: e.by,
    openedAt: now,
    holder: e.by === 'agent' ? e.agent : null,
    urgent: false,
    requestedCents,
    paidCents: order.paidCents,
    limitCents,
    refundedCents: 0,
    coupons: [],
    deadline: null,
    flagged: null,
    history: [],
  };
  const d = new Draft(c);
  d.move(now, 'requested', e.by, e.reason || 'requested', agentOf(e));
  if (kind === 'refund-only' || kind === 'return-refund' || kind === 'exchange')
    d.arm('merchant-answer', now + s.merchantAnswerHours * HOUR);
  return d;
}

function checkCoupon(
  c: AftersalesCase,
  e: Extract<AftersalesEvent, { type: 'compensate' }>,
  s: AftersalesSettings,
) {
  const coupon = e.coupon;
  if (!coupon) return;
  if (!(coupon.amountCents > 0))
    throw invalid('coupon.amount', 'must be more than 0', { issue: 'coupon_amount' });
  // AS-5 (seed 004): a coupon that expires before the buyer can use it is no compensation.
  if (coupon.validDays < s.couponMinValidDays)
    throw invalid(
      'coupon.validDays',
      `a compensation coupon must stay valid at least ${s.couponMinValidDays} days; this one is valid ${coupon.validDays}`,
      { issue: 'coupon_validity', min: s.couponMinValidDays },
    );
  const scopes = s.couponScopes as readonly string[];
  if (!scopes.includes(coupon.scope))
    throw invalid(
      'coupon.scope',
      `a compensation coupon must be usable ${scopes.map((x) => (x === 'store' ? 'store-wide' : 'on the item')).join(' or ')}; "${coupon.scope}" is not`,
      { issue: 'coupon_scope', allowed: scopes },
    );
  if (coupon.scope === 'item' && !c.productIds.some((id) => coupon.productIds?.includes(id)))
    throw invalid(
      'coupon.productIds',
      `an item coupon must be usable on the case's item (${c.productIds.join(', ')})`,
      {
        issue: 'coupon_items',
      },
    );
}

/**
 * Applies one event to a case (undefined for a request that opens one). Pure: returns the new
 * case, its changes in order and the deadline to (re)arm; throws a DomainError naming the field
 * and leaves the given case untouched when the rules refuse it.
 */
export function applyAftersalesEvent(
  current: AftersalesCase | undefined,
  event: AftersalesEvent,
  settings: AftersalesSettings,
  now: number,
): AftersalesResult {
  if (event.type === 'request') {
    if (current) throw new DomainError('conflict', `case: case ${current.id} already exists`, 'case');
    const d = openCase(event, settings, now);
    return result(d);
  }
  if (!current) throw notFound('case', 'case');
  if (event.type === 'deadline') {
    const armed = current.deadline;
    // A superseded timer (the case moved on, or the deadline was re-armed) never fires.
    if (!armed || armed.kind !== event.kind || armed.at !== event.at || !isCaseOpen(current))
      return { case: current, changes: [], timers: [] };
    if (now < armed.at)
      throw invalid('at', `the ${armed.kind} deadline is not due before ${new Date(armed.at).toISOString()}`);
    const d = new Draft(current);
    fireDeadline(d, settings, event.otherRefundedCents);
    return result(d);
  }
  if (!isCaseOpen(current))
    throw new DomainError(
      'conflict',
      `case: case ${current.id} is ${current.status} and takes no more events`,
      'case',
      {
        issue: 'aftersales_closed',
      },
    );
  const d = new Draft(current);
  // A deadline that passed before this event settles first, at its own time (AS-2).
  if (current.deadline && now >= current.deadline.at)
    fireDeadline(d, settings, 'otherRefundedCents' in event ? event.otherRefundedCents : undefined);
  if (!isCaseOpen(d.c))
    throw new DomainError(
      'conflict',
      `case: case ${current.id} became ${d.c.status} at its deadline`,
      'case',
      {
        issue: 'aftersales_closed',
      },
    );
  step(d, event, settings, now);
  return result(d);
}

function step(d: Draft, e: Party, s: AftersalesSettings, now: number): void {
  const agent = agentOf(e);
  switch (e.type) {
    case 'request':
      throw new DomainError('conflict', `case: case ${d.c.id} already exists`, 'case');
    case 'approve':
      checkRight(e, ['agent', 'platform'], 'decide');
      needStatus(d.c, 'approve', ['requested']);
      approve(d, now, e.by, e.reason ?? 'approved', s, agent);
      return;
    case 'reject':
      checkRight(e, ['agent', 'platform'], 'decide');
      needStatus(d.c, 'reject', ['requested']);
      d.move(now, 'rejected', e.by, e.reason ?? 'rejected', agent);
      return;
    case 'ship-return':
      checkRight(e, ['buyer', 'agent', 'platform'], 'any');
      needStatus(d.c, 'ship-return', ['awaiting-return']);
      d.move(now, 'return-shipped', e.by, 'return-shipped', agent);
      return;
    case 'receive':
      checkRight(e, ['agent', 'platform'], 'any');
      needStatus(d.c, 'receive', ['awaiting-return', 'return-shipped']);
      d.move(now, 'received', e.by, 'return-received', agent);
      d.arm('merchant-refund', now + s.merchantRefundDays * DAY);
      return;
    case 'refund': {
      checkRight(e, ['agent', 'platform'], 'decide');
      needKind(d.c, 'refund', ['refund-only', 'return-refund']);
      needStatus(d.c, 'refund', [d.c.kind === 'refund-only' ? 'approved' : 'received']);
      const amount = e.amountCents ?? Math.max(0, d.c.requestedCents - d.c.refundedCents);
      checkAmount(d.c, amount, e.otherRefundedCents);
      d.c = { ...d.c, refundedCents: d.c.refundedCents + amount, flagged: null };
      d.move(now, 'refunded', e.by, 'refunded', agent);
      return;
    }
    case 'reship':
      checkRight(e, ['agent', 'platform'], 'any');
      needKind(d.c, 'reship', ['reship', 'exchange']);
      needStatus(d.c, 'reship', [d.c.kind === 'reship' ? 'approved' : 'received']);
      d.c = { ...d.c, flagged: null };
      d.move(now, 'reshipped', e.by, 'reshipped', agent);
      return;
    case 'compensate': {
      checkRight(e, ['agent'], 'decide');
      needKind(d.c, 'compensate', ['compensation']);
      needStatus(d.c, 'compensate', ['requested', 'approved']);
      if (e.amountCents === undefined && !e.coupon && !e.gift)
        throw invalid('coupon', 'give a partial refund (amount), a coupon or a gift', {
          issue: 'compensation_empty',
        });
      if (e.amountCents !== undefined) checkAmount(d.c, e.amountCents, e.otherRefundedCents);
      checkCoupon(d.c, e, s);
      d.c = {
        ...d.c,
        refundedCents: d.c.refundedCents + (e.amountCents ?? 0),
        coupons: e.coupon ? [...d.c.coupons, e.coupon] : d.c.coupons,
      };
      d.move(now, 'compensated', e.by, 'compensated', agent);
      return;
    }
    case 'escalate': {
      checkRight(e, ['agent'], 'any');
      if (!e.to.trim()) throw invalid('to', 'name the agent who takes the case over');
      // AS-6/AS-7: the case moves with its whole history and a note, so nobody asks twice.
      if (!e.note.trim()) throw invalid('note', 'say what the next holder needs to know');
      d.c = { ...d.c, holder: e.to };
      d.mark(now, e.by, 'escalated', agent, e.note.trim());
      return;
    }
    case 'mark-urgent':
      checkRight(e, ['agent'], 'decide');
      d.c = { ...d.c, urgent: true };
      d.mark(now, e.by, 'urgent', agent);
      return;
  }
}

function checkAmount(c: AftersalesCase, amount: number, otherRefundedCents?: number): void {
  const left = refundable(c, otherRefundedCents);
  if (!Number.isInteger(amount) || amount <= 0)
    throw invalid('amount', 'must be a whole number of cents above 0', { issue: 'aftersales_amount' });
  if (amount > left)
    throw invalid('amount', `${amount / 100} is more than the ${left / 100} paid and not yet refunded`, {
      issue: 'aftersales_amount_above_paid',
      limit: left,
    });
}

function result(d: Draft): AftersalesResult {
  return {
    case: d.c,
    changes: d.changes,
    timers: d.armed ? [{ case: d.c.id, kind: d.armed.kind, at: d.armed.at }] : [],
  };
}

/** AS-6 helper for callers: may this role decide, refund, compensate and mark urgent? */
export function canDecideAftersales(role: AgentRole): boolean {
  return AFTERSALES_DECIDING_ROLES.includes(role);
}
