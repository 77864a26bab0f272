import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BuyerId, ConversationId, MessageDraft, OrderId, ProductId, ShopId } from '@xiaoer/core';
import { testDatabases } from '../../../../tests/support/databases';
import { makeAgent, makeBuyer, makeShop, newConversation } from '../../../../tests/support/fixtures';
import type { Storage } from './index';

const text = (clientId: string, t: string, sender: MessageDraft['sender'] = 'buyer'): MessageDraft => ({
  kind: 'text',
  body: { text: t },
  clientId,
  sender,
  senderId: null,
});

for (const engine of testDatabases) {
  describe(`storage on ${engine.name}`, () => {
    let storage: Storage;
    let shopId: ShopId;
    before(async () => {
      storage = await engine.open();
      shopId = await makeShop(storage);
    });
    after(() => storage.close());

    async function openConversation(): Promise<{ conversationId: ConversationId; buyerId: BuyerId }> {
      const buyer = await makeBuyer(storage, shopId);
      const c = await storage.conversations.createOrGetOpen(newConversation(shopId, buyer.id));
      return { conversationId: c.id, buyerId: buyer.id };
    }

    it('appends messages with consecutive sequence numbers and reads them back after a seq', async () => {
      const { conversationId } = await openConversation();
      for (let i = 1; i <= 5; i++) {
        const r = await storage.conversations.appendMessage(
          shopId,
          conversationId,
          text(`c${i}`, `消息${i}`),
          1000 + i,
        );
        assert.equal(r.message.seq, i);
        assert.equal(r.duplicate, false);
      }
      const after2 = await storage.conversations.listMessages(shopId, conversationId, 2, 100);
      assert.deepEqual(
        after2.map((m) => [m.seq, m.kind === 'text' ? m.body.text : '']),
        [
          [3, '消息3'],
          [4, '消息4'],
          [5, '消息5'],
        ],
      );
    });

    it('a retried client id returns the stored message and stores nothing new', async () => {
      const { conversationId } = await openConversation();
      const first = await storage.conversations.appendMessage(
        shopId,
        conversationId,
        text('same', '你好'),
        1,
      );
      const again = await storage.conversations.appendMessage(
        shopId,
        conversationId,
        text('same', '你好'),
        2,
      );
      assert.equal(again.duplicate, true);
      assert.equal(again.message.id, first.message.id);
      assert.equal(again.conversation.lastSeq, 1);
      assert.equal((await storage.conversations.listMessages(shopId, conversationId, 0, 10)).length, 1);
    });

    it('concurrent appends get distinct gap-free seqs; concurrent retries store one message', async () => {
      const { conversationId } = await openConversation();
      const drafts = Array.from({ length: 40 }, (_, i) => text(`p${i}`, `并发${i}`));
      // Every draft twice, all at once: 80 appends, 40 messages.
      const results = await Promise.all(
        [...drafts, ...drafts].map((d, i) =>
          storage.conversations.appendMessage(shopId, conversationId, d, i),
        ),
      );
      const stored = await storage.conversations.listMessages(shopId, conversationId, 0, 200);
      assert.equal(stored.length, 40);
      assert.deepEqual(
        stored.map((m) => m.seq),
        Array.from({ length: 40 }, (_, i) => i + 1),
      );
      assert.equal(results.filter((r) => r.duplicate).length, 40);
    });

    it('keeps one open conversation per buyer even when two are created at once', async () => {
      const buyer = await makeBuyer(storage, shopId);
      const [a, b] = await Promise.all([
        storage.conversations.createOrGetOpen(newConversation(shopId, buyer.id)),
        storage.conversations.createOrGetOpen(newConversation(shopId, buyer.id)),
      ]);
      assert.equal(a.id, b.id);
      await storage.conversations.updateConversation(shopId, a.id, { status: 'ended', endedAt: 5 });
      const next = await storage.conversations.createOrGetOpen(newConversation(shopId, buyer.id));
      assert.notEqual(next.id, a.id, 'an ended conversation does not block a new one');
    });

    it('tracks unread counts and waiting time as buyer and shop speak', async () => {
      const { conversationId } = await openConversation();
      await storage.conversations.appendMessage(shopId, conversationId, text('b1', '在吗'), 100);
      const r2 = await storage.conversations.appendMessage(shopId, conversationId, text('b2', '有人吗'), 200);
      assert.equal(r2.conversation.agentUnread, 2);
      assert.equal(r2.conversation.waitingSince, 100, 'waiting since the first unanswered message');
      const r3 = await storage.conversations.appendMessage(
        shopId,
        conversationId,
        text('a1', '您好', 'agent'),
        300,
      );
      assert.equal(r3.conversation.waitingSince, null);
      assert.equal(r3.conversation.buyerUnread, 1);
      assert.equal(r3.conversation.lastMessagePreview, '您好');
    });

    it("never returns another shop's conversation or messages (TEAM-4)", async () => {
      const { conversationId } = await openConversation();
      await storage.conversations.appendMessage(shopId, conversationId, text('x', '秘密'), 1);
      const otherShop = await makeShop(storage);
      assert.equal(await storage.conversations.findConversation(otherShop, conversationId), undefined);
      assert.deepEqual(await storage.conversations.listMessages(otherShop, conversationId, 0, 10), []);
      await assert.rejects(
        storage.conversations.appendMessage(otherShop, conversationId, text('y', '注入'), 2),
      );
      assert.equal((await storage.conversations.listMessages(shopId, conversationId, 0, 10)).length, 1);
    });

    it('counts assigned conversations per agent and lists by status oldest first', async () => {
      const agent = await makeAgent(storage, shopId);
      const one = await openConversation();
      const two = await openConversation();
      await storage.conversations.updateConversation(shopId, one.conversationId, {
        status: 'assigned',
        agentId: agent.id,
      });
      await storage.conversations.updateConversation(shopId, two.conversationId, {
        status: 'assigned',
        agentId: agent.id,
      });
      const loads = await storage.conversations.countAssignedByAgent(shopId);
      assert.equal(loads.get(agent.id), 2);
      const queued = await storage.conversations.listByStatus(shopId, 'queued', 100);
      assert.ok(queued.every((c, i) => i === 0 || queued[i - 1]!.createdAt <= c.createdAt));
    });

    it('stores orders with items and logistics, lists a buyer’s recent ones newest first', async () => {
      const buyer = await makeBuyer(storage, shopId);
      const base = {
        shopId,
        buyerId: buyer.id,
        carrier: '顺丰',
        trackingNo: 'SF1',
        paidAt: null,
        shippedAt: null,
      };
      await storage.orders.insertOrder({
        ...base,
        id: `o-old-${buyer.id}` as OrderId,
        status: 'completed',
        totalCents: 100,
        createdAt: 1_000,
        items: [],
        logistics: [],
      });
      await storage.orders.insertOrder({
        ...base,
        id: `o-new-${buyer.id}` as OrderId,
        status: 'shipped',
        totalCents: 9900,
        createdAt: 5_000,
        items: [{ productId: 'p1' as ProductId, title: '保温杯', quantity: 2, priceCents: 4950 }],
        logistics: [{ at: 5_500, description: '已揽收' }],
      });
      const recent = await storage.orders.listBuyerOrders(shopId, buyer.id, 2_000);
      assert.equal(recent.length, 1);
      assert.equal(recent[0]!.items[0]!.title, '保温杯');
      assert.equal(recent[0]!.logistics[0]!.description, '已揽收');
    });

    it('a kept value (the buyer-token secret) is made once: a racing first call and every later one get the stored one', async () => {
      let made = 0;
      const make = () => `value-${++made}`;
      const [a, b] = await Promise.all([
        storage.kv.findOrCreate('kept-once', make),
        storage.kv.findOrCreate('kept-once', make),
      ]);
      assert.equal(a, b);
      assert.match(a, /^value-[12]$/);
      assert.equal(await storage.kv.findOrCreate('kept-once', make), a);
      assert.ok(made <= 2, `made ${made} values`);
    });

    it('round-trips an uploaded image byte for byte', async () => {
      const data = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]);
      await storage.uploads.insertUpload({
        id: `u-${shopId}`,
        shopId,
        contentType: 'image/png',
        data,
        uploadedBy: 'x',
        createdAt: 1,
      });
      const found = await storage.uploads.findUpload(`u-${shopId}`);
      assert.ok(found);
      assert.deepEqual(Buffer.from(found.data), data);
      assert.equal(Number(found.size), data.length);
    });
  });
}
