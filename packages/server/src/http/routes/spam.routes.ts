import type { FastifyInstance } from 'fastify';
import { actorOf } from '../auth';
import type { AppContext } from '../context';
import { parse } from '../errors';
import { conversationIdParams } from '../ids';
import { presentConversation } from '../presenters';
import { routeAuth } from '../route-auth';

/**
 * SPAM-1 from the chat: an agent reports the buyer as an advertiser (block list + set aside), and
 * undoes it. Who may: the agent holding the conversation (the undo: who reported it) and the
 * shop's admins; others 403, another shop's 404.
 */
export async function spamRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { storage, chat } = ctx;
  const auth = routeAuth(ctx);
  /** TEAM-4: an agent, in the shop of the conversation the route names (the chat checks the rest). */
  const inConversationShop = { preHandler: auth('agent', { shopOf: { conversation: 'params' } }) };

  app.post('/api/conversations/:conversationId/report-spam', inConversationShop, async (req) => {
    const me = req.agent;
    const { conversationId } = parse(conversationIdParams, req.params);
    const c = await chat.reportSpam(me.shop.id, actorOf(me), conversationId);
    return { conversation: await presentConversation(storage, me.shop.id, c, me.agent.role) };
  });

  app.post('/api/conversations/:conversationId/unreport-spam', inConversationShop, async (req) => {
    const me = req.agent;
    const { conversationId } = parse(conversationIdParams, req.params);
    const c = await chat.unreportSpam(me.shop.id, actorOf(me), conversationId);
    return { conversation: await presentConversation(storage, me.shop.id, c, me.agent.role) };
  });
}
