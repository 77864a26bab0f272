import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeClock, KeyedMutex, type ChatEvent, type ShopId } from '@xiaoer/core';
import { testDatabases } from '../../../../tests/support/databases';
import { makeAgent, makeBuyer, makeShop, newConversation } from '../../../../tests/support/fixtures';
import type { Storage } from '../storage';
import { MetricsService } from './metrics.service';

const T0 = Date.parse('2026-11-29T10:00:00+08:00');

for (const engine of testDatabases) {
  describe(`metrics across nodes on ${engine.name}`, () => {
    let storage: Storage;
    let shopId: ShopId;
    before(async () => {
      storage = await engine.open();
      shopId = await makeShop(storage);
    });
    after(() => storage.close());

    it('a rebuild on one node is not counted again by another node whose messages waited for the lock', async () => {
      const clock = new FakeClock(T0);
      const buyer = await makeBuyer(storage, shopId);
      const agent = await makeAgent(storage, shopId);
      const opened = await storage.conversations.createOrGetOpen(newConversation(shopId, buyer.id, T0));
      const events: ChatEvent[] = [];
      for (const [at, sender] of [
        [T0, 'buyer'],
        [T0 + 60_000, 'agent'],
      ] as const) {
        const { message, conversation } = await storage.conversations.appendMessage(
          shopId,
          opened.id,
          {
            kind: 'text',
            body: { text: sender === 'buyer' ? '在吗' : '在的亲' },
            clientId: `${sender}-1`,
            sender,
            senderId: sender === 'agent' ? agent.id : null,
          },
          at,
        );
        events.push({ type: 'message.created', shopId, conversation, message });
      }
      clock.set(T0 + 120_000);
      // One lock, as the cluster's advisory lock is one for every node.
      const lock = new KeyedMutex();
      const nodeA = new MetricsService(storage, clock, lock);
      const nodeB = new MetricsService(storage, clock, lock);
      let release!: () => void;
      const held = lock.run(shopId, () => new Promise<void>((r) => (release = r)));
      const rebuilt = nodeA.rebuild(shopId); // waits for the lock, first in line
      await new Promise((r) => setImmediate(r));
      const ingested = Promise.all(events.map((e) => nodeB.ingest(e))); // in line after the rebuild
      release();
      await held;
      assert.equal((await rebuilt).messages, 2);
      await ingested;
      const date = await nodeA.today(shopId);
      const live = await nodeB.day(shopId, date);
      await nodeA.rebuild(shopId);
      assert.deepEqual(await nodeB.day(shopId, date), live, 'the same figures as a clean rebuild');
      assert.equal(live.shop.firstResponse.n, 1, 'the reply counted once');
    });
  });
}
