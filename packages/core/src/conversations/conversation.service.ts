import {
  DomainError,
  invalid,
  KeyedMutex,
  notFound,
  type AgentId,
  type BuyerId,
  type Clock,
  type ConversationId,
  type IdGenerator,
  type ShopId,
} from '../kernel';
import type { Agent, AgentStatus } from '../agents/agent.types';
import { ownerFallback, pickLeastLoaded } from '../assignment/least-loaded';
import type { EventSink } from './conversation.events';
import type { AgentDirectory, ConversationStore, OrderLookup } from './conversation.ports';
import {
  MAX_CLIENT_ID_LENGTH,
  MAX_TEXT_LENGTH,
  type Actor,
  type Conversation,
  type Message,
  type MessageContent,
  type MessageDraft,
} from './conversation.types';

/** What the conversation service needs from the world. */
export interface ChatDeps {
  conversations: ConversationStore;
  agents: AgentDirectory;
  orders: OrderLookup;
  events: EventSink;
  clock: Clock;
  ids: IdGenerator;
  /**
   * How a new conversation starts: with the bot (BOT-1) or straight in the queue (bot off, or
   * RT-7 new-customer priority). Default: the queue.
   */
  openingStatus?: (shopId: ShopId, buyerId: BuyerId) => Promise<'bot' | 'queued'>;
  /**
   * SPAM-1: judges a buyer sending `text` (`stored`: the message is already in the conversation);
   * a reason sets the conversation aside. Default: never spam.
   */
  judgeSpam?: (
    shopId: ShopId,
    conversation: Conversation,
    text: string,
    stored?: boolean,
  ) => Promise<string | null>;
}

/** Content a buyer or agent may send (system messages are the server's own). */
export type SendableContent = Exclude<MessageContent, { kind: 'system' }>;

/** The largest page of messages one sync returns. */
export const SYNC_PAGE_LIMIT = 200;

/** Conversations, messages and the placeholder assignment (RT-2, RT-8, RT-9, RT-10). */
export class ChatService {
  private readonly shopLock = new KeyedMutex();
  /** Round-robin memory for RT-2 ties: when each agent was last given a conversation. */
  private readonly lastAssignedAt = new Map<AgentId, number>();

  constructor(private readonly deps: ChatDeps) {}

  /** Sets the SPAM-1 judge (the composition root wires it once the shop's settings are reachable). */
  setSpamJudge(judge: NonNullable<ChatDeps['judgeSpam']>): void {
    this.deps.judgeSpam = judge;
  }

  /** A buyer sends a message; the first one opens a conversation that is then assigned. */
  async sendBuyerMessage(
    shopId: ShopId,
    buyerId: BuyerId,
    clientId: string,
    content: SendableContent,
    /**
     * The buyer's open conversation as this server last returned it to the buyer's connection
     * (never a client-supplied id), when an agent held it; saves a look-up per message.
     */
    knownConversationId?: ConversationId,
  ): Promise<{ message: Message; conversation: Conversation; duplicate: boolean }> {
    checkClientId(clientId);
    const normalized = normalizeContent(content);
    const draft: MessageDraft = { ...normalized, clientId, sender: 'buyer', senderId: buyerId };
    if (knownConversationId) {
      try {
        const result = await this.append(shopId, knownConversationId, draft);
        return await this.setAsideHeldIfSpam(shopId, result, normalized);
      } catch (error) {
        if (!(error instanceof DomainError && error.code === 'conversation_ended')) throw error;
        // It ended meanwhile: fall through to open a new one.
      }
    }
    const { conversations, clock } = this.deps;
    let conversation = await conversations.findOpenByBuyer(shopId, buyerId);
    let opened = false;
    if (!conversation) {
      const now = clock.now();
      const status = (await this.deps.openingStatus?.(shopId, buyerId)) ?? 'queued';
      conversation = await conversations.createOrGetOpen({
        id: this.deps.ids.next() as ConversationId,
        shopId,
        buyerId,
        status,
        agentId: null,
        lastSeq: 0,
        createdAt: now,
        assignedAt: null,
        endedAt: null,
        lastMessageAt: now,
        lastMessagePreview: '',
        waitingSince: null,
        agentUnread: 0,
        buyerUnread: 0,
        agentReadSeq: 0,
        buyerReadSeq: 0,
        botMisses: 0,
        spamReason: null,
      });
      opened = conversation.lastSeq === 0;
    }
    conversation = await this.setAsideIfSpam(shopId, conversation, normalized);
    const result = await this.append(shopId, conversation.id, draft);
    if (opened && !result.duplicate && result.conversation.status === 'queued') {
      const assigned = await this.assignQueued(shopId, result.conversation.id);
      if (assigned) result.conversation = assigned;
    }
    return this.setAsideHeldIfSpam(shopId, result, normalized);
  }

