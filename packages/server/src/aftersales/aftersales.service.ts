import {
  applyAftersalesEvent,
  assertNoRunningWorkflow,
  compensate,
  DomainError,
  isCaseOpen,
  notFound,
  reportStep,
  startWorkflow,
  waitingStep,
  type AftersalesBy,
  type AftersalesCase,
  type AftersalesEvent,
  type AftersalesOrder,
  type AftersalesResult,
  type AftersalesStep,
  type AgentRole,
  type Clock,
  type IdGenerator,
  type Logger,
  type ShopId,
  type WorkflowEvent,
  AFTERSALES_DECIDING_ROLES,
  STEP_UNDOABLE,
} from '@xiaoer/core';
import type { BuyerCaseOut, CaseActionBody, CaseOut, OpenCaseBody } from '@xiaoer/protocol/aftersales';
import type { Kysely } from 'kysely';
import type { Storage } from '../storage';
import type { CaseRecord, ShopAftersalesSettings } from '../storage/aftersales.repository';
import { isUniqueViolation } from '../storage/db';
import type { DurableTimer } from '../storage/timer.repository';
import type { Database } from '../storage/schema';

/** Who acts on a case: the buyer (widget), an agent (workbench), or the platform (v1 connector). */
export type CaseActor =
  { by: 'buyer'; buyerId: string } | { by: 'agent'; agentId: string; role: AgentRole } | { by: 'platform' };

/** What a write did, for the pushes after it committed. */
export interface CaseChange {
  record: CaseRecord;
  /** The holder before the write (a case that moved away is taken off their list). */
  previousHolder: string | null;
  /** True when the status moved (the buyer hears of it). */
  moved: boolean;
}

/** A deadline is about to pass (AS-2 alerts): the holder and the supervisors hear of it. */
export interface CaseAlert {
  record: CaseRecord;
  kind: string;
  at: number;
}

export const AFTERSALES_TIMER = 'aftersales.deadline';

/** A case's deadline as its durable timer: one id per armed deadline, so it is set once. */
export function deadlineTimer(shopId: string, caseId: string, d: { kind: string; at: number }) {
  return {
    id: `aftersales:${caseId}:${d.kind}:${d.at}`,
    kind: AFTERSALES_TIMER,
    shopId,
    dueAt: d.at,
    payload: { caseId, kind: d.kind, at: d.at },
  };
}
export const AFTERSALES_STEP_TIMER = 'aftersales.step';
export const AFTERSALES_ALERT_TIMER = 'aftersales.alert';

/** Another write won the race for the row (PostgreSQL locks prevent it; kept for safety). */
class Raced extends Error {}

interface Mutation {
  record: CaseRecord;
  /** The engine's result, when it ran (its changes become webhook events). */
  result?: AftersalesResult;
  /** Steps to send to the connector and steps to take back, in order. */
  send?: AftersalesStep[];
  undo?: AftersalesStep[];
  /** A step sent and never answered: the connector must drop it (its delivery is withdrawn). */
  cancel?: AftersalesStep;
}

/**
 * Issue #19: after-sales cases kept in the database and moved by the pure engine (AS-1 … AS-7).
 * Every write is one transaction holding the case, its next deadline (a durable timer: fired once,
 * by one node, after restarts) and its webhook events. Decisions the platform must carry out run
 * as workflows of steps the shop's connector performs and confirms; a shop with no connector
 * listening for steps has them confirmed at once (its agents act in the platform's own console).
 */
export class AftersalesService {
  private readonly listeners: ((change: CaseChange) => void)[] = [];
  private readonly alertListeners: ((alert: CaseAlert) => void)[] = [];

  constructor(
    private readonly deps: {
      storage: Storage;
      clock: Clock;
      ids: IdGenerator;
      /** A webhook delivery was queued: wake the dispatcher. */
      kickWebhooks: () => void;
      /** A timer was set in a committed write: the scheduler wakes for it. */
      timerSet: (dueAt: number) => void;
      /** Where a failed listener is told. */
      logger: Logger;
    },
  ) {}

  onChange(listener: (change: CaseChange) => void): void {
    this.listeners.push(listener);
  }

  onAlert(listener: (alert: CaseAlert) => void): void {
    this.alertListeners.push(listener);
  }

  settings(shopId: ShopId): Promise<ShopAftersalesSettings> {
    return this.deps.storage.aftersales.settings(shopId);
  }

