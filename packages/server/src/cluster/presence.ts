import type { AgentId, AgentStatus, Logger, ShopId } from '@xiaoer/core';
import type { Redis } from 'ioredis';

/** What presence does to an agent: through the chat service, so RT-8 routing follows. */
export interface PresenceActions {
  /** The agent's current status (undefined: no such agent any more). */
  statusOf(shopId: ShopId, agentId: AgentId): Promise<AgentStatus | undefined>;
  setStatus(shopId: ShopId, agentId: AgentId, status: AgentStatus): Promise<void>;
  /** They connected: the status they chose is theirs again if they were offline (RT-8). */
  arrive(shopId: ShopId, agentId: AgentId): Promise<void>;
}

const memberOf = (shopId: string, agentId: string) => `${shopId}|${agentId}`;

/**
 * Agent presence across a cluster (issue #7, RT-8). Each node keeps, in Redis, a heartbeat for
 * every agent with a socket on it: `xiaoer:presence` (a sorted set of `shop|agent|node` by last
 * beat) and one sorted set per agent of its nodes. An agent whose last beat anywhere is older than
 * the expiry — their browser closed, or their node died — is set offline by a worker node, and the
 * status they had is kept; when they connect again (to any node) it is given back.
 *
 * A socket that drops does not take the agent offline at once: they have the expiry time to
 * reconnect (a node draining for shutdown sends its sockets to the others this way).
 */
export class RedisPresence {
  /** Agents with sockets on this node: `shop|agent` → socket count. */
  private readonly local = new Map<string, number>();
  private beat: ReturnType<typeof setInterval> | undefined;
  private reaper: ReturnType<typeof setInterval> | undefined;
  private beating = false;
  private reaping = false;

  constructor(
    private readonly redis: Redis,
    private readonly nodeId: string,
    private readonly expiryMs: number,
    private readonly actions: PresenceActions,
    private readonly logger: Logger,
    private readonly prefix = 'xiaoer',
    private readonly now: () => number = Date.now,
  ) {}

  private get all(): string {
    return `${this.prefix}:presence`;
  }
  private agentKey(member: string): string {
    return `${this.prefix}:presence:${member}`;
  }
  private awayKey(member: string): string {
    return `${this.prefix}:presence-away:${member}`;
  }

  /** Beats every third of the expiry; a worker node also reaps. */
  start(options: { reap: boolean }): void {
    const every = Math.max(100, Math.floor(this.expiryMs / 3));
    this.beat = setInterval(() => this.track(this.heartbeat()), every);
    this.beat.unref();
    if (options.reap) {
      this.reaper = setInterval(() => this.track(this.reap()), every);
      this.reaper.unref();
    }
  }

  /** Stops beating and reaping; waits for a beat or reap under way. */
  async stop(): Promise<void> {
    clearInterval(this.beat);
    clearInterval(this.reaper);
    await Promise.allSettled([...this.inflight]);
  }

  private readonly inflight = new Set<Promise<unknown>>();
  private track(work: Promise<unknown>): void {
    this.inflight.add(work);
    void work.finally(() => this.inflight.delete(work));
  }

  /** An agent's socket connected to this node. */
  async connected(shopId: ShopId, agentId: AgentId): Promise<void> {
    const member = memberOf(shopId, agentId);
    const count = this.local.get(member) ?? 0;
    this.local.set(member, count + 1);
    if (count === 0) await this.mark([member]);
    await this.actions.arrive(shopId, agentId);
  }

  /**
   * Agents the database has as not offline but with no beat anywhere (every node died at once and
   * Redis lost the beats, say) get one now: the reaper sets them offline after the expiry unless
   * they connect. A worker does this at start.
   */
  async adopt(members: { shopId: ShopId; agentId: AgentId }[]): Promise<void> {
    const now = this.now();
    for (const { shopId, agentId } of members) {
      const member = memberOf(shopId, agentId);
      if ((await this.redis.exists(this.agentKey(member))) === 1) continue;
      await this.redis.zadd(this.all, 'NX', now, `${member}|${this.nodeId}`);
    }
  }

  /** An agent's socket left this node (the beat stops when it was their last one here). */
  disconnected(shopId: ShopId, agentId: AgentId): void {
    const member = memberOf(shopId, agentId);
    const count = (this.local.get(member) ?? 1) - 1;
    if (count > 0) {
      this.local.set(member, count);
      return;
    }
    this.local.delete(member);
    // A last beat now: the expiry counts from the moment they left, not from the beat before.
    const now = this.now();
    this.redis
      .pipeline()
      .zadd(this.all, now, `${member}|${this.nodeId}`)
      .zadd(this.agentKey(member), now, this.nodeId)
      .exec()
      .catch((error: unknown) =>
        this.logger.error('presence on disconnect failed', { shop: shopId, agent: agentId, err: error }),
      );
  }

