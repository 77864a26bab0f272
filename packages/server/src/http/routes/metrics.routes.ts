import {
  DomainError,
  localDay,
  METRIC_DEFINITIONS,
  notFound,
  shiftDay,
  validateMetricsSettings,
  type ShopId,
} from '@xiaoer/core';
import { z } from '@xiaoer/protocol';
import { stringify as stringifyCsv } from 'csv-stringify/sync';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context';
import { parse } from '../errors';
import { conversationIdField } from '../ids';
import { metricsDayRows } from '../presenters';
import { routeAuth } from '../route-auth';

/** A calendar day YYYY-MM-DD that exists (issue #14: 2026-13-45 is refused, not rolled over). */
const date = z.iso.date('must be a real date YYYY-MM-DD');
const dayQuery = z.object({ date: date.optional() });
const rangeQuery = z.object({ from: date, to: date });
const ratingSchema = z
  .object({
    conversationId: conversationIdField,
    score: z.number().int().min(1).max(5),
    comment: z.string().trim().max(200).optional(),
  })
  .strict();
const reviewSchema = z
  .object({
    conversationId: conversationIdField,
    attitude: z.number().int().min(1).max(5),
    accuracy: z.number().int().min(1).max(5),
    compliance: z.number().int().min(1).max(5),
    solved: z.boolean(),
    note: z.string().trim().max(500).optional(),
  })
  .strict();

