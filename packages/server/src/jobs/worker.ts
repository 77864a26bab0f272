import type { Clock, RoutingService } from '@xiaoer/core';
import type { LocalPresence } from '../cluster/local-presence';
import type { RedisPresence } from '../cluster/presence';
import type { PromiseWatch } from '../compliance/promise-watch';
import type { WebhookDispatcher } from '../integration/webhook-dispatcher';
import type { Storage } from '../storage';
import type { TimerScheduler } from './scheduler';
import { scheduleRecurringTimers } from './timer-handlers';

/**
 * A worker node's boot (ROLE worker): the recurring timers set, everyone's presence given its
 * grace, routing settled, promises re-armed, then the timers and the webhook outbox started.
 */
export async function startWorker(deps: {
  storage: Storage;
  clock: Clock;
  routing: RoutingService;
  promises: PromiseWatch;
  scheduler: TimerScheduler;
  dispatcher: WebhookDispatcher;
  /** One of them: this process's presence, or the cluster's (Redis). */
  presence: { local?: LocalPresence | undefined; cluster?: RedisPresence | undefined };
}): Promise<void> {
  const { storage, clock, routing } = deps;
  await scheduleRecurringTimers(storage, clock);
  // RT-8: nobody is here until their workbench connects; whoever the database has as available
  // gets the grace to come back (a restart is a reload for everyone).
  const notOffline = (await storage.agents.listNotOffline()).map((a) => ({
    shopId: a.shopId,
    agentId: a.id,
  }));
  deps.presence.local?.adopt(notOffline);
  await deps.presence.cluster?.adopt(notOffline);
  // A restart loses no routing: conversations left unrouted or lingering are settled at boot.
  for (const shopId of await storage.shops.listShopIds()) await routing.rebalance(shopId);
  // CMP-4: an open promise whose timers a node died before setting gets them now.
  await deps.promises.rearm();
  deps.scheduler.start();
  deps.dispatcher.start();
}
