import type { AgentId, Logger, ShopId } from '@xiaoer/core';

/** What presence does to an agent of a shop: through the chat service, so RT-8 routing follows. */
export interface ArrivalActions {
  /** They are here: the status they chose is theirs again. */
  arrive(shopId: ShopId, agentId: AgentId): Promise<void>;
  /** They left: offline (their chats stay or go back to routing, as the shop says). */
  leave(shopId: ShopId, agentId: AgentId): Promise<void>;
}

const memberOf = (shopId: string, agentId: string) => `${shopId}|${agentId}`;

/**
 * Agent presence on a single node (RT-8): an agent is available only while a workbench socket of
 * theirs is connected. The last socket closing starts a grace (a page reload or a dropped network
 * must not drop them); past it they go offline. At start nobody is connected: every agent the
 * database has as not offline gets the same grace to come back (a restart is a reload for all).
 */
export class LocalPresence {
  /** Sockets per `shop|agent`. */
  private readonly sockets = new Map<string, number>();
  /** Pending departures per `shop|agent`. */
  private readonly leaving = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly inflight = new Set<Promise<unknown>>();

  constructor(
    private readonly graceMs: number,
    private readonly actions: ArrivalActions,
    private readonly logger: Logger,
  ) {}

  /** Gives every agent not offline in the database the grace to connect (boot). */
  adopt(members: { shopId: ShopId; agentId: AgentId }[]): void {
    for (const { shopId, agentId } of members) {
      const member = memberOf(shopId, agentId);
      if (!this.sockets.has(member) && !this.leaving.has(member)) this.scheduleLeave(shopId, agentId);
    }
  }

  /** An agent's socket connected. */
  async connected(shopId: ShopId, agentId: AgentId): Promise<void> {
    const member = memberOf(shopId, agentId);
    const count = this.sockets.get(member) ?? 0;
    this.sockets.set(member, count + 1);
    const pending = this.leaving.get(member);
    if (pending) {
      clearTimeout(pending);
      this.leaving.delete(member);
    }
    // Every connect checks: they may have been set offline meanwhile (a logout elsewhere, a boot).
    await this.track(this.actions.arrive(shopId, agentId));
  }

  /** An agent's socket left; their last one starts the grace. */
  disconnected(shopId: ShopId, agentId: AgentId): void {
    const member = memberOf(shopId, agentId);
    const count = (this.sockets.get(member) ?? 1) - 1;
    if (count > 0) {
      this.sockets.set(member, count);
      return;
    }
    this.sockets.delete(member);
    this.scheduleLeave(shopId, agentId);
  }

  /** Whether the agent has a socket here, or is within the grace after their last. */
  async isPresent(shopId: ShopId, agentId: AgentId): Promise<boolean> {
    const member = memberOf(shopId, agentId);
    return this.sockets.has(member) || this.leaving.has(member);
  }

  /** Cancels pending departures and waits for the work under way (shutdown). */
  async stop(): Promise<void> {
    for (const timer of this.leaving.values()) clearTimeout(timer);
    this.leaving.clear();
    await Promise.allSettled([...this.inflight]);
  }

  private scheduleLeave(shopId: ShopId, agentId: AgentId): void {
    const member = memberOf(shopId, agentId);
    const timer = setTimeout(() => {
      this.leaving.delete(member);
      if (this.sockets.has(member)) return;
      this.track(this.actions.leave(shopId, agentId)).catch((error: unknown) =>
        this.logger.error('presence: setting an agent offline failed', {
          shop: shopId,
          agent: agentId,
          err: error,
        }),
      );
    }, this.graceMs);
    timer.unref();
    this.leaving.set(member, timer);
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.inflight.add(work);
    void work.finally(() => this.inflight.delete(work)).catch(() => undefined);
    return work;
  }
}
