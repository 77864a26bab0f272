import type { Server as HttpServer } from 'node:http';
import type { Redis } from 'ioredis';
import { Server } from 'socket.io';

/**
 * The node's Socket.IO server. Every node pushes the events its own work publishes (in cluster
 * mode through Redis streams to the sockets on other nodes); only a node with the ws role takes
 * connections (`http` given). A draining node takes no new connection: the client retries
 * (another node, behind a balancer). The streams adapter loads in cluster mode only (issue #20).
 */
export async function createSocketServer(options: {
  http?: HttpServer | undefined;
  redis?: Redis | undefined;
  redisPrefix: string;
  node: { draining: boolean };
}): Promise<Server> {
  const { redis, redisPrefix: prefix, node } = options;
  const ioOptions = {
    ...(redis
      ? {
          adapter: (await import('@socket.io/redis-streams-adapter')).createAdapter(redis, {
            streamName: `${prefix}:socket.io`,
            channelPrefix: `${prefix}:socket.io`,
            sessionKeyPrefix: `${prefix}:sio:session:`,
          }),
        }
      : {}),
    cors: { origin: true, credentials: false },
    maxHttpBufferSize: 64 * 1024,
    pingInterval: 20_000,
    pingTimeout: 20_000,
    allowRequest: (_req: unknown, callback: (err: string | null | undefined, ok: boolean) => void) =>
      callback(node.draining ? 'draining' : null, !node.draining),
  };
  return options.http ? new Server(options.http, ioOptions) : new Server(ioOptions);
}
