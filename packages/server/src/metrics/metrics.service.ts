import {
  dayBounds,
  dayClosesAt,
  dayCounts,
  daySpan,
  isHoldingLine,
  dayMetrics,
  KeyedMutex,
  localDay,
  replyRateAlert,
  rollupBasis,
  shiftDay,
  trendDay,
  type BuyerDayFacts,
  type ChatEvent,
  type Clock,
  type DayCounts,
  type DayMetrics,
  type DaySpan,
  type MetricMessage,
  type MetricsSettings,
  type ShopId,
  type TrendDay,
} from '@xiaoer/core';
import type { MetricsAlert } from '@xiaoer/protocol';
import type { Storage } from '../storage';

/** MET-3: when a day's attribution window closes, computed once per day asked. */
function attributionEnds(settings: MetricsSettings, timeZone: string): (day: string) => number {
  const memo = new Map<string, number>();
  return (day) => {
    let end = memo.get(day);
    if (end === undefined)
      memo.set(day, (end = dayBounds(shiftDay(day, settings.attributionDays, timeZone), timeZone).start));
    return end;
  };
}

export type { TrendDay };

/** MET-5 alert with the buyers' nicks (the protocol's wire shape). */
export type AlertView = MetricsAlert;

/**
 * Reply metrics on the server: roll-ups updated as messages arrive (one shop at a time, in
 * order), figures read from them, the rebuild, and MET-5 alerts. The definitions are the core's.
 */
export class MetricsService {
  private pending: Promise<unknown> = Promise.resolve();
  private readonly alerts = new Map<ShopId, string>();
  /** Each shop's drain under way. */
  private readonly draining = new Map<ShopId, Promise<void>>();
  /** Messages waiting to be applied, per shop, in arrival order. */
  private readonly queues = new Map<ShopId, { id: string; m: MetricMessage; retried?: boolean }[]>();

  private onAlert: (shopId: ShopId, alert: AlertView | null) => void = () => {};

