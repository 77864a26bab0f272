/**
 * Issue #21: journeys run on the database's due times. A recurring timer (`crm.sweep`, one node
 * of the cluster at a time) reads the orders written since the last sweep — starting the runs
 * their facts trigger (CRM-2 order received, CRM-4 first purchase) and counting conversions —
 * then claims the runs that are due and moves each with the pure engine. Every effect is keyed
 * by run and step, so a node that dies mid-run leaves nothing sent twice to the one that takes
 * the run over (its claim lapses).
 */
import {
  advanceRun,
  DEFAULT_LOGISTICS_WATCH,
  watchParcel,
  type LogisticsWatchSettings,
  planRun,
  type PlannedSend,
  DEFAULT_LOYALTY_LADDER,
  DEFAULT_PROACTIVE_SETTINGS,
  DomainError,
  inSegment,
  segmentBounds,
  runKey,
  startRun,
  tierOf,
  type AgentId,
  type BuyerId,
  type ChatService,
  type Clock,
  type IdGenerator,
  type BuyerSegment,
  type BuyerSummary,
  type JourneyBuyerFacts,
  type JourneyRun,
  type JourneyRunContext,
  type JourneyShop,
  type JourneyTriggerKind,
  type Logger,
  type Order,
  type ShopId,
} from '@xiaoer/core';
import { TZDate } from '@date-fns/tz';
import type { Storage, SegmentRow, StoredGroupBuy, StoredJourney, StoredRun } from '../storage';

/** The start of a local date ("YYYY-MM-DD") in a time zone, in ms. */
function fromZonedDate(date: string, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number);
  return new TZDate(y!, m! - 1, d!, timeZone).getTime();
}

export const CRM_SWEEP_TIMER = 'crm.sweep';
/** Starts the runs a fact of the shop's systems triggers (a review, a new product, a group buy). */
export const CRM_ENROL_TIMER = 'crm.enrol';
/** The triggers a written fact starts, through an enrol timer set in the fact's own write. */
export type EnrolTrigger = 'review_posted' | 'new_arrival' | 'group_buy_open';
const ENROL_TRIGGERS: readonly string[] = ['review_posted', 'new_arrival', 'group_buy_open'];
/** CRM-4: how often "N days since the last order" journeys look for buyers who just got there. */
const LAPSED_EVERY_MS = 60 * 60_000;
const lapsedMarker = (journeyId: string) => `crm.lapsed:${journeyId}`;
/** How often the sweep runs. */
export const CRM_SWEEP_MS = 30_000;
/** Orders written this recently are left to the next sweep (a write commits after its time). */
const SETTLE_MS = 30_000;
/** A buyer in a conversation is not interrupted: the run looks again after this. */
const BUSY_RETRY_MS = 60 * 60_000;
const CLAIM_MS = 60_000;
const BATCH = 100;
const WATERMARK = 'crm.orders.watermark';
const PARCELS_AT = 'crm.parcels.at';
/** A buyer's message within this long of a journey message is its reply. */
const REPLY_WINDOW_MS = 3 * 86_400_000;
/** CRM-3: how often every shipped parcel is looked at. */
export const PARCEL_WATCH_MS = 10 * 60_000;
/** CMP-6 counts a week back. */
const WEEK = 7 * 86_400_000;

export interface JourneyRunnerDeps {
  storage: Storage;
  chat: ChatService;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  nodeId: string;
}

/** The first item of an order, for {orderItem}. */
function itemOf(order: Order): string {
  const first = order.items[0];
  if (!first) return '';
  return order.items.length > 1 ? `${first.title}等${order.items.length}件商品` : first.title;
}

/**
 * The durable timer that starts a fact's runs: set in the transaction that writes the fact (so
 * a fact is never written without it), fired at once by a worker node. One per fact (`thing`):
 * its id refuses a second. `buyerId`: that buyer's runs (a review); none: each started
 * journey's audience (a new product, a group buy).
 */
export function enrolTimer(
  shopId: string,
  trigger: EnrolTrigger,
  thing: string,
  context: JourneyRunContext,
  at: number,
  buyerId?: string,
) {
  return {
    id: `${CRM_ENROL_TIMER}:${shopId}:${trigger}:${thing}`,
    kind: CRM_ENROL_TIMER,
    shopId,
    dueAt: at,
    payload: { trigger, context, ...(buyerId ? { buyerId } : {}) },
  };
}

