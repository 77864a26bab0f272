import {
  DAY,
  DEFAULT_LOGISTICS_WATCH,
  DEFAULT_LOYALTY_LADDER,
  DEFAULT_PROACTIVE_SETTINGS,
  randomIds,
  DomainError,
  draftReviewReply,
  journeyTemplates,
  notFound,
  renderTemplate,
  suggestTags,
  productInterests,
  SUGGESTED_TAGS,
  tierOf,
  validateJourney,
  validateLadder,
  validateSegment,
  validateLogisticsWatch,
  type BuyerId,
  type JourneyDefinition,
  type ShopId,
} from '@xiaoer/core';
import {
  buyerNoteBody,
  buyerNoteParams,
  buyerOptOutBody,
  buyerTagBody,
  buyerTagParams,
  crmSettingsBody,
  segmentPreviewBody,
  type SegmentBuyerDto,
  journeyCreateBody,
  journeyDryRunBody,
  journeyParams,
  journeyStatusBody,
  journeyUpdateBody,
  reviewListQuery,
  reviewParams,
  reviewReplyBody,
  type ReviewDto,
} from '@xiaoer/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../context';
import { parse } from '../errors';
import { buyerIdParams } from '../ids';
import { routeAuth } from '../route-auth';
import type { JourneyStatus, StoredJourney, StoredReview } from '../../storage';
import { InterestIndexes } from '../../crm/interest-indexes';
import { reviewContextOf } from '../../crm/journey-runner';

/** CRM-1: tags are suggested from what the buyer wrote in the last this many days. */
const SUGGEST_FROM_DAYS = 90;

/** Sample values a template is screened with (CMP-1 … CMP-5 read the words around them). */
const SAMPLE = {
  buyerNick: '小王',
  tier: '银卡会员',
  orderId: 'T1001',
  orderItem: '商品',
  carrier: '中通',
  trackingNo: 'ZT1001',
  parcelIssue: '物流延误',
  productTitle: '新品',
  groupBuyTitle: '商品',
  groupBuyPrice: '99',
  groupBuyEnds: '12月31日',
  holiday: '元旦',
  couponAmount: '10',
  couponMinSpend: '99',
  couponExpires: '12月31日',
};

/**
 * Issue #21. Who may call:
 * - `/api/buyers/:buyerId/crm`, `…/tags`, `…/tag-suggestions/:tag/dismiss`, `…/notes`, `…/opt-out`: agents of the buyer's shop who
 *   may read the buyer (an agent of one of their conversations; admins any); a note is deleted
 *   by its author or an admin.
 * - `/api/reviews`, `/api/reviews/count`, `/api/reviews/:id/reply`: any agent of the shop (reviews are public; the reply
 *   passes the compliance guard).
 * - `/api/admin/journeys…`, `/api/admin/journey-templates`, `/api/admin/crm/settings`, `/api/admin/segments/preview`: the shop's admins (owner, admin,
 *   cs_admin).
 */
