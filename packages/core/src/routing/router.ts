import { DomainError, invalid, notFound } from '../kernel';
import { IdMap } from './id-map';
import { LoadBuckets } from './load-pool';
import {
  DEFAULT_ROUTING_SETTINGS,
  type RouteDecision,
  type RouteReason,
  type RouteStatus,
  type RoutingAgent,
  type RoutingSettings,
} from './routing.types';

/** A buyer asking for a human (a new conversation, or the bot handing off). */
export interface Arrival {
  conversationId: string;
  buyerId: string;
  /** RT-3: the status of the buyer's latest order. */
  orderStatus: RouteStatus;
  /** RT-7: a new customer (bought once in 30 days, first payment within 180 days). */
  newCustomer: boolean;
  /** CRM-6: the buyer's loyalty tier rank (0 or absent: none). */
  tierRank?: number;
  /**
   * RT-1: the human agent the buyer last talked to, and when. Omitted: the router's own memory
   * (the simulator); the server reads it from the database.
   */
  recentAgent?: { agentId: string; at: number } | null;
}

/** Who goes to the front of the queue: a new customer (RT-7), a buyer of the priority tier (CRM-6). */
export function hasPriority(arrival: Arrival, settings: RoutingSettings): boolean {
  if (arrival.newCustomer && settings.newCustomerPriority) return true;
  return settings.priorityTierRank > 0 && (arrival.tierRank ?? 0) >= settings.priorityTierRank;
}

/** A conversation waiting in a queue. */
export interface QueuedConversation {
  conversationId: string;
  buyerId: string;
  /** The group whose queue it waits in; null: the shop's general queue. */
  queue: string | null;
  priority: boolean;
  queuedAt: number;
}

/** The state a router starts from (the server reads it from the database under the shop's lock). */
export interface RouterState {
  /** Open conversations held by agents. */
  assigned?: readonly { conversationId: string; buyerId: string; agentId: string }[];
  /** RT-9: ended conversations still holding a slot, until when. */
  lingering?: readonly { agentId: string; until: number }[];
  /** Queued conversations, in queue order. */
  queued?: readonly QueuedConversation[];
}

/** What the engine keeps of an agent; `slot` is its place in the load buckets. */
interface AgentState extends RoutingAgent {
  load: number;
  slot: number;
  /** RT-3: the groups it belongs to (a group listing it twice counts it twice, as ever). */
  groups: GroupState[];
  /** RT-5: on the offline-routing list. */
  listedOffline: boolean;
}

/** A group: its pool of members with room, and how many of its routing members are online. */
interface GroupState {
  id: string;
  pool: LoadBuckets;
  online: number;
}

/** One lane of a queue: a doubly linked list of its conversations, in order. */
interface Lane {
  head: Routed | null;
  tail: Routed | null;
  size: number;
}

/** A queue (a group's, or the general one): a priority lane (RT-7) ahead of a FIFO lane. */
interface Queue {
  /** The group id; '' for the general queue. */
  key: string;
  group: GroupState | undefined;
  priority: Lane;
  normal: Lane;
}

/** RT-1: who a buyer last talked to and when (the simulator's memory); updated in place. */
interface Memo {
  agentId: string;
  at: number;
  /** The order of the event it records (see Router.stamp). */
  stamp: number;
}

/**
 * RT-1: a conversation's latest talk (its buyer with an agent, when, in what order of events),
 * kept apart from the conversation so an ended one leaves only this behind for the memory.
 */
class Talk {
  constructor(
    readonly buyerId: string,
    public agentId: string,
    public at: number,
    public stamp: number,
    /** In `Router.talks`, waiting to be folded into the memory. */
    public noted: boolean,
  ) {}
}

/**
 * A conversation routing knows: held by an agent (`agentId`), or waiting in a queue (`home`). The
 * same record moves from queue to agent, so an assignment from the queue allocates nothing but
 * its decision. A class, not a literal: every record has one shape from the start (times are
 * doubles from the start), which keeps the hot paths monomorphic.
 */
class Routed {
  declare readonly conversationId: string;
  declare readonly buyerId: string;
  /** The agent holding it; null while queued. */
  declare agentId: string | null;
  /** The queue it waits in, null while held. */
  declare home: Queue | null;
  /** As given: the group id, or null for the general queue. */
  declare queue: string | null;
  declare priority: boolean;
  declare queuedAt: number;
  declare seq: number;
  declare prev: Routed | null;
  declare next: Routed | null;
  /** RT-1: the buyer's latest talk in this conversation, once it was given to an agent. */
  declare talk: Talk | null;