/** CRM-8: what a group buy's runs know. */
export function groupBuyContext(g: StoredGroupBuy): JourneyRunContext {
  return {
    groupBuyId: g.externalId,
    groupBuyTitle: g.title,
    groupBuyPriceCents: g.priceCents,
    groupBuyEndsAt: g.endsAt,
  };
}

/** A review's facts (CRM-7): its order's, the item reviewed, the rating. */
export function reviewContextOf(
  review: { id?: string; orderId: string | null; rating: number },
  order: Order | undefined,
  product: { title: string } | undefined,
): JourneyRunContext {
  const context: JourneyRunContext = order ? orderContext(order) : {};
  if (!order && review.orderId) context.orderId = review.orderId;
  if (product) context.orderItem = product.title;
  context.orderItem ??= '';
  context.reviewRating = review.rating;
  if (review.id !== undefined) context.reviewId = review.id;
  return context;
}

export function orderContext(order: Order): JourneyRunContext {
  const c: JourneyRunContext = { orderId: order.id, orderItem: itemOf(order) };
  if (order.carrier) c.carrier = order.carrier;
  if (order.trackingNo) c.trackingNo = order.trackingNo;
  return c;
}

export class JourneyRunner {
  private readonly startedAt: number;
  /** Buyers who wrote since the last flush (shop + buyer → when), for the journeys' reply counts. */
  private replies = new Map<string, { shopId: string; buyerId: string; at: number }>();
  private flushing: Promise<void> | undefined;
  /** The sweep or enrolment under way: on one node they run one after another, never side by side. */
  private sweeping: Promise<void> = Promise.resolve();

  constructor(private readonly deps: JourneyRunnerDeps) {
    this.startedAt = deps.clock.now();
  }

  /**
   * A buyer wrote: their journey messages of the last three days count a reply. Kept in memory and
   * written by `flushReplies` (every 30 s, and at shutdown): the chat's path pays a Map write.
   */
  noteReply(shopId: string, buyerId: string, at: number): void {
    this.replies.set(`${shopId}\u0000${buyerId}`, { shopId, buyerId, at });
  }

  /** Writes the replies noted since the last flush. */
  async flushReplies(): Promise<void> {
    await this.flushing;
    if (this.replies.size === 0) return;
    const batch = [...this.replies.values()];
    this.replies = new Map();
    this.flushing = (async () => {
      for (const r of batch)
        await this.deps.storage.journeys.markReplied(r.shopId, r.buyerId, r.at, REPLY_WINDOW_MS);
    })();
    try {
      await this.flushing;
    } finally {
      this.flushing = undefined;
    }
  }

  /** The buyer's facts a step reads, fresh. */
  private async facts(run: JourneyRun, now: number): Promise<JourneyBuyerFacts> {
    const { storage } = this.deps;
    const shopId = run.shopId as ShopId;
    const buyerId = run.buyerId as BuyerId;
    const [buyer, spend, settings, tags, optedOut, sent, reviewed] = await Promise.all([
      storage.buyers.findBuyer(shopId, buyerId),
      storage.orders.buyerSpend(shopId, buyerId),
      storage.crm.settings(shopId),
      storage.crm.tags(shopId, buyerId),
      storage.crm.optedOut(shopId, buyerId),
      storage.compliance.proactiveSentSince(shopId, buyerId, now - WEEK),
      run.context.orderId
        ? storage.crm.reviewed(shopId, buyerId, run.context.orderId)
        : Promise.resolve(false),
    ]);
    const tier = tierOf(settings.loyalty ?? DEFAULT_LOYALTY_LADDER, spend);
    return {
      nick: buyer?.nick ?? '',
      orderTimes: spend.orderTimes,
      reviewedOrder: reviewed,
      tierRank: tier.rank,
      tierName: tier.name,
      tags: tags.map((t) => t.tag),
      optedOut,
      proactiveSent: sent,
    };
  }

  private async shop(shopId: ShopId): Promise<JourneyShop | undefined> {
    const { storage } = this.deps;
    const shop = await storage.shops.findShop(shopId);
    if (!shop) return undefined;
    const compliance = await storage.compliance.complianceSettings(shopId);
    return {
      name: shop.name,
      timeZone: shop.timeZone,
      proactive: compliance.proactive ?? DEFAULT_PROACTIVE_SETTINGS,
    };
  }