/** Reply metrics (MET-1 … MET-7): the dashboard, the trend, CSV, settings, alert, ratings, spot checks. */
export async function metricsRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { storage, clock, metrics } = ctx;
  const auth = routeAuth(ctx);
  const dayOf = async (shopId: ShopId, d: string | undefined) => d ?? (await metrics.today(shopId));

  app.get('/api/admin/metrics/day', { preHandler: auth('admin') }, async (req) => {
    const me = req.agent;
    const q = parse(dayQuery, req.query);
    return metrics.day(me.shop.id, await dayOf(me.shop.id, q.date));
  });

  app.get('/api/admin/metrics/range', { preHandler: auth('admin') }, async (req) => {
    const me = req.agent;
    const { from, to } = parse(rangeQuery, req.query);
    if (to < from) throw new DomainError('validation_failed', 'to: must not be before from', 'to');
    if (shiftDay(from, 400, me.shop.timeZone) <= to)
      throw new DomainError('validation_failed', 'to: at most 400 days after from', 'to');
    return { days: await metrics.range(me.shop.id, from, to) };
  });

  app.get('/api/admin/metrics/day.csv', { preHandler: auth('admin') }, async (req, reply) => {
    const me = req.agent;
    const q = parse(dayQuery, req.query);
    const d = await metrics.day(me.shop.id, await dayOf(me.shop.id, q.date));
    // Issue #14: a cell a spreadsheet would run as a formula (an agent's name "=HYPERLINK(…)")
    // is prefixed with ' (OWASP's advice; csv-stringify's escape_formulas does it).
    const body = stringifyCsv(metricsDayRows(d), { bom: true, escape_formulas: true });
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="metrics-${d.date}.csv"`)
      .send(body);
  });

  app.get('/api/admin/metrics/definitions', { preHandler: auth('admin') }, async () => {
    return { definitions: METRIC_DEFINITIONS };
  });

  app.get('/api/admin/metrics/settings', { preHandler: auth('admin') }, async (req) => {
    const me = req.agent;
    return { settings: await storage.metrics.settings(me.shop.id) };
  });

  // Replaced whole; a bad edit names its field and changes nothing.
  app.put('/api/admin/metrics/settings', { preHandler: auth('admin') }, async (req) => {
    const me = req.agent;
    const settings = validateMetricsSettings(req.body);
    const before = await storage.metrics.settings(me.shop.id);
    await storage.metrics.saveSettings(me.shop.id, settings);
    // The stored roll-ups know which message was each buyer's first inside the window, and which
    // reply answered it (a holding line or not): a new window or holding rule needs them recomputed
    // (in the background; the figures catch up when it is done).
    const rebuilding =
      before.windowStart !== settings.windowStart ||
      before.windowEnd !== settings.windowEnd ||
      before.holdingLinesCount !== settings.holdingLinesCount;
    if (rebuilding)
      metrics.rebuild(me.shop.id).catch((error) => req.log.error({ err: error }, 'metrics rebuild failed'));
    return { settings, rebuilding };
  });

  app.get('/api/admin/metrics/alert', { preHandler: auth('admin') }, async (req) => {
    const me = req.agent;
    return { alert: await metrics.alert(me.shop.id) };
  });

  // MET-6: the buyer rates an ended conversation once, 1–5.
  app.post('/api/widget/rating', { preHandler: auth('buyer') }, async (req) => {
    const { buyer } = req.buyer;
    const body = parse(ratingSchema, req.body);
    const c = await storage.conversations.findConversation(buyer.shopId, body.conversationId);
    if (!c || c.buyerId !== buyer.id) throw notFound('conversation', 'conversationId');
    if (c.status !== 'ended')
      throw new DomainError(
        'validation_failed',
        'conversationId: the conversation has not ended',
        'conversationId',
      );
    const shop = await storage.shops.findShop(buyer.shopId);
    const rating = {
      conversation_id: c.id,
      shop_id: buyer.shopId,
      buyer_id: buyer.id,
      agent_id: c.agentId,
      score: body.score,
      comment: body.comment ?? null,
      day: localDay(c.endedAt ?? clock.now(), shop?.timeZone ?? 'Asia/Shanghai'),
      created_at: clock.now(),
    };
    if (!(await storage.metrics.insertRating(rating)))
      throw new DomainError('conflict', 'this conversation is rated already', 'conversationId');
    ctx.webhooks.kick();
    return { rating: { conversationId: c.id, score: rating.score, comment: rating.comment } };
  });

  // MET-7: a random sample of a day's ended conversations, a few per agent.
  app.get('/api/admin/quality/sample', { preHandler: auth('admin') }, async (req) => {
    const me = req.agent;
    const q = parse(dayQuery, req.query);
    const tz = me.shop.timeZone;
    const d = q.date ?? shiftDay(localDay(clock.now(), tz), -1, tz);
    const sample = await storage.conversations.sampleEnded(me.shop.id, d, tz, 3);
    const reviewed = await storage.metrics.reviewedIds(
      me.shop.id,
      sample.map((s) => s.conversationId),
    );
    const agents = new Map(
      (await storage.agents.listAgents(me.shop.id)).map((a) => [a.id as string, a.name]),
    );
    return {
      date: d,
      conversations: sample.map((s) => ({
        ...s,
        agentName: agents.get(s.agentId) ?? s.agentId,
        reviewed: reviewed.has(s.conversationId),
      })),
    };
  });

  app.post('/api/admin/quality/reviews', { preHandler: auth('admin') }, async (req) => {
    const me = req.agent;
    const body = parse(reviewSchema, req.body);
    const c = await storage.conversations.findConversation(me.shop.id, body.conversationId);
    if (!c) throw notFound('conversation', 'conversationId');
    if (!c.agentId)
      throw new DomainError('validation_failed', 'conversationId: no agent served it', 'conversationId');
    const review = {
      conversation_id: c.id,
      shop_id: me.shop.id,
      agent_id: c.agentId,
      reviewer_id: me.agent.id,
      attitude: body.attitude,
      accuracy: body.accuracy,
      compliance: body.compliance,
      solved: body.solved ? 1 : 0,
      note: body.note ?? null,
      day: localDay(c.endedAt ?? c.createdAt, me.shop.timeZone),
      created_at: clock.now(),
    };
    await storage.metrics.saveReview(review);
    return {
      review: {
        conversationId: c.id,
        agentId: c.agentId,
        attitude: body.attitude,
        accuracy: body.accuracy,
        compliance: body.compliance,
        solved: body.solved,
        note: review.note,
      },
    };
  });
}
