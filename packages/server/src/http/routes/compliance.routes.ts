import {
  notFound,
  validateComplianceSettings,
  PACK_IDS,
  type BuyerId,
  type ConversationId,
} from '@xiaoer/core';
import { complianceCheckSchema, complianceLogQuery, proactiveSchema, z } from '@xiaoer/protocol';
import type { FastifyInstance } from 'fastify';
import { requireAdmin } from '../auth';
import type { AppContext } from '../context';
import { parse } from '../errors';
import { param, requireAgentForBuyer, requireAgentForConversation } from '../tenancy';

/** Compliance (CMP-1 … CMP-7): the shop's packs and phrases, the live check, the log, promises. */
export async function complianceRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { storage, clock, chat, compliance } = ctx;

  app.get('/api/admin/compliance', async (req) => {
    const me = await requireAdmin(storage, req, clock.now());
    return { settings: await storage.compliance.complianceSettings(me.shop.id), packs: PACK_IDS };
  });

  // Replaced whole; a malformed edit (an empty or duplicate phrase, a bad domain, an unknown
  // pack) is rejected whole, naming the field, and nothing is saved.
  app.put('/api/admin/compliance', async (req) => {
    const me = await requireAdmin(storage, req, clock.now());
    const settings = validateComplianceSettings(req.body);
    await storage.compliance.saveComplianceSettings(me.shop.id, settings);
    compliance.invalidate(me.shop.id);
    // The other nodes of a cluster drop their compiled checker too, at once.
    void ctx.peers
      ?.publish('compliance', { shopId: me.shop.id })
      .catch((error) => console.error('compliance peer notice failed', error));
    return { settings };
  });

  // The same check the server runs before sending, for the composer as the agent types.
  app.post('/api/compliance/check', async (req) => {
    // TEAM-4: for a conversation, its shop's rules and my role there.
    const body = req.body as { conversationId?: unknown } | null | undefined;
    const me = await requireAgentForConversation(storage, req, clock.now(), body?.conversationId);
    const { text, conversationId, attempt } = parse(complianceCheckSchema, req.body);
    let buyerId: BuyerId | null = null;
    if (conversationId) {
      const c = await chat.getConversationFor(
        me.shop.id,
        { type: 'agent', agentId: me.agent.id, isAdmin: me.isAdmin },
        conversationId as ConversationId,
      );
      buyerId = c.buyerId;
    }
    const started = performance.now();
    const result =
      attempt && conversationId && buyerId
        ? await compliance.logAttempt(
            {
              shopId: me.shop.id,
              agentId: me.agent.id,
              conversationId: conversationId as ConversationId,
              buyerId,
            },
            text,
          )
        : await compliance.check(me.shop.id, buyerId, text);
    return { ...result, ms: Math.round((performance.now() - started) * 1000) / 1000 };
  });

  // The supervisor's view: every block, confirmed warning and refused proactive message.
  app.get('/api/admin/compliance/log', async (req) => {
    const me = await requireAdmin(storage, req, clock.now());
    const q = parse(complianceLogQuery, req.query);
    return { entries: await storage.compliance.listLog(me.shop.id, q) };
  });

  // CMP-6: an agent reaches out to a buyer with no open conversation (quiet hours, caps).
  app.post('/api/buyers/:buyerId/proactive', async (req) => {
    const me = await requireAgentForBuyer(storage, req, clock.now(), param(req, 'buyerId'));
    const { buyerId } = parse(z.object({ buyerId: z.string().min(1).max(64) }), req.params);
    const { clientId, text, confirmWarnings } = parse(proactiveSchema, req.body);
    const buyer = await storage.buyers.findBuyer(me.shop.id, buyerId as BuyerId);
    if (!buyer) throw notFound('buyer', 'buyerId');
    const r = await chat.sendProactive(
      me.shop.id,
      { type: 'agent', agentId: me.agent.id, isAdmin: me.isAdmin },
      buyer.id,
      clientId,
      text,
      { confirmWarnings: confirmWarnings === true, timeZone: me.shop.timeZone },
    );
    return { message: r.message, conversation: r.conversation };
  });

  // CMP-4: what agents promised this buyer, for the next agent.
  app.get('/api/buyers/:buyerId/promises', async (req) => {
    const me = await requireAgentForBuyer(storage, req, clock.now(), param(req, 'buyerId'));
    const { buyerId } = parse(z.object({ buyerId: z.string().min(1).max(64) }), req.params);
    return { promises: await storage.compliance.listPromises(me.shop.id, buyerId as BuyerId) };
  });
}
