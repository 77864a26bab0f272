import type { Clock, ConversationId, IdGenerator, ShopId } from '../kernel';
import type { EventSink } from './conversation.events';
import type { AppendResult, ConversationStore } from './conversation.ports';

/** What appending a system message needs. */
export interface SystemMessageDeps {
  conversations: ConversationStore;
  events: EventSink;
  ids: IdGenerator;
  clock: Clock;
}

/**
 * Appends the server's own line to a conversation (BOT-3: who has the buyer now, that they wait,
 * that it ended) and announces it; `code` lets a client translate, `about` names the agent.
 */
export async function appendSystemMessage(
  deps: SystemMessageDeps,
  shopId: ShopId,
  conversationId: ConversationId,
  code: string,
  text: string,
  about?: { agentId: string; agentName: string },
): Promise<AppendResult> {
  const result = await deps.conversations.appendMessage(
    shopId,
    conversationId,
    {
      kind: 'system',
      body: { code, text, ...about },
      clientId: `sys-${deps.ids.next()}`,
      sender: 'system',
      senderId: null,
    },
    deps.clock.now(),
  );
  deps.events.publish({
    type: 'message.created',
    shopId,
    conversation: result.conversation,
    message: result.message,
  });
  return result;
}
