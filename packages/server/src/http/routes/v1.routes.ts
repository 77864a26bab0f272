import {
  invalid,
  notFound,
  type BuyerId,
  type Conversation,
  type Message,
  type Order,
  type ShopId,
  type UpsertOutcome,
} from '@xiaoer/core';
import {
  channelMessageBody,
  channelParams,
  buyerBody,
  externalIdParams,
  logisticsBody,
  orderBody,
  ordersPageQuery,
  pageQuery,
  productBody,
  reviewBody,
  reviewsPageQuery,
  groupBuyBody,
} from '@xiaoer/protocol/v1';
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { externalBuyerIn } from '../../storage/buyer.repository';
import type { AppContext } from '../context';
import { parse } from '../errors';
import { v1Access } from '../api-key-auth';
import { writeBuyer, writeOrder, writeProduct } from '../../integration/v1-writes';
import { buyerOut, conversationOut, messageOut, orderOut, productOut } from '../../integration/v1-out';
import { isUniqueViolation } from '../../storage/db';
import { consumeBuyerMessage } from './widget.routes';
import { v1OpenApi } from './v1.openapi';
import { enrolTimer, groupBuyContext } from '../../crm/journey-runner';
import { groupBuyOut, reviewOut } from '../../storage/review.repository';

const ms = (moment: string) => Date.parse(moment);
/** CRM-7: a review posted longer ago than this (an old one synced) starts no journey. */
const REVIEW_TRIGGER_MS = 7 * 86_400_000;

/** 201 for a record the write created, 200 for one it updated or found as it was. */
const statusOf = (outcome: UpsertOutcome) => (outcome === 'created' ? 201 : 200);

/**
 * Issue #16: the v1 integration API — the shop's systems (its platform connector, ERP, order
 * tools) write products, buyers, orders and tracking events by their own ids, and read them back.
 * `Authorization: Bearer <key>` (a key of the shop, scope read or write, made in the console or
 * with `xiaoer apikey create`); idempotent upserts; rate-limited per key; a write never
 * half-applies. Who may call: a live key of the shop with the route's scope, nobody else.
 */
