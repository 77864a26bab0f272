import type { AgentId, BuyerId, ConversationId, ShopId } from '../kernel';
import type { Agent, AgentStatus } from '../agents/agent.types';
import type { Order } from '../orders/order.types';
import type { Conversation, ConversationStatus, Message, MessageDraft } from './conversation.types';

/** Fields of a conversation a use case may change. */
export type ConversationPatch = Partial<
  Pick<
    Conversation,
    | 'status'
    | 'agentId'
    | 'assignedAt'
    | 'endedAt'
    | 'waitingSince'
    | 'agentUnread'
    | 'buyerUnread'
    | 'agentReadSeq'
    | 'buyerReadSeq'
    | 'botMisses'
    | 'spamReason'
    | 'reportedBy'
    | 'assignReason'
    | 'queueGroup'
    | 'queuePriority'
    | 'queuedAt'
    | 'channel'
  >
>;

/** The result of appending: the stored message, and whether it had been stored before (a retry). */
export interface AppendResult {
  message: Message;
  conversation: Conversation;
  duplicate: boolean;
}

/** Storage of conversations and their messages. Every method takes the shop first (TEAM-4). */
export interface ConversationStore {
  /** The buyer's conversation that is not ended, if any. */
  findOpenByBuyer(shopId: ShopId, buyerId: BuyerId): Promise<Conversation | undefined>;
  /** Creates a conversation; returns the existing open one when the buyer already has one (a race). */
  createOrGetOpen(conversation: Conversation): Promise<Conversation>;
  findConversation(shopId: ShopId, id: ConversationId): Promise<Conversation | undefined>;
  updateConversation(shopId: ShopId, id: ConversationId, patch: ConversationPatch): Promise<Conversation>;
  /**
   * Stores a message atomically: the next seq, the conversation's last-message fields and
   * unread counters move with it; a draft whose clientId is already stored returns that message.
   * Throws DomainError `conversation_ended` when the conversation is not open (or not the shop's).
   */
  appendMessage(
    shopId: ShopId,
    conversationId: ConversationId,
    draft: MessageDraft,
    at: number,
  ): Promise<AppendResult>;
  /** Messages with seq > afterSeq, oldest first. */
  listMessages(
    shopId: ShopId,
    conversationId: ConversationId,
    afterSeq: number,
    limit: number,
  ): Promise<Message[]>;
  /** Open (assigned) conversation counts per agent. */
  countAssignedByAgent(shopId: ShopId): Promise<Map<AgentId, number>>;
  /** Conversations of a status, oldest first. */
  listByStatus(shopId: ShopId, status: ConversationStatus, limit: number): Promise<Conversation[]>;
}

/** The shop's agents as routing needs them. */
export interface AgentDirectory {
  listAgents(shopId: ShopId): Promise<Agent[]>;
  findAgent(shopId: ShopId, id: AgentId): Promise<Agent | undefined>;
  setAgentStatus(shopId: ShopId, id: AgentId, status: AgentStatus): Promise<Agent>;
  /** RT-8: the status the agent chose (theirs again whenever they are here). */
  setChosenStatus(shopId: ShopId, id: AgentId, status: AgentStatus): Promise<Agent>;
}

/** Orders, to send as cards. */
export interface OrderLookup {
  findOrder(shopId: ShopId, id: string): Promise<Order | undefined>;
}
