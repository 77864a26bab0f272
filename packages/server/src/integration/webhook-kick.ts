import type { PeerBus } from '../cluster/bus';
import type { WebhookRepository } from '../storage/webhook.repository';
import type { WebhookDispatcher } from './webhook-dispatcher';

/** How often, at most, a node hints the others that it queued deliveries. */
const HINT_EVERY_MS = 50;

/**
 * Issue #16: the outbox's deliveries go out from worker nodes; a node that queued some says so
 * (to itself when it is a worker, and in cluster mode to the workers) so they go now rather than
 * at the next poll. Only when this node queued a delivery: a shop without webhooks wakes nobody.
 * A hint: nothing is lost without it.
 */
export function webhookKicker(deps: {
  webhooks: WebhookRepository;
  dispatcher: WebhookDispatcher;
  worker: boolean;
  peers?: PeerBus | undefined;
}): { kick(): void } {
  const { webhooks, dispatcher, worker, peers } = deps;
  let hinted = false;
  return {
    kick() {
      if (!webhooks.takeQueued()) return;
      if (worker) dispatcher.kick();
      if (!peers || hinted) return;
      hinted = true;
      setTimeout(() => (hinted = false), HINT_EVERY_MS).unref();
      peers.publish('webhooks', {}).catch(() => undefined);
    },
  };
}
