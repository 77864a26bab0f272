/**
 * The HTTP API in process (Fastify `inject`), the buyer profile: every route's happy path and its
 * bad input. Bad input must get a 4xx with `{error: {code, message, field?}}` naming the field,
 * write nothing, and leave the process serving. No response in this file may be a 5xx.
 * (One of the files split by route area from tests/scenarios/http-api.test.ts in issue #20; the
 * shared helpers are in tests/support/http-api.ts.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  newConversation as openedConversation,
  type ConversationId,
  type BuyerId,
  type Order,
  type OrderId,
} from '@xiaoer/core';
import { apiHelpers, assertError, DAY_MS, DEMO_SHOP, ok, startApiServer } from '../../support/http-api';
import { AGENT_PASSWORD, loginCookie, type TestServer } from '../../support/server';

describe('HTTP API in process', () => {
  let t: TestServer;
  /** Session cookies by agent id. */
  const cookies: Record<string, string> = {};
  let owner: string;
  let agent1: string;

  const { api } = apiHelpers(() => ({ t, cookies, owner }));

  before(async () => {
    ({ t, owner, agent1 } = await startApiServer(cookies));
  });
  after(() => t.close());

  // ------------------------------------------------------------------ buyers
  describe('buyer profile', () => {
    it('CRM-1 the profile shows the buyer and orders of the last 90 days only, newest first', async () => {
      const buyerId = 'buyer-demo-10' as BuyerId;
      const order = (id: string, ageDays: number): Order => ({
        id: id as OrderId,
        shopId: DEMO_SHOP,
        buyerId,
        status: 'completed',
        totalCents: 1000,
        carrier: null,
        trackingNo: null,
        createdAt: Date.now() - ageDays * DAY_MS,
        paidAt: null,
        shippedAt: null,
        items: [],
        logistics: [],
      });
      await t.storage.orders.insertOrder(order('DD-OLD-100', 100));
      await t.storage.orders.insertOrder(order('DD-OLD-89', 89));
      const profile = ok<{ buyer: { id: string; nick: string; phone: string }; orders: Order[] }>(
        await api('GET', `/api/buyers/${buyerId}/profile`, { cookie: owner }),
      );
      assert.equal(profile.buyer.id, buyerId);
      assert.match(profile.buyer.phone, /^1\d{10}$/, 'full number for the owner');
      const ids = profile.orders.map((o) => o.id);
      assert.ok(ids.includes('DD-OLD-89' as OrderId), 'an 89-day-old order is shown');
      assert.ok(!ids.includes('DD-OLD-100' as OrderId), 'a 100-day-old order is not');
      assert.ok(profile.orders.every((o) => o.buyerId === buyerId));
      assert.ok(profile.orders.every((o) => o.createdAt >= Date.now() - 90 * DAY_MS));
      for (let i = 1; i < profile.orders.length; i++) {
        assert.ok(profile.orders[i - 1]!.createdAt >= profile.orders[i]!.createdAt, 'newest first');
      }
      assert.ok(profile.orders.length >= 2);
    });

    it('an unknown buyer is 404 naming buyerId; an over-long id is 400; no session is 401', async () => {
      assertError(
        await api('GET', '/api/buyers/buyer-nobody/profile', { cookie: agent1 }),
        404,
        'not_found',
        'buyerId',
      );
      assertError(
        await api('GET', `/api/buyers/${'b'.repeat(65)}/profile`, { cookie: agent1 }),
        400,
        'validation_failed',
        'buyerId',
      );
      assertError(await api('GET', '/api/buyers/buyer-demo-01/profile'), 401, 'unauthenticated');
    });

    it('CMP-7 outsourced agents see masked phone numbers', async () => {
      ok(
        await api('POST', '/api/admin/agents', {
          cookie: owner,
          payload: {
            email: 'wb@outsource.example',
            name: '外包小王',
            password: AGENT_PASSWORD,
            role: 'outsourced',
          },
        }),
        201,
      );
      const outsourced = await loginCookie(t.server, 'wb@outsource.example', AGENT_PASSWORD);
      // Issue #14: agents read the profile of a buyer whose conversation they may read (the bot's: all).
      await t.storage.conversations.createOrGetOpen(
        openedConversation(
          'conv-cmp7-bot' as ConversationId,
          DEMO_SHOP,
          'buyer-demo-07' as BuyerId,
          Date.now(),
          { status: 'bot' },
        ),
      );
      const phoneAs = async (cookie: string) =>
        ok<{ buyer: { phone: string } }>(await api('GET', '/api/buyers/buyer-demo-07/profile', { cookie }))
          .buyer.phone;
      const full = await phoneAs(agent1);
      const masked = await phoneAs(outsourced);
      assert.match(full, /^1\d{10}$/);
      assert.equal(masked, `${full.slice(0, 3)}****${full.slice(-4)}`);
      assert.ok(!masked.includes(full.slice(3, 7)), 'the middle digits are hidden');
    });
  });
});
