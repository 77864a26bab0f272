/**
 * The routing engine as it was before issue #20's speed work, kept line for line (renamed) as the
 * oracle that the engine in router.ts must agree with, decision for decision
 * (router.equivalence.test.ts), and as the "before" row of bench/routing. Not exported from the
 * module's index: nothing in the product uses it.
 */
import { DomainError, invalid, notFound } from '../kernel';
import { hasPriority, type Arrival, type QueuedConversation, type RouterState } from './router';
import {
  DEFAULT_ROUTING_SETTINGS,
  type RouteDecision,
  type RouteReason,
  type RouteStatus,
  type RoutingAgent,
  type RoutingSettings,
} from './routing.types';

/**
 * RT-2 (reference): a pool of agents with room, bucketed by load. The least-loaded agent is the first of the
 * lowest non-empty bucket; an agent entering a bucket goes to its end, so agents with equal loads
 * take turns (round robin) without scanning every agent.
 */
export class ReferenceLoadPool {
  private readonly buckets: Map<string, true>[] = [];
  private readonly level = new Map<string, number>();
  private min = 0;

  get size(): number {
    return this.level.size;
  }

  has(agentId: string): boolean {
    return this.level.has(agentId);
  }

  /** Puts an agent at a load: at the end of that load's turn order when its load changes. */
  set(agentId: string, load: number): void {
    if (this.level.get(agentId) === load) return; // keeps its turn
    this.delete(agentId);
    let bucket = this.buckets[load];
    if (!bucket) {
      for (let i = this.buckets.length; i <= load; i++) this.buckets.push(new Map());
      bucket = this.buckets[load]!;
    }
    bucket.set(agentId, true);
    this.level.set(agentId, load);
    if (load < this.min) this.min = load;
  }

  delete(agentId: string): void {
    const load = this.level.get(agentId);
    if (load === undefined) return;
    this.buckets[load]!.delete(agentId);
    this.level.delete(agentId);
  }

  /** The least-loaded agent whose turn it is, and its load. */
  first(): { agentId: string; load: number } | undefined {
    if (this.level.size === 0) return undefined;
    while (this.min < this.buckets.length && this.buckets[this.min]!.size === 0) this.min++;
    const bucket = this.buckets[this.min];
    if (!bucket) return undefined;
    for (const agentId of bucket.keys()) return { agentId, load: this.min };
    return undefined;
  }
}

interface AgentState extends RoutingAgent {
  load: number;
}

interface Item extends QueuedConversation {
  seq: number;
}

interface Lanes {
  priority: Map<string, Item>;
  normal: Map<string, Item>;
}

const GENERAL = '';
const HOUR = 3_600_000;

/**
 * The reference routing engine (RT-1 … RT-10): pure and synchronous, one instance per shop. Every operation
 * returns the decisions it made, in order: the conversation the operation is about first, then
 * any conversations the queue drained into freed slots (drain at once, never by a sweep).
 *
 * Order of choice for an arrival: the owner, while online, when the shop has no routing accounts (RT-8) → the agent
 * the buyer talked to within the returning window, while online or hung up, beyond caps (RT-1) →
 * in group mode, the group bound to the order status when it has an agent online (RT-3; when all
 * of them are full the buyer waits in that group's queue) → the least-loaded online agent (RT-2)
 * → with every agent offline, the offline-routing list (RT-5) → the queue (RT-4), new customers
 * at its front (RT-7).
 */
export class ReferenceRouter {
  private readonly agents = new Map<string, AgentState>();
  private readonly all = new ReferenceLoadPool();
  private readonly groupPools = new Map<string, ReferenceLoadPool>();
  private readonly offlinePool = new ReferenceLoadPool();
  /** Online routing members per group (a group with none passes its buyers on). */
  private readonly groupOnline = new Map<string, number>();
  private readonly groupOf = new Map<RouteStatus, string>();
  private readonly memberOf = new Map<string, string[]>();
  private readonly offlineList: Set<string>;
  private readonly queues = new Map<string, Lanes>();
  private readonly items = new Map<string, Item>();
  private readonly assigned = new Map<string, { agentId: string; buyerId: string }>();
  private readonly recent = new Map<string, { agentId: string; at: number }>();
  private lingering: { agentId: string; until: number }[] = [];
  private online = 0;
  private present = 0;
  private routingAccounts = 0;
  private seq = 0;