  /** What a segment is tested on for one buyer, now (CRM-1: tags, spend, last order, tier). */
  private async summaryOf(shopId: ShopId, buyerId: BuyerId): Promise<BuyerSummary> {
    const { storage } = this.deps;
    const [spend, settings, tags] = await Promise.all([
      storage.orders.buyerSpend(shopId, buyerId),
      storage.crm.settings(shopId),
      storage.crm.tags(shopId, buyerId),
    ]);
    return {
      tags: tags.map((t) => t.tag),
      spentCents: spend.spentCents,
      lastOrderAt: spend.lastOrderAt,
      tierRank: tierOf(settings.loyalty ?? DEFAULT_LOYALTY_LADDER, spend).rank,
    };
  }

  /** Whether a buyer is in a journey's audience at `now`. */
  private async inAudience(shopId: ShopId, buyerId: BuyerId, audience: BuyerSegment, now: number) {
    return (
      Object.keys(audience).length === 0 || inSegment(audience, await this.summaryOf(shopId, buyerId), now)
    );
  }

  /**
   * Starts the runs of the shop's started journeys with this trigger for a buyer in their
   * audience; a run already started for the same thing is not started again. Returns how many.
   */
  async trigger(
    shopId: ShopId,
    buyerId: BuyerId,
    kind: JourneyTriggerKind,
    context: JourneyRunContext,
    /** Only these journeys (a lapse is reached per journey: each has its own N). */
    only?: readonly string[],
  ): Promise<number> {
    const { storage, clock, ids } = this.deps;
    const journeys = (await storage.journeys.activeFor(shopId, kind)).filter(
      (j) => !only || only.includes(j.id),
    );
    if (journeys.length === 0) return 0;
    const now = clock.now();
    const summary = await this.summaryOf(shopId, buyerId);
    let started = 0;
    for (const j of journeys) {
      if (!inSegment(j.definition.audience, summary, now)) continue;
      const run = startRun(ids.next(), j.id, shopId, buyerId, context, now);
      if (await storage.journeys.startRun(run, runKey(j.id, buyerId, context), now)) started++;
    }
    return started;
  }

  /** Reads the orders written since the last sweep: journeys started, conversions counted. */
  async sweepOrders(): Promise<number> {
    const { storage, clock } = this.deps;
    const until = clock.now() - SETTLE_MS;
    const raw = await storage.kv.get(WATERMARK);
    // The first sweep of an install starts from this process's start: journeys act on what
    // happens from now on, and an upgraded install's years of orders are not read (nor triggered).
    let after = raw
      ? (JSON.parse(raw) as { at: number; shopId: string; id: string })
      : { at: this.startedAt - SETTLE_MS, shopId: '', id: '' };
    let seen = 0;
    for (;;) {
      const orders = await storage.orders.changedSince(after, until, 500);
      for (const order of orders)
        await this.onOrder(order).catch((err: unknown) =>
          this.deps.logger.error('crm sweep: an order failed', { shop: order.shopId, order: order.id, err }),
        );
      seen += orders.length;
      const last = orders.at(-1);
      if (last) {
        after = { at: last.updatedAt, shopId: last.shopId, id: last.id };
        await storage.kv.set(WATERMARK, JSON.stringify(after));
      }
      if (orders.length < 500) return seen;
    }
  }

  private async onOrder(order: Order): Promise<void> {
    const { storage } = this.deps;
    const paid = order.paidAt !== null && order.status !== 'unpaid' && order.status !== 'closed';
    if (paid) {
      await storage.journeys.markConverted(
        order.shopId,
        order.buyerId,
        order.id,
        order.paidAt ?? order.createdAt,
      );
      if ((await storage.orders.firstPaidOrderId(order.shopId, order.buyerId)) === order.id)
        await this.trigger(order.shopId, order.buyerId, 'first_purchase', orderContext(order));
    }
    if (order.status === 'completed')
      await this.trigger(order.shopId, order.buyerId, 'order_received', orderContext(order));
  }

