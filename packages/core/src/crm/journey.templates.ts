/**
 * Seed 003's journeys, shipped as templates a shop starts from (and edits): the follow-up after
 * receipt (CRM-2), the logistics watch's notice (CRM-3), the win-back (CRM-4), a holiday greeting
 * and a new-arrival push (CRM-5), and the group-buy invitation (CRM-8). Each passes
 * validateJourney under the default rules (CMP-6: one a day, three a week; AS-5: 30-day coupons).
 *
 * Never "五星好评返现": a coupon is not a reward for a review (the platforms punish paid praise);
 * the follow-up's coupon thanks the buyer for the order, and the review invitation is separate.
 */
import type { JourneyDefinition } from './journey.types';

export type JourneyTemplateId =
  'follow-up' | 'logistics-notice' | 'win-back' | 'holiday' | 'new-arrival' | 'group-buy' | 'review-care';

export interface JourneyTemplate {
  id: JourneyTemplateId;
  /** The SPEC rule it carries out. */
  rule: 'CRM-2' | 'CRM-3' | 'CRM-4' | 'CRM-5' | 'CRM-7' | 'CRM-8';
  definition: JourneyDefinition;
}

const D = 24;

type Texts = Record<string, string>;

const ZH: Texts = {
  followUp: '签收回访',
  followUpAsk:
    '{buyerNick}您好，您的「{orderItem}」已经签收了。用着还满意吗？有任何问题直接回复我们，马上为您处理～',
  followUpCoupon:
    '感谢您对{shopName}的支持！送您一张{couponAmount}元无门槛券，{couponExpires}前下次光临可用。',
  followUpReview: '{buyerNick}，如果「{orderItem}」让您满意，欢迎抽空写下评价，您的意见对我们很重要～',
  logistics: '物流异常提醒',
  logisticsNotice:
    '{buyerNick}您好，您的包裹（{carrier} {trackingNo}）{parcelIssue}。我们已经在联系快递跟进，有进展第一时间告诉您，给您添麻烦了。',
  winBack: '老顾客召回',
  winBackCoupon:
    '{buyerNick}，好久不见～送您一张满{couponMinSpend}减{couponAmount}元券，{couponExpires}前有效，来看看店里的新品吧。',
  winBackOffer:
    '{buyerNick}，这是{shopName}给老顾客的专属优惠：满{couponMinSpend}减{couponAmount}元，{couponExpires}前有效。',
  holiday: '节日问候',
  holidayName: '元旦',
  holidayGreeting: '{buyerNick}，{holiday}快乐！{shopName}祝您和家人节日愉快，新的一年万事顺意～',
  newArrival: '新品推荐',
  newArrivalPush: '{buyerNick}，您关注的品类上新了：「{productTitle}」。感兴趣可以回复我们了解详情～',
  groupBuy: '拼单邀请',
  groupBuyInvite:
    '{buyerNick}，「{groupBuyTitle}」正在拼单，拼单价{groupBuyPrice}元，{groupBuyEnds}截止，一起拼更划算～',
  reviewCare: '差评关怀',
  reviewCareAsk:
    '{buyerNick}您好，看到您对「{orderItem}」的评价，很抱歉没让您满意。具体是哪里出了问题？直接回复我们，客服会一对一帮您处理。',
};

const EN: Texts = {
  followUp: 'Follow-up after receipt',
  followUpAsk:
    'Hi {buyerNick}, your "{orderItem}" has been delivered. Are you happy with it? If anything is wrong, just reply and we will sort it out.',
  followUpCoupon:
    'Thank you for shopping at {shopName}! Here is a {couponAmount} yuan coupon for your next visit, valid until {couponExpires}.',
  followUpReview:
    '{buyerNick}, if "{orderItem}" pleased you, we would love to read your review when you have a moment.',
  logistics: 'Parcel delay notice',
  logisticsNotice:
    'Hi {buyerNick}, your parcel ({carrier} {trackingNo}): {parcelIssue}. We are chasing the carrier and will tell you as soon as it moves. Sorry for the trouble.',
  winBack: 'Win-back',
  winBackCoupon:
    '{buyerNick}, it has been a while! Here is {couponAmount} yuan off orders over {couponMinSpend} yuan, valid until {couponExpires}.',
  winBackOffer:
    '{buyerNick}, an offer for our regulars at {shopName}: {couponAmount} yuan off orders over {couponMinSpend} yuan, valid until {couponExpires}.',
  holiday: 'Holiday greeting',
  holidayName: "New Year's Day",
  holidayGreeting: 'Happy {holiday}, {buyerNick}! Best wishes from all of us at {shopName}.',
  newArrival: 'New arrival',
  newArrivalPush: '{buyerNick}, something new you may like: "{productTitle}". Reply to us to know more.',
  groupBuy: 'Group-buy invitation',
  groupBuyInvite:
    '{buyerNick}, a group buy of "{groupBuyTitle}" is open at {groupBuyPrice} yuan until {groupBuyEnds}. Join in and save.',
  reviewCare: 'Care after a poor review',
  reviewCareAsk:
    'Hi {buyerNick}, we read your review of "{orderItem}" and are sorry it let you down. What went wrong? Reply to us and an agent will look after it personally.',
};