  constructor(
    readonly settings: RoutingSettings = DEFAULT_ROUTING_SETTINGS,
    agents: readonly RoutingAgent[] = [],
    state: RouterState = {},
  ) {
    this.offlineList = new Set(settings.offlineRouting);
    for (const group of settings.groups) {
      this.groupPools.set(group.id, new ReferenceLoadPool());
      this.groupOnline.set(group.id, 0);
      for (const status of group.statuses) this.groupOf.set(status, group.id);
      for (const id of group.agentIds) this.memberOf.set(id, [...(this.memberOf.get(id) ?? []), group.id]);
    }
    const loads = new Map<string, number>();
    for (const { conversationId, buyerId, agentId } of state.assigned ?? []) {
      this.assigned.set(conversationId, { agentId, buyerId });
      loads.set(agentId, (loads.get(agentId) ?? 0) + 1);
    }
    for (const { agentId } of state.lingering ?? []) loads.set(agentId, (loads.get(agentId) ?? 0) + 1);
    for (const agent of agents) {
      this.agents.set(agent.id, { ...agent, load: loads.get(agent.id) ?? 0 });
      this.count(agent, 1);
      this.refresh(agent.id);
    }
    this.lingering = [...(state.lingering ?? [])].sort((a, b) => a.until - b.until);
    for (const q of state.queued ?? [])
      this.enqueue(q.conversationId, q.buyerId, q.queue, q.priority, q.queuedAt);
  }

  // ── operations ────────────────────────────────────────────────────────────────────────────

  /** A buyer asks for a human: assigned at once or queued. */
  arrive(arrival: Arrival, now: number): RouteDecision[] {
    this.expire(now);
    const { conversationId, buyerId } = arrival;
    if (this.items.has(conversationId) || this.assigned.has(conversationId))
      throw new DomainError('conflict', 'the conversation is already routed', 'conversationId');
    const out: RouteDecision[] = [];
    const route = this.choose(arrival, now);
    if (route) {
      out.push(this.give(conversationId, buyerId, route.agentId, route.reason, now));
    } else {
      const queue = this.queueFor(arrival.orderStatus);
      const item = this.enqueue(conversationId, buyerId, queue, hasPriority(arrival, this.settings), now);
      out.push(this.queuedDecision(item));
    }
    return out;
  }

  /** The agent (or the buyer leaving) ends a conversation: its slot frees now or after the linger (RT-9). */
  end(conversationId: string, now: number): RouteDecision[] {
    this.expire(now);
    if (this.items.has(conversationId)) {
      this.dequeue(conversationId);
      return [];
    }
    const held = this.assigned.get(conversationId);
    if (!held) return [];
    this.assigned.delete(conversationId);
    this.recent.set(held.buyerId, { agentId: held.agentId, at: now });
    const linger = this.settings.lingerMinutes * 60_000;
    if (linger > 0) {
      this.lingering.push({ agentId: held.agentId, until: now + linger });
      return [];
    }
    return this.freeSlot(held.agentId, now);
  }

  /** A slot of an agent frees (the server's form of `end`, which knows the agent): the queue drains. */
  freeSlot(agentId: string, now: number): RouteDecision[] {
    this.expire(now);
    const agent = this.agents.get(agentId);
    if (agent && agent.load > 0) {
      agent.load--;
      this.refresh(agentId);
    }
    return this.drain(now);
  }

  /** RT-9: lingering slots whose time is up are released and the queue drains. */
  tick(now: number): RouteDecision[] {
    return this.expire(now) ? this.drain(now) : [];
  }

  /** Releases due lingering slots and drains the queue into any room there is. */
  rebalance(now: number): RouteDecision[] {
    this.expire(now);
    return this.drain(now);
  }

  /** The earliest time a lingering slot is released (for the caller's timer). */
  nextRelease(): number | undefined {
    return this.lingering[0]?.until;
  }

  /** RT-8: an agent's status changes; coming online takes queued conversations at once. */
  setStatus(agentId: string, status: RoutingAgent['status'], now: number): RouteDecision[] {
    this.expire(now);
    const agent = this.agentOr(agentId, 'agentId');
    this.count(agent, -1);
    agent.status = status;
    this.count(agent, 1);
    this.refreshAll();
    return this.drain(now);
  }

