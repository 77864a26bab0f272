import {
  addToAllowList,
  compareForSupervisor,
  countPromisesByAgent,
  DAY,
  flaggedClauses,
  invalid,
  mergeAllowList,
  notFound,
  rulePrecision,
  validateComplianceSettings,
  PACK_IDS,
  PROMISE_STATUSES,
  promiseCheckSettingsOf,
  promiseDueAt,
  PRECISION_DEFAULT_DAYS,
  PRECISION_MAX_ENTRIES,
  type BuyerId,
  type ShopId,
} from '@xiaoer/core';
import {
  complianceLogParams,
  complianceLogQuery,
  compliancePrecisionQuery,
  complianceReviewSchema,
  proactiveSchema,
  z,
} from '@xiaoer/protocol';
import { MAX_ALLOW_LIST, MAX_ALLOW_LIST_TEXT } from '@xiaoer/protocol/limits';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context';
import { parse } from '../errors';
import { buyerIdParams, complianceCheckBody } from '../ids';
import { routeAuth } from '../route-auth';

/** Issue #19 (CMP-4): the supervisor's list of promises — made in the last `days`, by status or agent. */
const promisesQuery = z.object({
  status: z.enum(PROMISE_STATUSES as [string, ...string[]]).optional(),
  agentId: z.string().min(1).max(64).optional(),
  days: z.coerce.number().int().min(1).max(400).default(30),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});

