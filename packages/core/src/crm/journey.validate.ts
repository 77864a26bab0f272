/**
 * A journey is checked whole when it is saved: a bad one is refused with the field and the
 * reason, and nothing of it runs. CMP-6: a journey whose own messages would exceed the shop's
 * caps is refused (a run would otherwise sit deferred at its cap, or the journey would harass).
 * AS-5: a coupon valid for less than the shop's floor is refused.
 */
import type { ProactiveSettings } from '../compliance/compliance.types';
import { DAY, HOUR, invalid } from '../kernel';
import { templateVariables, variableProblem } from './journey.template';
import { validateSegment } from './segment';
import { JOURNEY_CONDITION_KINDS, JOURNEY_TRIGGER_KINDS } from './journey.kinds';
import type {
  JourneyCondition,
  JourneyCoupon,
  JourneyDefinition,
  JourneyStep,
  JourneyTrigger,
} from './journey.types';

/** The shop's rules a journey is checked against. */
export interface JourneyRules {
  /** CMP-6. */
  proactive: ProactiveSettings;
  /** AS-5: a coupon stays valid at least this many days. */
  couponMinValidDays: number;
}

export const JOURNEY_LIMITS = {
  nameLength: 60,
  steps: 30,
  templateLength: 500,
  /** A wait longer than a year is a mistake, not a plan. */
  waitHours: 365 * 24,
  attributionDays: 90,
  couponCents: 1_000_000,
} as const;

const isInt = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function trigger(raw: unknown): JourneyTrigger {
  if (!isObject(raw) || !JOURNEY_TRIGGER_KINDS.includes(raw.kind as JourneyTrigger['kind']))
    throw invalid('trigger.kind', `must be one of ${JOURNEY_TRIGGER_KINDS.join(', ')}`, {
      issue: 'unknown_trigger',
    });
  if (raw.kind === 'days_since_last_order') {
    if (!isInt(raw.days) || raw.days < 1 || raw.days > 365)
      throw invalid('trigger.days', 'must be a whole number of days from 1 to 365', { issue: 'range' });
    return { kind: raw.kind, days: raw.days };
  }
  if (raw.kind === 'date') {
    const date = typeof raw.date === 'string' ? raw.date : '';
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
    const ok = m && new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10) === date;
    if (!ok) throw invalid('trigger.date', 'must be a date, YYYY-MM-DD', { issue: 'date' });
    const holiday = typeof raw.holiday === 'string' ? raw.holiday.trim() : '';
    if (!holiday || holiday.length > 20)
      throw invalid('trigger.holiday', 'must name the day in 1 to 20 characters (it fills {holiday})', {
        issue: 'length',
      });
    return { kind: raw.kind, date, holiday };
  }
  return { kind: raw.kind } as JourneyTrigger;
}

function condition(raw: unknown, field: string, trigger: JourneyTrigger): JourneyCondition {
  if (!isObject(raw) || !JOURNEY_CONDITION_KINDS.includes(raw.kind as JourneyCondition['kind']))
    throw invalid(`${field}.kind`, `must be one of ${JOURNEY_CONDITION_KINDS.join(', ')}`, {
      issue: 'unknown_condition',
    });
  if (raw.kind === 'tier_at_least') {
    if (!isInt(raw.rank) || raw.rank < 1 || raw.rank > 20)
      throw invalid(`${field}.rank`, 'must be a tier rank from 1 to 20', { issue: 'range' });
    return { kind: raw.kind, rank: raw.rank };
  }
  if (raw.kind === 'has_tag') {
    const tag = typeof raw.tag === 'string' ? raw.tag.trim() : '';
    if (!tag || tag.length > 20)
      throw invalid(`${field}.tag`, 'must be a tag of 1 to 20 characters', { issue: 'tag' });
    return { kind: raw.kind, tag };
  }
  if (raw.kind === 'rating_at_most' || raw.kind === 'rating_at_least') {
    if (trigger.kind !== 'review_posted')
      throw invalid(`${field}.kind`, 'a review rating is known only to a journey started by a review', {
        issue: 'trigger',
      });
    if (!isInt(raw.rating) || raw.rating < 1 || raw.rating > 5)
      throw invalid(`${field}.rating`, 'must be 1 to 5 stars', { issue: 'range' });
    return { kind: raw.kind, rating: raw.rating };
  }
  return { kind: raw.kind } as JourneyCondition;
}

function coupon(raw: unknown, field: string, rules: JourneyRules): JourneyCoupon {
  if (!isObject(raw)) throw invalid(field, 'must be a coupon', { issue: 'coupon' });
  const { amountCents, minSpendCents, validDays } = raw;
  if (!isInt(amountCents) || amountCents < 1 || amountCents > JOURNEY_LIMITS.couponCents)
    throw invalid(`${field}.amountCents`, 'must be a whole number of cents, more than 0', {
      issue: 'coupon_amount',
    });
  if (!isInt(minSpendCents) || minSpendCents < 0)
    throw invalid(`${field}.minSpendCents`, 'must be a whole number of cents, 0 for no threshold', {
      issue: 'coupon_threshold',
    });
  if (minSpendCents > 0 && minSpendCents <= amountCents)
    throw invalid(`${field}.minSpendCents`, 'must be more than the amount (or 0 for no threshold)', {
      issue: 'coupon_threshold',
    });
  // AS-5 (seed 004): a coupon that lapses before the buyer can use it is an insult, not an offer.
  if (!isInt(validDays) || validDays < rules.couponMinValidDays || validDays > 366)
    throw invalid(
      `${field}.validDays`,
      `a coupon must stay valid at least ${rules.couponMinValidDays} days (the shop's floor, AS-5); this one is valid ${String(validDays)}`,
      { issue: 'coupon_validity', min: rules.couponMinValidDays },
    );
  return { amountCents, minSpendCents, validDays };
}