  /** RT-4/RT-6: an agent's cap or routing flag changes; a raised cap takes queued conversations. */
  updateAgent(agentId: string, change: { cap?: number; routing?: boolean }, now: number): RouteDecision[] {
    this.expire(now);
    const agent = this.agentOr(agentId, 'agentId');
    this.count(agent, -1);
    if (change.cap !== undefined) agent.cap = change.cap;
    if (change.routing !== undefined) agent.routing = change.routing;
    this.count(agent, 1);
    this.refreshAll();
    return this.drain(now);
  }

  /** Adds an agent (a new account). */
  addAgent(agent: RoutingAgent, now: number): RouteDecision[] {
    this.expire(now);
    if (this.agents.has(agent.id)) throw invalid('agentId', `agent ${agent.id} exists`);
    this.agents.set(agent.id, { ...agent, load: 0 });
    this.count(agent, 1);
    this.refreshAll();
    return this.drain(now);
  }

  /**
   * RT-10: a conversation goes to another agent. Agents respect the target's cap; admins
   * (`beyondCap`) may go past it; nobody hands a buyer to an offline agent.
   */
  transferToAgent(
    conversationId: string,
    toAgentId: string,
    options: { beyondCap: boolean; reason?: RouteReason },
    now: number,
  ): RouteDecision[] {
    this.expire(now);
    const target = this.agentOr(toAgentId, 'toAgentId');
    if (target.status === 'offline')
      throw new DomainError('agent_unavailable', `agent ${toAgentId} is offline`, 'toAgentId');
    if (!options.beyondCap && target.load >= target.cap)
      throw new DomainError('agent_unavailable', `agent ${toAgentId} is at the cap`, 'toAgentId');
    if (this.assigned.get(conversationId)?.agentId === toAgentId)
      throw invalid('toAgentId', 'the conversation is already with this agent');
    const { buyerId, from } = this.detach(conversationId);
    const out = [this.give(conversationId, buyerId, toAgentId, options.reason ?? 'transfer', now)];
    if (from) out.push(...this.freeSlot(from, now));
    return out;
  }

  /** RT-10: a conversation goes to a group: its least-loaded agent with room, else the group's queue. */
  transferToGroup(conversationId: string, groupId: string, now: number): RouteDecision[] {
    this.expire(now);
    if (!this.groupPools.has(groupId)) throw invalid('toGroupId', `no such group ${groupId}`);
    const { buyerId, from } = this.detach(conversationId);
    const out: RouteDecision[] = [];
    const pool = this.poolFor(groupId);
    if (from) {
      const agent = this.agents.get(from);
      if (agent && agent.load > 0) agent.load--;
      pool?.delete(from); // not back to the agent who passed it on
    }
    const pick = pool?.first();
    if (from) this.refresh(from);
    if (pick) {
      out.push(this.give(conversationId, buyerId, pick.agentId, 'transfer', now));
    } else {
      out.push(this.queuedDecision(this.enqueue(conversationId, buyerId, groupId, false, now)));
    }
    out.push(...this.drain(now));
    return out;
  }

  /** RT-6: an agent (a non-routing account, say) pulls the next queued conversation it may take. */
  pull(agentId: string, now: number): RouteDecision | undefined {
    this.expire(now);
    const agent = this.agentOr(agentId, 'agentId');
    if (agent.load >= agent.cap)
      throw new DomainError('agent_unavailable', `agent ${agentId} is at the cap`, 'agentId');
    let best: Item | undefined;
    for (const lanes of this.queues.values()) {
      const head = firstOf(lanes);
      if (head && (!best || before(head, best))) best = head;
    }
    if (!best) return undefined;
    this.dequeue(best.conversationId);
    return this.give(best.conversationId, best.buyerId, agentId, 'pulled', now);
  }

  /** A conversation leaves routing without ending normally (set aside as spam): its slot frees at once. */
  remove(conversationId: string, now: number): RouteDecision[] {
    this.expire(now);
    const { from } = this.detach(conversationId);
    return from ? this.freeSlot(from, now) : [];
  }

  // ── reading ───────────────────────────────────────────────────────────────────────────────

  /** Every queued conversation with its queue and 1-based position, in queue order per queue. */
  positions(): Map<string, { queue: string | null; position: number }> {
    const out = new Map<string, { queue: string | null; position: number }>();
    for (const [key, lanes] of this.queues) {
      let position = 0;
      for (const lane of [lanes.priority, lanes.normal])
        for (const id of lane.keys()) out.set(id, { queue: key || null, position: ++position });
    }
    return out;
  }

