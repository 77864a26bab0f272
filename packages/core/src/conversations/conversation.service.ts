import type { ComplianceGuard } from '../compliance/compliance.guard';
import {
  DomainError,
  invalid,
  notFound,
  type AgentId,
  type BuyerId,
  type Clock,
  type ConversationId,
  type IdGenerator,
  type ShopId,
} from '../kernel';
import type { Agent, AgentStatus } from '../agents/agent.types';
import type { RoutingService } from '../routing/routing.service';
import { getConversation, getVisibleConversation } from './conversation.access';
import type { EventSink } from './conversation.events';
import type { AgentDirectory, ConversationStore, OrderLookup } from './conversation.ports';
// Message size limits, checked in the core so every transport enforces them (defined in the protocol).
import { MAX_CLIENT_ID_LENGTH, MAX_TEXT_LENGTH } from '@xiaoer/protocol/limits';
import {
  type Actor,
  type Conversation,
  type Message,
  type MessageContent,
  type MessageDraft,
} from './conversation.types';
import { appendSystemMessage } from './system-message';

/** What the conversation service needs from the world. */
export interface ChatDeps {
  conversations: ConversationStore;
  agents: AgentDirectory;
  orders: OrderLookup;
  events: EventSink;
  clock: Clock;
  ids: IdGenerator;
  /**
   * RT-1 … RT-10: assigning, queueing and moving conversations. Its shop lock is the one every
   * step that must not race routing runs under.
   */
  routing: RoutingService;
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
  /**
   * CMP-1 … CMP-5: screens every agent text before it is stored (blocks, asks to confirm
   * warnings, logs both) and records checkable promises (CMP-4). Default: no checks.
   */
  compliance?: ComplianceGuard;
  /**
   * SPAM-1: the shop's block list (buyers whose conversations go straight to suspected spam), as
   * reporting an advertiser and its undo change it. Default: none (reports only set aside).
   */
  blockList?: {
    add(shopId: ShopId, buyerId: BuyerId): Promise<void>;
    remove(shopId: ShopId, buyerId: BuyerId): Promise<void>;
  };
  /** CMP-6: records a proactive message (the caps count them). */
  proactiveLog?: (
    shopId: ShopId,
    buyerId: BuyerId,
    agentId: AgentId,
    conversationId: ConversationId,
    at: number,
  ) => Promise<void>;
}

/** How an agent sends: `confirmWarnings` overrides compliance warnings (logged), never blocks. */
export interface AgentSendOptions {
  confirmWarnings?: boolean;
}

/** Content a buyer or agent may send (system messages are the server's own). */
export type SendableContent = Exclude<MessageContent, { kind: 'system' }>;

/** Issue #21: a bot conversation quiet this long takes a journey's message (a busier one waits). */
export const JOURNEY_QUIET_MS = 30 * 60_000;

/** The largest page of messages one sync returns. */
export const SYNC_PAGE_LIMIT = 200;

/** A conversation just opened: nothing said yet, nothing read; `fields` sets how it starts. */
export function newConversation(
  id: ConversationId,
  shopId: ShopId,
  buyerId: BuyerId,
  now: number,
  fields: Pick<Conversation, 'status'> &
    Partial<Pick<Conversation, 'agentId' | 'assignedAt' | 'assignReason' | 'channel'>>,
): Conversation {
  return {
    id,
    shopId,
    buyerId,
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
    reportedBy: null,
    assignReason: null,
    queueGroup: null,
    queuePriority: false,
    queuedAt: null,
    channel: null,
    ...fields,
  };
}

/**
 * Conversations and their messages: sending, syncing, reading, ending, spam; routing them to agents
 * is the RoutingService's (RT-1 … RT-10), called where a conversation's life needs a routing step.
 */
