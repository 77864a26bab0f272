import { canAdminister, canSeeBuyerPii, maskedMessage, notFound } from '@xiaoer/core';
import {
  listConversationsQuery,
  messagesQuery,
  readSchema,
  sendMessageSchema,
  sendOrderCardSchema,
} from '@xiaoer/protocol';
import type { FastifyInstance } from 'fastify';
import { actorOf } from '../auth';
import type { AppContext } from '../context';
import { parse } from '../errors';
import { conversationIdParams, transferBody } from '../ids';
import { conversationShownTo, presentConversation, presentListedConversation } from '../presenters';
import { routeAuth } from '../route-auth';

/** The workbench's conversation routes. */
export async function conversationRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { storage, clock, chat, routing } = ctx;
  const auth = routeAuth(ctx);
  /** TEAM-4: an agent, in the shop of the conversation the route names (with their role there). */
  const inConversationShop = { preHandler: auth('agent', { shopOf: { conversation: 'params' } }) };

  // TEAM-4: the conversations of every shop the account serves (or of the one `shop` names), each
  // as its role there lets it see: admins a shop's all, agents their own; masked per role (CMP-7).
  app.get('/api/conversations', { preHandler: auth('agent') }, async (req) => {
    const me = req.agent;
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
        return rows.map((c) => presentListedConversation(c, m.role));
      }),
    );
    const conversations = lists
      .flat()
      .sort((a, b) => b.lastMessageAt - a.lastMessageAt)
      .slice(0, q.limit);
    return { conversations };
  });

  app.get('/api/conversations/:conversationId', inConversationShop, async (req) => {
    const me = req.agent;
    const { conversationId } = parse(conversationIdParams, req.params);
    const c = await chat.getConversationFor(me.shop.id, actorOf(me), conversationId, {
      allowEnded: true,
    });
    return { conversation: await presentConversation(storage, me.shop.id, c, me.agent.role) };
  });

  app.get('/api/conversations/:conversationId/messages', inConversationShop, async (req) => {
    const me = req.agent;
    const { conversationId } = parse(conversationIdParams, req.params);
    const q = parse(messagesQuery, req.query);
    const messages = await chat.syncMessages(me.shop.id, actorOf(me), conversationId, q.after, q.limit);
    // CMP-7: what the buyer typed of phones and addresses, masked for roles without the right.
    return { messages: canSeeBuyerPii(me.agent.role) ? messages : messages.map(maskedMessage) };
  });

  app.post('/api/conversations/:conversationId/messages', inConversationShop, async (req) => {
    const me = req.agent;
    const { conversationId } = parse(conversationIdParams, req.params);
    const { clientId, confirmWarnings, ...content } = parse(sendMessageSchema, req.body);
    const r = await chat.sendAgentMessage(me.shop.id, actorOf(me), conversationId, clientId, content, {
      confirmWarnings: confirmWarnings === true,
    });
    return { message: r.message, conversation: r.conversation };
  });

  app.post('/api/conversations/:conversationId/order-card', inConversationShop, async (req) => {
    const me = req.agent;
    const { conversationId } = parse(conversationIdParams, req.params);
    const { clientId, orderId } = parse(sendOrderCardSchema, req.body);
    const r = await chat.sendOrderCard(me.shop.id, actorOf(me), conversationId, clientId, orderId);
    return { message: r.message, conversation: r.conversation };
  });

  app.post('/api/conversations/:conversationId/read', inConversationShop, async (req) => {
    const me = req.agent;
    const { conversationId } = parse(conversationIdParams, req.params);
    const { seq } = parse(readSchema, req.body);
    return {
      conversation: conversationShownTo(
        me,
        await chat.markRead(me.shop.id, actorOf(me), conversationId, seq),
      ),
    };
  });

  app.post('/api/conversations/:conversationId/end', inConversationShop, async (req) => {
    const me = req.agent;
    const { conversationId } = parse(conversationIdParams, req.params);
    return {
      conversation: await chat.endConversation(me.shop.id, actorOf(me), conversationId),
    };
  });

  // SPAM-1: a misjudged buyer goes back to the queue and is assigned.
  app.post('/api/conversations/:conversationId/release', inConversationShop, async (req) => {
    const me = req.agent;
    const { conversationId } = parse(conversationIdParams, req.params);
    const c = await chat.releaseSpam(me.shop.id, actorOf(me), conversationId);
    return { conversation: await presentConversation(storage, me.shop.id, c, me.agent.role) };
  });

  // An agent takes over a conversation the bot holds, an admin also a queued one (BOT-1: at any time).
  app.post('/api/conversations/:conversationId/take-over', inConversationShop, async (req) => {
    const me = req.agent;
    const { conversationId } = parse(conversationIdParams, req.params);
    const c = await routing.takeOver(me.shop.id, actorOf(me), conversationId);
    return { conversation: await presentConversation(storage, me.shop.id, c, me.agent.role) };
  });

  app.post('/api/conversations/:conversationId/transfer', inConversationShop, async (req) => {
    const me = req.agent;
    const { conversationId } = parse(conversationIdParams, req.params);
    const to = parse(transferBody, req.body);
    const c = await routing.transferConversation(
      me.shop.id,
      actorOf(me),
      conversationId,
      to.toAgentId !== undefined ? { agentId: to.toAgentId } : { groupId: to.toGroupId! },
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
    return { conversation: conversationShownTo(me, c) };
  });
}
