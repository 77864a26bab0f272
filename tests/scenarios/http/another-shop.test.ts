/**
 * The HTTP API in process (Fastify `inject`), TEAM-4 another shop: every route's happy path and its
 * bad input. Bad input must get a 4xx with `{error: {code, message, field?}}` naming the field,
 * write nothing, and leave the process serving. No response in this file may be a 5xx.
 * (One of the files split by route area from tests/scenarios/http-api.test.ts in issue #20; the
 * shared helpers are in tests/support/http-api.ts.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BuyerId, OrderId, QuickReplyId, ShopId } from '@xiaoer/core';
import type { InjectOptions } from 'fastify';
import { makeAgent, makeBuyer, makeShop } from '../../support/fixtures';
import {
  type AgentJson,
  apiHelpers,
  assertError,
  type ConversationJson,
  DAY_MS,
  DEMO_SHOP,
  ok,
  type QuickReplyJson,
  startApiServer,
} from '../../support/http-api';
import { loginCookie, type TestServer } from '../../support/server';

describe('HTTP API in process', () => {
  let t: TestServer;
  /** Session cookies by agent id. */
  const cookies: Record<string, string> = {};
  let owner: string;
  let agent1: string;

  const { api, buyerSays, holderCookie, conversationNow } = apiHelpers(() => ({ t, cookies, owner }));

  before(async () => {
    ({ t, owner, agent1 } = await startApiServer(cookies));
  });
  after(() => t.close());

  // ------------------------------------------------------------------ another shop
  describe('TEAM-4 another shop', () => {
    let otherShop: ShopId;
    let otherConversationId: string;
    let otherBuyerId: BuyerId;
    let otherAgentId: string;
    let otherOwner: string;
    let otherOrderId: OrderId;
    let otherReplyId: QuickReplyId;

    before(async () => {
      otherShop = await makeShop(t.storage);
      const agent = await makeAgent(t.storage, otherShop, { status: 'online' });
      otherAgentId = agent.id;
      await makeAgent(t.storage, otherShop, {
        role: 'owner',
        email: 'owner@other.example',
        status: 'offline',
      });
      otherOwner = await loginCookie(t.server, 'owner@other.example');
      const buyer = await makeBuyer(t.storage, otherShop, '别家买家');
      otherBuyerId = buyer.id;
      const sent = await t.server.ctx.chat.sendBuyerMessage(otherShop, buyer.id, 'o-1', {
        kind: 'text',
        body: { text: '别家的会话' },
      });
      otherConversationId = sent.conversation.id;
      otherOrderId = 'DD-OTHER-1' as OrderId;
      await t.storage.orders.insertOrder({
        id: otherOrderId,
        shopId: otherShop,
        buyerId: buyer.id,
        status: 'paid',
        totalCents: 100,
        carrier: null,
        trackingNo: null,
        createdAt: Date.now() - DAY_MS,
        paidAt: Date.now() - DAY_MS,
        shippedAt: null,
        items: [],
        logistics: [],
      });
      otherReplyId = 'qr-other-1' as QuickReplyId;
      await t.storage.quickReplies.insertQuickReply({
        id: otherReplyId,
        shopId: otherShop,
        ownerId: null,
        title: '发货别家',
        text: '别家的快捷回复',
        imageUrl: null,
        createdAt: Date.now(),
      });
    });

    it("TEAM-4 another shop's conversation is not found on every route, and nothing is written to it", async () => {
      const id = otherConversationId;
      const routes: [InjectOptions['method'], string, object | undefined][] = [
        ['GET', `/api/conversations/${id}`, undefined],
        ['GET', `/api/conversations/${id}/messages`, undefined],
        [
          'POST',
          `/api/conversations/${id}/messages`,
          { clientId: 'leak', kind: 'text', body: { text: 'x' } },
        ],
        ['POST', `/api/conversations/${id}/order-card`, { clientId: 'leak2', orderId: otherOrderId }],
        ['POST', `/api/conversations/${id}/read`, { seq: 1 }],
        ['POST', `/api/conversations/${id}/end`, undefined],
        ['POST', `/api/conversations/${id}/transfer`, { toAgentId: 'agent-demo-1' }],
      ];
      for (const [method, url, payload] of routes) {
        for (const cookie of [owner, agent1]) {
          assertError(await api(method, url, { cookie, payload }), 404, 'not_found', 'conversationId');
        }
      }
      const c = await t.storage.conversations.findConversation(otherShop, id as never);
      assert.equal(c?.lastSeq, 2);
      assert.equal(c?.status, 'assigned');
      assert.equal(c?.agentId, otherAgentId);
      assert.equal(c?.agentReadSeq, 0);
      const lists = ok<{ conversations: ConversationJson[] }>(
        await api('GET', '/api/conversations?limit=200', { cookie: owner }),
      );
      assert.ok(lists.conversations.every((x) => x.shopId === DEMO_SHOP));
    });

    it("TEAM-4 another shop's owner sees none of the demo shop's conversations", async () => {
      const { conversation } = await buyerSays('本店的');
      const mine = ok<{ conversations: ConversationJson[] }>(
        await api('GET', '/api/conversations?limit=200', { cookie: otherOwner }),
      );
      assert.ok(mine.conversations.some((c) => c.id === otherConversationId));
      assert.ok(mine.conversations.every((c) => c.shopId === otherShop));
      assertError(
        await api('GET', `/api/conversations/${conversation.id}`, { cookie: otherOwner }),
        404,
        'not_found',
        'conversationId',
      );
      assertError(
        await api('GET', '/api/buyers/buyer-demo-01/profile', { cookie: otherOwner }),
        404,
        'not_found',
        'buyerId',
      );
    });

    it("TEAM-4 another shop's buyer profile is not found", async () => {
      assertError(
        await api('GET', `/api/buyers/${otherBuyerId}/profile`, { cookie: owner }),
        404,
        'not_found',
        'buyerId',
      );
    });

    it("TEAM-4 another shop's order cannot be sent as a card", async () => {
      const { conversation } = await buyerSays('订单卡片');
      assertError(
        await api('POST', `/api/conversations/${conversation.id}/order-card`, {
          cookie: holderCookie(conversation),
          payload: { clientId: 'foreign-card', orderId: otherOrderId },
        }),
        400,
        'validation_failed',
        'orderId',
      );
      assert.equal((await conversationNow(conversation.id)).lastSeq, 2);
    });

    it("TEAM-4 another shop's agents are not transfer targets, not editable, not listed", async () => {
      const { conversation } = await buyerSays('转给别家');
      assertError(
        await api('POST', `/api/conversations/${conversation.id}/transfer`, {
          cookie: holderCookie(conversation),
          payload: { toAgentId: otherAgentId },
        }),
        400,
        'validation_failed',
        'toAgentId',
      );
      assertError(
        await api('PATCH', `/api/admin/agents/${otherAgentId}`, {
          cookie: owner,
          payload: { maxConcurrent: 1 },
        }),
        404,
        'not_found',
        'agentId',
      );
      assert.equal((await t.storage.agents.findAgent(otherShop, otherAgentId as never))?.maxConcurrent, 10);
      for (const url of ['/api/agents', '/api/admin/agents']) {
        const { agents } = ok<{ agents: AgentJson[] }>(await api('GET', url, { cookie: owner }));
        assert.ok(
          agents.every((a) => a.shopId === DEMO_SHOP),
          url,
        );
      }
    });

    it("TEAM-4 another shop's quick replies are invisible and cannot be changed", async () => {
      const { quickReplies } = ok<{ quickReplies: QuickReplyJson[] }>(
        await api('GET', '/api/quick-replies?q=fh', { cookie: owner }),
      );
      assert.ok(!quickReplies.some((q) => q.id === otherReplyId));
      assertError(
        await api('PATCH', `/api/quick-replies/${otherReplyId}`, {
          cookie: owner,
          payload: { text: '改别家' },
        }),
        404,
        'not_found',
        'id',
      );
      assertError(
        await api('DELETE', `/api/quick-replies/${otherReplyId}`, { cookie: owner }),
        404,
        'not_found',
        'id',
      );
      assert.equal(
        (await t.storage.quickReplies.findQuickReply(otherShop, otherReplyId))?.text,
        '别家的快捷回复',
      );
    });
  });
});