  /** An agent sends a message into a conversation it holds (admins into any open one). */
  async sendAgentMessage(
    shopId: ShopId,
    actor: Extract<Actor, { type: 'agent' }>,
    conversationId: ConversationId,
    clientId: string,
    content: SendableContent,
  ): Promise<{ message: Message; conversation: Conversation; duplicate: boolean }> {
    checkClientId(clientId);
    const normalized = normalizeContent(content);
    let conversation = await this.getConversationFor(shopId, actor, conversationId);
    if (conversation.status === 'ended') {
      throw new DomainError('conversation_ended', 'the conversation has ended', 'conversationId');
    }
    // An agent who writes into a bot conversation takes it over.
    if (conversation.status === 'bot') conversation = await this.takeOver(shopId, actor, conversationId);
    return this.append(shopId, conversationId, {
      ...normalized,
      clientId,
      sender: 'agent',
      senderId: actor.agentId,
    });
  }

  /** CRM-1: an agent sends one of the buyer's orders as a card. */
  async sendOrderCard(
    shopId: ShopId,
    actor: Extract<Actor, { type: 'agent' }>,
    conversationId: ConversationId,
    clientId: string,
    orderId: string,
  ): Promise<{ message: Message; conversation: Conversation; duplicate: boolean }> {
    const conversation = await this.getConversationFor(shopId, actor, conversationId);
    const order = await this.deps.orders.findOrder(shopId, orderId);
    // Another buyer's order is "not found": a card never shows one buyer another's order (CMP-7).
    if (!order || order.buyerId !== conversation.buyerId)
      throw invalid('orderId', 'no such order for this buyer');
    return this.sendAgentMessage(shopId, actor, conversationId, clientId, {
      kind: 'order_card',
      body: {
        orderId: order.id,
        status: order.status,
        totalCents: order.totalCents,
        items: order.items.map((i) => ({ title: i.title, quantity: i.quantity })),
        carrier: order.carrier,
        trackingNo: order.trackingNo,
      },
    });
  }

  /** Messages after a sequence number: how a reconnecting client catches up. */
  async syncMessages(
    shopId: ShopId,
    actor: Actor,
    conversationId: ConversationId,
    afterSeq: number,
    limit = SYNC_PAGE_LIMIT,
  ): Promise<Message[]> {
    if (!Number.isInteger(afterSeq) || afterSeq < 0) throw invalid('afterSeq', 'must be a whole number ≥ 0');
    await this.getConversationFor(shopId, actor, conversationId, { allowEnded: true });
    return this.deps.conversations.listMessages(
      shopId,
      conversationId,
      afterSeq,
      Math.min(limit, SYNC_PAGE_LIMIT),
    );
  }