  constructor(conversationId: string, buyerId: string, agentId: string | null) {
    // Plain stores in one order (no field definitions first), times as doubles from the start:
    // one shape for every record.
    this.conversationId = conversationId;
    this.buyerId = buyerId;
    this.agentId = agentId;
    this.home = null;
    this.queue = null;
    this.priority = false;
    this.queuedAt = Number.NaN;
    this.seq = 0;
    this.prev = null;
    this.next = null;
    this.talk = null;
  }
}

const NONE = -1;
const HOUR = 3_600_000;

/**
 * The routing engine (RT-1 … RT-10): pure and synchronous, one instance per shop. Every operation
 * returns the decisions it made, in order: the conversation the operation is about first, then
 * any conversations the queue drained into freed slots (drain at once, never by a sweep).
 *
 * Order of choice for an arrival: the owner, while online, when the shop has no routing accounts (RT-8) → the agent
 * the buyer talked to within the returning window, while online or hung up, beyond caps (RT-1) →
 * in group mode, the group bound to the order status when it has an agent online (RT-3; when all
 * of them are full the buyer waits in that group's queue) → the least-loaded online agent (RT-2)
 * → with every agent offline, the offline-routing list (RT-5) → the queue (RT-4), new customers
 * at its front (RT-7).
 *
 * Issue #20: indexes are built once per shop and kept in step, so a decision neither scans agents
 * nor sorts: agents are numbered and sit in load buckets (linked lists in typed arrays) per pool
 * (everyone, each group, the offline list); queues are linked lists; one record per conversation
 * goes from queue to agent. Decisions are those of the engine before it (router.reference.ts),
 * which router.equivalence.test.ts checks on random shops.
 */
