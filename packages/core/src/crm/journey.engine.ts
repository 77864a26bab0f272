/**
 * The journey engine: runs one buyer's run of a journey as far as it can go now. Pure — the
 * caller reads the buyer's facts, applies the effects (a message, a coupon) and saves the run;
 * each effect carries a key unique to the run and step, so a step run again after a crash (effects
 * applied, run not yet saved) sends nothing twice.
 */
import { checkProactive } from '../compliance/cmp6-proactive.rule';
import type { ProactiveSettings } from '../compliance/compliance.types';
import { DAY, HOUR } from '../kernel';
import { renderTemplate, variableValues } from './journey.template';
import type {
  JourneyBuyerFacts,
  JourneyCondition,
  JourneyDefinition,
  JourneyEffect,
  JourneyRun,
  JourneyRunContext,
  JourneyStopReason,
} from './journey.types';

/** The shop a run belongs to, as the engine needs it. */
export interface JourneyShop {
  name: string;
  timeZone: string;
  locale?: 'zh-CN' | 'en';
  /** CMP-6. */
  proactive: ProactiveSettings;
}

export interface JourneyAdvance {
  run: JourneyRun;
  effects: JourneyEffect[];
}

/** The key of a run: one run per journey, buyer and triggering thing (an order, a product …). */
export function runKey(journeyId: string, buyerId: string, context: JourneyRunContext): string {
  // A review is its own thing (one without an order too); a group buy is invited once per opening.
  const thing =
    context.reviewId ??
    context.orderId ??
    context.productId ??
    (context.groupBuyId !== undefined
      ? `${context.groupBuyId}@${context.groupBuyOpenedAt ?? ''}`
      : undefined) ??
    context.date ??
    '';
  return `${journeyId}:${buyerId}:${thing}`;
}

/** A new run, due at once. */
export function startRun(
  id: string,
  journeyId: string,
  shopId: string,
  buyerId: string,
  context: JourneyRunContext,
  now: number,
): JourneyRun {
  return { id, journeyId, shopId, buyerId, startedAt: now, step: 0, dueAt: now, status: 'active', context };
}

function holds(test: JourneyCondition, facts: JourneyBuyerFacts, run: JourneyRun): boolean {
  switch (test.kind) {
    case 'no_order_since_start':
      return !facts.orderTimes.some((t) => t > run.startedAt);
    case 'ordered_since_start':
      return facts.orderTimes.some((t) => t > run.startedAt);
    case 'no_review_of_order':
      return !facts.reviewedOrder;
    case 'tier_at_least':
      return facts.tierRank >= test.rank;
    case 'has_tag':
      return facts.tags.includes(test.tag);
    case 'rating_at_most':
      return run.context.reviewRating !== undefined && run.context.reviewRating <= test.rating;
    case 'rating_at_least':
      return run.context.reviewRating !== undefined && run.context.reviewRating >= test.rating;
  }
}

function ended(run: JourneyRun, status: 'done' | 'stopped', reason?: JourneyStopReason): JourneyRun {
  const out: JourneyRun = { ...run, status };
  if (reason) out.stopReason = reason;
  return out;
}

/**
 * Runs the run's steps that are due at `now`: until a wait, a message CMP-6 holds back (the run
 * is then due when CMP-6 allows it), or the end. A run not due, or not active, is returned as is.
 */
export function advanceRun(
  def: JourneyDefinition,
  input: JourneyRun,
  facts: JourneyBuyerFacts,
  now: number,
  shop: JourneyShop,
): JourneyAdvance {
  if (input.status !== 'active' || input.dueAt > now) return { run: input, effects: [] };
  let run: JourneyRun = { ...input, context: { ...input.context } };
  const effects: JourneyEffect[] = [];
  // CMP-6 counts what this advance sends too.
  const sent = [...facts.proactiveSent];
  for (;;) {
    if (facts.optedOut) return { run: ended(run, 'stopped', 'opted_out'), effects };
    if (def.exitOnOrder && facts.orderTimes.some((t) => t > run.startedAt))
      return { run: ended(run, 'stopped', 'ordered'), effects };
    const step = def.steps[run.step];
    if (!step) return { run: ended(run, 'done'), effects };
    const key = `${run.id}:${run.step}`;
    switch (step.kind) {
      case 'wait':
        // A wait starts when it is reached: a step run late (a restart, CMP-6) pushes the rest on.
        run = { ...run, step: run.step + 1, dueAt: Math.max(run.dueAt, now) + step.hours * HOUR };
        if (run.dueAt > now) return { run, effects };
        break;
      case 'condition':
        if (!holds(step.test, facts, run)) return { run: ended(run, 'stopped', 'condition_failed'), effects };
        run = { ...run, step: run.step + 1 };
        break;
      case 'coupon': {
        // From the step's due time, not the clock: a step re-run after a crash names the same day.
        const coupon = { ...step.coupon, expiresAt: run.dueAt + step.coupon.validDays * DAY };
        effects.push({ kind: 'coupon', key, step: run.step, coupon });
        run = { ...run, step: run.step + 1, context: { ...run.context, coupon } };
        break;
      }
      case 'message': {
        const check = checkProactive({
          sentTimestamps: sent,
          now,
          tz: shop.timeZone,
          settings: shop.proactive,
        });
        if (check.verdict !== 'pass') {
          if (check.nextAllowedAt === undefined) return { run: ended(run, 'stopped', 'blocked'), effects };
          return { run: { ...run, dueAt: check.nextAllowedAt }, effects };
        }
        const text = renderTemplate(step.template, variableValues(run.context, facts, shop));
        effects.push({ kind: 'send', key, step: run.step, text });
        sent.push(now);
        run = { ...run, step: run.step + 1, dueAt: now };
        break;
      }
      case 'stop':
        return { run: ended(run, 'done'), effects };
    }
  }
}

/** One planned send of a dry run. */
export interface PlannedSend {
  buyerId: string;
  at: number;
  step: number;
  text: string;
  coupon?: { amountCents: number; expiresAt: number };
}

/**
 * A dry run: what a run would send, and when, if nothing about the buyer changed (no new order,
 * no opt-out) — CMP-6's caps and quiet hours applied, as they will be. Nothing is sent.
 */
export function planRun(
  def: JourneyDefinition,
  run: JourneyRun,
  facts: JourneyBuyerFacts,
  shop: JourneyShop,
  horizon: number,
): { sends: PlannedSend[]; run: JourneyRun } {
  const sends: PlannedSend[] = [];
  let current = run;
  let proactiveSent = facts.proactiveSent;
  let coupon: PlannedSend['coupon'];
  // Each pass runs at least one step or ends the run; the bound guards a definition bug.
  for (let pass = 0; pass < 4 * def.steps.length + 8; pass++) {
    if (current.status !== 'active' || current.dueAt > horizon) break;
    const at = current.dueAt;
    const out = advanceRun(def, current, { ...facts, proactiveSent }, at, shop);
    for (const e of out.effects) {
      if (e.kind === 'coupon') coupon = { amountCents: e.coupon.amountCents, expiresAt: e.coupon.expiresAt };
      else {
        const send: PlannedSend = { buyerId: run.buyerId, at, step: e.step, text: e.text };
        if (coupon) send.coupon = coupon;
        coupon = undefined;
        sends.push(send);
        proactiveSent = [...proactiveSent, at];
      }
    }
    current = out.run;
  }
  return { sends, run: current };
}