  /** Marks messages up to seq as read by the buyer or the agent (read receipts). */
  async markRead(
    shopId: ShopId,
    actor: Actor,
    conversationId: ConversationId,
    seq: number,
  ): Promise<Conversation> {
    if (!Number.isInteger(seq) || seq < 0) throw invalid('seq', 'must be a whole number ≥ 0');
    const conversation = await this.getConversationFor(shopId, actor, conversationId, { allowEnded: true });
    const upTo = Math.min(seq, conversation.lastSeq);
    const isBuyer = actor.type === 'buyer';
    const current = isBuyer ? conversation.buyerReadSeq : conversation.agentReadSeq;
    if (upTo <= current) return conversation;
    const updated = await this.deps.conversations.updateConversation(
      shopId,
      conversationId,
      isBuyer ? { buyerReadSeq: upTo, buyerUnread: 0 } : { agentReadSeq: upTo, agentUnread: 0 },
    );
    this.deps.events.publish({
      type: 'conversation.read',
      shopId,
      conversationId,
      buyerId: updated.buyerId,
      agentId: updated.agentId,
      reader: isBuyer ? 'buyer' : 'agent',
      seq: upTo,
    });
    return updated;
  }

  /** Relays a typing indicator; nothing is stored. */
  async setTyping(
    shopId: ShopId,
    actor: Actor,
    conversationId: ConversationId,
    isTyping: boolean,
  ): Promise<void> {
    const conversation = await this.getConversationFor(shopId, actor, conversationId);
    this.deps.events.publish({
      type: 'conversation.typing',
      shopId,
      conversationId,
      buyerId: conversation.buyerId,
      agentId: conversation.agentId,
      who: actor.type === 'buyer' ? 'buyer' : 'agent',
      isTyping,
    });
  }

  /** The agent (or an admin) ends a conversation; RT-9: the slot frees at once and the queue drains. */
  async endConversation(
    shopId: ShopId,
    actor: Extract<Actor, { type: 'agent' }>,
    conversationId: ConversationId,
  ): Promise<Conversation> {
    const conversation = await this.getConversationFor(shopId, actor, conversationId);
    if (conversation.status === 'ended') return conversation;
    const ended = await this.shopLock.run(shopId, async () => {
      await this.appendSystem(shopId, conversationId, 'conversation_ended', '会话已结束');
      return this.deps.conversations.updateConversation(shopId, conversationId, {
        status: 'ended',
        endedAt: this.deps.clock.now(),
        waitingSince: null,
      });
    });
    this.deps.events.publish({
      type: 'conversation.updated',
      shopId,
      conversation: ended,
      previousAgentId: conversation.agentId,
    });
    await this.drainQueue(shopId);
    return ended;
  }

  /** RT-10: hand a conversation to another agent; admins may go beyond the target's cap. */
  async transferConversation(
    shopId: ShopId,
    actor: Extract<Actor, { type: 'agent' }>,
    conversationId: ConversationId,
    toAgentId: AgentId,
  ): Promise<Conversation> {
    const conversation = await this.getConversationFor(shopId, actor, conversationId);
    if (conversation.status === 'ended') {
      throw new DomainError('conversation_ended', 'the conversation has ended', 'conversationId');
    }
    if (conversation.agentId === toAgentId)
      throw invalid('toAgentId', 'the conversation is already with this agent');
    const target = await this.deps.agents.findAgent(shopId, toAgentId);
    if (!target) throw invalid('toAgentId', 'no such agent in this shop');
    if (target.status === 'offline') {
      throw new DomainError('agent_unavailable', `${target.name} is offline`, 'toAgentId');
    }
    const updated = await this.shopLock.run(shopId, async () => {
      if (!actor.isAdmin) {
        const loads = await this.deps.conversations.countAssignedByAgent(shopId);
        if ((loads.get(target.id) ?? 0) >= target.maxConcurrent) {
          throw new DomainError('agent_unavailable', `${target.name} is at the cap`, 'toAgentId');
        }
      }
      await this.appendSystem(
        shopId,
        conversationId,
        'conversation_transferred',
        `会话已转接给 ${target.name}`,
      );
      return this.deps.conversations.updateConversation(shopId, conversationId, {
        status: 'assigned',
        agentId: target.id,
        assignedAt: this.deps.clock.now(),
        agentReadSeq: 0,
      });
    });
    this.deps.events.publish({
      type: 'conversation.updated',
      shopId,
      conversation: updated,
      previousAgentId: conversation.agentId,
    });
    if (conversation.agentId) await this.drainQueue(shopId);
    return updated;
  }