  /** Moves every due run (claimed in batches by this node); returns how many it moved. */
  async runDue(): Promise<number> {
    const { storage, clock, nodeId } = this.deps;
    let moved = 0;
    for (;;) {
      const runs = await storage.journeys.claimDue(nodeId, clock.now(), CLAIM_MS, BATCH);
      for (const run of runs) {
        try {
          // Each run at its own time, with the journey read afresh: one stopped or paused a moment
          // ago sends nothing more (its runs' versions moved on too, and are checked before a send).
          await this.move(run, clock.now());
        } catch (err) {
          // The claim lapses and the run is tried again; its sent steps are not sent again.
          this.deps.logger.error('journey run failed', { shop: run.shopId, run: run.id, err });
        }
        moved++;
      }
      if (runs.length < BATCH) return moved;
    }
  }

  /** Whether the claimed run may still act: its journey started, the run unchanged since the claim. */
  private async stillOurs(claimed: StoredRun): Promise<boolean> {
    const { storage } = this.deps;
    const [journey, current] = await Promise.all([
      storage.journeys.find(claimed.shopId, claimed.journeyId),
      storage.journeys.findRun(claimed.shopId, claimed.id),
    ]);
    return (
      journey?.status === 'active' && current?.status === 'active' && current.version === claimed.version
    );
  }

  private async move(claimed: StoredRun, now: number): Promise<void> {
    const { storage, chat, ids, nodeId } = this.deps;
    const shopId = claimed.shopId as ShopId;
    const buyerId = claimed.buyerId as BuyerId;
    const journey = await storage.journeys.find(shopId, claimed.journeyId);
    const shop = await this.shop(shopId);
    if (!journey || !shop || journey.status !== 'active') return;
    // CRM-8: an invitation to a group buy that closed or ended meanwhile is not sent.
    if (
      claimed.context.groupBuyId !== undefined &&
      !(await this.groupBuyOpen(shopId, claimed.context.groupBuyId, now))
    ) {
      const closed: JourneyRun = { ...claimed, status: 'stopped', stopReason: 'condition_failed' };
      await storage.journeys.saveRun(closed, claimed.version, nodeId, now);
      return;
    }
    const out = advanceRun(journey.definition, claimed, await this.facts(claimed, now), now, shop);
    let run: JourneyRun = out.run;
    const base = { shopId, journeyId: journey.id, runId: claimed.id, buyerId, at: now };
    for (const effect of out.effects) {
      if (!(await this.stillOurs(claimed))) return; // stopped, paused or taken over meanwhile
      if (effect.kind === 'coupon') {
        const coupon = await storage.crm.issueCoupon({
          id: ids.next(),
          shopId,
          buyerId,
          ...effect.coupon,
          source: 'journey',
          sourceKey: effect.key,
          createdAt: now,
        });
        await storage.journeys.recordSend({
          ...base,
          key: effect.key,
          kind: 'coupon',
          text: null,
          couponId: coupon.id,
          conversationId: null,
          messageId: null,
          outcome: 'sent',
        });
        continue;
      }
      // The step's send is claimed before it is made: a step that finds its claim from an earlier
      // attempt (a crash mid-send) is not sent again — a message lost beats a message twice.
      const fresh = await storage.journeys.recordSend({
        ...base,
        key: effect.key,
        kind: 'message',
        text: effect.text,
        couponId: null,
        conversationId: null,
        messageId: null,
        outcome: 'pending',
      });
      if (!fresh) {
        const earlier = await storage.journeys.findSend(shopId, effect.key);
        if (earlier?.outcome === 'blocked') {
          run = { ...run, status: 'stopped', stopReason: 'blocked' };
          break;
        }
        if (earlier?.outcome === 'pending')
          this.deps.logger.warn('journey step found half done: not sent again', {
            shop: shopId,
            run: claimed.id,
          });
        continue;
      }
      let sent: Awaited<ReturnType<ChatService['sendJourneyMessage']>>;
      try {
        sent = await chat.sendJourneyMessage(shopId, buyerId, `journey:${effect.key}`, effect.text);
      } catch (error) {
        if (!(error instanceof DomainError && error.code === 'compliance_blocked')) {
          await storage.journeys.dropPendingSend(shopId, effect.key); // tried again with the run
          throw error;
        }
        // CMP-1 … CMP-5 refused the words (logged for the supervisor): the run ends here.
        await storage.journeys.settleSend(shopId, effect.key, { outcome: 'blocked' });
        run = { ...run, status: 'stopped', stopReason: 'blocked' };
        break;
      }
      if (sent === 'busy') {
        // In a conversation now: this step waits (what ran before it stays done).
        await storage.journeys.dropPendingSend(shopId, effect.key);
        run = { ...run, status: 'active', step: effect.step, dueAt: now + BUSY_RETRY_MS };
        delete run.stopReason;
        break;
      }
      // CMP-6 counts it before the send is marked done: a crash between the two over-counts.
      await storage.compliance.recordProactive(
        shopId,
        buyerId,
        `journey:${journey.id}` as AgentId,
        sent.conversation.id,
        now,
      );
      await storage.journeys.settleSend(shopId, effect.key, {
        outcome: 'sent',
        conversationId: sent.conversation.id,
        messageId: sent.message.id,
      });
    }
    if (!(await storage.journeys.saveRun(run, claimed.version, nodeId, now)))
      this.deps.logger.warn('journey run lost its claim', { shop: shopId, run: claimed.id });
  }

