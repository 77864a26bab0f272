import { DomainError, notFound, type ConversationId, type ShopId } from '../kernel';
import type { ConversationStore } from './conversation.ports';
import type { Actor, Conversation } from './conversation.types';

/** Gets a conversation of the shop; "not found" for a missing one or another shop's (TEAM-4). */
export async function getConversation(
  conversations: ConversationStore,
  shopId: ShopId,
  conversationId: ConversationId,
): Promise<Conversation> {
  const c = await conversations.findConversation(shopId, conversationId);
  if (!c) throw notFound('conversation', 'conversationId');
  return c;
}

/** Gets a conversation the actor may see: the buyer's own, the agent's own, or any for admins. */
export async function getVisibleConversation(
  conversations: ConversationStore,
  shopId: ShopId,
  actor: Actor,
  conversationId: ConversationId,
  options: { allowEnded?: boolean } = {},
): Promise<Conversation> {
  const conversation = await getConversation(conversations, shopId, conversationId);
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
    if (!(options.allowEnded && conversation.status === 'ended' && conversation.agentId === actor.agentId)) {
      throw new DomainError(
        'conversation_not_yours',
        'the conversation is held by another agent',
        'conversationId',
      );
    }
  }
  return conversation;
}