  /** RT-8: an agent changes status; coming online takes queued conversations at once. */
  async setAgentStatus(shopId: ShopId, agentId: AgentId, status: AgentStatus): Promise<Agent> {
    const agent = await this.deps.agents.setAgentStatus(shopId, agentId, status);
    this.deps.events.publish({ type: 'agent.status', shopId, agentId, status });
    if (status === 'online') await this.drainQueue(shopId);
    return agent;
  }

  /** The bot's reply: a message like any other, marked as the bot's (it counts as the shop's reply). */
  async sendBotMessage(
    shopId: ShopId,
    conversationId: ConversationId,
    clientId: string,
    content: Exclude<MessageContent, { kind: 'system' }>,
  ): Promise<{ message: Message; conversation: Conversation; duplicate: boolean }> {
    return this.append(shopId, conversationId, { ...content, clientId, sender: 'bot', senderId: null });
  }

  /** BOT-2/BOT-3: the bot passes the buyer to routing; returns the conversation assigned or queued. */
  async handOff(shopId: ShopId, conversationId: ConversationId): Promise<Conversation> {
    const current = await this.deps.conversations.findConversation(shopId, conversationId);
    if (!current) throw notFound('conversation');
    if (current.status !== 'bot') return current;
    const queued = await this.deps.conversations.updateConversation(shopId, conversationId, {
      status: 'queued',
      botMisses: 0,
    });
    this.deps.events.publish({
      type: 'conversation.updated',
      shopId,
      conversation: queued,
      previousAgentId: null,
    });
    return (await this.assignQueued(shopId, conversationId)) ?? queued;
  }

  /** An agent takes over a conversation the bot or the queue holds (at any time, beyond the cap: it is their choice). */
  async takeOver(
    shopId: ShopId,
    actor: Extract<Actor, { type: 'agent' }>,
    conversationId: ConversationId,
  ): Promise<Conversation> {
    const updated = await this.shopLock.run(shopId, async () => {
      const current = await this.deps.conversations.findConversation(shopId, conversationId);
      if (!current) throw notFound('conversation');
      if (current.status !== 'bot' && current.status !== 'queued') {
        throw new DomainError(
          'conflict',
          'the conversation is not with the bot or in the queue',
          'conversationId',
        );
      }
      return this.deps.conversations.updateConversation(shopId, conversationId, {
        status: 'assigned',
        agentId: actor.agentId,
        assignedAt: this.deps.clock.now(),
        botMisses: 0,
      });
    });
    this.deps.events.publish({
      type: 'conversation.updated',
      shopId,
      conversation: updated,
      previousAgentId: null,
    });
    return updated;
  }

  /** SPAM-1: an agent puts a conversation back (misjudged): it goes to the queue and is assigned. */
  async releaseSpam(
    shopId: ShopId,
    actor: Extract<Actor, { type: 'agent' }>,
    conversationId: ConversationId,
  ): Promise<Conversation> {
    const current = await this.getConversationFor(shopId, actor, conversationId);
    if (current.status !== 'spam')
      throw new DomainError('conflict', 'the conversation is not set aside as spam', 'conversationId');
    const queued = await this.deps.conversations.updateConversation(shopId, conversationId, {
      status: 'queued',
      spamReason: null,
    });
    this.deps.events.publish({
      type: 'conversation.updated',
      shopId,
      conversation: queued,
      previousAgentId: null,
    });
    return (await this.assignQueued(shopId, conversationId)) ?? queued;
  }

