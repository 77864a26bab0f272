import {
  DomainError,
  KeyedMutex,
  notFound,
  type AgentId,
  type BuyerId,
  type Clock,
  type ConversationId,
  type IdGenerator,
  type Logger,
  type ShopId,
} from '../kernel';
import type { Agent, AgentStatus } from '../agents/agent.types';
import { BUYER_LINES } from '../conversations/buyer-lines';
import { getConversation, getVisibleConversation } from '../conversations/conversation.access';
import type { ChatEvent, EventSink } from '../conversations/conversation.events';
import type { AgentDirectory, ConversationStore } from '../conversations/conversation.ports';
import type { Actor, Conversation } from '../conversations/conversation.types';
import { appendSystemMessage } from '../conversations/system-message';
import { Router } from './router';
import type { RoutingStore, ShopLock } from './routing.ports';
import type { RouteDecision, RoutingAgent } from './routing.types';
import { estimateWaitMinutes } from './wait-estimate';

/** What the routing service needs from the world. */
export interface RoutingDeps {
  conversations: ConversationStore;
  agents: AgentDirectory;
  /** What routing reads (RT-1 … RT-9). */
  store: RoutingStore;
  events: EventSink;
  clock: Clock;
  ids: IdGenerator;
  /**
   * Serializes a shop's routing steps so caps hold and nothing is assigned twice (RT-4). Default:
   * an in-process lock (one node); a cluster passes a lock every node honours.
   */
  lock?: ShopLock;
  /**
   * RT-9: arranges for `rebalance(shopId)` to run at `at` (a lingering slot's release). Default: a
   * process timer; the server passes a durable timer that survives restarts and fires on one node.
   */
  scheduleRebalance?: (shopId: ShopId, at: number) => Promise<void>;
  /** BOT-5: the shop's service hours, told to a buyer who waits while nobody is here. */
  serviceHours?: (shopId: ShopId) => Promise<string>;
  /** Where a linger release that could not be scheduled or failed is told. */
  logger: Logger;
}

/** A queued conversation with its place and estimated wait (null: no estimate). */
export type WaitingConversation = Extract<ChatEvent, { type: 'queue.updated' }>['waiting'][number];

/**
 * What a routing step does under the shop's lock: `prepare` changes what it must first (an end, a
 * status) and hands back its result and the engine's step to run from the stored state.
 */
export type RoutingStepPrepare<T> = () => Promise<{
  result: T;
  step: (router: Router, now: number) => RouteDecision[];
}>;

type AgentActor = Extract<Actor, { type: 'agent' }>;

/** The routing engine's view of an agent. */
export function toRoutingAgent(agent: Agent): RoutingAgent {
  // A disabled agent keeps their history but takes nothing.
  const disabled = agent.disabledAt !== null;
  return {
    id: agent.id,
    status: disabled ? 'offline' : agent.status,
    cap: agent.maxConcurrent,
    routing: agent.takesRouting && !disabled,
    owner: agent.role === 'owner' && !disabled,
  };
}

/**
 * Routing conversations to agents (RT-1 … RT-10): every step runs under the shop's lock from the
 * stored state, its decisions are stored and announced; agents' status, transfers, the queue.
 */
export class RoutingService {
  private readonly shopLock: ShopLock;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  /** Linger releases already scheduled, per shop (one timer per due time). */
  private readonly releases = new Map<ShopId, Set<number>>();

  constructor(private readonly deps: RoutingDeps) {
    this.shopLock = deps.lock ?? new KeyedMutex();
  }

