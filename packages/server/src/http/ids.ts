import type { AgentId, BuyerId, ConversationId, QuickReplyId } from '@xiaoer/core';
import {
  agentParams,
  assignSchema,
  complianceCheckSchema,
  conversationParams,
  transferSchema,
  z,
} from '@xiaoer/protocol';

/**
 * Route parameters and body fields that name a thing, checked by the protocol's schemas and typed
 * as the core's branded ids (brands exist only for the compiler: `branded` is their one cast, after
 * the check). Routes parse with these instead of casting `req.params`.
 */
const branded = <I extends string>(schema: z.ZodType<string>) => schema.transform((value) => value as I);
const anId = z.string().min(1).max(64);

/** A conversation id (a body field). */
export const conversationIdField = branded<ConversationId>(anId);
/** `:conversationId`. */
export const conversationIdParams = z.object({
  conversationId: branded<ConversationId>(conversationParams.shape.conversationId),
});
/** `:buyerId`. */
export const buyerIdParams = z.object({ buyerId: branded<BuyerId>(anId) });
/** `:agentId` (TEAM-1). */
export const agentIdParams = z.object({ agentId: branded<AgentId>(agentParams.shape.agentId) });
/** `:id` of a quick reply (TEAM-3). */
export const quickReplyIdParams = z.object({ id: branded<QuickReplyId>(anId) });

/** RT-10: the agent a conversation is assigned to. */
export const assignBody = assignSchema.transform((b) => ({ ...b, toAgentId: b.toAgentId as AgentId }));
/** RT-10: a transfer to an agent or a group. */
export const transferBody = transferSchema.transform((b) => ({
  ...b,
  toAgentId: b.toAgentId as AgentId | undefined,
}));
/** CMP-1 … CMP-5: the live check, for a conversation's buyer when it names one. */
export const complianceCheckBody = complianceCheckSchema.transform((b) => ({
  ...b,
  conversationId: b.conversationId as ConversationId | undefined,
}));
