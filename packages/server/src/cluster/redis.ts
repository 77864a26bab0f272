import type { Logger } from '@xiaoer/core';
import type { Redis } from 'ioredis';

/**
 * Cluster mode's Redis connection (Socket.IO streams, pub/sub between nodes, presence). ioredis
 * reconnects on its own; an outage is said once, and its end once, rather than at every retry.
 * ioredis loads here, in cluster mode only (issue #20: a single node never pays its memory).
 */
export async function connectRedis(url: string, log: Logger): Promise<Redis> {
  const redis = new (await import('ioredis')).Redis(url, { maxRetriesPerRequest: null });
  let down = false;
  redis.on('error', (error: Error) => {
    if (!down) log.error('redis unreachable, reconnecting', { err: error });
    down = true;
  });
  redis.on('ready', () => {
    if (down) log.warn('redis reachable again');
    down = false;
  });
  return redis;
}

/** Closes the connection: queued commands go first while Redis is there (2 s at most), then it is cut. */
export async function closeRedis(redis: Redis): Promise<void> {
  // quit() waits for queued commands, which never go while Redis is away.
  if (redis.status === 'ready')
    await Promise.race([
      redis.quit().catch(() => undefined),
      new Promise((r) => setTimeout(r, 2000).unref()),
    ]);
  redis.disconnect();
}

/** What /ready asks of Redis: while it is away, say so at once instead of queueing a ping behind the reconnection. */
export const redisProbe = (redis: Redis) => () =>
  redis.status === 'ready' ? redis.ping() : Promise.reject(new Error(redis.status));
