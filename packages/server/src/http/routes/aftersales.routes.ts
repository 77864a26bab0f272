import { aftersalesMetrics, invalid, notFound, type ShopId } from '@xiaoer/core';
import {
  aftersalesSettingsBody,
  buyerCaseActionBody,
  caseActionBody,
  caseListQuery,
  caseParams,
  openCaseBody,
} from '@xiaoer/protocol/aftersales';
import {
  v1CaseBody,
  v1CaseEventBody,
  v1CaseListQuery,
  v1StepParams,
  v1StepReportBody,
} from '@xiaoer/protocol/v1';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { buyerCaseView, caseView, v1CaseOf } from '../../aftersales/aftersales.service';
import { v1Access } from '../api-key-auth';
import type { AppContext } from '../context';
import { parse } from '../errors';
import { presentWidgetOrder } from '../presenters';
import { routeAuth } from '../route-auth';

/** AS-3: the window of the after-sales figures, in days ending today (default 30). */
const aftersalesMetricsQuery = z
  .object({ days: z.coerce.number().int().min(1).max(90).default(30) })
  .strict();

/**
 * Issue #19: after-sales cases (AS-1 … AS-7).
 * Who may call:
 * - `/api/aftersales…`: any agent of the shop lists, opens and records (AS-6: outsourced and junior
 *   agents record and submit); approving, rejecting, refunding, compensating and marking urgent
 *   need owner, admin or cs_admin — the engine refuses the others, naming `role`.
 * - `/api/admin/aftersales/settings`, `/api/admin/aftersales/metrics` (alias
 *   `/api/admin/metrics/aftersales`): the shop's admins (owner, admin, cs_admin).
 * - `/api/widget/aftersales…`: the buyer of the widget token, on their own orders and cases.
 * - `/api/v1/aftersales…`: a live API key of the shop (read to read, write to write).
 */
