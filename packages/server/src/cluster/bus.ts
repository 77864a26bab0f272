import { randomUUID } from 'node:crypto';
import type { Logger } from '@xiaoer/core';
import type { Redis } from 'ioredis';

/** What nodes tell each other besides Socket.IO traffic (cache invalidation). */
export interface PeerBus {
  publish(channel: string, payload: unknown): Promise<void>;
  subscribe(channel: string, handler: (payload: unknown) => void): Promise<void>;
  close(): Promise<void>;
}

/**
 * Redis pub/sub between the nodes of a cluster (issue #7): one connection publishes, one
 * listens; a node ignores what it sent itself. Messages are hints to reload from PostgreSQL,
 * so one lost while Redis restarts costs a stale cache until the next edit, not data.
 */
export class RedisPeerBus implements PeerBus {
  private readonly nodeId = randomUUID();
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly handlers = new Map<string, (payload: unknown) => void>();

  constructor(
    redis: Redis,
    logger: Logger,
    private readonly prefix = 'xiaoer',
  ) {
    this.pub = redis.duplicate();
    this.sub = redis.duplicate();
    this.sub.on('message', (channel: string, raw: string) => {
      try {
        const { from, payload } = JSON.parse(raw) as { from: string; payload: unknown };
        if (from !== this.nodeId) this.handlers.get(channel)?.(payload);
      } catch (error) {
        logger.error('peer message dropped', { channel, err: error });
      }
    });
  }

  async publish(channel: string, payload: unknown): Promise<void> {
    await this.pub.publish(`${this.prefix}:${channel}`, JSON.stringify({ from: this.nodeId, payload }));
  }

  async subscribe(channel: string, handler: (payload: unknown) => void): Promise<void> {
    this.handlers.set(`${this.prefix}:${channel}`, handler);
    await this.sub.subscribe(`${this.prefix}:${channel}`);
  }

  async close(): Promise<void> {
    this.pub.disconnect();
    this.sub.disconnect();
  }
}
