import type { RoutingService } from '@xiaoer/core';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Server } from 'socket.io';
import type { ImageCodeReader } from '../compliance/image-codes';
import type { WebhookDispatcher } from '../integration/webhook-dispatcher';
import type { TimerScheduler } from '../jobs/scheduler';
import type { MetricsService } from '../metrics/metrics.service';
import type { Storage } from '../storage';
import { closeSockets, drainSockets } from '../ws/shutdown';
import type { PeerBus } from './bus';
import type { LocalPresence } from './local-presence';
import type { NodeClaim } from './node-claim';
import type { PgAdvisoryLock } from './pg-lock';
import type { RedisPresence } from './presence';
import { closeRedis } from './redis';

/** `work`, or nothing after `ms` (what is cut short is picked up again elsewhere or at the next start). */
const within = (work: Promise<unknown> | undefined, ms: number) =>
  Promise.race([work, new Promise((r) => setTimeout(r, ms).unref())]);

/** What a node closes on its way down. */
export interface NodeParts {
  node: { draining: boolean };
  /** Whether the node takes socket connections (ROLE ws). */
  ws: boolean;
  app: FastifyInstance;
  io: Server;
  scheduler: TimerScheduler;
  dispatcher: WebhookDispatcher;
  presence?: RedisPresence | undefined;
  localPresence?: LocalPresence | undefined;
  nodeClaim?: NodeClaim | undefined;
  routing: RoutingService;
  /** Takes the gateway off the event bus. */
  detachGateway: () => void;
  metrics: MetricsService;
  /** Issue #21: the replies to journey messages noted in memory, written before the database closes. */
  journeys?: { flush(): Promise<void> } | undefined;
  peers?: PeerBus | undefined;
  shopLock?: PgAdvisoryLock | undefined;
  imageCodeReader: ImageCodeReader;
  redis?: Redis | undefined;
  /** The storage, when the node opened it (a caller's own is left open). */
  ownStorage?: Storage | undefined;
}

/**
 * Shuts a node down gracefully: `/ready` turns 503, no new connections are taken, sockets are
 * closed over up to `drainMs` (clients reconnect, through the load balancer, to other nodes),
 * work in hand finishes, then everything closes.
 */
export async function shutDownNode(parts: NodeParts, { drainMs }: { drainMs: number }): Promise<void> {
  const { app, io } = parts;
  parts.node.draining = true;
  // Timers in hand finish (10 s at most; one cut short is fired again by another node).
  await within(Promise.all([parts.scheduler.stop(), parts.dispatcher.stop()]), 10_000);
  if (parts.ws && app.server.listening) {
    // No new connections; the open sockets are closed a batch at a time.
    app.server.close(() => undefined);
    await drainSockets(io, drainMs);
  }
  // Beats go on until the sockets have left, so no agent is taken offline while still here.
  // (a beat queued while Redis is away is not waited for long)
  await within(parts.presence?.stop(), 2000);
  await parts.localPresence?.stop();
  await parts.nodeClaim?.release();
  parts.routing.dispose();
  parts.detachGateway();
  await closeSockets(io, { engine: parts.ws });
  await app.close();
  // Messages already taken in reach the metrics before the database closes (5 s at most).
  await within(parts.metrics.flush(), 5000);
  await within(
    parts.journeys?.flush().catch(() => undefined),
    5000,
  );
  await parts.peers?.close();
  await parts.shopLock?.close();
  await parts.imageCodeReader.close();
  if (parts.redis) await closeRedis(parts.redis);
  await parts.ownStorage?.close();
}