  /**
   * SPAM-1 for a conversation an agent holds: judged after the message is stored (there is no bot
   * to keep quiet); set aside, the agent's slot frees and the queue drains.
   */
  private async setAsideHeldIfSpam<R extends { conversation: Conversation; duplicate: boolean }>(
    shopId: ShopId,
    result: R,
    content: SendableContent,
  ): Promise<R> {
    const held = result.conversation;
    if (!this.deps.judgeSpam || result.duplicate || held.status !== 'assigned') return result;
    const reason = await this.deps.judgeSpam(
      shopId,
      held,
      content.kind === 'text' ? content.body.text : '',
      true,
    );
    if (!reason) return result;
    const aside = await this.deps.conversations.updateConversation(shopId, held.id, {
      status: 'spam',
      spamReason: reason,
      agentId: null,
    });
    this.deps.events.publish({
      type: 'conversation.updated',
      shopId,
      conversation: aside,
      previousAgentId: held.agentId,
    });
    await this.drainQueue(shopId);
    return { ...result, conversation: aside };
  }

  private async setAsideIfSpam(
    shopId: ShopId,
    conversation: Conversation,
    content: SendableContent,
  ): Promise<Conversation> {
    if (!this.deps.judgeSpam || (conversation.status !== 'bot' && conversation.status !== 'queued'))
      return conversation;
    const text = content.kind === 'text' ? content.body.text : '';
    const reason = await this.deps.judgeSpam(shopId, conversation, text);
    if (!reason) return conversation;
    const aside = await this.deps.conversations.updateConversation(shopId, conversation.id, {
      status: 'spam',
      spamReason: reason,
    });
    this.deps.events.publish({
      type: 'conversation.updated',
      shopId,
      conversation: aside,
      previousAgentId: null,
    });
    return aside;
  }

  /** Whether any agent could take a conversation now (BOT-5: otherwise the bot says when humans are back). */
  async hasAgentAvailable(shopId: ShopId): Promise<boolean> {
    const agents = await this.deps.agents.listAgents(shopId);
    return agents.some((a) => a.status === 'online' && (a.takesRouting || a.role === 'owner'));
  }

  /** Records the bot's misses in a row (BOT-3). */
  async setBotMisses(shopId: ShopId, conversationId: ConversationId, misses: number): Promise<void> {
    await this.deps.conversations.updateConversation(shopId, conversationId, { botMisses: misses });
  }

  /** Assigns queued conversations, oldest first, while some agent has a free slot. */
  async drainQueue(shopId: ShopId): Promise<Conversation[]> {
    const assigned: Conversation[] = [];
    const queued = await this.deps.conversations.listByStatus(shopId, 'queued', 500);
    for (const conversation of queued) {
      const result = await this.assignQueued(shopId, conversation.id);
      if (!result) break;
      assigned.push(result);
    }
    return assigned;
  }

  /** Gets a conversation the actor may see: the buyer's own, the agent's own, or any for admins. */
  async getConversationFor(
    shopId: ShopId,
    actor: Actor,
    conversationId: ConversationId,
    options: { allowEnded?: boolean } = {},
  ): Promise<Conversation> {
    const conversation = await this.deps.conversations.findConversation(shopId, conversationId);
    if (!conversation) throw notFound('conversation', 'conversationId');
    if (actor.type === 'buyer' && conversation.buyerId !== actor.buyerId)
      throw notFound('conversation', 'conversationId');
    // Every agent of the shop sees the bot's conversations (to take one over) and suspected spam.
    if (
      actor.type === 'agent' &&
      !actor.isAdmin &&
      conversation.agentId !== actor.agentId &&
      conversation.status !== 'bot' &&
      conversation.status !== 'spam'
    ) {
      // An ended conversation stays readable by whoever held it; a queued one only by admins.
      if (!(
        options.allowEnded &&
        conversation.status === 'ended' &&
        conversation.agentId === actor.agentId
      )) {
        throw new DomainError(
          'conversation_not_yours',
          'the conversation is held by another agent',
          'conversationId',
        );
      }
    }
    return conversation;
  }

