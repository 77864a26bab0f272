import { DAY, type Clock, type RoutingService, type ShopId } from '@xiaoer/core';
import {
  AFTERSALES_ALERT_TIMER,
  AFTERSALES_STEP_TIMER,
  AFTERSALES_TIMER,
  type AftersalesService,
} from '../aftersales/aftersales.service';
import { PROMISE_TIMER_KIND, type PromiseWatch } from '../compliance/promise-watch';
import type { MetricsService } from '../metrics/metrics.service';
import type { Storage } from '../storage';
import type { TimerHandler } from './scheduler';
import { CRM_ENROL_TIMER, CRM_SWEEP_MS, CRM_SWEEP_TIMER, type JourneyRunner } from '../crm/journey-runner';

/** MET-5: alerts re-evaluated this often, by one node of the cluster. */
const ALERTS_EVERY_MS = 20_000;
/** RT-9 safety net and unrouted conversations: the routing sweep's period. */
const SWEEP_EVERY_MS = 60_000;
/** Housekeeping (pruning, orphan uploads): hourly. */
const HOURLY_MS = 3_600_000;

/** The recurring timers a worker node makes sure are set at boot: id (= kind) and first delay. */
const RECURRING: readonly { kind: string; firstInMs: number }[] = [
  { kind: 'metrics.alerts', firstInMs: ALERTS_EVERY_MS },
  { kind: 'housekeeping.prune', firstInMs: 60_000 },
  { kind: 'routing.sweep', firstInMs: SWEEP_EVERY_MS },
  { kind: 'uploads.sweep', firstInMs: 60_000 },
  // Issue #21: journeys — orders read, due runs moved.
  { kind: CRM_SWEEP_TIMER, firstInMs: CRM_SWEEP_MS },
];

/** What the timers act on. */
export interface TimerHandlerDeps {
  storage: Storage;
  clock: Clock;
  routing: RoutingService;
  metrics: MetricsService;
  aftersales: AftersalesService;
  promises: PromiseWatch;
  /** Issue #21: the journeys' runner. */
  journeys: JourneyRunner;
  /** Issue #14: an upload nothing uses is removed after this many hours. */
  uploadOrphanHours: number;
}

/** The durable timers' handlers, by kind (ARCHITECTURE.md): what a timer does when it fires. */
export function timerHandlers(deps: TimerHandlerDeps): Record<string, TimerHandler> {
  const { storage, clock, routing, metrics, aftersales, promises } = deps;
  return {
    'routing.release': async (timer) => {
      if (timer.shopId) await routing.rebalance(timer.shopId as ShopId);
    },
    // Issue #19 (CMP-4): a promise's at-risk time and due time.
    [PROMISE_TIMER_KIND]: (timer): Promise<void> => promises.onTimer(timer),
    // MET-5: alerts re-evaluated every 20 s, by one node of the cluster.
    'metrics.alerts': async () => {
      await metrics.checkAlerts();
      return { repeatAt: clock.now() + ALERTS_EVERY_MS };
    },
    // RT-9 safety net: a linger release whose timer a node died before setting (between the
    // chat's end and the timer's insert) waits at most a minute.
    // Conversations left unrouted by a writer without a routing step (the command line's
    // disable) are routed by the same sweep.
    'routing.sweep': async () => {
      const unrouted = new Set(await storage.routing.shopsWithUnrouted());
      for (const shopId of await storage.shops.listShopIds())
        if (unrouted.has(shopId) || (await storage.routing.settings(shopId)).lingerMinutes > 0)
          await routing.rebalance(shopId);
      return { repeatAt: clock.now() + SWEEP_EVERY_MS };
    },
    // Issue #19 (AS-2): a case's deadline, a step the connector did not confirm, an alert.
    [AFTERSALES_TIMER]: async (timer) => aftersales.onDeadline(timer),
    [AFTERSALES_STEP_TIMER]: async (timer) => aftersales.onStepTimeout(timer),
    [AFTERSALES_ALERT_TIMER]: async (timer) => aftersales.onAlertTimer(timer),
    // Issue #21 (CRM-2 … CRM-8): orders written since the last sweep, then the runs that are due.
    [CRM_SWEEP_TIMER]: async () => {
      await deps.journeys.sweep();
      return { repeatAt: clock.now() + CRM_SWEEP_MS };
    },
    // Issue #21: a review, a new product or a group buy written: its journeys' runs started.
    [CRM_ENROL_TIMER]: async (timer) => {
      await deps.journeys.onEnrolTimer(timer.shopId, timer.payload);
    },
    // Issue #14: uploads nothing uses, past UPLOAD_ORPHAN_HOURS, removed hourly by one node.
    'uploads.sweep': async () => {
      const now = clock.now();
      await storage.uploads.sweepOrphans(now - deps.uploadOrphanHours * HOURLY_MS, now);
      return { repeatAt: clock.now() + HOURLY_MS };
    },
    // Raw timing state past each shop's retention, and timers fired a week ago, dropped hourly.
    'housekeeping.prune': async () => {
      for (const shopId of await storage.shops.listShopIds()) await metrics.prune(shopId);
      await storage.timers.prune(clock.now() - 7 * DAY);
      // Issue #16: the webhook delivery log keeps 30 days.
      await storage.webhooks.prune(clock.now() - 30 * DAY);
      await storage.channels.prune(clock.now() - 30 * DAY);
      // Issue #14: used identity nonces, once their identity has expired.
      await storage.kv.pruneExpired(clock.now());
      // Issue #14: expired login sessions are deleted, not kept for ever.
      await storage.sessions.deleteExpired(clock.now());
      return { repeatAt: clock.now() + HOURLY_MS };
    },
  };
}

/** A worker node at boot: the recurring timers are set unless they already are (any node's). */
export async function scheduleRecurringTimers(storage: Storage, clock: Clock): Promise<void> {
  const now = clock.now();
  for (const { kind, firstInMs } of RECURRING)
    await storage.timers.schedule({ id: kind, kind, shopId: null, dueAt: now + firstInMs }, now);
}