  /** AS-1: opens a case for an order (the buyer's own, for a buyer). Idempotent by `externalId`. */
  async open(
    shopId: ShopId,
    actor: CaseActor,
    body: Omit<OpenCaseBody, 'evidence'> & { evidence?: string[]; externalId?: string },
  ): Promise<{ record: CaseRecord; created: boolean }> {
    const { storage, clock } = this.deps;
    if (body.externalId) {
      const existing = await storage.aftersales.findByExternal(shopId, body.externalId);
      if (existing) return { record: existing, created: false };
    }
    const order = await storage.orders.findOrder(shopId, body.orderId);
    if (!order || (actor.by === 'buyer' && order.buyerId !== actor.buyerId))
      throw notFound('order', 'orderId');
    const products = await Promise.all(
      [...new Set(order.items.map((i) => i.productId))].map(async (id) => ({
        id: id as string,
        special: (await storage.orders.findProduct(shopId, id))?.special ?? false,
      })),
    );
    const evidence = await this.evidence(shopId, actor, body.evidence ?? []);
    const settings = await this.settings(shopId);
    // The buyer's chat: the case is linked to it, and held by the agent serving it (AS-6).
    const conversation = body.conversationId
      ? await storage.conversations.findConversation(shopId, body.conversationId as never)
      : await storage.conversations.findOpenByBuyer(shopId, order.buyerId);
    if (body.conversationId && conversation?.buyerId !== order.buyerId)
      throw notFound('conversation', 'conversationId');
    const caseId = `as_${this.deps.ids.next().replace(/-/g, '').slice(0, 20)}`;
    const now = clock.now();
    const aftersalesOrder: AftersalesOrder = {
      id: order.id,
      status: order.status,
      items: order.items.map((i) => ({
        productId: i.productId,
        quantity: i.quantity,
        priceCents: i.priceCents,
      })),
      paidCents: order.totalCents,
      paidAt: order.paidAt,
      shippedAt: order.shippedAt,
    };
    try {
      const timers: number[] = [];
      const record = await storage.db.kysely.transaction().execute(async (trx) => {
        await storage.aftersales.lockOrder(trx, shopId, order.id);
        const others = await storage.aftersales.listForOrder(shopId, order.id, trx);
        const result = applyAftersalesEvent(
          undefined,
          {
            type: 'request',
            caseId,
            kind: body.kind,
            order: aftersalesOrder,
            products,
            otherCases: others.map((o) => o.case),
            ...(body.productIds ? { productIds: body.productIds } : {}),
            reason: body.reason,
            ...(body.amountCents !== undefined ? { amountCents: body.amountCents } : {}),
            ...engineBy(actor),
          },
          settings,
          now,
        );
        let c = result.case;
        if (c.holder === null && conversation?.agentId) c = { ...c, holder: conversation.agentId };
        const rec: CaseRecord = {
          shopId,
          buyerId: order.buyerId,
          conversationId: conversation?.id ?? null,
          externalId: body.externalId ?? null,
          case: c,
          workflow: null,
          evidence,
          version: 1,
          updatedAt: now,
          finishedAt: null,
          rating: null,
        };
        await storage.aftersales.insertIn(trx, rec);
        timers.push(...(await this.armDeadline(trx, null, rec, settings, now)));
        await storage.webhooks.enqueueIn(trx, {
          shopId,
          type: 'aftersales.created',
          orderKey: `aftersales:${caseId}`,
          at: now,
          data: (t) => this.v1Data(t, rec),
        });
        return rec;
      });
      this.committed({ record, previousHolder: null, moved: true }, timers);
      return { record, created: true };
    } catch (error) {
      // Two requests at once for the same order and purpose: the unique index says which won.
      if (isUniqueViolation(error)) {
        if (body.externalId) {
          const existing = await storage.aftersales.findByExternal(shopId, body.externalId);
          if (existing) return { record: existing, created: false };
        }
        throw new DomainError('conflict', 'order: the order already has an open case for this', 'order', {
          issue: 'aftersales_duplicate',
        });
      }
      throw error;
    }
  }