/** Compliance (CMP-1 … CMP-7): the shop's packs and phrases, the live check, the log, promises. */
export async function complianceRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { storage, clock, chat, compliance } = ctx;
  const auth = routeAuth(ctx);
  /** TEAM-4: an agent, in the shop of the buyer the route names (with their role there). */
  const inBuyerShop = { preHandler: auth('agent', { shopOf: { buyer: 'params' } }) };

  /** New settings take effect at once: on this node, and on the cluster's other nodes too. */
  const recompile = (shopId: ShopId) => {
    compliance.invalidate(shopId);
    void ctx.peers
      ?.publish('compliance', { shopId })
      .catch((error: unknown) =>
        ctx.logger.error('compliance peer notice failed', { shop: shopId, err: error }),
      );
  };

  app.get('/api/admin/compliance', { preHandler: auth('admin') }, async (req) => {
    const me = req.agent;
    return { settings: await storage.compliance.complianceSettings(me.shop.id), packs: PACK_IDS };
  });

  // Replaced whole; a malformed edit (an empty or duplicate phrase, a bad domain, an unknown
  // pack) is rejected whole, naming the field, and nothing is saved.
  app.put('/api/admin/compliance', { preHandler: auth('admin') }, async (req) => {
    const me = req.agent;
    const settings = validateComplianceSettings(req.body);
    // Issue #17: a form that says which allow list it loaded (`allowListWas`) edits the list as it
    // is now, so what a supervisor's review added while the form stood open is not dropped.
    const was = allowListWasOf(req.body);
    const saved =
      was === undefined
        ? (await storage.compliance.saveComplianceSettings(me.shop.id, settings), settings)
        : await storage.compliance.updateComplianceSettings(me.shop.id, (current) => {
            const { allowList, leftOut } = mergeAllowList(
              current.allowList ?? [],
              was,
              settings.allowList ?? [],
            );
            if (leftOut.length > 0)
              throw invalid('allowList', `the allow list is full (at most ${MAX_ALLOW_LIST} sentences)`);
            return { ...settings, allowList };
          });
    recompile(me.shop.id);
    return { settings: saved };
  });

  // The same check the server runs before sending, for the composer as the agent types.
  // TEAM-4: for a conversation, its shop's rules and my role there.
  const inBodyConversationShop = { preHandler: auth('agent', { shopOf: { conversation: 'body' } }) };
  app.post('/api/compliance/check', inBodyConversationShop, async (req) => {
    const me = req.agent;
    const { text, conversationId, attempt } = parse(complianceCheckBody, req.body);
    let buyerId: BuyerId | null = null;
    if (conversationId) {
      const c = await chat.getConversationFor(
        me.shop.id,
        { type: 'agent', agentId: me.agent.id, isAdmin: me.isAdmin },
        conversationId,
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
              conversationId,
              buyerId,
            },
            text,
          )
        : await compliance.check(me.shop.id, buyerId, text);
    return { ...result, ms: Math.round((performance.now() - started) * 1000) / 1000 };
  });

  // The supervisor's view: every block, confirmed warning and refused proactive message.
  app.get('/api/admin/compliance/log', { preHandler: auth('admin') }, async (req) => {
    const me = req.agent;
    const q = parse(complianceLogQuery, req.query);
    return { entries: await storage.compliance.listLog(me.shop.id, q) };
  });

  // Issue #17: a supervisor judges a block or a confirmed warning (again: the new review replaces
  // the old). A wrong one may put what it flagged on the allow list, so it is not flagged again.
  app.post('/api/admin/compliance/log/:id/review', { preHandler: auth('admin') }, async (req) => {
    const me = req.agent;
    const { id } = parse(complianceLogParams, req.params);
    const { review, allow } = parse(complianceReviewSchema, req.body);
    const entry = await storage.compliance.findLogEntry(me.shop.id, id);
    if (!entry) throw notFound('compliance log entry', 'id');
    let outcome = { added: [] as string[], leftOut: [] as string[] };
    if (allow) {
      // CMP-6 refuses by time and count, not by words: there is nothing to allow.
      if (entry.action === 'proactive_refused')
        throw invalid('allow', 'a refused proactive message (CMP-6) has no words to allow');
      // Read and written in one go: two supervisors allowing at once both land.
      await storage.compliance.updateComplianceSettings(me.shop.id, (settings) => {
        const { allowList, ...r } = addToAllowList(settings.allowList ?? [], flaggedClauses(entry));
        outcome = r;
        return r.added.length > 0 ? { ...settings, allowList } : settings;
      });
      if (outcome.added.length > 0) recompile(me.shop.id);
    }
    const reviewed = await storage.compliance.reviewLogEntry(me.shop.id, id, {
      review,
      by: me.agent.id,
      at: clock.now(),
    });
    return { entry: reviewed ?? entry, ...outcome };
  });

  // Issue #17: how often each rule was right, over the log of a window (default the last 30 days).
  app.get('/api/admin/compliance/precision', { preHandler: auth('admin') }, async (req) => {
    const me = req.agent;
    const q = parse(compliancePrecisionQuery, req.query);
    // `until` is exclusive: by default what was logged this very millisecond counts too.
    const until = q.until ?? clock.now() + 1;
    const since = q.since ?? until - PRECISION_DEFAULT_DAYS * DAY;
    // Bounded: the newest entries of the window; one more than read tells whether there were more.
    const entries = await storage.compliance.listLog(me.shop.id, {
      since,
      until,
      limit: PRECISION_MAX_ENTRIES + 1,
    });
    const truncated = entries.length > PRECISION_MAX_ENTRIES;
    const counted = truncated ? entries.slice(0, PRECISION_MAX_ENTRIES) : entries;
    return { since, until, entries: counted.length, truncated, rules: rulePrecision(counted) };
  });

  // CMP-6: an agent reaches out to a buyer with no open conversation (quiet hours, caps).
  app.post('/api/buyers/:buyerId/proactive', inBuyerShop, async (req) => {
    const me = req.agent;
    const { buyerId } = parse(buyerIdParams, req.params);
    const { clientId, text, confirmWarnings } = parse(proactiveSchema, req.body);
    const buyer = await storage.buyers.findBuyer(me.shop.id, buyerId);
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

  // Issue #19 (CMP-4): promises checked — at risk and broken first, and counted per agent (who
  // made them). Who may call: the shop's owner, admins and cs_admins (auth('admin')).
  app.get('/api/admin/compliance/promises', { preHandler: auth('admin') }, async (req) => {
    const me = req.agent;
    const q = parse(promisesQuery, req.query);
    const shopId = me.shop.id;
    const since = clock.now() - q.days * DAY;
    const settings = promiseCheckSettingsOf(await storage.compliance.complianceSettings(shopId));
    // Each status on its own, so an old at-risk or broken promise is not pushed out by newer kept ones.
    const statuses = q.status ? [q.status as (typeof PROMISE_STATUSES)[number]] : PROMISE_STATUSES;
    const rows = (
      await Promise.all(
        statuses.map((status) =>
          storage.compliance.listShopPromises(shopId, {
            since,
            status,
            ...(q.agentId ? { agentId: q.agentId } : {}),
            limit: q.limit,
          }),
        ),
      )
    )
      .flat()
      // effectiveDueAt: what the text said, or the kind's default window (null: a carrier's).
      .map(({ shopId: _shop, ...p }) => ({ ...p, effectiveDueAt: promiseDueAt(p, settings) ?? null }));
    const byDue = (p: (typeof rows)[number]) => ({
      ...p,
      ...(p.effectiveDueAt !== null ? { dueAt: p.effectiveDueAt } : {}),
    });
    const promises = rows.sort((a, b) => compareForSupervisor(byDue(a), byDue(b))).slice(0, q.limit);
    const counts = countPromisesByAgent(await storage.compliance.countShopPromises(shopId, since));
    return {
      since,
      leadHours: settings.leadMs / 3_600_000,
      promises,
      counts: q.agentId ? counts.filter((c) => c.agentId === q.agentId) : counts,
    };
  });

  // CMP-4: what agents promised this buyer, for the next agent.
  app.get('/api/buyers/:buyerId/promises', inBuyerShop, async (req) => {
    const me = req.agent;
    const { buyerId } = parse(buyerIdParams, req.params);
    return { promises: await storage.compliance.listPromises(me.shop.id, buyerId) };
  });
}

/** The allow list a settings form loaded, if it says (`allowListWas`); a 400 naming it if malformed. */
const allowListWasSchema = z.object({
  allowListWas: z.array(z.string().max(MAX_ALLOW_LIST_TEXT)).max(MAX_ALLOW_LIST).optional(),
});
function allowListWasOf(body: unknown): string[] | undefined {
  return parse(allowListWasSchema, body).allowListWas;
}