function step(
  raw: unknown,
  i: number,
  trig: JourneyTrigger,
  couponBefore: boolean,
  rules: JourneyRules,
): JourneyStep {
  const field = `steps[${i}]`;
  if (!isObject(raw)) throw invalid(field, 'must be a step', { issue: 'step' });
  switch (raw.kind) {
    case 'wait': {
      const h = raw.hours;
      if (typeof h !== 'number' || !Number.isFinite(h) || h <= 0 || h > JOURNEY_LIMITS.waitHours)
        throw invalid(`${field}.hours`, `must be more than 0 and at most ${JOURNEY_LIMITS.waitHours} hours`, {
          issue: 'range',
        });
      return { kind: 'wait', hours: h };
    }
    case 'condition':
      return { kind: 'condition', test: condition(raw.test, `${field}.test`, trig) };
    case 'message': {
      const template = typeof raw.template === 'string' ? raw.template.trim() : '';
      if (!template || template.length > JOURNEY_LIMITS.templateLength)
        throw invalid(
          `${field}.template`,
          `must be a text of 1 to ${JOURNEY_LIMITS.templateLength} characters`,
          {
            issue: 'length',
          },
        );
      for (const name of templateVariables(template)) {
        const problem = variableProblem(name, trig.kind, couponBefore);
        if (problem)
          throw invalid(`${field}.template`, problem.message, { issue: problem.issue, variable: name });
      }
      return { kind: 'message', template };
    }
    case 'coupon':
      return { kind: 'coupon', coupon: coupon(raw.coupon, `${field}.coupon`, rules) };
    case 'stop':
      return { kind: 'stop' };
    default:
      throw invalid(`${field}.kind`, 'must be wait, condition, message, coupon or stop', { issue: 'step' });
  }
}

/**
 * CMP-6: the journey's own messages, sent as early as its waits allow, must fit the caps. The
 * caps are counted again for every real send (other journeys and agents count too).
 */
function checkCaps(steps: readonly JourneyStep[], rules: JourneyRules): void {
  const at: { step: number; hours: number }[] = [];
  let hours = 0;
  steps.forEach((s, i) => {
    if (s.kind === 'wait') hours += s.hours;
    if (s.kind === 'message') at.push({ step: i, hours });
  });
  const { maxPerDay, maxPerWeek } = rules.proactive;
  const windows: [number, number, string][] = [
    [DAY / HOUR, maxPerDay, `${maxPerDay} a day`],
    [(7 * DAY) / HOUR, maxPerWeek, `${maxPerWeek} a week`],
  ];
  for (const [window, cap, words] of windows)
    for (let i = 0; i < at.length; i++) {
      const inWindow = at.filter((m) => m.hours > at[i]!.hours - window && m.hours <= at[i]!.hours);
      if (inWindow.length > cap)
        throw invalid(
          `steps[${at[i]!.step}]`,
          cap === 0
            ? 'the shop allows no proactive messages (CMP-6 caps are 0)'
            : `this message would be one more than CMP-6 allows (${words}): wait longer before it`,
          { issue: 'proactive_cap', cap, windowHours: window },
        );
    }
}

/** Checks a journey whole; returns it normalized, or throws naming the first field at fault. */
export function validateJourney(raw: unknown, rules: JourneyRules): JourneyDefinition {
  if (!isObject(raw)) throw invalid('journey', 'must be an object', { issue: 'journey' });
  const name = typeof raw.name === 'string' ? raw.name.trim() : '';
  if (!name || name.length > JOURNEY_LIMITS.nameLength)
    throw invalid('name', `must be 1 to ${JOURNEY_LIMITS.nameLength} characters`, { issue: 'length' });
  const trig = trigger(raw.trigger);
  const audience = validateSegment(raw.audience);
  if (!Array.isArray(raw.steps) || raw.steps.length === 0 || raw.steps.length > JOURNEY_LIMITS.steps)
    throw invalid('steps', `must be 1 to ${JOURNEY_LIMITS.steps} steps`, { issue: 'steps' });
  const steps: JourneyStep[] = [];
  let couponBefore = false;
  for (const [i, r] of (raw.steps as unknown[]).entries()) {
    if (steps.at(-1)?.kind === 'stop')
      throw invalid(`steps[${i}]`, 'comes after a stop and would never run', { issue: 'unreachable' });
    const s = step(r, i, trig, couponBefore, rules);
    if (s.kind === 'coupon') couponBefore = true;
    steps.push(s);
  }
  if (!steps.some((s) => s.kind === 'message'))
    throw invalid('steps', 'a journey needs at least one message step', { issue: 'no_message' });
  checkCaps(steps, rules);
  const exitOnOrder = raw.exitOnOrder ?? false;
  if (typeof exitOnOrder !== 'boolean')
    throw invalid('exitOnOrder', 'must be true or false', { issue: 'type' });
  const attributionDays = raw.attributionDays ?? 7;
  if (!isInt(attributionDays) || attributionDays < 1 || attributionDays > JOURNEY_LIMITS.attributionDays)
    throw invalid(
      'attributionDays',
      `must be a whole number of days from 1 to ${JOURNEY_LIMITS.attributionDays}`,
      {
        issue: 'range',
      },
    );
  return { name, trigger: trig, audience, steps, exitOnOrder, attributionDays };
}