  /** Serializes a shop's metric updates (a lock every node honours, in a cluster). */
  private readonly lock: { run<T>(shopId: ShopId, fn: () => Promise<T>): Promise<T> };

  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
    lock?: { run<T>(shopId: ShopId, fn: () => Promise<T>): Promise<T> },
  ) {
    this.lock = lock ?? new KeyedMutex();
  }

  /** MET-5: who hears of alerts raised and cleared (the gateway, to the shop's admins). */
  setAlertListener(listener: (shopId: ShopId, alert: AlertView | null) => void): void {
    this.onAlert = listener;
  }

  private async context(shopId: ShopId): Promise<{ settings: MetricsSettings; timeZone: string }> {
    const [settings, shop] = await Promise.all([
      this.storage.metrics.settings(shopId),
      this.storage.shops.findShop(shopId),
    ]);
    return { settings, timeZone: shop?.timeZone ?? 'Asia/Shanghai' };
  }

  /**
   * Feeds a chat event to the roll-ups (messages only; system messages do not count). Messages
   * queue per shop and are applied in order, as many as have gathered in one transaction, so a
   * busy shop costs a transaction per batch rather than per message.
   */
  ingest(event: ChatEvent): Promise<void> {
    if (event.type !== 'message.created') return Promise.resolve();
    const { message, conversation } = event;
    if (message.sender === 'system') return Promise.resolve();
    const shopId = event.shopId;
    let queue = this.queues.get(shopId);
    if (!queue) this.queues.set(shopId, (queue = []));
    queue.push({
      id: message.id,
      m: {
        conversationId: conversation.id,
        buyerId: conversation.buyerId,
        sender: message.sender as 'buyer' | 'agent' | 'bot',
        agentId: message.sender === 'agent' ? message.senderId : null,
        at: message.createdAt,
        ...(isHoldingLine(message) ? { holding: true } : {}),
      },
    });
    return this.kick(shopId);
  }

  /** Starts draining a shop's queue unless a drain is under way; resolves when it is done. */
  private kick(shopId: ShopId): Promise<void> {
    const running = this.draining.get(shopId);
    if (running) return running;
    const run = this.lock
      .run(shopId, () => this.drain(shopId))
      .finally(() => {
        this.draining.delete(shopId);
        // A message queued after the drain's last look goes in the next one.
        if ((this.queues.get(shopId)?.length ?? 0) > 0) void this.kick(shopId).catch(() => undefined);
      });
    this.draining.set(shopId, run);
    this.pending = this.pending.then(() => run).catch(() => undefined);
    return run;
  }

  /** Applies a shop's queued messages, as many as have gathered per transaction, until none wait. */
  private async drain(shopId: ShopId): Promise<void> {
    const queue = this.queues.get(shopId) ?? [];
    // A rebuild (on any node, or the CLI) that ran while these waited for the lock has counted
    // them already: its mark is read under the same lock.
    const mark = queue.length > 0 ? await this.storage.metrics.rebuildMark(shopId) : undefined;
    for (;;) {
      const batch = queue.splice(0, 1000);
      if (batch.length === 0) return;
      const fresh = batch.filter(
        ({ id, m }) => !mark || m.at > mark.at || (m.at === mark.at && id > mark.id),
      );
      try {
        const { settings, timeZone } = await this.context(shopId);
        await this.storage.metrics.applyBatch(
          shopId,
          fresh.map((x) => x.m),
          settings,
          timeZone,
        );
      } catch (error) {
        // Nothing of the batch was written (one transaction): it goes back to the front for one
        // more try; a batch that fails twice is dropped (logged) and a rebuild restores it.
        const again = fresh.filter((x) => !x.retried).map((x) => ({ ...x, retried: true }));
        queue.unshift(...again);
        throw error;
      }
    }
  }

  /** Resolves once every message ingested so far is in the roll-ups (tests, shutdown). */
  async flush(): Promise<void> {
    // A few passes: a drain may hand messages queued at its very end to a follow-up drain.
    for (let pass = 0; pass < 3; pass++) {
      const seen = this.pending;
      await seen;
      if (seen === this.pending) return;
    }
  }

  /** Today in the shop's time zone. */
  async today(shopId: ShopId): Promise<string> {
    const { timeZone } = await this.context(shopId);
    return localDay(this.clock.now(), timeZone);
  }

  /** One day's figures (MET-1 … MET-6). */
  async day(shopId: ShopId, date: string): Promise<DayMetrics> {
    const { settings, timeZone } = await this.context(shopId);
    const attributionEnd = attributionEnds(settings, timeZone);
    const [rows, responses, ratings, reviews, agents, routing] = await Promise.all([
      this.storage.metrics.facts({ shopId, from: date, to: date, attributionEnd }),
      this.storage.metrics.responses(shopId, date, date),
      this.storage.metrics.ratings(shopId, date, date),
      this.storage.metrics.reviews(shopId, date, date),
      this.storage.agents.listAgents(shopId),
      this.storage.shops.findRoutingSettings(shopId),
    ]);
    return dayMetrics({
      date,
      timeZone,
      settings,
      now: this.clock.now(),
      rows,
      responses,
      ratings,
      reviews,
      agentNames: new Map(agents.map((a) => [a.id, a.name])),
      groups: routing.groups,
    });
  }

  /**
   * The trend of [from, to], one row a day (at most 401). Issue #20: a closed day is read from its
   * daily roll-up, counted (and stored) on first read; days still open (today, conversions not
   * final) are counted live. Equal to `rangeFromFacts` (tests and bench/metrics check it).
   */
  async range(shopId: ShopId, from: string, to: string): Promise<TrendDay[]> {
    const { settings, timeZone } = await this.context(shopId);
    const now = this.clock.now();
    const spans: DaySpan[] = [];
    for (let d = from; d <= to; d = shiftDay(d, 1, timeZone)) {
      spans.push(daySpan(d, settings, timeZone));
      if (spans.length > 400) break;
    }
    if (spans.length === 0) return [];
    const basis = rollupBasis(settings, timeZone);
    const stored = await this.storage.metrics.rollups(shopId, from, spans[spans.length - 1]!.day, basis);
    const counts = new Map<string, DayCounts>();
    const missing: number[] = [];
    spans.forEach((s, i) => {
      const c = dayClosesAt(s, settings) <= now ? stored.get(s.day) : undefined;
      if (c) counts.set(s.day, c);
      else missing.push(i);
    });
    if (missing.length > 0) {
      // Claimed before counting: a late change from now on moves the version and the count is not kept.
      const closing = missing.map((i) => spans[i]!).filter((s) => dayClosesAt(s, settings) <= now);
      const versions =
        closing.length > 0
          ? await this.storage.metrics.claimRollups(shopId, closing)
          : new Map<string, number>();
      // One read per run of consecutive days.
      for (let a = 0; a < missing.length;) {
        let b = a;
        while (b + 1 < missing.length && missing[b + 1] === missing[b]! + 1) b++;
        const run = spans.slice(missing[a], missing[b]! + 1);
        for (const [day, c] of await this.countDays(shopId, run, settings, timeZone, now)) counts.set(day, c);
        a = b + 1;
      }
      await this.storage.metrics.storeRollups(
        shopId,
        basis,
        closing.flatMap((s) => {
          const version = versions.get(s.day);
          return version === undefined ? [] : [{ day: s.day, version, counts: counts.get(s.day)! }];
        }),
      );
    }
    return spans.map((s) => trendDay(s.day, counts.get(s.day)!, now < s.attributionEnd));
  }

  /** Counts consecutive days from their buyer-day facts and response buckets. */
  private async countDays(
    shopId: ShopId,
    run: readonly DaySpan[],
    settings: MetricsSettings,
    timeZone: string,
    now: number,
  ): Promise<Map<string, DayCounts>> {
    const from = run[0]!.day;
    const to = run[run.length - 1]!.day;
    const [rows, responses] = await Promise.all([
      this.storage.metrics.facts({ shopId, from, to, attributionEnd: attributionEnds(settings, timeZone) }),
      this.storage.metrics.responses(shopId, from, to),
    ]);
    const rowsOf = new Map<string, BuyerDayFacts[]>(run.map((s) => [s.day, []]));
    for (const r of rows) rowsOf.get(r.day)?.push(r);
    const responsesOf = new Map<string, typeof responses>(run.map((s) => [s.day, []]));
    for (const r of responses) responsesOf.get(r.day)?.push(r);
    return new Map(
      run.map((s) => [s.day, dayCounts(rowsOf.get(s.day)!, responsesOf.get(s.day)!, settings, now)]),
    );
  }

  /**
   * The trend recomputed from every buyer-day of the range through the day figures, without
   * roll-ups (the path before issue #20): the reference the roll-ups are checked against.
   */
  async rangeFromFacts(shopId: ShopId, from: string, to: string): Promise<TrendDay[]> {
    const { settings, timeZone } = await this.context(shopId);
    const attributionEnd = attributionEnds(settings, timeZone);
    const [rows, responses] = await Promise.all([
      this.storage.metrics.facts({ shopId, from, to, attributionEnd }),
      this.storage.metrics.responses(shopId, from, to),
    ]);
    const out: TrendDay[] = [];
    const now = this.clock.now();
    for (let d = from; d <= to; d = shiftDay(d, 1, timeZone)) {
      const f = dayMetrics({
        date: d,
        timeZone,
        settings,
        now,
        rows: rows.filter((r) => r.day === d),
        responses: responses.filter((r) => r.day === d),
        ratings: [],
        reviews: [],
        agentNames: new Map(),
      });
      out.push({
        date: d,
        consultations: f.shop.consultations,
        inquiries: f.shop.inquiries,
        replyRate: f.shop.replyRate,
        avgResponseMs: f.shop.response.avgMs,
        conversionRate: f.shop.conversion.rate,
        provisional: f.shop.conversion.provisional,
      });
      if (out.length > 400) break;
    }
    return out;
  }

  /** Recomputes a shop's roll-ups from its messages; returns how many it read. */
  async rebuild(shopId: ShopId): Promise<{ messages: number }> {
    await this.flush();
    return this.lock.run(shopId, async () => {
      const { settings, timeZone } = await this.context(shopId);
      const result = await this.storage.metrics.rebuild(shopId, settings, timeZone);
      if (result.last) await this.storage.metrics.setRebuildMark(shopId, result.last);
      return { messages: result.messages };
    });
  }

  /** Today's buyer-day roll-ups and the settings they are read with (MET-5, the live board). */
  async todayFacts(
    shopId: ShopId,
  ): Promise<{ date: string; settings: MetricsSettings; rows: BuyerDayFacts[] }> {
    const { settings, timeZone } = await this.context(shopId);
    const date = localDay(this.clock.now(), timeZone);
    const attributionEnd = attributionEnds(settings, timeZone);
    const rows = await this.storage.metrics.facts({ shopId, from: date, to: date, attributionEnd });
    return { date, settings, rows };
  }

  /** MET-5: the shop's alert now (null when nothing is at risk). */
  async alert(shopId: ShopId): Promise<AlertView | null> {
    const { date, settings, rows } = await this.todayFacts(shopId);
    const alert = replyRateAlert(date, rows, settings, this.clock.now());
    if (!alert) return null;
    const nicks = await Promise.all(
      alert.atRisk.map(
        async (r) => (await this.storage.buyers.findBuyer(shopId, r.buyerId as never))?.nick ?? '',
      ),
    );
    return { ...alert, atRisk: alert.atRisk.map((r, i) => ({ ...r, nick: nicks[i]! })) };
  }

  /** MET-5: re-evaluates every shop's alert and reports the ones that changed. */
  async checkAlerts(): Promise<void> {
    // No flush: an alert a few hundred milliseconds behind the messages is still in time.
    for (const shopId of await this.storage.shops.listShopIds()) {
      const alert = await this.alert(shopId);
      const key = alert ? `${alert.date}|${alert.atRisk.map((r) => r.conversationId).join(',')}` : '';
      if ((this.alerts.get(shopId) ?? '') === key && !alert) continue;
      if (key === '') this.alerts.delete(shopId);
      else this.alerts.set(shopId, key);
      this.onAlert(shopId, alert);
    }
  }

  /** Drops raw timing state older than the retention setting. */
  async prune(shopId: ShopId): Promise<number> {
    const { settings } = await this.context(shopId);
    if (settings.rawRetentionDays === 0) return 0;
    return this.storage.metrics.prune(shopId, this.clock.now() - settings.rawRetentionDays * 86_400_000);
  }
}