export class ChatService {
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
    /**
     * Issue #16: the platform channel the message came from (`POST /api/v1/channels/{channel}/
     * messages`): the conversation is marked with it, so replies go out to that channel.
     */
    channel?: string,
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
      conversation = await conversations.createOrGetOpen(
        newConversation(this.deps.ids.next() as ConversationId, shopId, buyerId, now, {
          status,
          channel: channel ?? null,
        }),
      );
      opened = conversation.lastSeq === 0;
    }
    // The buyer now writes from another platform (or from one, after the widget): replies go there.
    if (channel !== undefined && conversation.channel !== channel)
      conversation = await conversations.updateConversation(shopId, conversation.id, { channel });
    conversation = await this.setAsideIfSpam(shopId, conversation, normalized);
    const result = await this.append(shopId, conversation.id, draft);
    if (opened && !result.duplicate && result.conversation.status === 'queued') {
      result.conversation = await this.deps.routing.routeQueued(shopId, result.conversation.id);
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
    options: AgentSendOptions = {},
  ): Promise<{ message: Message; conversation: Conversation; duplicate: boolean }> {
    checkClientId(clientId);
    const normalized = normalizeContent(content);
    let conversation = await this.getConversationFor(shopId, actor, conversationId);
    if (conversation.status === 'ended') {
      throw new DomainError('conversation_ended', 'the conversation has ended', 'conversationId');
    }
    // CMP-1 … CMP-5: the server is the authority; a blocked text is never stored or pushed.
    const guard = this.deps.compliance;
    const target = { shopId, agentId: actor.agentId, conversationId, buyerId: conversation.buyerId };
    const screened =
      guard && normalized.kind === 'text'
        ? await guard.screen(target, normalized.body.text, options.confirmWarnings === true)
        : undefined;
    // CMP-3: a QR code or barcode in an image is checked as text; a blocked image is never stored.
    if (guard && normalized.kind === 'image') await guard.screenImage(target, normalized.body.url);
    // An agent who writes into a bot conversation takes it over.
    if (conversation.status === 'bot')
      conversation = await this.deps.routing.takeOver(shopId, actor, conversationId);
    const sent = await this.append(shopId, conversationId, {
      ...normalized,
      clientId,
      sender: 'agent',
      senderId: actor.agentId,
    });
    if (guard && screened && !sent.duplicate) await guard.recordPromises(target, screened, sent.message.seq);
    return sent;
  }

  /**
   * CMP-6: an agent reaches out to a buyer who has no open conversation (a proactive message).
   * Quiet hours and the frequency caps are checked first (refusals are logged), then the text
   * like any agent text (CMP-1 … CMP-5); the new conversation is the agent's.
   */
  async sendProactive(
    shopId: ShopId,
    actor: Extract<Actor, { type: 'agent' }>,
    buyerId: BuyerId,
    clientId: string,
    text: string,
    options: AgentSendOptions & { timeZone: string },
  ): Promise<{ message: Message; conversation: Conversation; duplicate: boolean }> {
    checkClientId(clientId);
    const normalized = normalizeContent({ kind: 'text', body: { text } });
    if (normalized.kind !== 'text') throw invalid('text', 'must be a text');
    const { conversations, clock } = this.deps;
    if (await conversations.findOpenByBuyer(shopId, buyerId))
      throw new DomainError(
        'conflict',
        'the buyer has an open conversation: reply there (a reply is not a proactive message)',
        'buyerId',
      );
    const guard = this.deps.compliance;
    const target = { shopId, agentId: actor.agentId, buyerId };
    await guard?.screenProactive({ ...target, conversationId: null }, normalized.body.text, options.timeZone);
    const now = clock.now();
    const id = this.deps.ids.next() as ConversationId;
    const screened = await guard?.screen(
      { ...target, conversationId: id },
      normalized.body.text,
      options.confirmWarnings === true,
    );
    const conversation = await conversations.createOrGetOpen(
      newConversation(id, shopId, buyerId, now, {
        status: 'assigned',
        agentId: actor.agentId,
        assignedAt: now,
        assignReason: 'manual',
      }),
    );
    if (conversation.id !== id)
      throw new DomainError('conflict', 'the buyer has just opened a conversation: reply there', 'buyerId');
    const sent = await this.append(shopId, id, {
      ...normalized,
      clientId,
      sender: 'agent',
      senderId: actor.agentId,
    });
    if (!sent.duplicate) {
      await this.deps.proactiveLog?.(shopId, buyerId, actor.agentId, id, now);
      if (guard && screened)
        await guard.recordPromises({ ...target, conversationId: id }, screened, sent.message.seq);
    }
    return sent;
  }

  /**
   * Issue #21 (CRM-2 … CRM-8): a journey's message, from the bot: the buyer's answer meets the
   * bot first and then an agent, like any conversation of theirs. Its words are screened like the
   * bot's (CMP-1 … CMP-5; CMP-6 is the journey runner's, which counted the caps). It goes into
   * the buyer's open conversation only when that one is the bot's and quiet; a buyer talking to
   * an agent, waiting for one, or talking to the bot now is not interrupted: `busy`, and the run
   * waits. `clientId` is the journey step's: a step sent again after a crash finds its message.
   */
  async sendJourneyMessage(
    shopId: ShopId,
    buyerId: BuyerId,
    clientId: string,
    text: string,
  ): Promise<{ message: Message; conversation: Conversation; duplicate: boolean } | 'busy'> {
    checkClientId(clientId);
    const normalized = normalizeContent({ kind: 'text', body: { text } });
    if (normalized.kind !== 'text') throw invalid('text', 'must be a text');
    const { conversations, clock } = this.deps;
    const draft: MessageDraft = { ...normalized, clientId, sender: 'bot', senderId: null };
    const now = clock.now();
    const open = await conversations.findOpenByBuyer(shopId, buyerId);
    if (open) {
      const [last] =
        open.lastSeq > 0 ? await conversations.listMessages(shopId, open.id, open.lastSeq - 1, 1) : [];
      if (last && last.clientId === clientId) return { message: last, conversation: open, duplicate: true };
      if (open.status !== 'bot' || now - open.lastMessageAt < JOURNEY_QUIET_MS) return 'busy';
      await this.deps.compliance?.screenBot(
        { shopId, conversationId: open.id, buyerId },
        normalized.body.text,
      );
      return this.append(shopId, open.id, draft);
    }
    const id = this.deps.ids.next() as ConversationId;
    await this.deps.compliance?.screenBot({ shopId, conversationId: id, buyerId }, normalized.body.text);
    const conversation = await conversations.createOrGetOpen(
      newConversation(id, shopId, buyerId, now, { status: 'bot' }),
    );
    if (conversation.id !== id) return 'busy';
    return this.append(shopId, id, draft);
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
    // RT-9: the slot frees in the same step (or after the shop's linger time) and the queue drains.
    return this.deps.routing.step(shopId, async () => {
      await this.appendSystem(shopId, conversationId, 'conversation_ended', '会话已结束');
      const ended = await this.deps.conversations.updateConversation(shopId, conversationId, {
        status: 'ended',
        endedAt: this.deps.clock.now(),
        waitingSince: null,
      });
      this.deps.events.publish({
        type: 'conversation.updated',
        shopId,
        conversation: ended,
        previousAgentId: conversation.agentId,
      });
      return { result: ended, step: (router, now) => router.rebalance(now) };
    });
  }

  /** RT-8: an agent's status changes (RoutingService.setAgentStatus; kept here: tests and tools call it). */
  setAgentStatus(shopId: ShopId, agentId: AgentId, status: AgentStatus): Promise<Agent> {
    return this.deps.routing.setAgentStatus(shopId, agentId, status);
  }

  /** The bot's reply: a message like any other, marked as the bot's (it counts as the shop's reply). */
  async sendBotMessage(
    shopId: ShopId,
    conversationId: ConversationId,
    clientId: string,
    content: Exclude<MessageContent, { kind: 'system' }>,
  ): Promise<{ message: Message; conversation: Conversation; duplicate: boolean }> {
    // Every text that leaves the shop passes the guard: the bot's too (an FAQ answer saved before
    // a rule was switched on, an order's details…). A block throws compliance_blocked, logged.
    const guard = this.deps.compliance;
    if (guard && content.kind === 'text') {
      const conversation = await getConversation(this.deps.conversations, shopId, conversationId);
      await guard.screenBot({ shopId, conversationId, buyerId: conversation.buyerId }, content.body.text);
    }
    return this.append(shopId, conversationId, { ...content, clientId, sender: 'bot', senderId: null });
  }

  /** BOT-2/BOT-3: the bot passes the buyer to routing; returns the conversation assigned or queued. */
  async handOff(shopId: ShopId, conversationId: ConversationId): Promise<Conversation> {
    // Under the shop's lock, from a fresh read: a conversation set aside as spam meanwhile stays so.
    const queued = await this.deps.routing.exclusive(shopId, async () => {
      const current = await this.deps.conversations.findConversation(shopId, conversationId);
      if (!current) throw notFound('conversation');
      if (current.status !== 'bot') return undefined;
      return this.deps.conversations.updateConversation(shopId, conversationId, {
        status: 'queued',
        botMisses: 0,
        queuedAt: null,
      });
    });
    if (!queued) return getConversation(this.deps.conversations, shopId, conversationId);
    this.deps.events.publish({
      type: 'conversation.updated',
      shopId,
      conversation: queued,
      previousAgentId: null,
    });
    return this.deps.routing.routeQueued(shopId, conversationId);
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
      queuedAt: null,
    });
    this.deps.events.publish({
      type: 'conversation.updated',
      shopId,
      conversation: queued,
      previousAgentId: null,
    });
    return this.deps.routing.routeQueued(shopId, conversationId);
  }

  /**
   * SPAM-1: an agent reports the buyer as an advertiser — the agent holding the conversation, or
   * an admin of the shop for any open one. The buyer goes on the shop's block list (their later
   * conversations go straight to suspected spam) and this one is set aside (reason `reported`, who
   * reported kept for the undo); the agent's slot frees and the queue drains (RT-4).
   */
  async reportSpam(
    shopId: ShopId,
    actor: Extract<Actor, { type: 'agent' }>,
    conversationId: ConversationId,
  ): Promise<Conversation> {
    await this.getConversationFor(shopId, actor, conversationId);
    return this.deps.routing.step(shopId, async () => {
      // Under the shop's lock, from a fresh read: it may have been ended or moved meanwhile.
      const current = await getConversation(this.deps.conversations, shopId, conversationId);
      if (current.status === 'ended')
        throw new DomainError('conversation_ended', 'the conversation has ended', 'conversationId');
      if (current.status === 'spam')
        throw new DomainError('conflict', 'the conversation is already set aside as spam', 'conversationId');
      if (!actor.isAdmin && !(current.status === 'assigned' && current.agentId === actor.agentId))
        throw new DomainError(
          'conversation_not_yours',
          'only the agent holding the conversation, or an admin, reports its buyer',
          'conversationId',
        );
      await this.deps.blockList?.add(shopId, current.buyerId);
      const aside = await this.deps.conversations.updateConversation(shopId, conversationId, {
        status: 'spam',
        spamReason: 'reported',
        reportedBy: actor.agentId,
        agentId: null,
        queueGroup: null,
        queuedAt: null,
      });
      this.deps.events.publish({
        type: 'conversation.updated',
        shopId,
        conversation: aside,
        previousAgentId: current.agentId,
      });
      return { result: aside, step: (router, now) => router.rebalance(now) };
    });
  }

  /**
   * SPAM-1: the report was a mistake — by the agent who made it or an admin. The buyer leaves the
   * block list and the conversation goes back to the agent who reported it (beyond the cap: it
   * was theirs a moment ago), or to routing when they are offline now.
   */
  async unreportSpam(
    shopId: ShopId,
    actor: Extract<Actor, { type: 'agent' }>,
    conversationId: ConversationId,
  ): Promise<Conversation> {
    await this.getConversationFor(shopId, actor, conversationId);
    await this.deps.routing.step(shopId, async () => {
      const current = await getConversation(this.deps.conversations, shopId, conversationId);
      if (current.status !== 'spam' || current.spamReason !== 'reported')
        throw new DomainError('conflict', 'the conversation is not set aside by a report', 'conversationId');
      if (!actor.isAdmin && current.reportedBy !== actor.agentId)
        throw new DomainError('forbidden', 'only the agent who reported it, or an admin, undoes a report');
      await this.deps.blockList?.remove(shopId, current.buyerId);
      const reporter = current.reportedBy
        ? await this.deps.agents.findAgent(shopId, current.reportedBy)
        : undefined;
      const back = reporter && reporter.disabledAt === null && reporter.status !== 'offline';
      const updated = await this.deps.conversations.updateConversation(
        shopId,
        conversationId,
        back
          ? {
              status: 'assigned',
              agentId: reporter.id,
              assignedAt: this.deps.clock.now(),
              spamReason: null,
              reportedBy: null,
            }
          : { status: 'queued', agentId: null, queuedAt: null, spamReason: null, reportedBy: null },
      );
      this.deps.events.publish({
        type: 'conversation.updated',
        shopId,
        conversation: updated,
        previousAgentId: null,
      });
      return { result: undefined, step: (router, now) => router.rebalance(now) };
    });
    return getConversation(this.deps.conversations, shopId, conversationId);
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
    const aside = await this.deps.routing.step(shopId, async () => {
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
      return { result: aside, step: (router, now) => router.rebalance(now) };
    });
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
    // Under the shop's lock, from a fresh read: the bot may have handed it to routing meanwhile.
    const aside = await this.deps.routing.exclusive(shopId, async () => {
      const current = await getConversation(this.deps.conversations, shopId, conversation.id);
      if (current.status !== 'bot' && current.status !== 'queued') return undefined;
      return this.deps.conversations.updateConversation(shopId, conversation.id, {
        status: 'spam',
        spamReason: reason,
        agentId: null,
      });
    });
    if (!aside) return getConversation(this.deps.conversations, shopId, conversation.id);
    this.deps.events.publish({
      type: 'conversation.updated',
      shopId,
      conversation: aside,
      previousAgentId: null,
    });
    return aside;
  }

  /** Records the bot's misses in a row (BOT-3). */
  async setBotMisses(shopId: ShopId, conversationId: ConversationId, misses: number): Promise<void> {
    await this.deps.conversations.updateConversation(shopId, conversationId, { botMisses: misses });
  }

  /** Gets a conversation the actor may see: the buyer's own, the agent's own, or any for admins. */
  getConversationFor(
    shopId: ShopId,
    actor: Actor,
    conversationId: ConversationId,
    options: { allowEnded?: boolean } = {},
  ): Promise<Conversation> {
    return getVisibleConversation(this.deps.conversations, shopId, actor, conversationId, options);
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
