import type { AgentStatus } from '../agents/agent.types';
import type { AgentId, BuyerId, ConversationId, ShopId } from '../kernel';
import type { Conversation, Message } from './conversation.types';

/** Facts the conversation module announces; transports subscribe and push them to sockets. */
export type ChatEvent =
  | { type: 'message.created'; shopId: ShopId; conversation: Conversation; message: Message }
  | {
      type: 'conversation.updated';
      shopId: ShopId;
      conversation: Conversation;
      /** The agent that held it before, when that changed (transfer, end): it must drop it from its list. */
      previousAgentId: AgentId | null;
    }
  | {
      type: 'conversation.read';
      shopId: ShopId;
      conversationId: ConversationId;
      buyerId: BuyerId;
      agentId: AgentId | null;
      reader: 'buyer' | 'agent';
      seq: number;
    }
  | {
      type: 'conversation.typing';
      shopId: ShopId;
      conversationId: ConversationId;
      buyerId: BuyerId;
      agentId: AgentId | null;
      who: 'buyer' | 'agent';
      isTyping: boolean;
    }
  | { type: 'agent.status'; shopId: ShopId; agentId: AgentId; status: AgentStatus }
  | {
      /** Issue #15: the model's summary for the agent who took the conversation (agents only). */
      type: 'conversation.summary';
      shopId: ShopId;
      conversation: Conversation;
      summary: { text: string; uptoSeq: number; createdAt: number };
    }
  | {
      /** Issue #18: the note an agent left for the next one on a transfer (agents only). */
      type: 'conversation.note';
      shopId: ShopId;
      conversation: Conversation;
      note: { text: string; authorId: string; authorName: string; createdAt: number };
    }
  | {
      type: 'queue.updated';
      shopId: ShopId;
      /** Every queued conversation with its place and estimated wait (null: no estimate). */
      waiting: {
        conversationId: ConversationId;
        buyerId: BuyerId;
        queue: string | null;
        position: number;
        etaMinutes: number | null;
      }[];
    };

/** Where events go. */
export interface EventSink {
  publish(event: ChatEvent): void;
}