  /** Cancels pending timers (the process is shutting down; a restart settles lingering slots at boot). */
  dispose(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /**
   * Runs `fn` under the shop's routing lock without a routing step: a write that must not race one
   * (a hand-off, setting a conversation aside) reads fresh and writes here (RT-4).
   */
  exclusive<T>(shopId: ShopId, fn: () => Promise<T>): Promise<T> {
    return this.shopLock.run(shopId, fn);
  }

  /**
   * One routing step under the shop's lock: `prepare` changes what it must (ends, status), then the
   * engine starts from the stored state, routes any conversation waiting unrouted, runs the step,
   * and its decisions are stored, all before the lock is released. Events go out after.
   */
  async step<T>(shopId: ShopId, prepare: RoutingStepPrepare<T>): Promise<T> {
    const { deps } = this;
    const { result, changed, router, now } = await this.shopLock.run(shopId, async () => {
      const { result, step } = await prepare();
      const now = deps.clock.now();
      const settings = await deps.store.settings(shopId);
      const linger = settings.lingerMinutes * 60_000;
      const [agents, snapshot] = await Promise.all([
        deps.agents.listAgents(shopId),
        deps.store.snapshot(shopId, now - linger),
      ]);
      const router = new Router(settings, agents.map(toRoutingAgent), {
        assigned: snapshot.assigned,
        queued: snapshot.queued,
        lingering: snapshot.lingering.map((l) => ({ agentId: l.agentId, until: l.endedAt + linger })),
      });
      const previous = new Map(snapshot.assigned.map((a) => [a.conversationId, a.agentId]));
      const decisions: RouteDecision[] = [];
      for (const u of snapshot.unrouted) {
        const facts = await deps.store.buyerFacts(
          shopId,
          u.buyerId as BuyerId,
          u.conversationId as ConversationId,
          now - settings.returningBuyerHours * 3_600_000,
          now,
          settings.priorityTierRank > 0,
        );
        decisions.push(
          ...router.arrive(
            {
              conversationId: u.conversationId,
              buyerId: u.buyerId,
              orderStatus: facts.orderStatus,
              newCustomer: facts.newCustomer,
              tierRank: facts.tierRank,
              recentAgent: facts.recentAgent,
            },
            now,
          ),
        );
      }
      decisions.push(...step(router, now));
      const names = new Map(agents.map((a) => [a.id as string, a.name]));
      const changed: { conversation: Conversation; previousAgentId: AgentId | null }[] = [];
      const arrivals = new Set(snapshot.unrouted.map((u) => u.conversationId));
      // Someone who will take the buyer is online (an owner who takes no chats is not, RT-8).
      const live = agents.filter((a) => a.disabledAt === null);
      const routed = live.filter((a) => a.takesRouting && a.role !== 'owner');
      const available =
        routed.length > 0
          ? routed.some((a) => a.status === 'online')
          : live.some((a) => a.role === 'owner' && a.status === 'online');
      let hours: string | undefined;
      const serviceHours = async () => (hours ??= (await deps.serviceHours?.(shopId)) ?? '');
      // The last decision per conversation is what stands (a transfer that drained back, say).
      const last = new Map(decisions.map((d) => [d.conversationId, d]));
      for (const d of last.values()) {
        const id = d.conversationId as ConversationId;
        const before = (previous.get(d.conversationId) ?? null) as AgentId | null;
        // BOT-3: the buyer is told who has them now, or that they wait, where and for whom.
        if (!d.queued && d.agentId && before !== d.agentId) {
          const who = { agentId: d.agentId, agentName: names.get(d.agentId) ?? '' };
          if (d.reason === 'transfer' || d.reason === 'manual')
            await this.appendSystem(
              shopId,
              id,
              'conversation_transferred',
              `会话已转接给 ${who.agentName}`,
              who,
            );
          else if (d.reason === 'offline-list')
            await this.appendSystem(
              shopId,
              id,
              'agent_later',
              BUYER_LINES.agentLater(who.agentName, await serviceHours()),
              who,
            );
          else
            await this.appendSystem(shopId, id, 'agent_joined', BUYER_LINES.agentJoined(who.agentName), who);
        } else if (d.queued && arrivals.has(d.conversationId)) {
          const position = d.position ?? 1;
          await this.appendSystem(
            shopId,
            id,
            'queued',
            available
              ? BUYER_LINES.queuedBusy(position)
              : BUYER_LINES.queuedNobody(position, await serviceHours()),
          );
        }
        const conversation = await deps.conversations.updateConversation(
          shopId,
          id,
          d.queued
            ? {
                status: 'queued',
                agentId: null,
                assignReason: 'queue',
                queueGroup: d.queue,
                queuePriority: d.priority ?? false,
                queuedAt: now,
              }
            : {
                status: 'assigned',
                agentId: d.agentId as AgentId,
                assignedAt: now,
                assignReason: d.reason,
                queueGroup: null,
                ...(before && before !== d.agentId ? { agentReadSeq: 0 } : {}),
              },
        );
        changed.push({ conversation, previousAgentId: before });
      }
      return { result, changed, router, now };
    });
    for (const { conversation, previousAgentId } of changed)
      this.deps.events.publish({ type: 'conversation.updated', shopId, conversation, previousAgentId });
    if (changed.length > 0 || router.queueLength > 0)
      this.deps.events.publish({
        type: 'queue.updated',
        shopId,
        waiting: await this.waiting(shopId, router, now),
      });
    // Awaited: once the step's caller has its answer, the release is durable (a node killed
    // right after still has it fired by another).
    await this.scheduleRelease(shopId, router.nextRelease());
    return result;
  }

  /** Routes a conversation that just became queued (opened, handed off, released); returns it as stored after. */
  async routeQueued(shopId: ShopId, conversationId: ConversationId): Promise<Conversation> {
    await this.rebalance(shopId);
    return getConversation(this.deps.conversations, shopId, conversationId);
  }

  /**
   * Releases due lingering slots, routes conversations that wait unrouted and drains the queue
   * into any room there is: after an agent's cap or routing flag changes, the settings change, a
   * linger time passes, or the process starts.
   */
  async rebalance(shopId: ShopId): Promise<void> {
    await this.step(shopId, async () => ({
      result: undefined,
      step: (router, now) => router.rebalance(now),
    }));
  }

  /**
   * RT-10: hand a conversation to another agent (agents within the target's cap, admins beyond
   * it; never to an offline agent) or to a group (its least-loaded agent with room, else its queue).
   */
  async transferConversation(
    shopId: ShopId,
    actor: AgentActor,
    conversationId: ConversationId,
    to: { agentId: AgentId } | { groupId: string },
  ): Promise<Conversation> {
    const conversation = await getVisibleConversation(this.deps.conversations, shopId, actor, conversationId);
    if (conversation.status === 'ended') {
      throw new DomainError('conversation_ended', 'the conversation has ended', 'conversationId');
    }
    if (conversation.status !== 'assigned' && conversation.status !== 'queued')
      throw new DomainError(
        'conflict',
        'only a conversation with an agent or in the queue moves',
        'conversationId',
      );
    await this.step(shopId, async () => ({
      result: undefined,
      step: (router, now) =>
        'agentId' in to
          ? router.transferToAgent(conversationId, to.agentId, { beyondCap: actor.isAdmin }, now)
          : router.transferToGroup(conversationId, to.groupId, now),
    }));
    return getConversation(this.deps.conversations, shopId, conversationId);
  }

  /** RT-10 / RT-6: an admin assigns a conversation (queued or held) to any agent not offline, beyond caps. */
  async assignConversation(
    shopId: ShopId,
    actor: AgentActor,
    conversationId: ConversationId,
    toAgentId: AgentId,
  ): Promise<Conversation> {
    if (!actor.isAdmin) throw new DomainError('forbidden', 'only admins assign conversations');
    const current = await getConversation(this.deps.conversations, shopId, conversationId);
    if (current.status !== 'assigned' && current.status !== 'queued')
      throw new DomainError(
        'conflict',
        'only a conversation with an agent or in the queue is assigned',
        'conversationId',
      );
    await this.step(shopId, async () => ({
      result: undefined,
      step: (router, now) =>
        router.transferToAgent(conversationId, toAgentId, { beyondCap: true, reason: 'manual' }, now),
    }));
    return getConversation(this.deps.conversations, shopId, conversationId);
  }

  /** RT-6: an agent (a non-routing account, say) pulls the next queued conversation; undefined when none waits. */
  async pullNext(shopId: ShopId, actor: AgentActor): Promise<Conversation | undefined> {
    let pulled: string | undefined;
    await this.step(shopId, async () => ({
      result: undefined,
      step: (router, now) => {
        const d = router.pull(actor.agentId, now);
        pulled = d?.conversationId;
        return d ? [d] : [];
      },
    }));
    return pulled ? getConversation(this.deps.conversations, shopId, pulled as ConversationId) : undefined;
  }

  /**
   * An agent takes over a conversation the bot holds, an admin also one the queue holds (at any
   * time, beyond the cap: it is their choice).
   */
  async takeOver(shopId: ShopId, actor: AgentActor, conversationId: ConversationId): Promise<Conversation> {
    const { conversations, agents, clock } = this.deps;
    const updated = await this.shopLock.run(shopId, async () => {
      const current = await conversations.findConversation(shopId, conversationId);
      if (!current) throw notFound('conversation');
      if (current.status !== 'bot' && current.status !== 'queued') {
        throw new DomainError(
          'conflict',
          'the conversation is not with the bot or in the queue',
          'conversationId',
        );
      }
      // Issue #14: taking over needs what reading needs — the bot's conversations are every
      // agent's to see, a queued one only an admin's (agents pull the queue's head: RT-4, RT-6).
      if (current.status === 'queued' && !actor.isAdmin)
        throw new DomainError(
          'conversation_not_yours',
          'a queued conversation is pulled from the queue, or assigned by an admin',
          'conversationId',
        );
      await conversations.updateConversation(shopId, conversationId, {
        status: 'assigned',
        agentId: actor.agentId,
        assignedAt: clock.now(),
        botMisses: 0,
        assignReason: 'pulled',
        queueGroup: null,
      });
      // BOT-3: the buyer is told who has them now.
      const name = (await agents.findAgent(shopId, actor.agentId))?.name ?? '';
      const who = { agentId: actor.agentId, agentName: name };
      return (
        await this.appendSystem(shopId, conversationId, 'agent_joined', BUYER_LINES.agentJoined(name), who)
      ).conversation;
    });
    this.deps.events.publish({
      type: 'conversation.updated',
      shopId,
      conversation: updated,
      previousAgentId: null,
    });
    return updated;
  }

  /** Queued conversations with their places and estimated waits (the supervisors' live queue, the buyer's place). */
  async queueOf(shopId: ShopId): Promise<WaitingConversation[]> {
    const now = this.deps.clock.now();
    const settings = await this.deps.store.settings(shopId);
    const snapshot = await this.deps.store.snapshot(shopId, now - settings.lingerMinutes * 60_000);
    const router = new Router(settings, [], { queued: snapshot.queued });
    return this.waiting(shopId, router, now);
  }

  /**
   * RT-8: the agent's open conversations go back to routing (they were disabled or removed, or
   * went offline where the shop wants their chats moved): each is routed like a new arrival —
   * to another agent, or the queue — and the agent takes no new ones.
   */
  async releaseAgent(shopId: ShopId, agentId: AgentId): Promise<Conversation[]> {
    return this.step(shopId, async () => ({
      result: await this.unassign(shopId, agentId),
      step: (router, now) => router.rebalance(now),
    }));
  }

  /**
   * RT-8: an agent's status changes; coming online takes queued conversations at once. Going
   * offline, their chats stay theirs or go back to routing, as the shop's `offlineChats` says.
   */
  async setAgentStatus(shopId: ShopId, agentId: AgentId, status: AgentStatus): Promise<Agent> {
    const agent = await this.step(shopId, async () => {
      const before = await this.deps.agents.findAgent(shopId, agentId);
      const agent = await this.deps.agents.setAgentStatus(shopId, agentId, status);
      if (status === 'offline' && before?.status !== 'offline') {
        const settings = await this.deps.store.settings(shopId);
        if (settings.offlineChats === 'requeue') await this.unassign(shopId, agentId);
      }
      return { result: agent, step: (router, now) => router.rebalance(now) };
    });
    this.deps.events.publish({ type: 'agent.status', shopId, agentId, status });
    return agent;
  }

  /**
   * RT-8: the agent chose a status. It is theirs from now on; it takes effect while they are here
   * (a workbench open), and they stay offline while they are not — nobody is given buyers unseen.
   */
  async chooseStatus(
    shopId: ShopId,
    agentId: AgentId,
    status: AgentStatus,
    present: boolean,
  ): Promise<Agent> {
    await this.deps.agents.setChosenStatus(shopId, agentId, status);
    const agent = await this.deps.agents.findAgent(shopId, agentId);
    if (!agent) throw notFound('agent', 'agentId');
    const effective = present && agent.disabledAt === null ? status : 'offline';
    return agent.status === effective ? agent : this.setAgentStatus(shopId, agentId, effective);
  }

  /** RT-8: the agent is here (a workbench connected): the status they chose is theirs again. */
  async agentArrived(shopId: ShopId, agentId: AgentId): Promise<void> {
    const agent = await this.deps.agents.findAgent(shopId, agentId);
    if (!agent || agent.disabledAt !== null) return;
    if (agent.status === 'offline' && agent.chosenStatus !== 'offline')
      await this.setAgentStatus(shopId, agentId, agent.chosenStatus);
  }

  /** RT-8: the agent left (their last workbench closed past the grace, or they logged out): offline. */
  async agentLeft(shopId: ShopId, agentId: AgentId): Promise<void> {
    const agent = await this.deps.agents.findAgent(shopId, agentId);
    if (agent && agent.status !== 'offline') await this.setAgentStatus(shopId, agentId, 'offline');
  }

  /** Whether any agent could take a conversation now (BOT-5: otherwise the bot says when humans are back). */
  async hasAgentAvailable(shopId: ShopId): Promise<boolean> {
    const agents = (await this.deps.agents.listAgents(shopId)).filter((a) => a.disabledAt === null);
    const settings = await this.deps.store.settings(shopId);
    const routing = agents.filter((a) => a.takesRouting && a.role !== 'owner');
    if (routing.length === 0) return agents.some((a) => a.role === 'owner' && a.status === 'online'); // RT-8
    if (routing.some((a) => a.status === 'online')) return true;
    // RT-5: with everyone offline, the offline-routing list answers.
    return (
      routing.every((a) => a.status === 'offline') &&
      routing.some((a) => settings.offlineRouting.includes(a.id))
    );
  }

  /** Puts the agent's assigned conversations back to be routed (inside a routing step). */
  private async unassign(shopId: ShopId, agentId: AgentId): Promise<Conversation[]> {
    const held = (await this.deps.conversations.listByStatus(shopId, 'assigned', 10_000)).filter(
      (c) => c.agentId === agentId,
    );
    const released: Conversation[] = [];
    for (const c of held) {
      const queued = await this.deps.conversations.updateConversation(shopId, c.id, {
        status: 'queued',
        agentId: null,
        queuedAt: null,
        queueGroup: null,
      });
      this.deps.events.publish({
        type: 'conversation.updated',
        shopId,
        conversation: queued,
        previousAgentId: agentId,
      });
      released.push(queued);
    }
    return released;
  }

  private async waiting(shopId: ShopId, router: Router, now: number): Promise<WaitingConversation[]> {
    const positions = router.positions();
    if (positions.size === 0) return [];
    const ended = await this.deps.store.countEndedSince(shopId, now - 3_600_000);
    const pace = {
      endsLastHour: ended.ends,
      agentsLastHour: ended.agents,
      agentsOnline: router.onlineAgents,
    };
    return [...positions].map(([conversationId, p]) => ({
      conversationId: conversationId as ConversationId,
      buyerId: router.buyerOf(conversationId) as BuyerId,
      queue: p.queue,
      position: p.position,
      etaMinutes: estimateWaitMinutes(p.position, pace),
    }));
  }

  /** RT-9: a timer at the next lingering slot's release rebalances the shop. */
  private async scheduleRelease(shopId: ShopId, at: number | undefined): Promise<void> {
    if (at === undefined) return;
    let due = this.releases.get(shopId);
    if (!due) this.releases.set(shopId, (due = new Set()));
    if (due.has(at)) return;
    const now = this.deps.clock.now();
    for (const past of due) if (past < now) due.delete(past);
    due.add(at);
    if (this.deps.scheduleRebalance) {
      try {
        await this.deps.scheduleRebalance(shopId, at);
      } catch (error) {
        // Forgotten, so the next step tries again (the minute sweep is the last resort).
        due.delete(at);
        this.deps.logger.error('RT-9 linger release not scheduled', { shop: shopId, at, err: error });
      }
      return;
    }
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        due.delete(at);
        this.rebalance(shopId).catch((error: unknown) =>
          this.deps.logger.error('RT-9 linger release failed', { shop: shopId, at, err: error }),
        );
      },
      Math.max(0, at - now),
    );
    this.timers.add(timer);
  }

  private appendSystem(
    shopId: ShopId,
    conversationId: ConversationId,
    code: string,
    text: string,
    about?: { agentId: string; agentName: string },
  ) {
    return appendSystemMessage(this.deps, shopId, conversationId, code, text, about);
  }
}