/** The templates, in the shop's language. `year` picks the New Year's Day the greeting is for. */
export function journeyTemplates(locale: 'zh-CN' | 'en' = 'zh-CN', year = 2027): JourneyTemplate[] {
  const t = locale === 'en' ? EN : ZH;
  const text = (k: string): string => t[k]!;
  return [
    {
      id: 'follow-up',
      rule: 'CRM-2',
      definition: {
        name: text('followUp'),
        trigger: { kind: 'order_received' },
        audience: {},
        steps: [
          { kind: 'wait', hours: 1 * D },
          { kind: 'message', template: text('followUpAsk') },
          { kind: 'wait', hours: 3 * D },
          { kind: 'coupon', coupon: { amountCents: 500, minSpendCents: 0, validDays: 30 } },
          { kind: 'message', template: text('followUpCoupon') },
          { kind: 'wait', hours: 3 * D },
          { kind: 'condition', test: { kind: 'no_review_of_order' } },
          { kind: 'message', template: text('followUpReview') },
        ],
        exitOnOrder: false,
        attributionDays: 14,
      },
    },
    {
      id: 'logistics-notice',
      rule: 'CRM-3',
      definition: {
        name: text('logistics'),
        trigger: { kind: 'parcel_flagged' },
        audience: {},
        steps: [{ kind: 'message', template: text('logisticsNotice') }],
        exitOnOrder: false,
        attributionDays: 7,
      },
    },
    {
      id: 'win-back',
      rule: 'CRM-4',
      definition: {
        name: text('winBack'),
        trigger: { kind: 'first_purchase' },
        audience: {},
        steps: [
          { kind: 'wait', hours: 30 * D },
          { kind: 'condition', test: { kind: 'no_order_since_start' } },
          { kind: 'coupon', coupon: { amountCents: 1000, minSpendCents: 9900, validDays: 30 } },
          { kind: 'message', template: text('winBackCoupon') },
          { kind: 'wait', hours: 30 * D },
          { kind: 'condition', test: { kind: 'no_order_since_start' } },
          { kind: 'coupon', coupon: { amountCents: 2000, minSpendCents: 12900, validDays: 30 } },
          { kind: 'message', template: text('winBackOffer') },
          { kind: 'stop' },
        ],
        exitOnOrder: true,
        attributionDays: 30,
      },
    },
    {
      id: 'holiday',
      rule: 'CRM-5',
      definition: {
        name: text('holiday'),
        trigger: { kind: 'date', date: `${year}-01-01`, holiday: text('holidayName') },
        // Only buyers who ordered this year: a greeting from a shop one never bought from is spam.
        audience: { orderedWithinDays: 365 },
        // Enrolled at the day's start: quiet hours hold the greeting till the morning.
        steps: [{ kind: 'message', template: text('holidayGreeting') }],
        exitOnOrder: false,
        attributionDays: 7,
      },
    },
    {
      id: 'new-arrival',
      rule: 'CRM-5',
      definition: {
        name: text('newArrival'),
        trigger: { kind: 'new_arrival' },
        audience: { orderedWithinDays: 180 },
        steps: [{ kind: 'message', template: text('newArrivalPush') }],
        exitOnOrder: true,
        attributionDays: 7,
      },
    },
    {
      id: 'group-buy',
      rule: 'CRM-8',
      definition: {
        name: text('groupBuy'),
        trigger: { kind: 'group_buy_open' },
        audience: { orderedWithinDays: 180 },
        steps: [{ kind: 'message', template: text('groupBuyInvite') }],
        exitOnOrder: true,
        attributionDays: 3,
      },
    },
    {
      // CRM-7: a poor review is followed up by a person's offer of help — never a request to
      // change the review, and never a reward for changing it (the platforms punish both).
      id: 'review-care',
      rule: 'CRM-7',
      definition: {
        name: text('reviewCare'),
        trigger: { kind: 'review_posted' },
        audience: {},
        steps: [
          { kind: 'condition', test: { kind: 'rating_at_most', rating: 3 } },
          { kind: 'wait', hours: 1 },
          { kind: 'message', template: text('reviewCareAsk') },
        ],
        exitOnOrder: false,
        attributionDays: 14,
      },
    },
  ];
}
