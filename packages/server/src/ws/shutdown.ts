import { WS_AGENT_NAMESPACE, WS_BUYER_NAMESPACE } from '@xiaoer/protocol';
import type { Server } from 'socket.io';

/** Every namespace a node has: Socket.IO's root one and the gateway's two. */
const NAMESPACES = ['/', WS_AGENT_NAMESPACE, WS_BUYER_NAMESPACE] as const;

/**
 * A draining node's open sockets are closed a batch at a time over about `drainMs`, so their
 * clients reconnect to the other nodes (through the load balancer) without all arriving at once.
 */
export async function drainSockets(io: Server, drainMs: number): Promise<void> {
  const sockets = [WS_AGENT_NAMESPACE, WS_BUYER_NAMESPACE].flatMap((ns) => [...io.of(ns).sockets.values()]);
  const steps = Math.max(1, Math.floor(drainMs / 50));
  const batch = Math.max(50, Math.ceil(sockets.length / steps));
  for (let i = 0; i < sockets.length; i += batch) {
    for (const socket of sockets.slice(i, i + batch)) socket.conn.close();
    if (i + batch < sockets.length) await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Ends the Socket.IO side of a node without `io.close()`: that waits for the HTTP server to end
 * every connection, nginx's idle keep-alive ones included (which `app.close()` ends). Any socket
 * still here leaves with a transport close (its client reconnects elsewhere), and each namespace's
 * adapter (the Redis streams one in cluster mode) stops.
 */
export async function closeSockets(io: Server, { engine }: { engine: boolean }): Promise<void> {
  if (engine) io.engine.close();
  await Promise.allSettled(NAMESPACES.map((ns) => io.of(ns).adapter.close()));
}