  /** Whether an agent has a live beat on any node. */
  async isPresent(shopId: ShopId, agentId: AgentId): Promise<boolean> {
    const live = await this.redis.zcount(
      this.agentKey(memberOf(shopId, agentId)),
      this.now() - this.expiryMs,
      '+inf',
    );
    return live > 0;
  }

  /** Beats for every agent with a socket here, and gives back statuses presence took away. */
  async heartbeat(): Promise<void> {
    if (this.beating) return; // Redis is slow or away: one beat in flight is enough
    this.beating = true;
    try {
      const members = [...this.local.keys()];
      for (let i = 0; i < members.length; i += 500) await this.mark(members.slice(i, i + 500));
    } catch (error) {
      this.logger.error('presence heartbeat failed', { err: error });
    } finally {
      this.beating = false;
    }
  }

  /** Sets agents whose every beat has expired offline (any worker node; each stale beat is taken by one). */
  async reap(): Promise<number> {
    if (this.reaping) return 0;
    this.reaping = true;
    let offline = 0;
    try {
      const now = this.now();
      const stale = await this.redis.zrangebyscore(
        this.all,
        '-inf',
        now - this.expiryMs,
        'WITHSCORES',
        'LIMIT',
        0,
        500,
      );
      for (let i = 0; i < stale.length; i += 2) {
        const entry = stale[i]!;
        const score = Number(stale[i + 1]);
        if ((await this.redis.zrem(this.all, entry)) === 0) continue; // another node took it
        try {
          if (await this.reapOne(entry)) offline++;
        } catch (error) {
          // Put the beat back as it was: the next pass (here or on another worker) tries again.
          this.logger.error('presence reap of one agent failed', { member: entry, err: error });
          await this.redis.zadd(this.all, score, entry).catch(() => undefined);
        }
      }
    } catch (error) {
      this.logger.error('presence reap failed', { err: error });
    } finally {
      this.reaping = false;
    }
    return offline;
  }

  /** One stale beat: the agent goes offline unless they beat on another node. */
  private async reapOne(entry: string): Promise<boolean> {
    const cut = entry.lastIndexOf('|');
    const member = entry.slice(0, cut);
    if (await this.isLive(member)) return false;
    const [shopId, agentId] = member.split('|') as [ShopId, AgentId];
    const status = await this.actions.statusOf(shopId, agentId);
    if (status && status !== 'offline') {
      // Kept for a day: the status to give back when they return.
      await this.redis.set(this.awayKey(member), status, 'EX', 86_400);
      await this.actions.setStatus(shopId, agentId, 'offline');
    }
    // Their expired beats go (not by node: they may have come back on this very node meanwhile).
    await this.redis.zremrangebyscore(this.agentKey(member), '-inf', this.now() - this.expiryMs);
    // They came back while this ran (their beat may have found the status not yet offline, or
    // the away mark not yet written): their status is given back here.
    if (status && status !== 'offline' && (await this.isLive(member))) {
      await this.redis.del(this.awayKey(member));
      if ((await this.actions.statusOf(shopId, agentId)) === 'offline')
        await this.actions.setStatus(shopId, agentId, status);
      return false;
    }
    return !!status && status !== 'offline';
  }

  private async isLive(member: string): Promise<boolean> {
    return (await this.redis.zcount(this.agentKey(member), this.now() - this.expiryMs, '+inf')) > 0;
  }

  /** Records beats now for `members` on this node, then restores any of them presence set offline. */
  private async mark(members: string[]): Promise<void> {
    if (members.length === 0) return;
    const now = this.now();
    const ttl = Math.ceil((this.expiryMs * 10) / 1000);
    const pipe = this.redis.pipeline();
    pipe.zadd(this.all, ...members.flatMap((m) => [now, `${m}|${this.nodeId}`]));
    for (const m of members) {
      pipe.zadd(this.agentKey(m), now, this.nodeId);
      pipe.expire(this.agentKey(m), ttl);
      pipe.exists(this.awayKey(m));
    }
    const results = (await pipe.exec()) ?? [];
    const away = members.filter((_, i) => results[1 + i * 3 + 2]?.[1] === 1);
    if (away.length > 0) await this.restore(away);
  }

  /** Gives agents back the status presence took from them (unless they chose another since). */
  private async restore(members: string[]): Promise<void> {
    for (const member of members) {
      const previous = (await this.redis.getdel(this.awayKey(member))) as AgentStatus | null;
      if (!previous) continue;
      const [shopId, agentId] = member.split('|') as [ShopId, AgentId];
      if ((await this.actions.statusOf(shopId, agentId)) === 'offline')
        await this.actions.setStatus(shopId, agentId, previous);
    }
  }
}