export async function v1Routes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { storage, clock } = ctx;
  const v1 = v1Access(ctx);

  const send = <T>(reply: FastifyReply, outcome: UpsertOutcome, body: T) =>
    reply.code(statusOf(outcome)).send(body);

  // The API's description, generated from the schemas below (public: it holds no shop's data).
  const openapi = v1OpenApi();
  app.get('/api/v1/openapi.json', async () => openapi);

  // ── products ────────────────────────────────────────────────────────────────────────────────
  app.put('/api/v1/products/:externalId', v1.write, async (req, reply) => {
    const key = req.apiKey;
    const { externalId } = parse(externalIdParams, req.params);
    const body = parse(productBody, req.body);
    const shopId = key.shopId;
    const outcome = await writeProduct(storage, shopId, externalId, body, clock.now());
    return send(reply, outcome, {
      product: productOut((await storage.orders.findProduct(shopId, externalId))!),
    });
  });

  app.get('/api/v1/products/:externalId', v1.read, async (req) => {
    const key = req.apiKey;
    const { externalId } = parse(externalIdParams, req.params);
    const product = await storage.orders.findProduct(key.shopId, externalId);
    if (!product) throw notFound('product');
    return { product: productOut(product) };
  });

  app.get('/api/v1/products', v1.read, async (req) => {
    const key = req.apiKey;
    const q = parse(pageQuery, req.query);
    const rows = await storage.orders.listProductsPage(key.shopId, q.cursor ?? null, q.limit);
    return { products: rows.map(productOut), nextCursor: rows.length === q.limit ? rows.at(-1)!.id : null };
  });

  // ── buyers ──────────────────────────────────────────────────────────────────────────────────
  app.put('/api/v1/buyers/:externalId', v1.write, async (req, reply) => {
    const key = req.apiKey;
    const { externalId } = parse(externalIdParams, req.params);
    const body = parse(buyerBody, req.body);
    const outcome = await writeBuyer(storage, key.shopId, externalId, body, clock.now());
    return send(reply, outcome, {
      buyer: buyerOut((await storage.buyers.findByExternalId(key.shopId, externalId))!),
    });
  });

  app.get('/api/v1/buyers/:externalId', v1.read, async (req) => {
    const key = req.apiKey;
    const { externalId } = parse(externalIdParams, req.params);
    const buyer = await storage.buyers.findByExternalId(key.shopId, externalId);
    if (!buyer) throw notFound('buyer');
    return { buyer: buyerOut(buyer) };
  });

  app.get('/api/v1/buyers', v1.read, async (req) => {
    const key = req.apiKey;
    const q = parse(pageQuery, req.query);
    const rows = await storage.buyers.listExternalPage(key.shopId, q.cursor ?? null, q.limit);
    return {
      buyers: rows.map(buyerOut),
      nextCursor: rows.length === q.limit ? rows.at(-1)!.externalId : null,
    };
  });

  // ── orders ──────────────────────────────────────────────────────────────────────────────────
  /** CMP-4: an order's open promises checked again; the write stands whatever happens here. */
  async function checkOrderPromises(shopId: ShopId, orderId: string): Promise<void> {
    await ctx.promises
      .orderWritten(shopId, orderId)
      .catch((error: unknown) =>
        ctx.logger.error('CMP-4 promise check failed', { shop: shopId, order: orderId, err: error }),
      );
  }

  /** The shop's ids of the buyers behind `orders`. */
  async function buyerIdsOf(shopId: ShopId, orders: readonly Order[]): Promise<Map<string, string | null>> {
    const out = new Map<string, string | null>();
    for (const id of new Set(orders.map((o) => o.buyerId)))
      out.set(id, (await storage.buyers.findBuyer(shopId, id as BuyerId))?.externalId ?? null);
    return out;
  }

  async function orderResponse(shopId: ShopId, externalId: string) {
    const order = await storage.orders.findOrderWithTime(shopId, externalId);
    if (!order) throw notFound('order');
    const buyers = await buyerIdsOf(shopId, [order]);
    return { order: orderOut(order, buyers.get(order.buyerId) ?? null) };
  }

  app.put('/api/v1/orders/:externalId', v1.write, async (req, reply) => {
    const key = req.apiKey;
    const { externalId } = parse(externalIdParams, req.params);
    const body = parse(orderBody, req.body);
    const shopId = key.shopId;
    const written = await writeOrder(storage, shopId, externalId, body, clock.now());
    ctx.webhooks.kick();
    // CMP-4 (issue #19): the order's promises checked against what it says now (shipped, carrier).
    if (written.outcome !== 'unchanged') await checkOrderPromises(shopId, externalId);
    return send(reply, written.outcome, { order: orderOut(written.order, body.buyerExternalId) });
  });

  app.get('/api/v1/orders/:externalId', v1.read, async (req) => {
    const key = req.apiKey;
    const { externalId } = parse(externalIdParams, req.params);
    return orderResponse(key.shopId, externalId);
  });

  app.get('/api/v1/orders', v1.read, async (req) => {
    const key = req.apiKey;
    const q = parse(ordersPageQuery, req.query);
    let buyerId: BuyerId | undefined;
    if (q.buyer) {
      const buyer = await storage.buyers.findByExternalId(key.shopId, q.buyer);
      if (!buyer) return { orders: [], nextCursor: null };
      buyerId = buyer.id;
    }
    const rows = await storage.orders.listOrdersPage(key.shopId, q.cursor ?? null, q.limit, buyerId);
    const buyers = await buyerIdsOf(key.shopId, rows);
    return {
      orders: rows.map((o) => orderOut(o, buyers.get(o.buyerId) ?? null)),
      nextCursor: rows.length === q.limit ? rows.at(-1)!.id : null,
    };
  });

  app.post('/api/v1/orders/:externalId/logistics', v1.write, async (req) => {
    const key = req.apiKey;
    const { externalId } = parse(externalIdParams, req.params);
    const body = parse(logisticsBody, req.body);
    const added = await storage.orders.addLogistics(
      key.shopId,
      externalId,
      body.events.map((e) => ({ id: e.id, at: ms(e.at), description: e.description })),
      clock.now(),
    );
    if (!added) throw notFound('order');
    if (added.added > 0) {
      ctx.webhooks.kick();
      // CMP-4: the first scan is when the parcel left, for an order that does not say.
      await checkOrderPromises(key.shopId, externalId);
    }
    const buyers = await buyerIdsOf(key.shopId, [added.order]);
    return { added: added.added, order: orderOut(added.order, buyers.get(added.order.buyerId) ?? null) };
  });

  // ── reviews (CRM-7) ─────────────────────────────────────────────────────────────────────────
  // A review posted on the platform: agents answer it in the workbench; the answer goes back as
  // `review.replied`. A review new to xiaoer and posted within a week starts the buyer's
  // review_posted journeys (a first sync of years of reviews starts none).
  app.put('/api/v1/reviews/:externalId', v1.write, async (req, reply) => {
    const key = req.apiKey;
    const shopId = key.shopId;
    const { externalId } = parse(externalIdParams, req.params);
    const body = parse(reviewBody, req.body);
    const now = clock.now();
    const postedAt = ms(body.postedAt);
    if (postedAt > now + 5 * 60_000) throw invalid('postedAt', 'is in the future');
    // What its runs would know (read before the write's transaction, which reads nothing else).
    const context = await ctx.journeys.reviewContext(shopId, {
      orderId: body.orderExternalId,
      productId: body.productExternalId,
      rating: body.rating,
    });
    const { outcome } = await storage.reviews.upsert(
      shopId,
      externalId,
      {
        buyerExternalId: body.buyerExternalId,
        orderId: body.orderExternalId,
        productId: body.productExternalId,
        rating: body.rating,
        text: body.text,
        postedAt,
      },
      now,
      async (trx, review) => {
        if (postedAt < now - REVIEW_TRIGGER_MS) return;
        await storage.timers.schedule(
          enrolTimer(
            shopId,
            'review_posted',
            review.id,
            { ...context, reviewId: review.id },
            now,
            review.buyerId,
          ),
          now,
          trx,
        );
      },
    );
    const review = (await storage.reviews.findExternal(shopId, externalId))!;
    return send(reply, outcome, { review: reviewOut(review) });
  });

  app.get('/api/v1/reviews/:externalId', v1.read, async (req) => {
    const key = req.apiKey;
    const { externalId } = parse(externalIdParams, req.params);
    const review = await storage.reviews.findExternal(key.shopId, externalId);
    if (!review) throw notFound('review');
    return { review: reviewOut(review) };
  });

  app.get('/api/v1/reviews', v1.read, async (req) => {
    const key = req.apiKey;
    const q = parse(reviewsPageQuery, req.query);
    const answered = q.answered === undefined ? undefined : q.answered === 'true';
    const rows = await storage.reviews.externalPage(key.shopId, q.cursor ?? null, q.limit, answered);
    return {
      reviews: rows.map(reviewOut),
      nextCursor: rows.length === q.limit ? rows.at(-1)!.externalId : null,
    };
  });

  // ── group buys (CRM-8) ──────────────────────────────────────────────────────────────────────
  // A group buy that opens (new and open, or reopened) invites the audience of the shop's started
  // group-buy journeys; one that closes or ends stops the invitations not yet sent.
  app.put('/api/v1/group-buys/:externalId', v1.write, async (req, reply) => {
    const key = req.apiKey;
    const shopId = key.shopId;
    const { externalId } = parse(externalIdParams, req.params);
    const body = parse(groupBuyBody, req.body);
    const now = clock.now();
    const endsAt = ms(body.endsAt);
    const { outcome, groupBuy } = await storage.reviews.upsertGroupBuy(
      shopId,
      externalId,
      {
        title: body.title,
        productId: body.productExternalId,
        priceCents: body.priceCents,
        endsAt,
        status: body.status,
      },
      now,
      async (trx, g) => {
        if (g.endsAt <= now) return;
        await storage.timers.schedule(
          enrolTimer(
            shopId,
            'group_buy_open',
            `${g.externalId}:${now}`,
            { ...groupBuyContext(g), groupBuyOpenedAt: now },
            now,
          ),
          now,
          trx,
        );
      },
    );
    return send(reply, outcome, { groupBuy: groupBuyOut(groupBuy) });
  });

  app.get('/api/v1/group-buys/:externalId', v1.read, async (req) => {
    const key = req.apiKey;
    const { externalId } = parse(externalIdParams, req.params);
    const g = await storage.reviews.findGroupBuy(key.shopId, externalId);
    if (!g) throw notFound('groupBuy');
    return { groupBuy: groupBuyOut(g) };
  });

  app.get('/api/v1/group-buys', v1.read, async (req) => {
    const key = req.apiKey;
    const q = parse(pageQuery, req.query);
    const rows = await storage.reviews.groupBuyPage(key.shopId, q.cursor ?? null, q.limit);
    return {
      groupBuys: rows.map(groupBuyOut),
      nextCursor: rows.length === q.limit ? rows.at(-1)!.externalId : null,
    };
  });

  // ── channels ────────────────────────────────────────────────────────────────────────────────
  // A buyer's message from a platform (the shop's connector relays it): it enters the same loop as
  // the widget's — bot, routing, metrics, webhooks — and the conversation is marked with the
  // channel, so the replies (message.created events) say where they go. The platform's message id
  // makes a resend one message.
  app.post('/api/v1/channels/:channel/messages', v1.write, async (req, reply) => {
    const key = req.apiKey;
    const { channel } = parse(channelParams, req.params);
    const body = parse(channelMessageBody, req.body);
    const shopId = key.shopId;
    const answer = (message: Message, conversation: Conversation, duplicate: boolean) =>
      reply.code(duplicate ? 200 : 201).send({
        message: messageOut(message),
        conversation: conversationOut(conversation, body.buyerExternalId),
        duplicate,
      });
    const seen = await storage.channels.find(shopId, channel, body.messageId);
    if (seen) {
      const conversation = await storage.conversations.findConversation(shopId, seen.conversationId);
      return answer(seen, conversation!, true);
    }
    if (body.imageUrl && (await storage.uploads.shopOf(body.imageUrl.slice('/uploads/'.length))) !== shopId)
      throw invalid(
        'imageUrl',
        'is not an upload of this shop: upload it with POST /api/uploads and this key',
      );
    const now = clock.now();
    const buyerId = await storage.db.kysely
      .transaction()
      .execute((trx) => externalBuyerIn(trx, shopId, body.buyerExternalId, now, body.nick))
      .catch(async (error: unknown) => {
        // Two first messages of a new buyer at once: one insert wins; the other finds it.
        if (!isUniqueViolation(error)) throw error;
        return externalBuyerIn(storage.db.kysely, shopId, body.buyerExternalId, now, body.nick);
      });
    await consumeBuyerMessage(ctx, buyerId);
    // The client id is the platform's message id (hashed to fit): a resend racing the first is
    // caught by the conversation's unique client id.
    const clientId = `ch_${createHash('sha256').update(`${channel}\n${body.messageId}`).digest('base64url').slice(0, 40)}`;
    const sent = await ctx.chat.sendBuyerMessage(
      shopId,
      buyerId,
      clientId,
      body.text !== undefined
        ? { kind: 'text', body: { text: body.text } }
        : { kind: 'image', body: { url: body.imageUrl! } },
      undefined,
      channel,
    );
    await storage.channels.record(
      shopId,
      channel,
      body.messageId,
      { conversationId: sent.message.conversationId, messageId: sent.message.id },
      now,
    );
    return answer(sent.message, sent.conversation, sent.duplicate);
  });
}
