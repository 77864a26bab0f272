import { DomainError, notFound, searchQuickReplies, type QuickReply, type QuickReplyId } from '@xiaoer/core';
import { quickReplyPatchSchema, quickReplyQuery, quickReplySchema } from '@xiaoer/protocol';
import type { FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { AgentContext } from '../auth';
import type { AppContext } from '../context';
import { parse } from '../errors';
import { quickReplyIdParams } from '../ids';
import { routeAuth } from '../route-auth';

/** TEAM-3: only the owner edits a personal reply; only admins edit shared ones. */
function assertCanEdit(me: AgentContext, reply: QuickReply): void {
  const allowed = reply.ownerId === null ? me.isAdmin : reply.ownerId === me.agent.id;
  if (!allowed) throw new DomainError('forbidden', 'you may not change this quick reply');
}

/** TEAM-3 quick replies: search (text and pinyin initials), create, edit, delete. */
export async function quickReplyRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { storage, clock } = ctx;
  const auth = routeAuth(ctx);

  app.get('/api/quick-replies', { preHandler: auth('agent') }, async (req) => {
    const me = req.agent;
    const { q } = parse(quickReplyQuery, req.query);
    const visible = await storage.quickReplies.listVisible(me.shop.id, me.agent.id);
    return { quickReplies: q.trim() ? searchQuickReplies(visible, q, 20) : visible };
  });

  app.post('/api/quick-replies', { preHandler: auth('agent') }, async (req, reply) => {
    const me = req.agent;
    const input = parse(quickReplySchema, req.body);
    if (!input.personal && !me.isAdmin)
      throw new DomainError('forbidden', 'only admins create shared quick replies', 'personal');
    // Every text that leaves the shop passes the guard, on save too (issue #14).
    await ctx.compliance.screenShopText(me.shop.id, input.text, 'text', { agentId: me.agent.id });
    // CMP-3: a QR code or barcode in the reply's image is checked as text before it is saved.
    if (input.imageUrl)
      await ctx.compliance.screenShopImage(me.shop.id, input.imageUrl, 'imageUrl', {
        agentId: me.agent.id,
      });
    const quickReply: QuickReply = {
      id: randomUUID() as QuickReplyId,
      shopId: me.shop.id,
      ownerId: input.personal ? me.agent.id : null,
      title: input.title,
      text: input.text,
      imageUrl: input.imageUrl,
      createdAt: clock.now(),
    };
    await storage.quickReplies.insertQuickReply(quickReply);
    return reply.status(201).send({ quickReply });
  });

  app.patch('/api/quick-replies/:id', { preHandler: auth('agent') }, async (req) => {
    const me = req.agent;
    const { id } = parse(quickReplyIdParams, req.params);
    const patch = parse(quickReplyPatchSchema, req.body);
    const existing = await storage.quickReplies.findQuickReply(me.shop.id, id);
    if (!existing) throw notFound('quick reply', 'id');
    assertCanEdit(me, existing);
    const { personal, ...fields } = patch;
    if (personal === false && !me.isAdmin)
      throw new DomainError('forbidden', 'only admins share quick replies', 'personal');
    if (fields.text !== undefined)
      await ctx.compliance.screenShopText(me.shop.id, fields.text, 'text', { agentId: me.agent.id });
    if (fields.imageUrl)
      await ctx.compliance.screenShopImage(me.shop.id, fields.imageUrl, 'imageUrl', {
        agentId: me.agent.id,
      });
    const updated = await storage.quickReplies.updateQuickReply(me.shop.id, existing.id, {
      ...fields,
      ...(personal === undefined ? {} : { ownerId: personal ? me.agent.id : null }),
    });
    return { quickReply: updated };
  });

  app.delete('/api/quick-replies/:id', { preHandler: auth('agent') }, async (req, reply) => {
    const me = req.agent;
    const { id } = parse(quickReplyIdParams, req.params);
    const existing = await storage.quickReplies.findQuickReply(me.shop.id, id);
    if (!existing) throw notFound('quick reply', 'id');
    assertCanEdit(me, existing);
    await storage.quickReplies.deleteQuickReply(me.shop.id, existing.id);
    return reply.status(204).send();
  });
}
