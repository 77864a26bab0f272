import type { AgentId, BuyerId, ConversationId, MessageId, OrderId, ProductId, ShopId } from '../kernel';
import type { OrderStatus } from '../orders/order.types';
import type { RouteReason } from '../routing/routing.types';

/**
 * Where a conversation stands: with the bot, waiting in the queue, held by an agent, set aside as
 * suspected spam (SPAM-1: no agent, no reply needed, not counted), or over.
 */
export type ConversationStatus = 'bot' | 'queued' | 'assigned' | 'spam' | 'ended';

/** Who wrote a message. */
export type SenderType = 'buyer' | 'agent' | 'bot' | 'system';

/** Kinds of message a conversation carries. */
export type MessageKind = 'text' | 'image' | 'order_card' | 'product_card' | 'system';
export const MESSAGE_KINDS: readonly MessageKind[] = [
  'text',
  'image',
  'order_card',
  'product_card',
  'system',
];

export interface TextBody {
  text: string;
  /**
   * Issue #15: the bot's "您是想问" — the entries it offers; the widget shows them as buttons, a
   * tap (or the choice's number) picks one. Only the bot sets it.
   */
  choices?: { entryId: string; question: string }[];
  /**
   * Issue #15: the bot's holding line ("正在为您转接人工客服，请稍候"): not an answer — the buyer
   * still waits in the workbench, and MET-1/MET-4 count it only when the shop says so.
   */
  holding?: boolean;
}
export interface ImageBody {
  url: string;
}
/** CRM-1: an order sent as a card, a snapshot of what the agent saw. */
export interface OrderCardBody {
  orderId: OrderId;
  status: OrderStatus;
  totalCents: number;
  items: { title: string; quantity: number }[];
  carrier: string | null;
  trackingNo: string | null;
}
export interface ProductCardBody {
  productId: ProductId;
  title: string;
  priceCents: number;
  imageUrl: string | null;
}
export interface SystemBody {
  text: string;
  /** Machine-readable reason, so clients can translate. */
  code: string;
  /** The agent the line is about (who joined, who it went to): the widget names their messages. */
  agentId?: string;
  agentName?: string;
}

/** Issue #15: a bot line that only asks the buyer to wait (see TextBody.holding). */
export function isHoldingLine(m: { sender: string } & MessageContent): boolean {
  return m.sender === 'bot' && m.kind === 'text' && m.body.holding === true;
}

/** A message body, tagged by kind. */
export type MessageContent =
  | { kind: 'text'; body: TextBody }
  | { kind: 'image'; body: ImageBody }
  | { kind: 'order_card'; body: OrderCardBody }
  | { kind: 'product_card'; body: ProductCardBody }
  | { kind: 'system'; body: SystemBody };

/** A stored message; seq increases by one per message in its conversation. */
export type Message = MessageContent & {
  id: MessageId;
  shopId: ShopId;
  conversationId: ConversationId;
  seq: number;
  /** The sender's own id for the message: a retry with the same one returns the stored message. */
  clientId: string;
  sender: SenderType;
  senderId: string | null;
  createdAt: number;
};

/** A message about to be stored. */
export type MessageDraft = MessageContent & {
  clientId: string;
  sender: SenderType;
  senderId: string | null;
};

/** A buyer's conversation with the shop. */
export interface Conversation {
  id: ConversationId;
  shopId: ShopId;
  buyerId: BuyerId;
  status: ConversationStatus;
  agentId: AgentId | null;
  lastSeq: number;
  createdAt: number;
  assignedAt: number | null;
  endedAt: number | null;
  lastMessageAt: number;
  lastMessagePreview: string;
  /** Since when the buyer waits for an answer (null: the shop spoke last). */
  waitingSince: number | null;
  /** Buyer messages the agent has not read. */
  agentUnread: number;
  /** Shop messages the buyer has not read. */
  buyerUnread: number;
  agentReadSeq: number;
  buyerReadSeq: number;
  /** BOT-3: the bot's misses in a row in this conversation. */
  botMisses: number;
  /** SPAM-1: why it was set aside, while status is `spam`. */
  spamReason: string | null;
  /** SPAM-1: the agent who reported the buyer as an advertiser (reason `reported`), for the undo. */
  reportedBy: AgentId | null;
  /** Why routing put it where it is (RT-1 … RT-10); shown in the workbench. */
  assignReason: RouteReason | null;
  /** RT-4: the queue it waits in while queued (a group id; null: the general queue). */
  queueGroup: string | null;
  /** RT-7: waits in the priority lane. */
  queuePriority: boolean;
  /** When routing queued it (null: not routed yet, or never queued). */
  queuedAt: number | null;
  /**
   * Issue #16: the platform channel the buyer last wrote from (`POST /api/v1/channels/{channel}/
   * messages`): the shop's connector delivers the replies there; null: the web widget.
   */
  channel: string | null;
}

/** Who acts on a conversation. */
export type Actor =
  | { type: 'buyer'; buyerId: BuyerId }
  | { type: 'agent'; agentId: AgentId; isAdmin: boolean }
  | { type: 'system' };
