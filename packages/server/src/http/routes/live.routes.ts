import { alertForAgent, assembleLiveBoard, type BuyerId, type LiveBoard } from '@xiaoer/core';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context';
import { routeAuth } from '../route-auth';

/** How many open conversations of a shop the board reads at most. */
const OPEN_LIMIT = 10_000;

/**
 * The supervisors' live board (issue #18) and the MET-5 alert as each agent sees it. The board is
 * re-read by the console whenever the gateway says the shop changed (`live:changed`).
 */
export async function liveRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { storage, clock, metrics } = ctx;
  const auth = routeAuth(ctx);

  app.get('/api/admin/live', { preHandler: auth('admin') }, async (req): Promise<LiveBoard> => {
    const me = req.agent;
    const shopId = me.shop.id;
    const [agents, open, today] = await Promise.all([
      storage.agents.listAgents(shopId),
      storage.conversations.listForAgent(shopId, me.agent.id, {
        status: 'open',
        all: true,
        limit: OPEN_LIMIT,
      }),
      metrics.todayFacts(shopId),
    ]);
    const board = assembleLiveBoard({
      date: today.date,
      now: clock.now(),
      settings: today.settings,
      agents,
      open,
      rows: today.rows,
    });
    // MET-5 may name a buyer whose conversation has ended meanwhile: their nick from the buyer.
    if (board.alert)
      for (const r of board.alert.atRisk)
        if (!r.nick) r.nick = (await storage.buyers.findBuyer(shopId, r.buyerId as BuyerId))?.nick ?? '';
    return board;
  });

  // MET-5 for the workbench: admins the shop's alert, an agent only the buyers they hold.
  app.get('/api/metrics/alert', { preHandler: auth('agent') }, async (req) => {
    const me = req.agent;
    const [alert, settings] = await Promise.all([
      metrics.alert(me.shop.id),
      storage.metrics.settings(me.shop.id),
    ]);
    return {
      alert: me.isAdmin ? alert : alertForAgent(alert, me.agent.id),
      replyMinutes: settings.replyMinutes,
    };
  });
}
