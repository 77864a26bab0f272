import { localDay, notFound, type HistoryQuery } from '@xiaoer/core';
import { z } from '@xiaoer/protocol';
import { historyParams, historyQuery } from '@xiaoer/protocol/history';
import type { FastifyInstance } from 'fastify';
import { historyCsv } from '../../history/history.csv';
import { HistoryService, type HistoryViewer } from '../../history/history.service';
import type { AgentContext } from '../auth';
import type { AppContext } from '../context';
import { parse } from '../errors';
import { routeAuth } from '../route-auth';

const csvQuery = historyQuery.extend({ lang: z.enum(['zh', 'en']).default('zh') });

/** The query as the core takes it (absent fields left out). */
function toQuery(q: z.output<typeof historyQuery>): HistoryQuery {
  return Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined)) as unknown as HistoryQuery;
}

const viewerOf = (me: AgentContext): HistoryViewer => ({
  shop: { id: me.shop.id, timeZone: me.shop.timeZone },
  role: me.agent.role,
});

/**
 * Issue #18: the chat history for supervisors — search, transcript with MET-4, CSV export. Admin
 * roles only (owner, admin, CS admin), always in the shop they act in (TEAM-4: another shop's
 * conversations are never found); buyers' phones and addresses masked for roles without the
 * right (CMP-7).
 */
export async function historyRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { storage, clock } = ctx;
  const auth = routeAuth(ctx);
  const history = new HistoryService(storage);

  app.get('/api/admin/history', { preHandler: auth('admin') }, async (req) => {
    const me = req.agent;
    const q = parse(historyQuery, req.query);
    return history.page(viewerOf(me), toQuery(q));
  });

  app.get('/api/admin/history.csv', { preHandler: auth('admin') }, async (req, reply) => {
    const me = req.agent;
    const { lang, ...q } = parse(csvQuery, req.query);
    const viewer = viewerOf(me);
    const { rows, truncated } = await history.exportRows(viewer, toQuery(q));
    const day = localDay(clock.now(), me.shop.timeZone);
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="history-${day}.csv"`)
      .header('x-xiaoer-truncated', String(truncated))
      .send(historyCsv(rows, me.shop.timeZone, lang));
  });

  app.get('/api/admin/history/:id', { preHandler: auth('admin') }, async (req) => {
    const me = req.agent;
    const { id } = parse(historyParams, req.params);
    const transcript = await history.transcript(viewerOf(me), id);
    if (!transcript) throw notFound('conversation', 'id');
    return transcript;
  });
}
