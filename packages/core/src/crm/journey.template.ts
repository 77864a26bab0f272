/**
 * A journey message's template: text with {variables}. Which variables a template may use
 * depends on the trigger (an order's item exists only when an order started the run) and on the
 * steps before it (a coupon's amount only after a coupon step). Unknown or unavailable variables
 * are refused when the journey is saved, never found out when the message goes.
 */
import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';
import { JOURNEY_VARIABLES, type JourneyVariable, type JourneyVariableSource } from './journey.kinds';
import type { JourneyBuyerFacts, JourneyRunContext, JourneyTriggerKind } from './journey.types';

const VARIABLE = /\{([^{}]*)\}/g;

/** The variable names a template uses, in order of first use. */
export function templateVariables(template: string): string[] {
  const names = new Set<string>();
  for (const m of template.matchAll(VARIABLE)) names.add(m[1]!.trim());
  return [...names];
}

/** Why a variable cannot be used at a step, or undefined when it can. */
export function variableProblem(
  name: string,
  trigger: JourneyTriggerKind,
  couponBefore: boolean,
): { issue: 'unknown_variable' | 'variable_unavailable'; message: string } | undefined {
  if (!Object.hasOwn(JOURNEY_VARIABLES, name))
    return {
      issue: 'unknown_variable',
      message: `unknown variable {${name}}; known: ${Object.keys(JOURNEY_VARIABLES)
        .map((v) => `{${v}}`)
        .join(' ')}`,
    };
  const source: JourneyVariableSource = JOURNEY_VARIABLES[name as JourneyVariable].source;
  if (source === 'always') return undefined;
  if (source === 'coupon')
    return couponBefore
      ? undefined
      : { issue: 'variable_unavailable', message: `{${name}} needs a coupon step before this message` };
  return source.includes(trigger)
    ? undefined
    : {
        issue: 'variable_unavailable',
        message: `{${name}} is not known for a run started by "${trigger}"`,
      };
}

/** Yuan from cents: 1000 → "10", 990 → "9.9", 1005 → "10.05". */
export function yuan(cents: number): string {
  return String(Math.round(cents) / 100);
}

function day(at: number, tz: string, locale: 'zh-CN' | 'en'): string {
  return format(new TZDate(at, tz), locale === 'zh-CN' ? 'M月d日' : 'MMM d');
}

/** The values a run's messages fill in. */
export function variableValues(
  context: JourneyRunContext,
  facts: Pick<JourneyBuyerFacts, 'nick' | 'tierName'>,
  shop: { name: string; timeZone: string; locale?: 'zh-CN' | 'en' },
): Partial<Record<JourneyVariable, string>> {
  const locale = shop.locale ?? 'zh-CN';
  const v: Partial<Record<JourneyVariable, string>> = {
    buyerNick: facts.nick,
    shopName: shop.name,
    tier: facts.tierName,
  };
  if (context.orderId !== undefined) v.orderId = context.orderId;
  if (context.orderItem !== undefined) v.orderItem = context.orderItem;
  if (context.carrier !== undefined) v.carrier = context.carrier;
  if (context.trackingNo !== undefined) v.trackingNo = context.trackingNo;
  if (context.parcelIssue !== undefined) v.parcelIssue = context.parcelIssue;
  if (context.productTitle !== undefined) v.productTitle = context.productTitle;
  if (context.groupBuyTitle !== undefined) v.groupBuyTitle = context.groupBuyTitle;
  if (context.groupBuyPriceCents !== undefined) v.groupBuyPrice = yuan(context.groupBuyPriceCents);
  if (context.groupBuyEndsAt !== undefined)
    v.groupBuyEnds = day(context.groupBuyEndsAt, shop.timeZone, locale);
  if (context.holiday !== undefined) v.holiday = context.holiday;
  if (context.coupon) {
    v.couponAmount = yuan(context.coupon.amountCents);
    v.couponMinSpend = yuan(context.coupon.minSpendCents);
    v.couponExpires = day(context.coupon.expiresAt, shop.timeZone, locale);
  }
  return v;
}

/**
 * Fills a template in. A variable without a value (the trigger's fact was missing: an order
 * with no carrier yet) becomes empty rather than "{carrier}" in front of a buyer.
 */
export function renderTemplate(template: string, values: Partial<Record<string, string>>): string {
  return template
    .replace(VARIABLE, (_, name: string) => values[name.trim()] ?? '')
    .replace(/[ \t]{2,}/g, ' ')
    .trim();
}
