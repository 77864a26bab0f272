import { DomainError, welcomeLine, type Buyer, type BuyerId, type Clock } from '@xiaoer/core';
import {
  messagesQuery,
  sendMessageSchema,
  widgetSessionSchema,
  type WidgetSessionResponse,
} from '@xiaoer/protocol';
import type { FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { IDENTITY_MAX_AGE_MS, signBuyerToken, verifyIdentity } from '../../auth/tokens';
import type { ShopWithSecret, Storage } from '../../storage';
import { buyerFromToken } from '../auth';
import type { AppContext } from '../context';
import { parse, RateLimitedError } from '../errors';
import { routeAuth } from '../route-auth';

function newBuyer(
  shop: ShopWithSecret,
  clock: Clock,
  fields: Pick<Buyer, 'externalId' | 'visitorId' | 'nick'>,
): Buyer {
  const now = clock.now();
  return {
    id: randomUUID() as BuyerId,
    shopId: shop.id,
    phone: null,
    createdAt: now,
    lastSeenAt: now,
    ...fields,
  };
}

/** Checks the per-buyer message budget (shared by HTTP and WebSocket). */
export async function consumeBuyerMessage(ctx: AppContext, buyerId: string): Promise<void> {
  try {
    await ctx.buyerMessageLimiter.consume(buyerId);
  } catch (rejection) {
    const wait = rejection instanceof RateLimiterRes ? rejection.msBeforeNext : 1000;
    throw new RateLimitedError('you are sending too fast, wait a moment', wait);
  }
}

/** The buyer's open conversation and its recent messages. */
async function conversationState(storage: Storage, buyer: Buyer) {
  const conversation = (await storage.conversations.findOpenByBuyer(buyer.shopId, buyer.id)) ?? null;
  const messages = conversation
    ? await storage.conversations.listMessages(
        buyer.shopId,
        conversation.id,
        Math.max(0, conversation.lastSeq - 100),
        100,
      )
    : [];
  return { conversation, messages };
}

/** The buyer widget's HTTP side: session (anonymous or identified by the shop), history, send fallback. */
export async function widgetRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { storage, clock } = ctx;
  const auth = routeAuth(ctx);

  app.post(
    '/api/widget/session',
    { config: { rateLimit: { max: ctx.config.WIDGET_SESSIONS_PER_MINUTE, timeWindow: '1 minute' } } },
    async (req) => {
      const input = parse(widgetSessionSchema, req.body);
      const shop = await storage.shops.findShopBySlug(input.shop);
      if (!shop) throw new DomainError('not_found', 'no such shop', 'shop');
      // Issue #13: the demo shop is served only while demo mode is on.
      if (shop.isDemo && (await storage.demo.isClosed(shop.id)))
        throw new DomainError('forbidden', 'demo mode is off: the demo shop takes no buyers', 'shop');
      let buyer: Buyer | undefined;
      if (input.identity) {
        const identity = input.identity;
        const now = clock.now();
        // Only the shop's server knows its secret: a buyer cannot claim to be another buyer, nor
        // change any field of what the shop signed (issue #14: the nick too).
        const check = verifyIdentity(shop.secret, identity, now);
        if (check !== 'ok') {
          throw new DomainError(
            'unauthenticated',
            check === 'expired'
              ? 'the identity signature is expired: sign a new identity for each page'
              : 'the identity signature is invalid',
            'identity.sig',
          );
        }
        // Issue #14: an identity is used once; a replay (its nonce remembered while it could still
        // be fresh) mints no token.
        const first = await storage.kv.claimOnce(
          `identity-nonce:${shop.id}:${identity.nonce}`,
          identity.ts + IDENTITY_MAX_AGE_MS + 60_000,
          now,
        );
        if (!first)
          throw new DomainError(
            'unauthenticated',
            'this identity was already used: sign a new one (a new nonce) for each page',
            'identity.nonce',
          );
        const { externalId } = identity;
        const nick = identity.nick?.trim();
        buyer = await storage.buyers.findOrCreate(shop.id, { externalId }, () =>
          newBuyer(shop, clock, { externalId, visitorId: null, nick: nick ?? `买家${externalId.slice(-4)}` }),
        );
      } else if (input.token) {
        // A token expired, revoked or of the old format is ignored: a new visitor (issue #14).
        const known = await buyerFromToken(storage, ctx.secret, input.token, clock.now());
        // An identified buyer's token is not reused anonymously (the shop page must sign again).
        if (known && known.shop.id === shop.id && known.buyer.externalId === null) buyer = known.buyer;
      }
      let tokenGen = 0;
      if (!buyer) {
        const visitorId = randomUUID();
        buyer = newBuyer(shop, clock, { externalId: null, visitorId, nick: `访客${visitorId.slice(0, 4)}` });
        await storage.buyers.insertBuyer(buyer);
      } else {
        await storage.buyers.touch(shop.id, buyer.id, clock.now());
        tokenGen = (await storage.buyers.findBuyerForToken(shop.id, buyer.id))?.tokenGen ?? 0;
      }
      const state = await conversationState(storage, buyer);
      const body: WidgetSessionResponse = {
        // Issue #14: a fresh token at every session open (sliding expiry), of the buyer's generation.
        token: signBuyerToken(ctx.secret, {
          shopId: shop.id,
          buyerId: buyer.id,
          gen: tokenGen,
          exp: clock.now() + Math.round(ctx.config.BUYER_TOKEN_TTL_DAYS * 24 * 3600_000),
        }),
        buyer: { id: buyer.id, nick: buyer.nick },
        shop: { name: shop.name, serviceHours: shop.serviceHours, welcome: welcomeLine(shop) },
        ...state,
      };
      return body;
    },
  );

  app.get('/api/widget/messages', { preHandler: auth('buyer') }, async (req) => {
    const { buyer } = req.buyer;
    const { after, limit } = parse(messagesQuery, req.query);
    const conversation = (await storage.conversations.findOpenByBuyer(buyer.shopId, buyer.id)) ?? null;
    if (!conversation) return { conversation: null, messages: [] };
    const messages = await ctx.chat.syncMessages(
      buyer.shopId,
      { type: 'buyer', buyerId: buyer.id },
      conversation.id,
      after,
      limit,
    );
    return { conversation, messages };
  });

  app.post('/api/widget/messages', { preHandler: auth('buyer') }, async (req) => {
    const { buyer } = req.buyer;
    const { clientId, ...content } = parse(sendMessageSchema, req.body);
    await consumeBuyerMessage(ctx, buyer.id);
    const r = await ctx.chat.sendBuyerMessage(buyer.shopId, buyer.id, clientId, content);
    return { message: r.message, conversation: r.conversation };
  });
}