  /** An agent's, the platform's or the buyer's action on a case. */
  async act(shopId: ShopId, caseId: string, actor: CaseActor, action: CaseActionBody): Promise<CaseRecord> {
    if (action.type === 'escalate' && actor.by === 'agent') {
      const to = await this.deps.storage.agents.findAgent(shopId, action.to as never);
      if (!to || to.disabledAt !== null) throw notFound('agent', 'to');
    }
    const change = await this.mutate(shopId, caseId, async (rec, trx, now, settings) => {
      const c = rec.case;
      if (action.type === 'claim-carrier' || action.type === 'claim-settle')
        return { record: this.claim(rec, actor, action, now) };
      if (action.type === 'take') {
        if (actor.by !== 'agent') throw forbiddenActor(actor.by, 'take');
        if (!isCaseOpen(c)) throw closedCase(c);
        if (c.holder === actor.agentId) return null;
        if (c.holder !== null && !AFTERSALES_DECIDING_ROLES.includes(actor.role))
          throw new DomainError(
            'forbidden',
            'role: the case has a holder; ask them or a supervisor',
            'role',
            {
              issue: 'aftersales_role',
              role: actor.role,
            },
          );
        return {
          record: {
            ...rec,
            case: {
              ...c,
              holder: actor.agentId,
              history: [
                ...c.history,
                { at: now, status: c.status, by: 'agent', reason: 'taken', agent: actor.agentId },
              ],
            },
          },
        };
      }
      // AS-6: a held case moves on by its holder or a supervisor, not by whoever escalates it.
      if (
        action.type === 'escalate' &&
        actor.by === 'agent' &&
        c.holder !== null &&
        c.holder !== actor.agentId &&
        !AFTERSALES_DECIDING_ROLES.includes(actor.role)
      )
        throw new DomainError(
          'forbidden',
          'role: only its holder or a supervisor moves a held case',
          'role',
          {
            issue: 'aftersales_role',
            role: actor.role,
          },
        );
      const event = toEngineEvent(action, actor);
      const otherRefundedCents = await this.otherRefunded(trx, rec);
      const withOthers =
        'amountCents' in event || event.type === 'refund' || event.type === 'compensate'
          ? { ...event, otherRefundedCents }
          : event;
      // A decision an agent takes is carried out on the platform first (a workflow); what the
      // platform or the buyer did has happened already and applies at once.
      if (actor.by === 'agent' && isWorkflowEvent(withOthers)) {
        assertNoRunningWorkflow(rec.workflow);
        // The engine says now whether the decision is allowed (role, status, amount, coupon floor).
        const dry = applyAftersalesEvent(c, withOthers, settings, now);
        const workflow = startWorkflow(
          c,
          withOthers,
          `wf_${caseIdShort(c.id)}_${this.deps.ids.next().replace(/-/g, '').slice(0, 10)}`,
          now,
        );
        return this.advance(
          trx,
          { ...rec, workflow: { ...workflow, target: dry.case.status } },
          settings,
          now,
        );
      }
      if (actor.by !== 'agent' && rec.workflow && waitingStep(rec.workflow) && isWorkflowEvent(withOthers))
        // The platform decided itself: the decision waiting on the connector is superseded.
        return this.supersede(this.applyEngine(rec, withOthers, settings, now), now);
      const m = this.applyEngine(rec, withOthers, settings, now);
      return rec.workflow && waitingStep(rec.workflow) && m.record.case.status !== c.status
        ? this.supersede(m, now)
        : m;
    });
    return change.record;
  }

  /** The buyer rates how the case was handled, once it is finished (AS-3). */
  async rate(shopId: ShopId, caseId: string, buyerId: string, score: number): Promise<CaseRecord> {
    const change = await this.mutate(shopId, caseId, async (rec) => {
      if (rec.buyerId !== buyerId) throw notFound('case', 'case');
      if (isCaseOpen(rec.case))
        throw new DomainError('conflict', 'case: rate a case once it is finished', 'case', {
          issue: 'aftersales_rate_open',
        });
      if (rec.rating !== null)
        throw new DomainError('conflict', 'score: the case is rated already', 'score', {
          issue: 'aftersales_rated',
        });
      return { record: { ...rec, rating: score } };
    });
    return change.record;
  }

  /** The connector reports a step it was sent: done, or failed (its confirmed steps are undone). */
  async reportStep(
    shopId: ShopId,
    caseId: string,
    stepId: string,
    report: { ok: true } | { ok: false; error: string },
  ): Promise<CaseRecord> {
    const change = await this.mutate(shopId, caseId, async (rec, trx, now, settings) => {
      if (!rec.workflow) throw notFound('step', 'step');
      const outcome = reportStep(
        rec.workflow,
        stepId,
        report.ok ? { ok: true, by: 'connector' } : { ok: false, error: report.error },
        now,
      );
      if (outcome.repeat) return null;
      const next = { ...rec, workflow: outcome.workflow };
      if (outcome.late) return this.late(next, outcome.late, outcome.undo, now);
      if (!report.ok) return this.failed(next, outcome.undo, now);
      return this.advance(trx, next, settings, now);
    });
    return change.record;
  }