export class Router {
  private readonly agents = new Map<string, AgentState>();
  /** Agents by slot. */
  private readonly slots: AgentState[] = [];
  /** RT-8: owner accounts, in the order they were added. */
  private readonly owners: AgentState[] = [];
  private readonly all: LoadBuckets;
  private readonly offlinePool: LoadBuckets;
  private readonly hasOfflineList: boolean;
  private readonly groups = new Map<string, GroupState>();
  private readonly groupOf = new Map<RouteStatus, GroupState>();
  private readonly memberOf = new Map<string, GroupState[]>();
  private readonly offlineList: ReadonlySet<string>;
  /** Queues by key ('' general), and in the order they were made (positions are listed in it). */
  private readonly queues = new Map<string, Queue>();
  private readonly queueList: Queue[] = [];
  private readonly routed = new IdMap<Routed>();
  /** RT-1 memory: buyer → who they last talked to, as of the last arrival that read it. */
  private readonly recent = new IdMap<Memo>();
  /**
   * RT-1 memory not yet in `recent`: conversations whose buyer talked to an agent since the last
   * read, each with its latest talk. An arrival that reads the memory folds them in first (the
   * latest talk per buyer wins); the server's arrivals always say who the buyer last talked to, so
   * its engines never pay for the memory (no look-up per assignment) and hold the log only for
   * their one step. It grows with the conversations given until something reads it.
   */
  private talks: Talk[] = [];
  private stamp = 0;
  /** RT-9: lingering slots in release order, from `lingerHead` on. */
  private lingering: { agentId: string; until: number }[] = [];
  private lingerHead = 0;
  private waiting = 0;
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
    this.hasOfflineList = this.offlineList.size > 0;
    const size = Math.max(16, agents.length);
    this.all = new LoadBuckets(size);
    this.offlinePool = new LoadBuckets(size);
    const groupIds = new Map<string, string[]>();
    for (const group of settings.groups) {
      this.groups.set(group.id, { id: group.id, pool: new LoadBuckets(size), online: 0 });
      for (const id of group.agentIds) groupIds.set(id, [...(groupIds.get(id) ?? []), group.id]);
    }
    // Bindings and memberships name groups by id: a later group of the same id replaces the earlier.
    for (const group of settings.groups)
      for (const status of group.statuses) this.groupOf.set(status, this.groups.get(group.id)!);
    for (const [agentId, ids] of groupIds)
      this.memberOf.set(
        agentId,
        ids.map((id) => this.groups.get(id)!),
      );
    // Agents first (their slots in the order given), then the loads they hold, then the pools.
    for (const agent of agents) this.admit(agent, 0);
    for (const { conversationId, buyerId, agentId } of state.assigned ?? []) {
      this.routed.set(conversationId, new Routed(conversationId, buyerId, agentId));
      const holder = this.agents.get(agentId);
      if (holder) holder.load++;
    }
    for (const { agentId } of state.lingering ?? []) {
      const holder = this.agents.get(agentId);
      if (holder) holder.load++;
    }
    for (const a of this.slots) {
      this.count(a, 1);
      this.refresh(a);
    }
    this.lingering = [...(state.lingering ?? [])].sort((a, b) => a.until - b.until);
    for (const q of state.queued ?? []) {
      const item = new Routed(q.conversationId, q.buyerId, null);
      this.routed.set(q.conversationId, item);
      this.enqueue(item, q.queue, q.priority, q.queuedAt);
    }
  }

  // ── operations ────────────────────────────────────────────────────────────────────────────

  /** A buyer asks for a human: assigned at once or queued. */
  arrive(arrival: Arrival, now: number): RouteDecision[] {
    this.expire(now);
    const { conversationId, buyerId } = arrival;
    if (this.routed.has(conversationId))
      throw new DomainError('conflict', 'the conversation is already routed', 'conversationId');
    const item = new Routed(conversationId, buyerId, null);
    this.routed.set(conversationId, item);
    const route = this.choose(arrival, now);
    if (route) return [this.give(item, route.agent, route.reason, now)];
    const queue = this.queueFor(arrival.orderStatus);
    this.enqueue(item, queue, hasPriority(arrival, this.settings), now);
    return [queuedDecision(item)];
  }

  /** The agent (or the buyer leaving) ends a conversation: its slot frees now or after the linger (RT-9). */
  end(conversationId: string, now: number): RouteDecision[] {
    this.expire(now);
    const item = this.routed.get(conversationId);
    if (!item) return [];
    this.routed.delete(conversationId);
    if (item.home) {
      this.unqueue(item);
      return [];
    }
    const agentId = item.agentId!;
    this.note(item, agentId, now);
    const linger = this.settings.lingerMinutes * 60_000;
    if (linger > 0) {
      this.lingering.push({ agentId, until: now + linger });
      return [];
    }
    this.release(agentId);
    return this.drain(now, []);
  }

  /** A slot of an agent frees (the server's form of `end`, which knows the agent): the queue drains. */
  freeSlot(agentId: string, now: number): RouteDecision[] {
    this.expire(now);
    this.release(agentId);
    return this.drain(now, []);
  }

  /** RT-9: lingering slots whose time is up are released and the queue drains. */
  tick(now: number): RouteDecision[] {
    return this.expire(now) ? this.drain(now, []) : [];
  }

  /** Releases due lingering slots and drains the queue into any room there is. */
  rebalance(now: number): RouteDecision[] {
    this.expire(now);
    return this.drain(now, []);
  }

  /** The earliest time a lingering slot is released (for the caller's timer). */
  nextRelease(): number | undefined {
    return this.lingering[this.lingerHead]?.until;
  }

  /** RT-8: an agent's status changes; coming online takes queued conversations at once. */
  setStatus(agentId: string, status: RoutingAgent['status'], now: number): RouteDecision[] {
    this.expire(now);
    const agent = this.agentOr(agentId, 'agentId');
    this.count(agent, -1);
    agent.status = status;
    this.count(agent, 1);
    // Only this agent's place in the pools can change: the others' are kept in step as they change.
    this.refresh(agent);
    return this.drain(now, []);
  }

  /** RT-4/RT-6: an agent's cap or routing flag changes; a raised cap takes queued conversations. */
  updateAgent(agentId: string, change: { cap?: number; routing?: boolean }, now: number): RouteDecision[] {
    this.expire(now);
    const agent = this.agentOr(agentId, 'agentId');
    this.count(agent, -1);
    if (change.cap !== undefined) agent.cap = change.cap;
    if (change.routing !== undefined) agent.routing = change.routing;
    this.count(agent, 1);
    this.refresh(agent);
    return this.drain(now, []);
  }

  /** Adds an agent (a new account). */
  addAgent(agent: RoutingAgent, now: number): RouteDecision[] {
    this.expire(now);
    if (this.agents.has(agent.id)) throw invalid('agentId', `agent ${agent.id} exists`);
    const a = this.admit(agent, 0);
    this.count(a, 1);
    this.refresh(a);
    return this.drain(now, []);
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
    const item = this.routed.get(conversationId);
    if (item && !item.home && item.agentId === toAgentId)
      throw invalid('toAgentId', 'the conversation is already with this agent');
    const from = this.detach(item);
    const out = [this.give(item!, target, options.reason ?? 'transfer', now)];
    if (from) {
      this.release(from);
      this.drain(now, out);
    }
    return out;
  }

  /** RT-10: a conversation goes to a group: its least-loaded agent with room, else the group's queue. */
  transferToGroup(conversationId: string, groupId: string, now: number): RouteDecision[] {
    this.expire(now);
    const group = this.groups.get(groupId);
    if (!group) throw invalid('toGroupId', `no such group ${groupId}`);
    const item = this.routed.get(conversationId);
    const from = this.detach(item);
    const out: RouteDecision[] = [];
    const pool = this.poolFor(group);
    const passing = from ? this.agents.get(from) : undefined;
    if (passing) {
      if (passing.load > 0) passing.load--;
      pool?.delete(passing.slot); // not back to the agent who passed it on
    }
    const pick = pool ? pool.first() : NONE;
    if (passing) this.refresh(passing);
    if (pick !== NONE) {
      out.push(this.give(item!, this.slots[pick]!, 'transfer', now));
    } else {
      this.enqueue(item!, groupId, false, now);
      out.push(queuedDecision(item!));
    }
    return this.drain(now, out);
  }

  /** RT-6: an agent (a non-routing account, say) pulls the next queued conversation it may take. */
  pull(agentId: string, now: number): RouteDecision | undefined {
    this.expire(now);
    const agent = this.agentOr(agentId, 'agentId');
    if (agent.load >= agent.cap)
      throw new DomainError('agent_unavailable', `agent ${agentId} is at the cap`, 'agentId');
    let best: Routed | null = null;
    for (const queue of this.queueList) {
      const head = queue.priority.head ?? queue.normal.head;
      if (head && (!best || before(head, best))) best = head;
    }
    if (!best) return undefined;
    this.unqueue(best);
    return this.give(best, agent, 'pulled', now);
  }

  /** A conversation leaves routing without ending normally (set aside as spam): its slot frees at once. */
  remove(conversationId: string, now: number): RouteDecision[] {
    this.expire(now);
    const item = this.routed.get(conversationId);
    const from = this.detach(item);
    this.routed.delete(conversationId);
    if (!from) return [];
    this.release(from);
    return this.drain(now, []);
  }

  // ── reading ───────────────────────────────────────────────────────────────────────────────

  /** Every queued conversation with its queue and 1-based position, in queue order per queue. */
  positions(): Map<string, { queue: string | null; position: number }> {
    const out = new Map<string, { queue: string | null; position: number }>();
    for (const { key, priority, normal } of this.queueList) {
      let position = 0;
      for (const lane of [priority, normal])
        for (let item = lane.head; item; item = item.next)
          out.set(item.conversationId, { queue: key || null, position: ++position });
    }
    return out;
  }

  /** The buyer of a conversation routing knows (queued or assigned). */
  buyerOf(conversationId: string): string | undefined {
    return this.routed.get(conversationId)?.buyerId;
  }

  /** The agent holding a conversation, if assigned. */
  agentOf(conversationId: string): string | undefined {
    return this.routed.get(conversationId)?.agentId ?? undefined;
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
    return this.waiting;
  }

  // ── internals ─────────────────────────────────────────────────────────────────────────────

  private choose(arrival: Arrival, now: number): { agent: AgentState; reason: RouteReason } | undefined {
    if (this.routingAccounts === 0) {
      const owner = this.onlineOwner();
      return owner ? { agent: owner, reason: 'owner' } : undefined;
    }
    const hours = this.settings.returningBuyerHours;
    if (hours > 0) {
      const recent = arrival.recentAgent === undefined ? this.recall(arrival.buyerId) : arrival.recentAgent;
      if (recent && recent.at >= now - hours * HOUR) {
        const agent = this.agents.get(recent.agentId);
        if (agent && agent.routing && agent.status !== 'offline') return { agent, reason: 'returning-buyer' };
      }
    }
    if (this.settings.mode === 'group') {
      const group = this.groupOf.get(arrival.orderStatus);
      if (group && group.online > 0) {
        const pick = group.pool.first();
        return pick !== NONE ? { agent: this.slots[pick]!, reason: 'status-group' } : undefined;
      }
    }
    if (this.online > 0) {
      const pick = this.all.first();
      return pick !== NONE ? { agent: this.slots[pick]!, reason: 'least-loaded' } : undefined;
    }
    if (this.present === 0) {
      const pick = this.offlinePool.first();
      return pick !== NONE ? { agent: this.slots[pick]!, reason: 'offline-list' } : undefined;
    }
    return undefined;
  }

  /** The group queue an order status waits in (group mode), else the general queue (null). */
  private queueFor(status: RouteStatus): string | null {
    return this.settings.mode === 'group' ? (this.groupOf.get(status)?.id ?? null) : null;
  }

  /** The pool that serves a queue now (undefined: nobody may take it yet). */
  private poolFor(group: GroupState | undefined): LoadBuckets | undefined {
    if (group && group.online > 0) return group.pool;
    if (this.online > 0) return this.all;
    if (this.present === 0 && this.hasOfflineList) return this.offlinePool;
    return undefined;
  }

  /** Assigns queued conversations, best first, while an eligible agent has room (RT-4); appends to `out`. */
  private drain(now: number, out: RouteDecision[]): RouteDecision[] {
    while (this.waiting > 0) {
      let best: Routed | null = null;
      let bestAgent: AgentState | undefined;
      for (const queue of this.queueList) {
        const head = queue.priority.head ?? queue.normal.head;
        if (!head || (best && !before(head, best))) continue;
        let agent: AgentState | undefined;
        if (this.routingAccounts === 0) agent = this.onlineOwner();
        else {
          const pick = this.poolFor(queue.group)?.first() ?? NONE;
          if (pick !== NONE) agent = this.slots[pick];
        }
        if (agent) {
          best = head;
          bestAgent = agent;
        }
      }
      if (!best || !bestAgent) break;
      this.unqueue(best);
      out.push(this.give(best, bestAgent, 'queue', now));
    }
    return out;
  }

  /** RT-8: the owner takes everything while the shop has no routing accounts — while online (here). */
  private onlineOwner(): AgentState | undefined {
    for (const a of this.owners) if (a.status === 'online') return a;
    return undefined;
  }

  /** Hands a conversation (in no queue) to an agent. */
  private give(item: Routed, agent: AgentState, reason: RouteReason, now: number): RouteDecision {
    agent.load++;
    this.refresh(agent);
    item.agentId = agent.id;
    // A human now talks to the buyer (RT-1 memory for the simulator; the server keeps its own).
    this.note(item, agent.id, now);
    return {
      conversationId: item.conversationId,
      buyerId: item.buyerId,
      agentId: agent.id,
      queued: false,
      position: null,
      queue: null,
      reason,
    };
  }

  /** RT-1: notes that a conversation's buyer talks to an agent (folded into the memory when it is read). */
  private note(item: Routed, agentId: string, at: number): void {
    const stamp = ++this.stamp;
    const talk = item.talk;
    if (!talk) this.talks.push((item.talk = new Talk(item.buyerId, agentId, at, stamp, true)));
    else {
      talk.agentId = agentId;
      talk.at = at;
      talk.stamp = stamp;
      if (!talk.noted) {
        talk.noted = true;
        this.talks.push(talk);
      }
    }
  }

  /** RT-1: who a buyer last talked to, and when (the memory, with everything noted so far). */
  private recall(buyerId: string): Memo | undefined {
    for (const talk of this.talks) {
      talk.noted = false;
      const memo = this.recent.get(talk.buyerId);
      if (!memo) this.recent.set(talk.buyerId, { agentId: talk.agentId, at: talk.at, stamp: talk.stamp });
      else if (memo.stamp < talk.stamp) {
        memo.agentId = talk.agentId;
        memo.at = talk.at;
        memo.stamp = talk.stamp;
      }
    }
    if (this.talks.length > 0) this.talks = [];
    return this.recent.get(buyerId);
  }

  /** Puts a conversation at the end of a lane of its queue (made on first use). */
  private enqueue(item: Routed, queue: string | null, priority: boolean, at: number): void {
    const key = queue ?? '';
    let home = this.queues.get(key);
    if (!home) {
      home = { key, group: key ? this.groups.get(key) : undefined, priority: lane(), normal: lane() };
      this.queues.set(key, home);
      this.queueList.push(home);
    }
    item.agentId = null;
    item.home = home;
    item.queue = queue;
    item.priority = priority;
    item.queuedAt = at;
    item.seq = this.seq++;
    const into = priority ? home.priority : home.normal;
    item.prev = into.tail;
    item.next = null;
    if (into.tail) into.tail.next = item;
    else into.head = item;
    into.tail = item;
    into.size++;
    this.waiting++;
  }

  /** Takes a queued conversation out of its lane. */
  private unqueue(item: Routed): void {
    const home = item.home!;
    const from = item.priority ? home.priority : home.normal;
    if (item.prev) item.prev.next = item.next;
    else from.head = item.next;
    if (item.next) item.next.prev = item.prev;
    else from.tail = item.prev;
    from.size--;
    item.prev = item.next = null;
    item.home = null;
    this.waiting--;
  }

  /** Takes a conversation out of the queue or off its agent (without freeing the slot): the agent it left. */
  private detach(item: Routed | undefined): string | undefined {
    if (!item) throw notFound('conversation', 'conversationId');
    if (item.home) {
      this.unqueue(item);
      return undefined;
    }
    const from = item.agentId!;
    item.agentId = null;
    return from;
  }

  /** One slot of an agent frees. */
  private release(agentId: string): void {
    const agent = this.agents.get(agentId);
    if (agent && agent.load > 0) {
      agent.load--;
      this.refresh(agent);
    }
  }

  /** Releases lingering slots that are due; whether any was. */
  private expire(now: number): boolean {
    const lingering = this.lingering;
    let head = this.lingerHead;
    if (head >= lingering.length || lingering[head]!.until > now) return false;
    while (head < lingering.length && lingering[head]!.until <= now) this.release(lingering[head++]!.agentId);
    if (head === lingering.length) {
      lingering.length = 0;
      head = 0;
    } else if (head > 1024 && head * 2 > lingering.length) {
      lingering.splice(0, head);
      head = 0;
    }
    this.lingerHead = head;
    return true;
  }

  private agentOr(agentId: string, field: string): AgentState {
    const agent = this.agents.get(agentId);
    if (!agent) throw invalid(field, `no such agent ${agentId}`);
    return agent;
  }

  /** Makes an agent known: its slot, groups and offline-list flag. */
  private admit(agent: RoutingAgent, load: number): AgentState {
    const a: AgentState = {
      id: agent.id,
      status: agent.status,
      cap: agent.cap,
      routing: agent.routing,
      owner: agent.owner,
      load,
      slot: this.slots.length,
      groups: this.memberOf.get(agent.id) ?? [],
      listedOffline: this.offlineList.has(agent.id),
    };
    this.agents.set(agent.id, a);
    this.slots.push(a);
    if (a.owner) this.owners.push(a);
    return a;
  }

  /** Keeps the online/present/routing-account counts (and group online counts) in step. */
  private count(agent: AgentState, sign: 1 | -1): void {
    if (agent.routing && !agent.owner) this.routingAccounts += sign;
    if (!agent.routing) return;
    if (agent.status === 'online') {
      this.online += sign;
      for (const g of agent.groups) g.online += sign;
    }
    if (agent.status !== 'offline') this.present += sign;
  }

  /** Puts an agent in or out of each pool by status, routing flag and room. */
  private refresh(a: AgentState): void {
    const room = a.load < a.cap;
    const takes = a.routing && a.status === 'online' && room;
    if (takes) this.all.set(a.slot, a.load);
    else this.all.delete(a.slot);
    for (const g of a.groups) {
      if (takes) g.pool.set(a.slot, a.load);
      else g.pool.delete(a.slot);
    }
    if (a.listedOffline && a.routing && room) this.offlinePool.set(a.slot, a.load);
    else this.offlinePool.delete(a.slot);
  }
}

function lane(): Lane {
  return { head: null, tail: null, size: 0 };
}

/** The decision for a conversation just queued: its place is the end of its lane. */
function queuedDecision(item: Routed): RouteDecision {
  const home = item.home!;
  return {
    conversationId: item.conversationId,
    buyerId: item.buyerId,
    agentId: null,
    queued: true,
    position: item.priority ? home.priority.size : home.priority.size + home.normal.size,
    queue: item.queue,
    priority: item.priority,
    reason: 'queue',
  };
}

/** Queue order across queues: priority first, then first come first served. */
function before(a: Routed, b: Routed): boolean {
  if (a.priority !== b.priority) return a.priority;
  return a.queuedAt !== b.queuedAt ? a.queuedAt < b.queuedAt : a.seq < b.seq;
}