  /**
   * CRM-5: a date journey enrols its audience once its day has begun in the shop's time zone
   * (once: a marker is kept; the runs' keys would refuse a second enrolment anyway).
   */
  async enrolDated(): Promise<number> {
    const { storage, clock } = this.deps;
    let enrolled = 0;
    for (const journey of await storage.journeys.activeByTrigger('date')) {
      const trigger = journey.definition.trigger;
      if (trigger.kind !== 'date') continue;
      const marker = `crm.enrolled:${journey.id}:${trigger.date}`;
      if (await storage.kv.get(marker)) continue;
      const shop = await storage.shops.findShop(journey.shopId as ShopId);
      if (!shop) continue;
      const today = new TZDate(clock.now(), shop.timeZone).toISOString().slice(0, 10);
      if (today < trigger.date) continue;
      enrolled += await this.enrolAudience(journey, { holiday: trigger.holiday, date: trigger.date });
      await storage.kv.set(marker, String(clock.now()));
    }
    return enrolled;
  }

  /** An enrol timer fired (see `enrolTimer`): the fact's runs started; a re-fire starts none twice. */
  onEnrolTimer(shopId: string | null, payload: Record<string, unknown>): Promise<number> {
    return this.serially(() => this.enrol(shopId, payload));
  }

  private async enrol(shopId: string | null, payload: Record<string, unknown>): Promise<number> {
    const { storage, clock } = this.deps;
    const trigger = payload.trigger as string;
    if (!shopId || !ENROL_TRIGGERS.includes(trigger)) return 0;
    const context = (payload.context ?? {}) as JourneyRunContext;
    const kind = trigger as EnrolTrigger;
    if (typeof payload.buyerId === 'string')
      return this.trigger(shopId as ShopId, payload.buyerId as BuyerId, kind, context);
    // A group buy closed (or over) before its invitations went out invites nobody.
    if (
      context.groupBuyId !== undefined &&
      !(await this.groupBuyOpen(shopId, context.groupBuyId, clock.now()))
    )
      return 0;
    let started = 0;
    for (const journey of await storage.journeys.activeFor(shopId, kind))
      started += await this.enrolAudience(journey, context);
    return started;
  }

  /** CRM-7: what a review's runs know — its stars, its order and item. */
  async reviewContext(
    shopId: ShopId,
    review: { id?: string; orderId: string | null; productId: string | null; rating: number },
  ): Promise<JourneyRunContext> {
    const { storage } = this.deps;
    const order = review.orderId ? await storage.orders.findOrder(shopId, review.orderId) : undefined;
    const product = review.productId ? await storage.orders.findProduct(shopId, review.productId) : undefined;
    return reviewContextOf(review, order, product);
  }

  /** A dry run's stand-in for a new product: the shop's most recently written one. */
  private async sampleArrival(shopId: ShopId): Promise<JourneyRunContext> {
    const latest = await this.deps.storage.orders.latestProduct(shopId);
    return latest
      ? { productId: latest.id, productTitle: latest.title }
      : { productId: 'sample', productTitle: '新品' };
  }

