import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import {
  ChatService,
  DomainError,
  FakeClock,
  randomIds,
  RoutingService,
  silentLogger,
  type Agent,
  type ChatEvent,
  type ShopId,
} from '@xiaoer/core';
import type { Storage } from '../../packages/server/src/storage';
import { testDatabases } from '../support/databases';
import { makeAgent, makeBuyer, makeShop } from '../support/fixtures';

const hello = { kind: 'text' as const, body: { text: '你好' } };

for (const engine of testDatabases) {
  describe(`conversations and placeholder assignment on ${engine.name}`, () => {
    let storage: Storage | undefined;
    afterEach(async () => {
      await storage?.close();
      storage = undefined;
    });

    async function setup(agentFields: Partial<Agent>[]) {
      storage = await engine.open();
      const shopId = await makeShop(storage);
      const agents: Agent[] = [];
      for (const [i, f] of agentFields.entries())
        agents.push(await makeAgent(storage, shopId, { createdAt: i, ...f }));
      const events: ChatEvent[] = [];
      const clock = new FakeClock();
      const sink = { publish: (e: ChatEvent) => events.push(e) };
      const routing = new RoutingService({
        conversations: storage.conversations,
        agents: storage.agents,
        store: storage.routing,
        events: sink,
        clock,
        ids: randomIds,
        logger: silentLogger,
      });
      const chat = new ChatService({
        conversations: storage.conversations,
        agents: storage.agents,
        orders: storage.orders,
        events: sink,
        clock,
        ids: randomIds,
        routing,
      });
      return { storage, shopId, agents, chat, routing, events, clock };
    }

    async function buyerSays(s: Storage, chat: ChatService, shopId: ShopId, text = '你好') {
      const buyer = await makeBuyer(s, shopId);
      const r = await chat.sendBuyerMessage(shopId, buyer.id, `c-${buyer.id}`, {
        kind: 'text',
        body: { text },
      });
      return r.conversation;
    }

    it('RT-2 spreads new buyers evenly over online agents', async () => {
      const { storage: s, shopId, agents, chat } = await setup([{}, {}, {}]);
      for (let i = 0; i < 6; i++) await buyerSays(s, chat, shopId);
      const loads = await s.conversations.countAssignedByAgent(shopId);
      assert.deepEqual(
        agents.map((a) => loads.get(a.id)),
        [2, 2, 2],
      );
    });

    it('RT-4 caps hold when many buyers arrive at once; the rest wait in the queue', async () => {
      const { storage: s, shopId, agents, chat } = await setup([{ maxConcurrent: 3 }, { maxConcurrent: 2 }]);
      await Promise.all(Array.from({ length: 12 }, () => buyerSays(s, chat, shopId)));
      const loads = await s.conversations.countAssignedByAgent(shopId);
      assert.equal(loads.get(agents[0]!.id), 3);
      assert.equal(loads.get(agents[1]!.id), 2);
      assert.equal((await s.conversations.listByStatus(shopId, 'queued', 100)).length, 7);
    });

    it('RT-9 ending a conversation frees the slot at once and the oldest queued buyer takes it', async () => {
      const { storage: s, shopId, agents, chat, clock } = await setup([{ maxConcurrent: 1 }]);
      const first = await buyerSays(s, chat, shopId);
      clock.advance(1000);
      const second = await buyerSays(s, chat, shopId);
      clock.advance(1000);
      await buyerSays(s, chat, shopId);
      assert.equal(second.status, 'queued');
      const actor = { type: 'agent' as const, agentId: agents[0]!.id, isAdmin: false };
      const ended = await chat.endConversation(shopId, actor, first.id);
      assert.equal(ended.status, 'ended');
      const next = await s.conversations.findConversation(shopId, second.id);
      assert.equal(next?.status, 'assigned');
      assert.equal(next?.agentId, agents[0]!.id);
      const messages = await s.conversations.listMessages(shopId, first.id, 0, 10);
      assert.equal(messages.at(-1)?.kind, 'system', 'the buyer is told the conversation ended');
    });

    it('RT-8 queued buyers are assigned the moment an agent comes online; hung-up agents take none', async () => {
      const {
        storage: s,
        shopId,
        agents,
        chat,
        routing,
      } = await setup([{ status: 'offline' }, { status: 'hung_up' }]);
      const c = await buyerSays(s, chat, shopId);
      assert.equal(c.status, 'queued');
      await routing.setAgentStatus(shopId, agents[1]!.id, 'hung_up');
      assert.equal((await s.conversations.findConversation(shopId, c.id))?.status, 'queued');
      await routing.setAgentStatus(shopId, agents[0]!.id, 'online');
      const after = await s.conversations.findConversation(shopId, c.id);
      assert.equal(after?.agentId, agents[0]!.id);
    });

    it('RT-8 a shop with only its owner sends every buyer to the owner', async () => {
      const { storage: s, shopId, agents, chat } = await setup([{ role: 'owner', takesRouting: false }]);
      const c = await buyerSays(s, chat, shopId);
      assert.equal(c.agentId, agents[0]!.id);
    });

    it('RT-10 transfer: agents respect the target cap, admins may go beyond it; the old agent loses access', async () => {
      const {
        storage: s,
        shopId,
        agents,
        chat,
        routing,
        events,
      } = await setup([{ maxConcurrent: 5 }, { maxConcurrent: 1 }, { role: 'admin', takesRouting: false }]);
      const [a, b, admin] = agents as [Agent, Agent, Agent];
      const c1 = await buyerSays(s, chat, shopId);
      const c2 = await buyerSays(s, chat, shopId);
      const c3 = await buyerSays(s, chat, shopId);
      assert.equal(c2.agentId, b.id);
      const onA = [c1, c3].filter((c) => c.agentId === a.id);
      assert.equal(onA.length, 2);
      const asA = { type: 'agent' as const, agentId: a.id, isAdmin: false };
      await assert.rejects(
        routing.transferConversation(shopId, asA, onA[0]!.id, { agentId: b.id }),
        (e: DomainError) => e.code === 'agent_unavailable',
      );
      const asAdmin = { type: 'agent' as const, agentId: admin.id, isAdmin: true };
      const moved = await routing.transferConversation(shopId, asAdmin, onA[0]!.id, { agentId: b.id });
      assert.equal(moved.agentId, b.id);
      assert.ok(events.some((e) => e.type === 'conversation.updated' && e.previousAgentId === a.id));
      await assert.rejects(
        chat.sendAgentMessage(shopId, asA, onA[0]!.id, 'x', hello),
        (e: DomainError) => e.code === 'conversation_not_yours',
      );
    });

    it('a message is announced once, after it is stored; a retry announces nothing', async () => {
      const { storage: s, shopId, chat, events } = await setup([{}]);
      const buyer = await makeBuyer(s, shopId);
      await chat.sendBuyerMessage(shopId, buyer.id, 'same', hello);
      await chat.sendBuyerMessage(shopId, buyer.id, 'same', hello);
      // (the line telling the buyer who took them is a message of its own, BOT-3)
      const created = events.filter((e) => e.type === 'message.created' && e.message.sender === 'buyer');
      assert.equal(created.length, 1);
      const stored = await s.conversations.listMessages(
        shopId,
        created[0]!.type === 'message.created' ? created[0]!.message.conversationId : ('' as never),
        0,
        10,
      );
      assert.deepEqual(
        stored.map((m) => m.sender),
        ['buyer', 'system'],
        'the message once, and the line telling the buyer who took them (BOT-3)',
      );
    });

    it('CRM-1 an order card shows only the buyer’s own order', async () => {
      const { storage: s, shopId, agents, chat } = await setup([{}]);
      const c = await buyerSays(s, chat, shopId);
      const other = await makeBuyer(s, shopId);
      const base = {
        shopId,
        carrier: null,
        trackingNo: null,
        paidAt: null,
        shippedAt: null,
        logistics: [],
        createdAt: 1,
      };
      await s.orders.insertOrder({
        ...base,
        id: `mine-${c.id}` as never,
        buyerId: c.buyerId,
        status: 'paid',
        totalCents: 100,
        items: [],
      });
      await s.orders.insertOrder({
        ...base,
        id: `theirs-${c.id}` as never,
        buyerId: other.id,
        status: 'paid',
        totalCents: 100,
        items: [],
      });
      const actor = { type: 'agent' as const, agentId: agents[0]!.id, isAdmin: false };
      const card = await chat.sendOrderCard(shopId, actor, c.id, 'card-1', `mine-${c.id}`);
      assert.equal(card.message.kind, 'order_card');
      await assert.rejects(
        chat.sendOrderCard(shopId, actor, c.id, 'card-2', `theirs-${c.id}`),
        (e: DomainError) => e.field === 'orderId',
      );
    });
  });
}
