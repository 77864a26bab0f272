/**
 * Journeys (CRM-2 … CRM-5, CRM-8): a trigger starts a run for one buyer; the run walks the
 * journey's steps on durable timers. Every message a step sends is proactive: CMP-6's caps and
 * quiet hours decide when it may go, and CMP-1 … CMP-5 screen its words.
 */

/** What starts a run for a buyer. */
export type JourneyTrigger =
  /** CRM-2: an order was received (its status became completed). */
  | { kind: 'order_received' }
  /** CRM-3: the logistics watch flagged one of the buyer's parcels (stalled or abnormal). */
  | { kind: 'parcel_flagged' }
  /** CRM-4: the buyer's first paid order. */
  | { kind: 'first_purchase' }
  /** CRM-4: this many days have passed since the buyer's last order. */
  | { kind: 'days_since_last_order'; days: number }
  /** CRM-5: a date of the shop's calendar (a holiday), local to the shop, "YYYY-MM-DD". */
  | { kind: 'date'; date: string; holiday: string }
  /** CRM-5: a product arrived in the shop's catalogue. */
  | { kind: 'new_arrival' }
  /** CRM-7: the buyer posted a review. */
  | { kind: 'review_posted' }
  /** CRM-8: a group buy (拼单) the buyer may join opened. */
  | { kind: 'group_buy_open' };
export type JourneyTriggerKind = JourneyTrigger['kind'];

/** A test on the buyer a condition step makes; a run whose test fails stops there. */
export type JourneyCondition =
  /** No order since the run started (CRM-4: "no purchase → …"). */
  | { kind: 'no_order_since_start' }
  /** At least one order since the run started. */
  | { kind: 'ordered_since_start' }
  /** The buyer has not reviewed the run's order (CRM-2: invite only those who have not). */
  | { kind: 'no_review_of_order' }
  /** The buyer's loyalty tier is at least this rank (CRM-6: offers for old customers only). */
  | { kind: 'tier_at_least'; rank: number }
  /** The buyer carries this tag (CRM-1). */
  | { kind: 'has_tag'; tag: string }
  /** CRM-7: the review that started the run rated at most / at least this many stars. */
  | { kind: 'rating_at_most'; rating: number }
  | { kind: 'rating_at_least'; rating: number };
export type JourneyConditionKind = JourneyCondition['kind'];

/** A coupon a journey gives (AS-5: it stays valid long enough to be used). */
export interface JourneyCoupon {
  amountCents: number;
  /** Spend at least this much to use it (0: no threshold). */
  minSpendCents: number;
  validDays: number;
}

/** One step of a journey. */
export type JourneyStep =
  | { kind: 'wait'; hours: number }
  | { kind: 'condition'; test: JourneyCondition }
  /** A message from a template with {variables} (see JOURNEY_VARIABLES). */
  | { kind: 'message'; template: string }
  /** Gives the buyer a coupon; the messages after it may name it ({couponAmount} …). */
  | { kind: 'coupon'; coupon: JourneyCoupon }
  | { kind: 'stop' };
export type JourneyStepKind = JourneyStep['kind'];

/**
 * CRM-1 segments: which buyers a journey is for. Every part given must hold (an empty segment is
 * every buyer); `tags` holds when the buyer carries any of them.
 */
export interface BuyerSegment {
  tags?: string[];
  /** Spent at least this much in all (paid orders). */
  minSpendCents?: number;
  /** Ordered within the last this many days. */
  orderedWithinDays?: number;
  /** Has not ordered for at least this many days (and has ordered before). */
  notOrderedForDays?: number;
  /** CRM-6: loyalty tier rank at least this. */
  minTierRank?: number;
}

/** What a segment is tested on: a summary of the buyer. */
export interface BuyerSummary {
  tags: readonly string[];
  spentCents: number;
  lastOrderAt: number | null;
  tierRank: number;
}

/** A journey as the shop defines it. */
export interface JourneyDefinition {
  name: string;
  trigger: JourneyTrigger;
  audience: BuyerSegment;
  steps: JourneyStep[];
  /** A run ends as soon as the buyer orders again (a win-back's purpose is met). */
  exitOnOrder: boolean;
  /** Orders within this many days of a message count as its conversions. */
  attributionDays: number;
}

/** A run's state: where one buyer is in one journey. */
export type JourneyRunStatus = 'active' | 'done' | 'stopped';

/** Why a run ended before its last step. */
export type JourneyStopReason =
  | 'condition_failed'
  | 'ordered'
  | 'opted_out'
  /** CMP-6's caps can never be met (a cap of 0) or CMP-1 … CMP-5 block the words. */
  | 'blocked'
  | 'journey_stopped';

/** The facts of the trigger a run carries (its variables). */
export interface JourneyRunContext {
  orderId?: string;
  orderItem?: string;
  carrier?: string;
  trackingNo?: string;
  /** CRM-3: what the watch saw (a stall, or the carrier's abnormal event). */
  parcelIssue?: string;
  productId?: string;
  productTitle?: string;
  groupBuyId?: string;
  groupBuyTitle?: string;
  groupBuyPriceCents?: number;
  groupBuyEndsAt?: number;
  holiday?: string;
  /** CRM-7: the review that started the run, and its stars. */
  reviewId?: string;
  reviewRating?: number;
  /** CRM-8: when the group buy opened (a reopened one invites again). */
  groupBuyOpenedAt?: number;
  /** A date trigger's day ("YYYY-MM-DD"). */
  date?: string;
  /** The last coupon the run gave. */
  coupon?: JourneyCoupon & { expiresAt: number };
}

export interface JourneyRun {
  id: string;
  journeyId: string;
  shopId: string;
  buyerId: string;
  startedAt: number;
  /** The index of the next step to run. */
  step: number;
  /** When the next step runs (a wait's end, or when CMP-6 allows the next message). */
  dueAt: number;
  status: JourneyRunStatus;
  stopReason?: JourneyStopReason;
  context: JourneyRunContext;
}

/** What the engine knows of the buyer when it runs a step (read fresh each time). */
export interface JourneyBuyerFacts {
  nick: string;
  /** When the buyer's orders were placed (any order: a conversion, an exit). */
  orderTimes: readonly number[];
  /** The buyer reviewed the run's order. */
  reviewedOrder: boolean;
  /** The buyer's tier rank (0: none). */
  tierRank: number;
  tierName: string;
  tags: readonly string[];
  /** The buyer asked for no more proactive messages. */
  optedOut: boolean;
  /** When proactive messages went to this buyer (CMP-6 counts all of them, every journey's). */
  proactiveSent: readonly number[];
}

/** What running a step asks the world to do, in order. */
export type JourneyEffect =
  | {
      kind: 'send';
      /** Unique per run and step: a step run twice (a crash before its save) sends once. */
      key: string;
      step: number;
      text: string;
    }
  | { kind: 'coupon'; key: string; step: number; coupon: JourneyCoupon & { expiresAt: number } };