  /** A dry run's stand-in for a group buy: the shop's latest open one. */
  private async sampleGroupBuy(shopId: ShopId, now: number): Promise<JourneyRunContext> {
    const open = (await this.deps.storage.reviews.openGroupBuys(shopId, now, 1))[0];
    return open
      ? groupBuyContext(open)
      : {
          groupBuyId: 'sample',
          groupBuyTitle: '拼单商品',
          groupBuyPriceCents: 9900,
          groupBuyEndsAt: now + 3 * 86_400_000,
        };
  }

  private async groupBuyOpen(shopId: string, externalId: string, now: number): Promise<boolean> {
    const g = await this.deps.storage.reviews.findGroupBuy(shopId as ShopId, externalId);
    return g !== undefined && g.status === 'open' && g.endsAt > now;
  }

  /**
   * CRM-4: a "N days since the last order" journey starts a run for each buyer who has just
   * reached N days — their last order placed N days before a moment since the journey's last look
   * (its start, the first time): a journey started today does not sweep up years of old buyers.
   */
  async enrolLapsed(): Promise<number> {
    const { storage, clock, logger } = this.deps;
    let started = 0;
    for (const journey of await storage.journeys.activeByTrigger('days_since_last_order')) {
      const trigger = journey.definition.trigger;
      if (trigger.kind !== 'days_since_last_order') continue;
      const now = clock.now();
      const last = Number((await storage.kv.get(lapsedMarker(journey.id))) ?? journey.startedAt ?? now);
      if (now - last < LAPSED_EVERY_MS) continue;
      const span = trigger.days * 86_400_000;
      const shopId = journey.shopId as ShopId;
      // Each journey on its own: one that fails is logged and looked at again next time.
      try {
        for (const { buyerId, lastAt } of await storage.orders.lastOrderedBetween(
          shopId,
          last - span,
          now - span,
        )) {
          const [latest] = await storage.orders.listBuyerOrders(shopId, buyerId, lastAt);
          if (!latest) continue;
          started += await this.trigger(shopId, buyerId, 'days_since_last_order', orderContext(latest), [
            journey.id,
          ]);
        }
        await storage.kv.set(lapsedMarker(journey.id), String(now));
      } catch (err) {
        logger.error('crm sweep: a lapsed-buyer journey failed', { shop: shopId, journey: journey.id, err });
      }
    }
    return started;
  }

  /**
   * A journey started or resumed: its "N days since" look begins now — a journey resumed after a
   * pause does not greet late every buyer who reached N days while it was paused.
   */
  async journeyStarted(journeyId: string): Promise<void> {
    await this.deps.storage.kv.set(lapsedMarker(journeyId), String(this.deps.clock.now()));
  }

  /** The shop's buyers in a journey's audience, one page at a time. */
  private async *audience(journey: StoredJourney, pageSize = 1000): AsyncGenerator<string[]> {
    for await (const page of this.segmentPages(
      journey.shopId as ShopId,
      journey.definition.audience,
      pageSize,
    ))
      yield page.map((b) => b.buyerId);
  }

  /**
   * CRM-1: the shop's buyers in a segment, a page at a time, with what the segment was tested on.
   * The database narrows by the segment's bounds; each buyer is then tested whole here (the bounds
   * and `inSegment` agree — a property test holds them to it).
   */
  async *segmentPages(
    shopId: ShopId,
    segment: BuyerSegment,
    pageSize = 1000,
  ): AsyncGenerator<(SegmentRow & { tierRank: number; tierName: string })[]> {
    const { ladder, now, bounds } = await this.boundsOf(shopId, segment);
    let after = '';
    for (;;) {
      const rows = await this.deps.storage.crm.segmentPage(shopId, bounds, after, pageSize);
      if (rows.length === 0) return;
      after = rows.at(-1)!.buyerId;
      const page = [];
      for (const row of rows) {
        const tier = tierOf(ladder, row);
        const summary = { ...row, tierRank: tier.rank, tierName: tier.name };
        if (inSegment(segment, summary, now)) page.push(summary);
      }
      yield page;
    }
  }

  /** CRM-1: how many of the shop's buyers are in a segment (counted by the database). */
  async segmentCount(shopId: ShopId, segment: BuyerSegment): Promise<number> {
    return this.deps.storage.crm.segmentCount(shopId, (await this.boundsOf(shopId, segment)).bounds);
  }