export async function aftersalesRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { storage, clock, aftersales } = ctx;
  const auth = routeAuth(ctx);

  // ── agents (workbench) ──────────────────────────────────────────────────────────────────────
  app.get('/api/aftersales', { preHandler: auth('agent') }, async (req) => {
    const me = req.agent;
    const q = parse(caseListQuery, req.query);
    const cases = await storage.aftersales.list(me.shop.id, {
      view: q.view,
      agentId: me.agent.id,
      ...(q.buyerId ? { buyerId: q.buyerId } : {}),
      ...(q.orderId ? { orderId: q.orderId } : {}),
      limit: q.limit,
      ...(q.before !== undefined ? { before: q.before } : {}),
    });
    return { cases: cases.map(caseView), now: clock.now() };
  });

  app.get('/api/aftersales/:id', { preHandler: auth('agent') }, async (req) => {
    const me = req.agent;
    const { id } = parse(caseParams, req.params);
    const rec = await storage.aftersales.find(me.shop.id, id);
    if (!rec) throw notFound('case', 'id');
    return { case: caseView(rec), now: clock.now() };
  });

  app.post('/api/aftersales', { preHandler: auth('agent') }, async (req, reply) => {
    const me = req.agent;
    const body = parse(openCaseBody, req.body);
    const { record } = await aftersales.open(
      me.shop.id,
      { by: 'agent', agentId: me.agent.id, role: me.agent.role },
      body,
    );
    return reply.code(201).send({ case: caseView(record) });
  });

  app.post('/api/aftersales/:id/actions', { preHandler: auth('agent') }, async (req) => {
    const me = req.agent;
    const { id } = parse(caseParams, req.params);
    const action = parse(caseActionBody, req.body);
    // Every text that leaves the shop passes the guard: a rejection's reason is shown to the buyer.
    if (action.type === 'reject')
      await ctx.compliance.screenShopText(me.shop.id, action.reason, 'reason', { agentId: me.agent.id });
    const rec = await aftersales.act(
      me.shop.id,
      id,
      { by: 'agent', agentId: me.agent.id, role: me.agent.role },
      action,
    );
    return { case: caseView(rec) };
  });

  // ── settings (console) ──────────────────────────────────────────────────────────────────────
  app.get('/api/admin/aftersales/settings', { preHandler: auth('admin') }, async (req) => {
    const me = req.agent;
    return { settings: await aftersales.settings(me.shop.id) };
  });

  app.put('/api/admin/aftersales/settings', { preHandler: auth('admin') }, async (req) => {
    const me = req.agent;
    const settings = parse(aftersalesSettingsBody, req.body);
    await storage.aftersales.saveSettings(me.shop.id, settings);
    return { settings };
  });

  // AS-3: the 30-day view — figures over the cases opened in the window, with the agents' names.
  const metricsHandler = async (req: FastifyRequest) => {
    const me = req.agent;
    const { days } = parse(aftersalesMetricsQuery, req.query);
    const now = clock.now();
    const m = aftersalesMetrics(
      await storage.aftersales.listOpenedSince(me.shop.id, now - (days + 1) * 86_400_000),
      now,
      days,
      me.shop.timeZone,
    );
    const names = new Map((await storage.agents.listAgents(me.shop.id)).map((a) => [a.id as string, a.name]));
    return {
      ...m,
      byAgent: m.byAgent.map((a) => ({
        ...a,
        name: a.agent === null ? null : (names.get(a.agent) ?? a.agent),
      })),
      now,
    };
  };
  app.get('/api/admin/aftersales/metrics', { preHandler: auth('admin') }, metricsHandler);
  app.get('/api/admin/metrics/aftersales', { preHandler: auth('admin') }, metricsHandler);

  // ── the buyer (widget) ──────────────────────────────────────────────────────────────────────
  app.get('/api/widget/aftersales', { preHandler: auth('buyer') }, async (req) => {
    const { buyer, shop } = req.buyer;
    const cases = await storage.aftersales.list(shop.id, { view: 'all', buyerId: buyer.id, limit: 50 });
    return { cases: cases.map(buyerCaseView), now: clock.now() };
  });

  // AS-1: the buyer picks the order (and its items) a case is for: their own orders, newest first.
  app.get('/api/widget/orders', { preHandler: auth('buyer') }, async (req) => {
    const { buyer, shop } = req.buyer;
    const orders = await storage.orders.listBuyerOrders(shop.id, buyer.id, 0);
    return {
      orders: orders
        .sort((a, b) => b.createdAt - a.createdAt)
        .slice(0, 50)
        .map(presentWidgetOrder),
    };
  });

  app.post('/api/widget/aftersales', { preHandler: auth('buyer') }, async (req, reply) => {
    const { buyer, shop } = req.buyer;
    const body = parse(openCaseBody.omit({ conversationId: true }), req.body);
    const { record } = await aftersales.open(shop.id, { by: 'buyer', buyerId: buyer.id }, body);
    return reply.code(201).send({ case: buyerCaseView(record) });
  });

  app.post('/api/widget/aftersales/:id/actions', { preHandler: auth('buyer') }, async (req) => {
    const { buyer, shop } = req.buyer;
    const { id } = parse(caseParams, req.params);
    const action = parse(buyerCaseActionBody, req.body);
    const own = await storage.aftersales.find(shop.id, id);
    if (!own || own.buyerId !== buyer.id) throw notFound('case', 'id');
    const rec =
      action.type === 'rate'
        ? await aftersales.rate(shop.id, id, buyer.id, action.score)
        : await aftersales.act(shop.id, id, { by: 'buyer', buyerId: buyer.id }, action);
    return { case: buyerCaseView(rec) };
  });

  // ── the shop's connector (v1) ───────────────────────────────────────────────────────────────
  const v1 = v1Access(ctx);
  const v1Out = async (shopId: ShopId, rec: Parameters<typeof v1CaseOf>[0]) => {
    const buyer = await storage.buyers.findBuyer(shopId, rec.buyerId as never);
    return v1CaseOf(rec, buyer?.externalId ?? null);
  };

  app.post('/api/v1/aftersales', v1.write, async (req, reply) => {
    const key = req.apiKey;
    const body = parse(v1CaseBody, req.body);
    const { record, created } = await aftersales.open(
      key.shopId,
      { by: 'platform' },
      {
        externalId: body.externalId,
        orderId: body.orderExternalId,
        kind: body.kind,
        reason: body.reason,
        ...(body.amountCents !== undefined ? { amountCents: body.amountCents } : {}),
        ...(body.productExternalIds ? { productIds: body.productExternalIds } : {}),
      },
    );
    return reply.code(created ? 201 : 200).send({ case: await v1Out(key.shopId, record) });
  });

  app.get('/api/v1/aftersales', v1.read, async (req) => {
    const key = req.apiKey;
    const q = parse(v1CaseListQuery, req.query);
    // The cursor is `<openedAt>.<id>` of the previous page's last case.
    const cursor = q.cursor ? /^(\d{1,15})\.(.+)$/.exec(q.cursor) : null;
    if (q.cursor && !cursor) throw invalid('cursor', 'use the nextCursor of the previous page');
    const rows = await storage.aftersales.list(key.shopId, {
      view: q.open === 'true' ? 'open' : 'all',
      ...(q.orderExternalId ? { orderId: q.orderExternalId } : {}),
      limit: q.limit,
      ...(cursor ? { before: Number(cursor[1]), beforeId: cursor[2]! } : {}),
    });
    const cases = await Promise.all(rows.map((r) => v1Out(key.shopId, r)));
    return {
      cases,
      nextCursor:
        rows.length === q.limit && q.open !== 'true'
          ? `${rows.at(-1)!.case.openedAt}.${rows.at(-1)!.case.id}`
          : null,
    };
  });

  app.get('/api/v1/aftersales/:id', v1.read, async (req) => {
    const key = req.apiKey;
    const { id } = parse(caseParams, req.params);
    const rec =
      (await storage.aftersales.find(key.shopId, id)) ??
      (await storage.aftersales.findByExternal(key.shopId, id));
    if (!rec) throw notFound('case', 'id');
    return { case: await v1Out(key.shopId, rec) };
  });

  app.post('/api/v1/aftersales/:id/events', v1.write, async (req) => {
    const key = req.apiKey;
    const { id } = parse(caseParams, req.params);
    const event = parse(v1CaseEventBody, req.body);
    const found =
      (await storage.aftersales.find(key.shopId, id)) ??
      (await storage.aftersales.findByExternal(key.shopId, id));
    if (!found) throw notFound('case', 'id');
    const rec = await aftersales.act(
      key.shopId,
      found.case.id,
      { by: 'platform' },
      event.type === 'reject' ? { type: 'reject', reason: event.reason ?? 'rejected' } : event,
    );
    return { case: await v1Out(key.shopId, rec) };
  });

  app.post('/api/v1/aftersales/:id/steps/:stepId', v1.write, async (req) => {
    const key = req.apiKey;
    const { id, stepId } = parse(v1StepParams, req.params);
    const body = parse(v1StepReportBody, req.body);
    const found =
      (await storage.aftersales.find(key.shopId, id)) ??
      (await storage.aftersales.findByExternal(key.shopId, id));
    if (!found) throw notFound('case', 'id');
    const rec = await aftersales.reportStep(
      key.shopId,
      found.case.id,
      stepId,
      body.ok ? { ok: true } : { ok: false, error: body.error! },
    );
    return { case: await v1Out(key.shopId, rec) };
  });
}