  /** A deadline timer fired (AS-2): the engine acts if it is still the case's armed deadline. */
  async onDeadline(timer: DurableTimer): Promise<void> {
    const { caseId, kind, at } = timer.payload as { caseId: string; kind: string; at: number };
    const shopId = timer.shopId as ShopId;
    await this.mutate(shopId, caseId, async (rec, trx, now, settings) => {
      const armed = rec.case.deadline;
      if (!armed || armed.kind !== kind || armed.at !== at || !isCaseOpen(rec.case)) return null;
      const otherRefundedCents = await this.otherRefunded(trx, rec);
      const m = this.applyEngine(
        rec,
        { type: 'deadline', kind: armed.kind, at: armed.at, otherRefundedCents },
        settings,
        Math.max(now, at),
      );
      return m.record.case.status !== rec.case.status && waitingStep(rec.workflow)
        ? this.supersede(m, now)
        : m;
    }).catch((error: unknown) => {
      // A case deleted with its shop: nothing to fire.
      if (error instanceof DomainError && error.code === 'not_found') return;
      throw error;
    });
  }

  /** The connector did not confirm a step in time: it failed, and what was done is undone. */
  async onStepTimeout(timer: DurableTimer): Promise<void> {
    const { caseId, stepId } = timer.payload as { caseId: string; stepId: string };
    const shopId = timer.shopId as ShopId;
    await this.mutate(shopId, caseId, async (rec, _trx, now) => {
      const step = waitingStep(rec.workflow);
      if (!step || step.id !== stepId) return null;
      const outcome = compensate(rec.workflow!, 'compensated', `${step.name}: timeout`, now);
      return {
        ...this.failed({ ...rec, workflow: outcome.workflow }, outcome.undo, now),
        ...(outcome.cancel ? { cancel: outcome.cancel } : {}),
      };
    }).catch((error: unknown) => {
      if (error instanceof DomainError && error.code === 'not_found') return;
      throw error;
    });
  }

  /** A deadline is near (AS-2): tell the holder and the supervisors while it is avoidable. */
  async onAlertTimer(timer: DurableTimer): Promise<void> {
    const { caseId, kind, at } = timer.payload as { caseId: string; kind: string; at: number };
    const rec = await this.deps.storage.aftersales.find(timer.shopId as ShopId, caseId);
    const armed = rec?.case.deadline;
    if (!rec || !armed || armed.kind !== kind || armed.at !== at || !isCaseOpen(rec.case)) return;
    for (const listener of this.alertListeners) listener({ record: rec, kind, at });
  }

  // ── internals ──────────────────────────────────────────────────────────────────────────────────

