import type { ConversationId } from '@xiaoer/core';
import { conversationParams } from '@xiaoer/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../context';
import { parse } from '../errors';
import { param, requireAgentForConversation } from '../tenancy';
import { actorOf, presentConversation } from './conversation.routes';

/**
 * SPAM-1 from the chat: an agent reports the buyer as an advertiser (block list + set aside), and
 * undoes it. Who may: the agent holding the conversation (the undo: who reported it) and the
 * shop's admins; others 403, another shop's 404.
 */
export async function spamRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { storage, clock, chat } = ctx;
  const inConversationShop = (req: FastifyRequest) =>
    requireAgentForConversation(storage, req, clock.now(), param(req, 'conversationId'));

  app.post('/api/conversations/:conversationId/report-spam', async (req) => {
    const me = await inConversationShop(req);
    const { conversationId } = parse(conversationParams, req.params);
    const c = await chat.reportSpam(me.shop.id, actorOf(me), conversationId as ConversationId);
    return { conversation: await presentConversation(storage, me.shop.id, c, me.agent.role) };
  });

  app.post('/api/conversations/:conversationId/unreport-spam', async (req) => {
    const me = await inConversationShop(req);
    const { conversationId } = parse(conversationParams, req.params);
    const c = await chat.unreportSpam(me.shop.id, actorOf(me), conversationId as ConversationId);
    return { conversation: await presentConversation(storage, me.shop.id, c, me.agent.role) };
  });
}
