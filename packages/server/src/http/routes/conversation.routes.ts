import {
  canAdminister,
  canSeeBuyerPii,
  maskedMessage,
  notFound,
  maskedPreview,
  type AgentRole,
  type ConversationId,
  type ShopId,
} from '@xiaoer/core';
import {
  conversationParams,
  listConversationsQuery,
  messagesQuery,
  readSchema,
  sendMessageSchema,
  sendOrderCardSchema,
  transferSchema,
  type ConversationDto,
  type ConversationStateDto,
} from '@xiaoer/protocol';
import type { AgentId } from '@xiaoer/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireAgent, type AgentContext } from '../auth';
import type { AppContext } from '../context';
import { parse } from '../errors';
import { param, requireAgentForConversation } from '../tenancy';
import type { Storage } from '../../storage';

/**
 * Adds the buyer's nick to a conversation for agents' lists; for a viewer whose role lacks the
 * right (CMP-7), phone numbers and addresses in the last-message preview are masked.
 */
export async function presentConversation(
  storage: Storage,
  shopId: ShopId,
  c: ConversationStateDto,
  viewer?: AgentRole,
): Promise<ConversationDto> {
  const buyer = await storage.buyers.findBuyer(shopId, c.buyerId);
  const shown = viewer && !canSeeBuyerPii(viewer) ? maskedPreview(c) : c;
  return { ...shown, buyer: { id: c.buyerId, nick: buyer?.nick ?? '' } };
}

/** CMP-7: a conversation answered to an agent, its preview (the buyer's last words) as their role may see it. */
const shownTo = <C extends { lastMessagePreview: string }>(me: AgentContext, c: C): C =>
  canSeeBuyerPii(me.agent.role) ? c : maskedPreview(c);

export const actorOf = (ctx: AgentContext) => ({
  type: 'agent' as const,
  agentId: ctx.agent.id,
  isAdmin: ctx.isAdmin,
});