  /** The buyer of a conversation routing knows (queued or assigned). */
  buyerOf(conversationId: string): string | undefined {
    return this.items.get(conversationId)?.buyerId ?? this.assigned.get(conversationId)?.buyerId;
  }

  /** The agent holding a conversation, if assigned. */
  agentOf(conversationId: string): string | undefined {
    return this.assigned.get(conversationId)?.agentId;
  }

  /** An agent's load (open conversations plus lingering slots). */
  loadOf(agentId: string): number {
    return this.agents.get(agentId)?.load ?? 0;
  }

  /** Agents online now (RT-8): those who take the queue. */
  get onlineAgents(): number {
    return this.online;
  }

  /** Queued conversations in all queues. */
  get queueLength(): number {
    return this.items.size;
  }

  // ── internals ─────────────────────────────────────────────────────────────────────────────

  private choose(arrival: Arrival, now: number): { agentId: string; reason: RouteReason } | undefined {
    if (this.routingAccounts === 0) {
      const owner = this.ownerId();
      return owner ? { agentId: owner, reason: 'owner' } : undefined;
    }
    const hours = this.settings.returningBuyerHours;
    const recent = arrival.recentAgent === undefined ? this.recent.get(arrival.buyerId) : arrival.recentAgent;
    if (hours > 0 && recent && recent.at >= now - hours * HOUR) {
      const agent = this.agents.get(recent.agentId);
      if (agent && agent.routing && agent.status !== 'offline')
        return { agentId: agent.id, reason: 'returning-buyer' };
    }
    const group = this.queueFor(arrival.orderStatus);
    if (group && (this.groupOnline.get(group) ?? 0) > 0) {
      const pick = this.groupPools.get(group)!.first();
      return pick ? { agentId: pick.agentId, reason: 'status-group' } : undefined;
    }
    if (this.online > 0) {
      const pick = this.all.first();
      return pick ? { agentId: pick.agentId, reason: 'least-loaded' } : undefined;
    }
    if (this.present === 0) {
      const pick = this.offlinePool.first();
      return pick ? { agentId: pick.agentId, reason: 'offline-list' } : undefined;
    }
    return undefined;
  }

  /** The group queue an order status waits in (group mode), else the general queue (null). */
  private queueFor(status: RouteStatus): string | null {
    return this.settings.mode === 'group' ? (this.groupOf.get(status) ?? null) : null;
  }

  /** The pool that serves a queue now (undefined: nobody may take it yet). */
  private poolFor(queue: string | null): ReferenceLoadPool | undefined {
    if (queue && (this.groupOnline.get(queue) ?? 0) > 0) return this.groupPools.get(queue);
    if (this.online > 0) return this.all;
    if (this.present === 0 && this.offlineList.size > 0) return this.offlinePool;
    return undefined;
  }

  /** Assigns queued conversations, best first, while an eligible agent has room (RT-4). */
  private drain(now: number): RouteDecision[] {
    const out: RouteDecision[] = [];
    for (;;) {
      let best: Item | undefined;
      let bestAgent: string | undefined;
      for (const [key, lanes] of this.queues) {
        const head = firstOf(lanes);
        if (!head || (best && !before(head, best))) continue;
        const agentId =
          this.routingAccounts === 0 ? this.ownerId() : this.poolFor(key || null)?.first()?.agentId;
        if (agentId) [best, bestAgent] = [head, agentId];
      }
      if (!best || !bestAgent) return out;
      this.dequeue(best.conversationId);
      out.push(this.give(best.conversationId, best.buyerId, bestAgent, 'queue', now));
    }
  }

  /** RT-8: the owner takes everything while the shop has no routing accounts — while online (here). */
  private ownerId(): string | undefined {
    for (const a of this.agents.values()) if (a.owner && a.status === 'online') return a.id;
    return undefined;
  }

  private give(
    conversationId: string,
    buyerId: string,
    agentId: string,
    reason: RouteReason,
    now: number,
  ): RouteDecision {
    const agent = this.agents.get(agentId)!;
    agent.load++;
    this.refresh(agentId);
    this.assigned.set(conversationId, { agentId, buyerId });
    // A human now talks to the buyer (RT-1 memory for the simulator; the server keeps its own).
    this.recent.set(buyerId, { agentId, at: now });
    return { conversationId, buyerId, agentId, queued: false, position: null, queue: null, reason };
  }