  /** A segment as the database tests it, under the shop's loyalty ladder, now. */
  private async boundsOf(shopId: ShopId, segment: BuyerSegment) {
    const ladder = (await this.deps.storage.crm.settings(shopId)).loyalty ?? DEFAULT_LOYALTY_LADDER;
    const now = this.deps.clock.now();
    return { ladder, now, bounds: segmentBounds(segment, ladder, now) };
  }

  /** Starts a run for every buyer of the journey's audience; returns how many started. */
  async enrolAudience(journey: StoredJourney, context: JourneyRunContext): Promise<number> {
    const { storage, clock, ids } = this.deps;
    let started = 0;
    for await (const page of this.audience(journey)) {
      const now = clock.now();
      started += await storage.journeys.startRuns(
        page.map((buyerId) => ({
          run: startRun(ids.next(), journey.id, journey.shopId, buyerId, context, now),
          key: runKey(journey.id, buyerId, context),
        })),
        now,
      );
    }
    return started;
  }

  /**
   * A dry run: who would get what, and when, within `days` — CMP-6's caps and quiet hours applied,
   * nothing sent or stored. A started journey plans its runs on; a draft plans the runs its trigger
   * would have started over the last 30 days (a date journey: its audience on its day).
   */
  async dryRun(
    journey: StoredJourney,
    days: number,
    limit: number,
  ): Promise<{ buyers: number; sends: (PlannedSend & { buyerNick: string })[]; truncated: boolean }> {
    const { storage, clock, ids } = this.deps;
    const shopId = journey.shopId as ShopId;
    const shop = await this.shop(shopId);
    if (!shop) return { buyers: 0, sends: [], truncated: false };
    const now = clock.now();
    const horizon = now + days * 86_400_000;
    const def = journey.definition;
    let runs: JourneyRun[] = [];
    if (journey.status === 'active' || journey.status === 'paused') {
      runs = await storage.journeys.activeRuns(shopId, journey.id, limit + 1);
    } else if (def.trigger.kind === 'order_received' || def.trigger.kind === 'first_purchase') {
      const kind = def.trigger.kind;
      for (const order of await storage.orders.recentShopOrders(shopId, now - 30 * 86_400_000, 5000)) {
        if (runs.length > limit) break;
        const fits =
          kind === 'order_received'
            ? order.status === 'completed'
            : order.paidAt !== null &&
              (await storage.orders.firstPaidOrderId(shopId, order.buyerId)) === order.id;
        if (fits && (await this.inAudience(shopId, order.buyerId, def.audience, now)))
          runs.push(startRun(ids.next(), journey.id, shopId, order.buyerId, orderContext(order), now));
      }
    } else if (def.trigger.kind === 'days_since_last_order') {
      // Those who will reach N days without an order within the horizon, on the day they do.
      const span = def.trigger.days * 86_400_000;
      for (const { buyerId, lastAt } of await storage.orders.lastOrderedBetween(
        shopId,
        now - span,
        horizon - span,
      )) {
        if (runs.length > limit) break;
        const [latest] = await storage.orders.listBuyerOrders(shopId, buyerId, lastAt);
        if (latest && (await this.inAudience(shopId, buyerId, def.audience, lastAt + span)))
          runs.push(startRun(ids.next(), journey.id, shopId, buyerId, orderContext(latest), lastAt + span));
      }
    } else if (def.trigger.kind === 'review_posted') {
      for (const review of await storage.reviews.list(shopId, { limit: limit + 1 })) {
        if (review.postedAt < now - 30 * 86_400_000) break;
        if (!(await this.inAudience(shopId, review.buyerId as BuyerId, def.audience, now))) continue;
        runs.push(
          startRun(
            ids.next(),
            journey.id,
            shopId,
            review.buyerId,
            await this.reviewContext(shopId, review),
            now,
          ),
        );
      }
    } else if (def.trigger.kind === 'new_arrival' || def.trigger.kind === 'group_buy_open') {
      // The audience as it is now, for a product or group buy like the shop's latest.
      const context =
        def.trigger.kind === 'new_arrival'
          ? await this.sampleArrival(shopId)
          : await this.sampleGroupBuy(shopId, now);
      for await (const page of this.audience(journey, 500)) {
        for (const buyerId of page)
          runs.push(startRun(ids.next(), journey.id, shopId, buyerId, context, now));
        if (runs.length > limit) break;
      }
    } else if (def.trigger.kind === 'date') {
      const dayStart = Math.max(now, fromZonedDate(def.trigger.date, shop.timeZone));
      const context = { holiday: def.trigger.holiday, date: def.trigger.date };
      for await (const page of this.audience(journey, 500)) {
        for (const buyerId of page)
          runs.push(startRun(ids.next(), journey.id, shopId, buyerId, context, dayStart));
        if (runs.length > limit) break;
      }
    }
    const truncated = runs.length > limit;
    runs = runs.slice(0, limit);
    const sends: (PlannedSend & { buyerNick: string })[] = [];
    for (const run of runs) {
      const facts = await this.facts(run, now);
      for (const send of planRun(def, run, facts, shop, horizon).sends)
        sends.push({ ...send, buyerNick: facts.nick });
    }
    sends.sort((a, b) => a.at - b.at || a.buyerId.localeCompare(b.buyerId));
    return { buyers: runs.length, sends, truncated };
  }