/** The workbench's conversation routes. */
export async function conversationRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { storage, clock, chat } = ctx;
  /** TEAM-4: the agent in the shop of the conversation the route names. */
  const inConversationShop = (req: FastifyRequest) =>
    requireAgentForConversation(storage, req, clock.now(), param(req, 'conversationId'));

  // TEAM-4: the conversations of every shop the account serves (or of the one `shop` names), each
  // as its role there lets it see: admins a shop's all, agents their own; masked per role (CMP-7).
  app.get('/api/conversations', async (req) => {
    const me = await requireAgent(storage, req, clock.now());
    const q = parse(listConversationsQuery, req.query);
    const shops = q.shop === undefined ? me.memberships : me.memberships.filter((m) => m.shopId === q.shop);
    if (shops.length === 0) throw notFound('shop', 'shop');
    const lists = await Promise.all(
      shops.map(async (m) => {
        const rows = await storage.conversations.listForAgent(m.shopId, m.id, {
          status: q.status,
          all: canAdminister(m.role),
          limit: q.limit,
        });
        const masked = !canSeeBuyerPii(m.role);
        return rows.map(({ buyerNick, ...c }): ConversationDto => ({
          ...(masked ? maskedPreview(c) : c),
          buyer: { id: c.buyerId, nick: buyerNick },
        }));
      }),
    );
    const conversations = lists
      .flat()
      .sort((a, b) => b.lastMessageAt - a.lastMessageAt)
      .slice(0, q.limit);
    return { conversations };
  });

  app.get('/api/conversations/:conversationId', async (req) => {
    const me = await inConversationShop(req);
    const { conversationId } = parse(conversationParams, req.params);
    const c = await chat.getConversationFor(me.shop.id, actorOf(me), conversationId as ConversationId, {
      allowEnded: true,
    });
    return { conversation: await presentConversation(storage, me.shop.id, c, me.agent.role) };
  });

  app.get('/api/conversations/:conversationId/messages', async (req) => {
    const me = await inConversationShop(req);
    const { conversationId } = parse(conversationParams, req.params);
    const q = parse(messagesQuery, req.query);
    const messages = await chat.syncMessages(
      me.shop.id,
      actorOf(me),
      conversationId as ConversationId,
      q.after,
      q.limit,
    );
    // CMP-7: what the buyer typed of phones and addresses, masked for roles without the right.
    return { messages: canSeeBuyerPii(me.agent.role) ? messages : messages.map(maskedMessage) };
  });

  app.post('/api/conversations/:conversationId/messages', async (req) => {
    const me = await inConversationShop(req);
    const { conversationId } = parse(conversationParams, req.params);
    const { clientId, confirmWarnings, ...content } = parse(sendMessageSchema, req.body);
    const r = await chat.sendAgentMessage(
      me.shop.id,
      actorOf(me),
      conversationId as ConversationId,
      clientId,
      content,
      { confirmWarnings: confirmWarnings === true },
    );
    return { message: r.message, conversation: r.conversation };
  });

  app.post('/api/conversations/:conversationId/order-card', async (req) => {
    const me = await inConversationShop(req);
    const { conversationId } = parse(conversationParams, req.params);
    const { clientId, orderId } = parse(sendOrderCardSchema, req.body);
    const r = await chat.sendOrderCard(
      me.shop.id,
      actorOf(me),
      conversationId as ConversationId,
      clientId,
      orderId,
    );
    return { message: r.message, conversation: r.conversation };
  });

  app.post('/api/conversations/:conversationId/read', async (req) => {
    const me = await inConversationShop(req);
    const { conversationId } = parse(conversationParams, req.params);
    const { seq } = parse(readSchema, req.body);
    return {
      conversation: shownTo(
        me,
        await chat.markRead(me.shop.id, actorOf(me), conversationId as ConversationId, seq),
      ),
    };
  });

  app.post('/api/conversations/:conversationId/end', async (req) => {
    const me = await inConversationShop(req);
    const { conversationId } = parse(conversationParams, req.params);
    return {
      conversation: await chat.endConversation(me.shop.id, actorOf(me), conversationId as ConversationId),
    };
  });

  // SPAM-1: a misjudged buyer goes back to the queue and is assigned.
  app.post('/api/conversations/:conversationId/release', async (req) => {
    const me = await inConversationShop(req);
    const { conversationId } = parse(conversationParams, req.params);
    const c = await chat.releaseSpam(me.shop.id, actorOf(me), conversationId as ConversationId);
    return { conversation: await presentConversation(storage, me.shop.id, c, me.agent.role) };
  });

  // An agent takes over a conversation the bot holds, an admin also a queued one (BOT-1: at any time).
  app.post('/api/conversations/:conversationId/take-over', async (req) => {
    const me = await inConversationShop(req);
    const { conversationId } = parse(conversationParams, req.params);
    const c = await chat.takeOver(me.shop.id, actorOf(me), conversationId as ConversationId);
    return { conversation: await presentConversation(storage, me.shop.id, c, me.agent.role) };
  });

  app.post('/api/conversations/:conversationId/transfer', async (req) => {
    const me = await inConversationShop(req);
    const { conversationId } = parse(conversationParams, req.params);
    const to = parse(transferSchema, req.body);
    const c = await chat.transferConversation(
      me.shop.id,
      actorOf(me),
      conversationId as ConversationId,
      to.toAgentId !== undefined ? { agentId: to.toAgentId as AgentId } : { groupId: to.toGroupId! },
    );
    // Issue #18: the note for the next agent, stored for the conversation and shown in their chat.
    if (to.note) {
      const note = {
        text: to.note,
        authorId: me.agent.id,
        authorName: me.agent.name,
        createdAt: clock.now(),
      };
      await storage.conversations.saveNote(me.shop.id, c.id, note);
      ctx.events.publish({ type: 'conversation.note', shopId: me.shop.id, conversation: c, note });
    }
    return { conversation: shownTo(me, c) };
  });
}