  /** The upload ids a case carries as evidence: the shop's, and the buyer's own for a buyer. */
  private async evidence(
    shopId: ShopId,
    actor: CaseActor,
    ids: string[],
  ): Promise<{ id: string; url: string }[]> {
    const out: { id: string; url: string }[] = [];
    for (const [i, raw] of ids.entries()) {
      const id = raw.replace(/^\/uploads\//, '');
      const upload = await this.deps.storage.uploads.findUpload(id);
      const mine = actor.by !== 'buyer' || upload?.uploaded_by === `buyer:${actor.buyerId}`;
      if (!upload || upload.shop_id !== shopId || !mine) throw notFound('upload', `evidence.${i}`);
      out.push({ id, url: `/uploads/${id}` });
    }
    return out;
  }

  /** What the order's other cases have refunded (AS-1: never more than paid, across them all). */
  private async otherRefunded(trx: Kysely<Database>, rec: CaseRecord): Promise<number> {
    const all = await this.deps.storage.aftersales.listForOrder(rec.shopId, rec.case.orderId, trx);
    // A refund on its way to the platform (a running workflow) is counted as if done: two cases of
    // one order are never sent more than it paid between them.
    return all
      .filter((o) => o.case.id !== rec.case.id)
      .reduce((sum, o) => sum + o.case.refundedCents + reserved(o), 0);
  }

  private applyEngine(
    rec: CaseRecord,
    event: AftersalesEvent,
    settings: ShopAftersalesSettings,
    now: number,
  ): Mutation {
    const result = applyAftersalesEvent(rec.case, event, settings, now);
    return { record: { ...rec, case: result.case }, result };
  }

  /**
   * Sends the waiting step to the connector, or — with no connector listening for steps — confirms
   * it at once and goes on; when every step is confirmed, the decision is applied to the case.
   */
  private async advance(
    trx: Kysely<Database>,
    rec: CaseRecord,
    settings: ShopAftersalesSettings,
    now: number,
    sent: AftersalesStep[] = [],
  ): Promise<Mutation> {
    const connector = await this.deps.storage.webhooks.listens(trx, rec.shopId, 'aftersales.step');
    let workflow = rec.workflow!;
    for (;;) {
      if (workflow.status === 'done') {
        const event = workflow.event;
        const otherRefundedCents = await this.otherRefunded(trx, rec);
        const withOthers = 'otherRefundedCents' in event ? { ...event, otherRefundedCents } : event;
        try {
          const m = this.applyEngine({ ...rec, workflow }, withOthers as AftersalesEvent, settings, now);
          // Carried out: a flag left by an earlier failed try is cleared.
          const flagged = m.record.case.flagged === 'workflow-failed' ? null : m.record.case.flagged;
          return { ...m, record: { ...m.record, case: { ...m.record.case, flagged } }, send: sent };
        } catch (error) {
          // The case moved on while the platform carried the decision out: take back what can be.
          if (!(error instanceof DomainError)) throw error;
          const outcome = compensate(workflow, 'superseded', error.message, now);
          // What cannot be taken back (a refund, a shipment) happened: a person reconciles it.
          const irreversible = workflow.steps.filter(
            (s) => s.status === 'confirmed' && !STEP_UNDOABLE[s.name],
          );
          const record = { ...rec, workflow: outcome.workflow };
          return {
            record:
              irreversible.length > 0 ? this.flag(record, 'workflow-unapplied', error.message, now) : record,
            undo: outcome.undo,
            send: sent,
          };
        }
      }
      const step = waitingStep(workflow);
      if (!step) return { record: { ...rec, workflow }, send: sent };
      if (connector) return { record: { ...rec, workflow }, send: [...sent, step] };
      workflow = reportStep(workflow, step.id, { ok: true, by: 'manual' }, now).workflow;
    }
  }

  /** A step failed: the case keeps its status, flagged, and the confirmed steps are taken back. */
  private failed(rec: CaseRecord, undo: AftersalesStep[], now: number): Mutation {
    const w = rec.workflow!;
    const c = rec.case;
    return {
      record: {
        ...rec,
        case: {
          ...c,
          flagged: 'workflow-failed',
          history: [
            ...c.history,
            {
              at: now,
              status: c.status,
              by: 'system',
              reason: 'workflow-failed',
              ...(w.error ? { note: w.error } : {}),
            },
          ],
        },
      },
      undo,
    };
  }

  /**
   * AS-4: compensate first, chase the carrier after — a claim is opened once the buyer has been
   * made whole (refunded, reshipped or compensated), by any agent; settling it (what the carrier
   * paid back) needs a deciding role.
   */
  private claim(
    rec: CaseRecord,
    actor: CaseActor,
    action: Extract<CaseActionBody, { type: 'claim-carrier' | 'claim-settle' }>,
    now: number,
  ): CaseRecord {
    if (actor.by !== 'agent') throw forbiddenActor(actor.by, action.type);
    const c = rec.case;
    const entry = (reason: string, note?: string) => ({
      at: now,
      status: c.status,
      by: 'agent' as const,
      reason,
      agent: actor.agentId,
      ...(note ? { note } : {}),
    });
    if (action.type === 'claim-carrier') {
      if (!['refunded', 'reshipped', 'compensated'].includes(c.status))
        throw new DomainError(
          'conflict',
          `status: make the buyer whole first (refund, reship or compensate); the case is ${c.status}`,
          'status',
          { issue: 'aftersales_claim_before_remedy' },
        );
      if (rec.claim)
        throw new DomainError('conflict', 'claim: the case has a carrier claim already', 'claim', {
          issue: 'aftersales_claim_exists',
        });
      return {
        ...rec,
        claim: {
          carrier: action.carrier,
          trackingNo: action.trackingNo ?? null,
          amountCents: action.amountCents ?? null,
          note: action.note ?? null,
          openedAt: now,
          openedBy: actor.agentId,
          status: 'open',
          recoveredCents: null,
          settledAt: null,
        },
        case: { ...c, history: [...c.history, entry('carrier-claim', action.note)] },
      };
    }
    if (!AFTERSALES_DECIDING_ROLES.includes(actor.role))
      throw new DomainError('forbidden', `role: settling a claim needs owner, admin or cs_admin`, 'role', {
        issue: 'aftersales_role',
        role: actor.role,
      });
    if (rec.claim?.status !== 'open')
      throw new DomainError('conflict', 'claim: the case has no open carrier claim', 'claim', {
        issue: 'aftersales_no_claim',
      });
    return {
      ...rec,
      claim: { ...rec.claim, status: 'settled', recoveredCents: action.recoveredCents, settledAt: now },
      case: { ...c, history: [...c.history, entry('carrier-claim-settled', action.note)] },
    };
  }

  /** A note on the case for a person, keeping its status (AS-7: in the history it carries). */
  private flag(rec: CaseRecord, flagged: string, note: string, now: number): CaseRecord {
    const c = rec.case;
    return {
      ...rec,
      case: {
        ...c,
        flagged,
        history: [
          ...c.history,
          { at: now, status: c.status, by: 'system', reason: flagged, note: note.slice(0, 500) },
        ],
      },
    };
  }

  /**
   * The connector did a step after its workflow had ended (it timed out, or the case moved on):
   * an undoable one is undone at once; a refund is recorded as paid (it was) and, like a shipment,
   * flagged for a person to reconcile with the buyer.
   */
  private late(rec: CaseRecord, step: AftersalesStep, undo: AftersalesStep[], now: number): Mutation {
    if (undo.length > 0) return { record: rec, undo };
    let c = rec.case;
    const e = rec.workflow!.event;
    if (step.name === 'refund') {
      const amount =
        'amountCents' in e && e.amountCents !== undefined
          ? e.amountCents
          : Math.max(0, c.requestedCents - c.refundedCents);
      c = { ...c, refundedCents: c.refundedCents + amount };
    }
    return {
      record: this.flag(
        { ...rec, case: c },
        'late-step',
        `${step.name} (${step.id}) done after the decision ended`,
        now,
      ),
    };
  }

  /** The case moved (a deadline, the platform) while a decision waited: the decision ends. */
  private supersede(m: Mutation, now: number): Mutation {
    const w = m.record.workflow!;
    const target = w.target;
    const outcome = compensate(w, 'superseded', `case became ${m.record.case.status}`, now);
    // Reached where the decision was going (the platform refunded by itself): nothing to take back.
    const undo = target === m.record.case.status ? [] : outcome.undo;
    return {
      ...m,
      record: { ...m.record, workflow: outcome.workflow },
      undo,
      ...(outcome.cancel ? { cancel: outcome.cancel } : {}),
    };
  }

  /** One write: read the case locked, change it, store it with its timers and events. */
  private async mutate(
    shopId: ShopId,
    caseId: string,
    change: (
      rec: CaseRecord,
      trx: Kysely<Database>,
      now: number,
      settings: ShopAftersalesSettings,
    ) => Promise<Mutation | null>,
  ): Promise<CaseChange> {
    const { storage, clock } = this.deps;
    // Read before the transaction: SQLite has one connection, held by the transaction.
    const settings = await this.settings(shopId);
    for (let attempt = 0; ; attempt++) {
      // The timers this write sets: the scheduler wakes for them once it has committed.
      const timers: number[] = [];
      try {
        const out = await storage.db.kysely.transaction().execute(async (trx) => {
          const rec = await storage.aftersales.find(shopId, caseId, trx);
          if (!rec) throw notFound('case', 'case');
          await storage.aftersales.lockOrder(trx, shopId, rec.case.orderId);
          const now = clock.now();
          const m = await change(rec, trx, now, settings);
          if (!m) return { record: rec, previousHolder: rec.case.holder, moved: false, wrote: false };
          const finished = !isCaseOpen(m.record.case);
          const next: CaseRecord = {
            ...m.record,
            version: rec.version + 1,
            updatedAt: now,
            finishedAt: finished ? (rec.finishedAt ?? lastAt(m.record.case, now)) : null,
          };
          if (!(await storage.aftersales.updateIn(trx, next))) throw new Raced();
          timers.push(...(await this.armDeadline(trx, rec, next, settings, now)));
          timers.push(...(await this.queueEvents(trx, rec, next, m, settings, now)));
          return {
            record: next,
            previousHolder: rec.case.holder,
            moved: next.case.status !== rec.case.status,
            wrote: true,
          };
        });
        if (out.wrote) this.committed(out, timers);
        return out;
      } catch (error) {
        if (error instanceof Raced && attempt < 3) continue;
        throw error;
      }
    }
  }

  /** A new deadline gets its durable timer (and its alert); the old one is left to no-op. */
  private async armDeadline(
    trx: Kysely<Database>,
    before: CaseRecord | null,
    after: CaseRecord,
    settings: ShopAftersalesSettings,
    now: number,
  ): Promise<number[]> {
    const d = after.case.deadline;
    const old = before?.case.deadline;
    if (!d || (old && old.kind === d.kind && old.at === d.at)) return [];
    const set: number[] = [];
    const timer = deadlineTimer(after.shopId, after.case.id, d);
    const payload = timer.payload;
    await this.deps.storage.timers.schedule(timer, now, trx);
    set.push(d.at);
    const alertAt = d.at - settings.alertHours * 3_600_000;
    if (settings.alertHours > 0 && alertAt > now) {
      await this.deps.storage.timers.schedule(
        {
          id: `aftersales-alert:${after.case.id}:${d.kind}:${d.at}`,
          kind: AFTERSALES_ALERT_TIMER,
          shopId: after.shopId,
          dueAt: alertAt,
          payload,
        },
        now,
        trx,
      );
      set.push(alertAt);
    }
    return set;
  }

  /** The write's webhook events: status changes, steps for the connector, steps to take back. */
  private async queueEvents(
    trx: Kysely<Database>,
    before: CaseRecord,
    after: CaseRecord,
    m: Mutation,
    settings: ShopAftersalesSettings,
    now: number,
  ): Promise<number[]> {
    const set: number[] = [];
    const { webhooks, timers } = this.deps.storage;
    const orderKey = `aftersales:${after.case.id}`;
    if (after.case.status !== before.case.status || after.case.holder !== before.case.holder)
      await webhooks.enqueueIn(trx, {
        shopId: after.shopId,
        type: 'aftersales.updated',
        orderKey,
        at: now,
        data: (t) => this.v1Data(t, after),
      });
    // A step sent and never answered: withdrawn if it has not gone out, and the connector is told
    // to drop it (or take it back) — before the undos of the steps it had done.
    if (m.cancel) {
      await webhooks.withdrawStepIn(trx, after.shopId, orderKey, m.cancel.id, now);
      const cancel = m.cancel;
      await webhooks.enqueueIn(trx, {
        shopId: after.shopId,
        type: 'aftersales.undo',
        orderKey,
        at: now,
        data: async (t) => ({ ...(await this.v1Data(t, after)), step: v1Step(cancel) }),
      });
    }
    for (const step of m.undo ?? [])
      await webhooks.enqueueIn(trx, {
        shopId: after.shopId,
        type: 'aftersales.undo',
        orderKey,
        at: now,
        data: async (t) => ({ ...(await this.v1Data(t, after)), step: v1Step(step) }),
      });
    for (const step of m.send ?? []) {
      await webhooks.enqueueIn(trx, {
        shopId: after.shopId,
        type: 'aftersales.step',
        orderKey,
        at: now,
        data: async (t) => ({ ...(await this.v1Data(t, after)), step: v1Step(step) }),
      });
      const dueAt = now + settings.stepTimeoutMinutes * 60_000;
      await timers.schedule(
        {
          id: `aftersales-step:${after.case.id}:${step.id}`,
          kind: AFTERSALES_STEP_TIMER,
          shopId: after.shopId,
          dueAt,
          payload: { caseId: after.case.id, stepId: step.id },
        },
        now,
        trx,
      );
      set.push(dueAt);
    }
    return set;
  }

  /** The case as the v1 API and webhooks give it. */
  async v1Data(trx: Kysely<Database>, rec: CaseRecord): Promise<{ case: ReturnType<typeof v1CaseOf> }> {
    const buyer = await trx
      .selectFrom('buyers')
      .select('external_id')
      .where('shop_id', '=', rec.shopId)
      .where('id', '=', rec.buyerId)
      .executeTakeFirst();
    return { case: v1CaseOf(rec, buyer?.external_id ?? null) };
  }

  private committed(change: CaseChange, timers: readonly number[]): void {
    for (const at of timers) this.deps.timerSet(at);
    this.deps.kickWebhooks();
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (error) {
        this.deps.logger.error('aftersales listener failed', {
          shop: change.record.shopId,
          case: change.record.case.id,
          err: error,
        });
      }
    }
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The case's coupons as JSON gives them (mutable copies of their product lists). */
const couponsOut = (c: AftersalesCase): CaseOut['coupons'] =>
  c.coupons.map(({ productIds, ...k }) => ({ ...k, ...(productIds ? { productIds: [...productIds] } : {}) }));

function v1Step(s: AftersalesStep) {
  return { id: s.id, name: s.name, status: s.status };
}

/** The case in the v1 API's shape (ISO times, the shop's ids). */
export function v1CaseOf(rec: CaseRecord, buyerExternalId: string | null) {
  const c = rec.case;
  const w = rec.workflow;
  const running = w?.status === 'running';
  return {
    id: c.id,
    externalId: rec.externalId,
    orderExternalId: c.orderId,
    buyerExternalId,
    kind: c.kind,
    status: c.status,
    open: isCaseOpen(c),
    reason: c.reason,
    productExternalIds: c.productIds,
    requestedCents: c.requestedCents,
    refundedCents: c.refundedCents,
    pending:
      running && w
        ? {
            action: w.event.type,
            amountCents: 'amountCents' in w.event ? (w.event.amountCents ?? null) : null,
            steps: w.steps.map(v1Step),
          }
        : null,
    coupons: couponsOut(c),
    deadline: c.deadline ? { kind: c.deadline.kind, at: iso(c.deadline.at) } : null,
    holder: c.holder,
    openedBy: c.openedBy,
    openedAt: iso(c.openedAt),
    finishedAt: rec.finishedAt === null ? null : iso(rec.finishedAt),
    updatedAt: iso(rec.updatedAt),
  };
}

/** The case as agents see it (epoch ms). */
export function caseView(rec: CaseRecord): CaseOut {
  const c = rec.case;
  const w = rec.workflow;
  return {
    id: c.id,
    externalId: rec.externalId,
    orderId: c.orderId,
    buyerId: rec.buyerId,
    conversationId: rec.conversationId,
    kind: c.kind,
    status: c.status,
    open: isCaseOpen(c),
    holder: c.holder,
    urgent: c.urgent,
    flagged: c.flagged,
    reason: c.reason,
    productIds: c.productIds,
    requestedCents: c.requestedCents,
    paidCents: c.paidCents,
    refundedCents: c.refundedCents,
    coupons: couponsOut(c),
    deadline: c.deadline,
    openedBy: c.openedBy,
    openedAt: c.openedAt,
    finishedAt: rec.finishedAt,
    updatedAt: rec.updatedAt,
    evidence: rec.evidence,
    history: c.history,
    workflow: w ? { id: w.id, action: w.event.type, status: w.status, steps: w.steps, error: w.error } : null,
    rating: rec.rating,
    claim: rec.claim ?? null,
  };
}

/** The case as its buyer sees it: no agent ids, no internal notes. */
export function buyerCaseView(rec: CaseRecord): BuyerCaseOut {
  const v = caseView(rec);
  return {
    ...v,
    holder: null,
    flagged: null,
    history: v.history.map(({ at, status, by, reason }) => ({ at, status, by, reason })),
    workflow: v.workflow ? { ...v.workflow, steps: [], error: null } : null,
    // The shop's dealings with its carrier are not the buyer's concern.
    claim: null,
  };
}

/** What a case's running workflow is about to refund (counted against the order until it ends). */
function reserved(o: CaseRecord): number {
  const w = o.workflow;
  if (w?.status !== 'running') return 0;
  const e = w.event;
  if (e.type === 'refund') return e.amountCents ?? Math.max(0, o.case.requestedCents - o.case.refundedCents);
  if (e.type === 'compensate') return e.amountCents ?? 0;
  return 0;
}

function lastAt(c: AftersalesCase, now: number): number {
  return c.history.at(-1)?.at ?? now;
}

function caseIdShort(id: string): string {
  return id.replace(/^as_/, '').slice(0, 8);
}

function engineBy(actor: CaseActor): AftersalesBy {
  return actor.by === 'agent' ? { by: 'agent', agent: actor.agentId, role: actor.role } : { by: actor.by };
}

function forbiddenActor(by: string, what: string): DomainError {
  return new DomainError('forbidden', `role: ${by} may not ${what} a case`, 'role', {
    issue: 'aftersales_actor',
    by,
  });
}

function closedCase(c: AftersalesCase): DomainError {
  return new DomainError('conflict', `case: case ${c.id} is ${c.status} and takes no more events`, 'case', {
    issue: 'aftersales_closed',
  });
}

function isWorkflowEvent(e: AftersalesEvent): e is WorkflowEvent {
  return (
    e.type === 'approve' ||
    e.type === 'reject' ||
    e.type === 'refund' ||
    e.type === 'reship' ||
    e.type === 'compensate'
  );
}

function toEngineEvent(
  action: Exclude<CaseActionBody, { type: 'take' | 'claim-carrier' | 'claim-settle' }>,
  actor: CaseActor,
): AftersalesEvent {
  const by = engineBy(actor);
  switch (action.type) {
    case 'approve':
      return { type: 'approve', ...(action.reason ? { reason: action.reason } : {}), ...by };
    case 'reject':
      return { type: 'reject', reason: action.reason, ...by };
    case 'ship-return':
      return {
        type: 'ship-return',
        ...(action.carrier ? { carrier: action.carrier } : {}),
        ...(action.trackingNo ? { trackingNo: action.trackingNo } : {}),
        ...by,
      };
    case 'receive':
      return { type: 'receive', ...by };
    case 'refund':
      return {
        type: 'refund',
        ...(action.amountCents !== undefined ? { amountCents: action.amountCents } : {}),
        ...by,
      };
    case 'reship':
      return { type: 'reship', ...by };
    case 'compensate':
      return {
        type: 'compensate',
        ...(action.amountCents !== undefined ? { amountCents: action.amountCents } : {}),
        ...(action.coupon ? { coupon: action.coupon } : {}),
        ...(action.gift ? { gift: action.gift } : {}),
        ...by,
      };
    case 'escalate':
      return { type: 'escalate', to: action.to, note: action.note, ...by };
    case 'mark-urgent':
      return { type: 'mark-urgent', ...by };
  }
}