  /**
   * CRM-3: every shipped parcel looked at — quiet longer than its carrier usually is, or last
   * scanned as abnormal: flagged once (the agent sees it beside the chat) and the buyer told
   * first by the shop's started logistics journeys; a parcel that moved on has its flags resolved.
   */
  async watchParcels(): Promise<number> {
    const { storage, clock } = this.deps;
    const settings = new Map<string, LogisticsWatchSettings>();
    let after = { shopId: '', id: '' };
    let flagged = 0;
    for (;;) {
      const orders = await storage.orders.shippedPage(after, 500);
      for (const order of orders) {
        let s = settings.get(order.shopId);
        if (!s) {
          s = (await storage.crm.settings(order.shopId)).logistics ?? DEFAULT_LOGISTICS_WATCH;
          settings.set(order.shopId, s);
        }
        const now = clock.now();
        const flag = watchParcel(order, now, s);
        await storage.crm.resolveParcelFlags(order.shopId, order.id, flag?.key ?? null, now);
        if (!flag) continue;
        const isNew = await storage.crm.flagParcel({
          key: flag.key,
          shopId: order.shopId,
          orderId: order.id,
          buyerId: order.buyerId,
          kind: flag.kind,
          since: flag.since,
          event: flag.event ?? null,
          issue: flag.issue['zh-CN'],
          at: now,
        });
        if (!isNew) continue;
        flagged++;
        await this.trigger(order.shopId, order.buyerId, 'parcel_flagged', {
          ...orderContext(order),
          parcelIssue: flag.issue['zh-CN'],
        });
      }
      const last = orders.at(-1);
      if (!last || orders.length < 500) return flagged;
      after = { shopId: last.shopId, id: last.id };
    }
  }

  /**
   * One sweep: orders read, parcels watched, dated journeys enrolled, due runs moved. A phase that
   * fails is logged and the others still run (a bad order never stops every shop's journeys).
   */
  sweep(): Promise<void> {
    return this.serially(() => this.sweepOnce());
  }

  /**
   * One at a time on this node: a sweep or an enrolment asked for while another runs (the timers,
   * the CLI, a test) waits for it and then runs at its own time, so a caller that awaits its work
   * sees everything started before it done. (Across nodes, the runs' claims keep them apart.)
   */
  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.sweeping.then(work);
    this.sweeping = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async sweepOnce(): Promise<void> {
    const { storage, clock, logger } = this.deps;
    const phase = async (name: string, work: () => Promise<unknown>) => {
      try {
        await work();
      } catch (err) {
        logger.error(`crm sweep: ${name} failed`, { err });
      }
    };
    await phase('orders', () => this.sweepOrders());
    // The watch reads every shipped parcel: every ten minutes is soon enough for a stall of hours.
    // (a clock set back — NTP, a restore — does not stop the watch until it catches up)
    const last = Number((await storage.kv.get(PARCELS_AT)) ?? 0);
    if (Math.abs(clock.now() - last) >= PARCEL_WATCH_MS)
      await phase('parcels', async () => {
        await this.watchParcels();
        await storage.kv.set(PARCELS_AT, String(clock.now()));
      });
    await phase('dated journeys', () => this.enrolDated());
    await phase('lapsed buyers', () => this.enrolLapsed());
    await phase('due runs', () => this.runDue());
  }
}
