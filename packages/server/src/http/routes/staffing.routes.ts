import { HOURS_PER_DAY, MAX_ROTA_AGENTS } from '@xiaoer/core';
import { z } from '@xiaoer/protocol';
import type { FastifyInstance } from 'fastify';
import type { AgentContext } from '../auth';
import type { AppContext } from '../context';
import { parse } from '../errors';
import { routeAuth } from '../route-auth';
import { planShopStaffing, type StaffingInput } from '../../staffing/staffing.service';

/** The most conversations an hour a forecast may name (a very large shop's peak, with room). */
const MAX_FORECAST_PER_HOUR = 10_000;

/** What the owner may set instead of the shop's own figures (all optional). */
const params = {
  ahtMinutes: z.number().min(0.5).max(240).optional(),
  targetMinutes: z.number().min(0.5).max(60).optional(),
  serviceLevel: z.number().min(0.5).max(0.99).optional(),
  concurrency: z.number().int().min(1).max(MAX_ROTA_AGENTS).optional(),
};
const days = z.number().int().min(1).max(90);
/** GET: numbers come as query strings (`shop`, TEAM-4, may ride along). */
const historyQuery = z.object({
  days: z.coerce.number().pipe(days).default(14),
  ahtMinutes: z.coerce.number().pipe(params.ahtMinutes.unwrap()).optional(),
  targetMinutes: z.coerce.number().pipe(params.targetMinutes.unwrap()).optional(),
  serviceLevel: z.coerce.number().pipe(params.serviceLevel.unwrap()).optional(),
  concurrency: z.coerce.number().pipe(params.concurrency.unwrap()).optional(),
});
const forecastBody = z
  .object({
    arrivals: z.array(z.number().min(0).max(MAX_FORECAST_PER_HOUR)).length(HOURS_PER_DAY),
    ...params,
  })
  .strict();
const rotaBody = z
  .object({ hours: z.array(z.number().int().min(0).max(MAX_ROTA_AGENTS)).length(HOURS_PER_DAY) })
  .strict();

/** Issue #18: the staffing planner — the day's plan from the shop's history or a forecast, and the rota. */
export async function staffingRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { storage, clock } = ctx;
  const auth = routeAuth(ctx);
  const plan = (me: AgentContext, input: StaffingInput) =>
    planShopStaffing(storage, clock, me.shop.id, input);

  app.get('/api/admin/staffing', { preHandler: auth('admin') }, async (req) => {
    const me = req.agent;
    const q = parse(historyQuery, req.query);
    return plan(me, q);
  });

  app.post('/api/admin/staffing/plan', { preHandler: auth('admin') }, async (req) => {
    const me = req.agent;
    const { arrivals, ...rest } = parse(forecastBody, req.body);
    return plan(me, { days: 14, forecast: arrivals, ...rest });
  });

  app.get('/api/admin/staffing/rota', { preHandler: auth('admin') }, async (req) => {
    const me = req.agent;
    return { rota: await storage.staffing.findRota(me.shop.id) };
  });

  // Replaced whole: 24 whole numbers of agents, 0–500 each; a bad hour is named (hours.9).
  app.put('/api/admin/staffing/rota', { preHandler: auth('admin') }, async (req) => {
    const me = req.agent;
    const { hours } = parse(rotaBody, req.body);
    return { rota: await storage.staffing.saveRota(me.shop.id, hours, me.agent.id, clock.now()) };
  });
}
