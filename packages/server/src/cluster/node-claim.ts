import { randomUUID } from 'node:crypto';
import type { Logger } from '@xiaoer/core';
import type { Redis } from 'ioredis';

const REFRESH = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
if redis.call('exists', KEYS[1]) == 0 then return redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) and 1 or 0 end
return 0`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;

/**
 * A node's name, held in Redis while it runs: two running nodes with one NODE_ID would share
 * timer claims and presence beats, so a second one waits for the name (a restarted node, for the
 * old claim to lapse) and then refuses to start.
 */
export class NodeClaim {
  private refresh: ReturnType<typeof setInterval> | undefined;

  private constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly token: string,
    private readonly ttlMs: number,
  ) {}

  static async acquire(
    redis: Redis,
    prefix: string,
    nodeId: string,
    ttlMs: number,
    logger: Logger,
    waitMs = ttlMs + 2000,
  ): Promise<NodeClaim> {
    const key = `${prefix}:node:${nodeId}`;
    const token = randomUUID();
    const deadline = Date.now() + waitMs;
    for (let said = false; ; said = true) {
      if ((await redis.set(key, token, 'PX', ttlMs, 'NX')) === 'OK') break;
      if (Date.now() > deadline)
        throw new Error(
          `NODE_ID "${nodeId}" is held by another running node: give every node its own NODE_ID (or leave it unset)`,
        );
      if (!said) logger.warn(`NODE_ID "${nodeId}" is held (a previous run?): waiting up to ${waitMs} ms`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const claim = new NodeClaim(redis, key, token, ttlMs);
    claim.refresh = setInterval(
      () => {
        claim.redis
          .eval(REFRESH, 1, key, token, String(ttlMs))
          .then((kept) => {
            if (kept !== 1) logger.error(`NODE_ID claim ${key} was taken by another node`);
          })
          .catch(() => undefined); // Redis away: ioredis says so; the claim is renewed when it is back
      },
      Math.max(100, Math.floor(ttlMs / 3)),
    );
    claim.refresh.unref();
    return claim;
  }

  async release(): Promise<void> {
    clearInterval(this.refresh);
    if (this.redis.status !== 'ready') return;
    await this.redis.eval(RELEASE, 1, this.key, this.token).catch(() => undefined);
  }
}
