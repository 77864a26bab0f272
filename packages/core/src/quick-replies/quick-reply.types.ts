import type { AgentId, QuickReplyId, ShopId } from '../kernel';

/** TEAM-3: a canned answer, shared by the shop (ownerId null) or personal to one agent. */
export interface QuickReply {
  id: QuickReplyId;
  shopId: ShopId;
  ownerId: AgentId | null;
  title: string;
  text: string;
  imageUrl: string | null;
  createdAt: number;
}