  private async assignQueued(
    shopId: ShopId,
    conversationId: ConversationId,
  ): Promise<Conversation | undefined> {
    const assigned = await this.shopLock.run(shopId, async () => {
      const current = await this.deps.conversations.findConversation(shopId, conversationId);
      if (!current || current.status !== 'queued') return undefined;
      const agents = await this.deps.agents.listAgents(shopId);
      const loads = await this.deps.conversations.countAssignedByAgent(shopId);
      const agent = pickLeastLoaded(agents, loads, this.lastAssignedAt) ?? ownerFallback(agents);
      if (!agent) return undefined;
      const now = this.deps.clock.now();
      this.lastAssignedAt.set(agent.id, now);
      return this.deps.conversations.updateConversation(shopId, conversationId, {
        status: 'assigned',
        agentId: agent.id,
        assignedAt: now,
      });
    });
    if (assigned) {
      this.deps.events.publish({
        type: 'conversation.updated',
        shopId,
        conversation: assigned,
        previousAgentId: null,
      });
    }
    return assigned;
  }

  private async append(
    shopId: ShopId,
    conversationId: ConversationId,
    draft: MessageDraft,
  ): Promise<{ message: Message; conversation: Conversation; duplicate: boolean }> {
    const result = await this.deps.conversations.appendMessage(
      shopId,
      conversationId,
      draft,
      this.deps.clock.now(),
    );
    // A retry returns the stored message and announces nothing: no message is delivered twice.
    if (!result.duplicate) {
      this.deps.events.publish({
        type: 'message.created',
        shopId,
        conversation: result.conversation,
        message: result.message,
      });
    }
    return result;
  }

  private async appendSystem(shopId: ShopId, conversationId: ConversationId, code: string, text: string) {
    const result = await this.deps.conversations.appendMessage(
      shopId,
      conversationId,
      {
        kind: 'system',
        body: { code, text },
        clientId: `sys-${this.deps.ids.next()}`,
        sender: 'system',
        senderId: null,
      },
      this.deps.clock.now(),
    );
    this.deps.events.publish({
      type: 'message.created',
      shopId,
      conversation: result.conversation,
      message: result.message,
    });
    return result;
  }
}

function checkClientId(clientId: string): void {
  if (typeof clientId !== 'string' || clientId.length === 0 || clientId.length > MAX_CLIENT_ID_LENGTH) {
    throw invalid('clientId', `must be 1–${MAX_CLIENT_ID_LENGTH} characters`);
  }
}

/** Checks what a person sends and trims text; nothing invalid reaches storage. */
export function normalizeContent(content: SendableContent): SendableContent {
  switch (content.kind) {
    case 'text': {
      const text = typeof content.body?.text === 'string' ? content.body.text.trim() : '';
      if (text.length === 0) throw invalid('body.text', 'must not be empty');
      if (text.length > MAX_TEXT_LENGTH)
        throw invalid('body.text', `must be at most ${MAX_TEXT_LENGTH} characters`);
      return { kind: 'text', body: { text } };
    }
    case 'image': {
      const url = content.body?.url;
      // Only our own uploads: an image message never points a buyer at an outside address.
      if (typeof url !== 'string' || !/^\/uploads\/[A-Za-z0-9-]+$/.test(url)) {
        throw invalid('body.url', 'must be an uploaded image (/uploads/…)');
      }
      return { kind: 'image', body: { url } };
    }
    case 'order_card':
    case 'product_card':
      return content;
    default:
      throw invalid('kind', 'unsupported message kind');
  }
}

/** A one-line preview of a message for conversation lists. */
export function previewOf(content: MessageContent): string {
  switch (content.kind) {
    case 'text':
      return content.body.text.slice(0, 80);
    case 'image':
      return '[图片]';
    case 'order_card':
      return '[订单]';
    case 'product_card':
      return `[商品] ${content.body.title}`.slice(0, 80);
    case 'system':
      return content.body.text.slice(0, 80);
  }
}
