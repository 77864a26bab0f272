/**
 * The journey vocabulary as plain lists — triggers, conditions, step kinds and the variables a
 * message may name, with when each exists. No imports but types: the console's journey editor
 * reads it (`@xiaoer/core/journey-kinds`) and the bundle stays free of the rest of the core.
 */
import type { JourneyConditionKind, JourneyStepKind, JourneyTriggerKind } from './journey.types';

export const JOURNEY_TRIGGER_KINDS = [
  'order_received',
  'parcel_flagged',
  'first_purchase',
  'days_since_last_order',
  'date',
  'new_arrival',
  'review_posted',
  'group_buy_open',
] as const satisfies readonly JourneyTriggerKind[];

export const JOURNEY_CONDITION_KINDS = [
  'no_order_since_start',
  'ordered_since_start',
  'no_review_of_order',
  'tier_at_least',
  'has_tag',
  'rating_at_most',
  'rating_at_least',
] as const satisfies readonly JourneyConditionKind[];

export const JOURNEY_STEP_KINDS = [
  'wait',
  'condition',
  'message',
  'coupon',
  'stop',
] as const satisfies readonly JourneyStepKind[];

// Each list names every kind of its union (a kind added to a union and not here fails to compile).
type Missing<All, Listed> = Exclude<All, Listed> extends never ? true : Exclude<All, Listed>;
export const journeyKindsComplete: [
  Missing<JourneyTriggerKind, (typeof JOURNEY_TRIGGER_KINDS)[number]>,
  Missing<JourneyConditionKind, (typeof JOURNEY_CONDITION_KINDS)[number]>,
  Missing<JourneyStepKind, (typeof JOURNEY_STEP_KINDS)[number]>,
] = [true, true, true];

const ORDER_TRIGGERS: readonly JourneyTriggerKind[] = [
  'order_received',
  'parcel_flagged',
  'first_purchase',
  'days_since_last_order',
  'review_posted',
];

/** Where a variable's value comes from: always, a coupon step before it, or these triggers. */
export type JourneyVariableSource = 'always' | 'coupon' | readonly JourneyTriggerKind[];

/** Every variable a template may name, what it is, and when it exists. */
export const JOURNEY_VARIABLES = {
  buyerNick: { source: 'always', zh: '买家昵称', en: "the buyer's nickname" },
  shopName: { source: 'always', zh: '店铺名', en: "the shop's name" },
  tier: { source: 'always', zh: '会员等级', en: "the buyer's loyalty tier" },
  orderId: { source: ORDER_TRIGGERS, zh: '订单号', en: 'the order number' },
  orderItem: { source: ORDER_TRIGGERS, zh: '订单中的商品', en: "the order's item" },
  carrier: { source: ['order_received', 'parcel_flagged'], zh: '快递公司', en: 'the carrier' },
  trackingNo: { source: ['order_received', 'parcel_flagged'], zh: '运单号', en: 'the tracking number' },
  parcelIssue: { source: ['parcel_flagged'], zh: '包裹的异常', en: 'what is wrong with the parcel' },
  productTitle: { source: ['new_arrival'], zh: '新品名称', en: "the new product's title" },
  groupBuyTitle: { source: ['group_buy_open'], zh: '拼单商品', en: "the group buy's product" },
  groupBuyPrice: { source: ['group_buy_open'], zh: '拼单价（元）', en: 'the group price (yuan)' },
  groupBuyEnds: { source: ['group_buy_open'], zh: '拼单截止日期', en: 'when the group buy ends' },
  holiday: { source: ['date'], zh: '节日', en: 'the holiday' },
  couponAmount: { source: 'coupon', zh: '优惠券面额（元）', en: "the coupon's amount (yuan)" },
  couponMinSpend: { source: 'coupon', zh: '优惠券使用门槛（元）', en: "the coupon's minimum spend (yuan)" },
  couponExpires: { source: 'coupon', zh: '优惠券到期日', en: 'when the coupon expires' },
} as const satisfies Record<string, { source: JourneyVariableSource; zh: string; en: string }>;
export type JourneyVariable = keyof typeof JOURNEY_VARIABLES;

/** The variables a message may name in a journey of this trigger (those of a coupon step apart). */
export function journeyVariablesFor(trigger: JourneyTriggerKind): JourneyVariable[] {
  return (Object.keys(JOURNEY_VARIABLES) as JourneyVariable[]).filter((name) => {
    const source: JourneyVariableSource = JOURNEY_VARIABLES[name].source;
    return source === 'always' || (source !== 'coupon' && source.includes(trigger));
  });
}