  private enqueue(
    conversationId: string,
    buyerId: string,
    queue: string | null,
    priority: boolean,
    at: number,
  ): Item {
    const key = queue ?? GENERAL;
    let lanes = this.queues.get(key);
    if (!lanes) this.queues.set(key, (lanes = { priority: new Map(), normal: new Map() }));
    const item: Item = { conversationId, buyerId, queue, priority, queuedAt: at, seq: this.seq++ };
    (priority ? lanes.priority : lanes.normal).set(conversationId, item);
    this.items.set(conversationId, item);
    return item;
  }

  private dequeue(conversationId: string): Item | undefined {
    const item = this.items.get(conversationId);
    if (!item) return undefined;
    this.items.delete(conversationId);
    const lanes = this.queues.get(item.queue ?? GENERAL)!;
    (item.priority ? lanes.priority : lanes.normal).delete(conversationId);
    return item;
  }

  private queuedDecision(item: Item): RouteDecision {
    const lanes = this.queues.get(item.queue ?? GENERAL)!;
    let position: number;
    if (item.priority) position = lanes.priority.size;
    else position = lanes.priority.size + lanes.normal.size;
    return {
      conversationId: item.conversationId,
      buyerId: item.buyerId,
      agentId: null,
      queued: true,
      position,
      queue: item.queue,
      priority: item.priority,
      reason: 'queue',
    };
  }

  /** Takes a conversation out of the queue or off its agent (without freeing the slot). */
  private detach(conversationId: string): { buyerId: string; from: string | undefined } {
    const item = this.dequeue(conversationId);
    if (item) return { buyerId: item.buyerId, from: undefined };
    const held = this.assigned.get(conversationId);
    if (!held) throw notFound('conversation', 'conversationId');
    this.assigned.delete(conversationId);
    return { buyerId: held.buyerId, from: held.agentId };
  }

  /** Releases lingering slots that are due; whether any was. */
  private expire(now: number): boolean {
    let released = false;
    while (this.lingering.length > 0 && this.lingering[0]!.until <= now) {
      const { agentId } = this.lingering.shift()!;
      const agent = this.agents.get(agentId);
      if (agent && agent.load > 0) {
        agent.load--;
        this.refresh(agentId);
      }
      released = true;
    }
    return released;
  }

  private agentOr(agentId: string, field: string): AgentState {
    const agent = this.agents.get(agentId);
    if (!agent) throw invalid(field, `no such agent ${agentId}`);
    return agent;
  }

  /** Keeps the online/present/routing-account counts (and group online counts) in step. */
  private count(agent: RoutingAgent, sign: 1 | -1): void {
    if (agent.routing && !agent.owner) this.routingAccounts += sign;
    if (!agent.routing) return;
    if (agent.status === 'online') {
      this.online += sign;
      for (const g of this.memberOf.get(agent.id) ?? [])
        this.groupOnline.set(g, (this.groupOnline.get(g) ?? 0) + sign);
    }
    if (agent.status !== 'offline') this.present += sign;
  }

  private refreshAll(): void {
    for (const id of this.agents.keys()) this.refresh(id);
  }

  /** Puts an agent in or out of each pool by status, routing flag and room. */
  private refresh(agentId: string): void {
    const a = this.agents.get(agentId)!;
    const room = a.load < a.cap;
    const takes = a.routing && a.status === 'online' && room;
    if (takes) this.all.set(agentId, a.load);
    else this.all.delete(agentId);
    for (const g of this.memberOf.get(agentId) ?? []) {
      const pool = this.groupPools.get(g)!;
      if (takes) pool.set(agentId, a.load);
      else pool.delete(agentId);
    }
    if (this.offlineList.has(agentId) && a.routing && room) this.offlinePool.set(agentId, a.load);
    else this.offlinePool.delete(agentId);
  }
}

function firstOf(lanes: Lanes): Item | undefined {
  for (const item of lanes.priority.values()) return item;
  for (const item of lanes.normal.values()) return item;
  return undefined;
}

/** Queue order across queues: priority first, then first come first served. */
function before(a: Item, b: Item): boolean {
  if (a.priority !== b.priority) return a.priority;
  return a.queuedAt !== b.queuedAt ? a.queuedAt < b.queuedAt : a.seq < b.seq;
}