export async function crmRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { storage, clock } = ctx;
  const auth = routeAuth(ctx);
  const readsBuyer = { preHandler: auth('agent', { shopOf: { buyer: 'params' } }) };
  const interestIndexes = new InterestIndexes(storage);

  /** The buyer, when the calling agent may read them (TEAM-4, issue #14's rule). */
  async function buyerFor(req: FastifyRequest): Promise<BuyerId> {
    const me = req.agent;
    const { buyerId } = parse(buyerIdParams, req.params);
    const buyer = await storage.buyers.findBuyer(me.shop.id, buyerId);
    if (!buyer) throw notFound('buyer', 'buyerId');
    if (!me.isAdmin && !(await storage.conversations.agentSeesBuyer(me.shop.id, buyer.id, me.agent.id)))
      throw new DomainError('forbidden', 'only for agents of one of the buyer’s conversations', 'buyerId');
    return buyer.id;
  }

  async function crmProfile(shopId: ShopId, buyerId: BuyerId) {
    const [tags, dismissed, notes, spend, settings, optedOut, parcelFlags, texts] = await Promise.all([
      storage.crm.tags(shopId, buyerId),
      storage.crm.dismissedSuggestions(shopId, buyerId),
      storage.crm.notes(shopId, buyerId),
      storage.orders.buyerSpend(shopId, buyerId),
      storage.crm.settings(shopId),
      storage.crm.optedOut(shopId, buyerId),
      storage.crm.openParcelFlags(shopId, buyerId),
      storage.conversations.buyerTexts(shopId, buyerId, clock.now() - SUGGEST_FROM_DAYS * DAY, 200),
    ]);
    const tier = tierOf(settings.loyalty ?? DEFAULT_LOYALTY_LADDER, spend);
    const interests = productInterests(texts, await interestIndexes.of(shopId), interestIndexes.segmenter);
    return {
      tags,
      notes,
      tier,
      spentCents: spend.spentCents,
      paidOrders: spend.orders,
      lastOrderAt: spend.lastOrderAt,
      optedOut,
      parcelFlags,
      // Neither the tags the buyer carries nor those an agent turned down for them.
      suggestedTags: suggestTags(
        texts.flatMap((t) => (t.productId ? [] : [t.text])),
        [...tags.map((t) => t.tag), ...dismissed],
      ),
      interests,
    };
  }

  // ── CRM-1: the buyer's profile beyond orders (workbench) ─────────────────────────────────────
  app.get('/api/buyers/:buyerId/crm', readsBuyer, async (req) => {
    const buyerId = await buyerFor(req);
    return crmProfile(req.agent.shop.id, buyerId);
  });

  app.post('/api/buyers/:buyerId/tags', readsBuyer, async (req) => {
    const buyerId = await buyerFor(req);
    const { tag, suggested } = parse(buyerTagBody, req.body);
    const me = req.agent;
    await storage.crm.addTag(
      me.shop.id,
      buyerId,
      tag,
      suggested ? 'accepted' : 'agent',
      me.agent.id,
      clock.now(),
    );
    return crmProfile(me.shop.id, buyerId);
  });

  app.delete('/api/buyers/:buyerId/tags/:tag', readsBuyer, async (req) => {
    const buyerId = await buyerFor(req);
    const { tag } = parse(buyerTagParams, req.params);
    if (!(await storage.crm.removeTag(req.agent.shop.id, buyerId, tag))) throw notFound('tag', 'tag');
    return crmProfile(req.agent.shop.id, buyerId);
  });

  // A suggestion an agent turns down is not made again for this buyer, to any agent.
  app.post('/api/buyers/:buyerId/tag-suggestions/:tag/dismiss', readsBuyer, async (req) => {
    const buyerId = await buyerFor(req);
    const { tag } = parse(buyerTagParams, req.params);
    if (!(SUGGESTED_TAGS as readonly string[]).includes(tag)) throw notFound('tag suggestion', 'tag');
    const me = req.agent;
    await storage.crm.dismissSuggestion(me.shop.id, buyerId, tag, me.agent.id, clock.now());
    return crmProfile(me.shop.id, buyerId);
  });

  app.post('/api/buyers/:buyerId/notes', readsBuyer, async (req) => {
    const buyerId = await buyerFor(req);
    const { text } = parse(buyerNoteBody, req.body);
    const me = req.agent;
    await storage.crm.addNote(me.shop.id, {
      id: randomIds.next(),
      buyerId,
      text,
      authorId: me.agent.id,
      authorName: me.agent.name,
      createdAt: clock.now(),
    });
    return crmProfile(me.shop.id, buyerId);
  });

  app.delete('/api/buyers/:buyerId/notes/:noteId', readsBuyer, async (req) => {
    const buyerId = await buyerFor(req);
    const { noteId } = parse(buyerNoteParams, req.params);
    const me = req.agent;
    const note = await storage.crm.findNote(me.shop.id, buyerId, noteId);
    if (!note) throw notFound('note', 'noteId');
    if (note.authorId !== me.agent.id && !me.isAdmin)
      throw new DomainError('forbidden', 'only its author or an admin deletes a note', 'noteId');
    await storage.crm.deleteNote(me.shop.id, buyerId, noteId, clock.now());
    return crmProfile(me.shop.id, buyerId);
  });

  // CMP-6: the buyer asked the agent for no more proactive messages (or for them again).
  app.put('/api/buyers/:buyerId/opt-out', readsBuyer, async (req) => {
    const buyerId = await buyerFor(req);
    const { optedOut } = parse(buyerOptOutBody, req.body);
    const me = req.agent;
    if (optedOut) await storage.crm.optOut(me.shop.id, buyerId, 'agent', clock.now());
    else await storage.crm.optIn(me.shop.id, buyerId);
    return crmProfile(me.shop.id, buyerId);
  });

  // ── CRM-7: reviews, answered in the workbench ─────────────────────────────────────────────────
  /** Reviews as the workbench shows them: the buyer, the item, the draft for those unanswered. */
  async function reviewViews(shopId: ShopId, reviews: readonly StoredReview[]): Promise<ReviewDto[]> {
    const shop = await storage.shops.findShop(shopId);
    const agents = new Map((await storage.agents.listAgents(shopId)).map((a) => [a.id as string, a.name]));
    // The page's buyers, orders and products in three reads, not three per review.
    const [buyers, orders, products] = await Promise.all([
      storage.buyers.findBuyers(
        shopId,
        reviews.map((r) => r.buyerId),
      ),
      storage.orders.findOrders(
        shopId,
        reviews.flatMap((r) => (r.orderId ? [r.orderId] : [])),
      ),
      storage.orders.findProducts(
        shopId,
        reviews.flatMap((r) => (r.productId ? [r.productId] : [])),
      ),
    ]);
    const out: ReviewDto[] = [];
    for (const r of reviews) {
      const buyer = buyers.get(r.buyerId);
      const context = reviewContextOf(
        r,
        r.orderId ? orders.get(r.orderId) : undefined,
        r.productId ? products.get(r.productId) : undefined,
      );
      const nick = buyer?.nick ?? '';
      const item = context.orderItem ?? '';
      const { text: draft, reading } = draftReviewReply(
        { rating: r.rating, text: r.text, buyerNick: nick, item: item || '宝贝' },
        shop?.name ?? '',
      );
      out.push({
        id: r.id,
        externalId: r.externalId,
        buyerId: r.buyerId,
        buyerNick: nick,
        orderId: r.orderId,
        item,
        rating: r.rating,
        text: r.text,
        postedAt: r.postedAt,
        reply: r.reply ? { ...r.reply, agentName: agents.get(r.reply.agentId) ?? '' } : null,
        reading,
        draft: r.reply ? null : draft,
      });
    }
    return out;
  }

  // What the workbench's tab polls: the count alone.
  app.get('/api/reviews/count', { preHandler: auth('agent') }, async (req) => ({
    unanswered: await storage.reviews.countUnanswered(req.agent.shop.id),
  }));

  app.get('/api/reviews', { preHandler: auth('agent') }, async (req) => {
    const shopId = req.agent.shop.id;
    const q = parse(reviewListQuery, req.query);
    const [postedAt, id] = q.cursor ? q.cursor.split(':') : [];
    const rows = await storage.reviews.list(shopId, {
      ...(q.view === 'all' ? {} : { answered: q.view === 'answered' }),
      ...(postedAt && id ? { before: { postedAt: Number(postedAt), id } } : {}),
      limit: q.limit,
    });
    const last = rows.at(-1);
    return {
      reviews: await reviewViews(shopId, rows),
      unanswered: await storage.reviews.countUnanswered(shopId),
      nextCursor: rows.length === q.limit && last ? `${last.postedAt}:${last.id}` : null,
    };
  });

  // One reply per review, through the compliance guard like any text that leaves the shop (a
  // block is never sent; a warning needs the agent's confirmation); the connector posts it.
  app.post('/api/reviews/:id/reply', { preHandler: auth('agent') }, async (req) => {
    const me = req.agent;
    const shopId = me.shop.id;
    const { id } = parse(reviewParams, req.params);
    const body = parse(reviewReplyBody, req.body);
    const review = await storage.reviews.find(shopId, id);
    if (!review) throw notFound('review', 'id');
    if (review.reply) throw new DomainError('conflict', 'this review has been answered', 'id');
    await ctx.compliance.screen(
      { shopId, agentId: me.agent.id, conversationId: null, buyerId: review.buyerId as BuyerId },
      body.text,
      body.confirm,
    );
    if (!(await storage.reviews.reply(shopId, id, body.text, me.agent.id, clock.now())))
      throw new DomainError('conflict', 'this review has been answered', 'id');
    ctx.webhooks.kick();
    const [view] = await reviewViews(shopId, [(await storage.reviews.find(shopId, id))!]);
    return { review: view! };
  });

  // ── journeys (console) ──────────────────────────────────────────────────────────────────────
  const admins = { preHandler: auth('admin') };

  /** The shop's rules a journey is checked against (CMP-6 caps, AS-5 coupon floor). */
  async function rules(shopId: ShopId) {
    const [compliance, aftersales] = await Promise.all([
      storage.compliance.complianceSettings(shopId),
      ctx.aftersales.settings(shopId),
    ]);
    return {
      proactive: compliance.proactive ?? DEFAULT_PROACTIVE_SETTINGS,
      couponMinValidDays: aftersales.couponMinValidDays,
    };
  }

  /** Checks a definition whole, and its words against the shop's rules (every message is shop text). */
  async function checked(req: FastifyRequest, raw: unknown): Promise<JourneyDefinition> {
    const me = req.agent;
    const def = validateJourney(raw, await rules(me.shop.id));
    for (const [i, step] of def.steps.entries())
      if (step.kind === 'message')
        await ctx.compliance.screenShopText(
          me.shop.id,
          renderTemplate(step.template, { ...SAMPLE, shopName: me.shop.name }),
          `journey.steps[${i}].template`,
          { agentId: me.agent.id },
        );
    return def;
  }

  async function journeyOf(req: FastifyRequest): Promise<StoredJourney> {
    const { id } = parse(journeyParams, req.params);
    const j = await storage.journeys.find(req.agent.shop.id, id);
    if (!j) throw notFound('journey', 'id');
    return j;
  }

  // ── CRM-6 loyalty ladder, CRM-3 logistics watch (console) ───────────────────────────────────
  async function crmSettings(shopId: ShopId) {
    const s = await storage.crm.settings(shopId);
    return {
      loyalty: s.loyalty ?? DEFAULT_LOYALTY_LADDER,
      logistics: s.logistics ?? DEFAULT_LOGISTICS_WATCH,
    };
  }

  // CRM-1: who is in a segment (by tags, spend, last order, tier) — the console's 客户分群.
  app.post('/api/admin/segments/preview', admins, async (req) => {
    const shopId = req.agent.shop.id;
    const body = parse(segmentPreviewBody, req.body);
    const segment = validateSegment(body.audience);
    const first: SegmentBuyerDto[] = [];
    for await (const page of ctx.journeys.segmentPages(shopId, segment, body.limit)) {
      for (const b of page)
        if (first.length < body.limit)
          first.push({
            buyerId: b.buyerId,
            externalId: b.externalId,
            nick: b.nick,
            spentCents: b.spentCents,
            orders: b.orders,
            lastOrderAt: b.lastOrderAt,
            tierName: b.tierName,
            tags: [...b.tags],
          });
      if (first.length >= body.limit) break;
    }
    const count = await ctx.journeys.segmentCount(shopId, segment);
    return { count, buyers: first };
  });

  app.get('/api/admin/crm/settings', admins, async (req) => ({
    settings: await crmSettings(req.agent.shop.id),
  }));

  app.put('/api/admin/crm/settings', admins, async (req) => {
    const shopId = req.agent.shop.id;
    const body = parse(crmSettingsBody, req.body);
    const current = await crmSettings(shopId);
    // Checked whole before anything is written; a part left out stays as it is.
    const next = {
      loyalty: body.loyalty === undefined ? current.loyalty : validateLadder(body.loyalty),
      logistics: body.logistics === undefined ? current.logistics : validateLogisticsWatch(body.logistics),
    };
    await storage.crm.saveSettings(shopId, next, clock.now());
    return { settings: await crmSettings(shopId) };
  });

  const present = async (j: StoredJourney) => ({ ...j, stats: await storage.journeys.stats(j.shopId, j.id) });

  app.get('/api/admin/journey-templates', admins, async () => ({
    templates: journeyTemplates('zh-CN'),
  }));

  app.get('/api/admin/journeys', admins, async (req) => {
    const list = await storage.journeys.list(req.agent.shop.id);
    return { journeys: await Promise.all(list.map(present)) };
  });

  app.post('/api/admin/journeys', admins, async (req, reply) => {
    const me = req.agent;
    const body = parse(journeyCreateBody, req.body);
    const template = body.templateId && journeyTemplates('zh-CN').find((t) => t.id === body.templateId);
    const def = await checked(req, template ? template.definition : body.journey);
    const j = await storage.journeys.create({
      id: randomIds.next(),
      shopId: me.shop.id,
      name: def.name,
      templateId: template ? template.id : null,
      definition: def,
      status: 'draft',
      createdBy: me.agent.id,
      createdAt: clock.now(),
    });
    return reply.code(201).send({ journey: await present(j) });
  });

  app.get('/api/admin/journeys/:id', admins, async (req) => {
    const j = await journeyOf(req);
    const runs = await storage.journeys.listRuns(j.shopId, j.id, 50);
    return { journey: await present(j), runs };
  });

  // Only a draft's steps change: runs in flight hold a step's place in them.
  app.put('/api/admin/journeys/:id', admins, async (req) => {
    const j = await journeyOf(req);
    const body = parse(journeyUpdateBody, req.body);
    if (j.status !== 'draft')
      throw new DomainError('conflict', 'a started journey is not edited: stop it and make a new one', 'id');
    const def = await checked(req, body.journey);
    if (
      !(await storage.journeys.update(
        j.shopId,
        j.id,
        body.version,
        { name: def.name, definition: def },
        clock.now(),
      ))
    )
      throw new DomainError('conflict', 'the journey was changed meanwhile: reload it', 'version');
    return { journey: await present((await storage.journeys.find(j.shopId, j.id))!) };
  });

  // Start (a draft or a paused one), pause, or stop (its active runs end).
  app.post('/api/admin/journeys/:id/status', admins, async (req) => {
    const j = await journeyOf(req);
    const { status } = parse(journeyStatusBody, req.body);
    const from: Record<typeof status, JourneyStatus[]> = {
      active: ['draft', 'paused'],
      paused: ['active'],
      stopped: ['draft', 'active', 'paused'],
    };
    const now = clock.now();
    if (!(await storage.journeys.setStatus(j.shopId, j.id, from[status], status, now)))
      throw new DomainError('conflict', `a ${j.status} journey cannot become ${status}`, 'status');
    if (status === 'stopped') await storage.journeys.stopRuns(j.shopId, j.id, now);
    if (status === 'active' && j.definition.trigger.kind === 'days_since_last_order')
      await ctx.journeys.journeyStarted(j.id);
    return { journey: await present((await storage.journeys.find(j.shopId, j.id))!) };
  });

  app.post('/api/admin/journeys/:id/dry-run', admins, async (req) => {
    const j = await journeyOf(req);
    const { days, limit } = parse(journeyDryRunBody, req.body ?? {});
    const plan = await ctx.journeys.dryRun(j, days, limit);
    return { ...plan, from: clock.now(), until: clock.now() + days * DAY };
  });
}
