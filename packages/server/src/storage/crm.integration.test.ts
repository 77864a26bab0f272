import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomUUID } from 'node:crypto';
import { journeyTemplates, startRun, type ShopId } from '@xiaoer/core';
import { testDatabases } from '../../../../tests/support/databases';
import { makeBuyer, makeShop } from '../../../../tests/support/fixtures';
import type { Storage } from './index';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 11, 1, 2, 0);
const winBack = journeyTemplates().find((t) => t.id === 'win-back')!.definition;

for (const engine of testDatabases) {
  describe(`CRM storage on ${engine.name}`, () => {
    let storage: Storage;
    let shopId: ShopId;
    let other: ShopId;
    before(async () => {
      storage = await engine.open();
      shopId = await makeShop(storage);
      other = await makeShop(storage);
    });
    after(() => storage.close());

    async function journey(status: 'draft' | 'active' = 'active', shop: string = shopId) {
      const j = await storage.journeys.create({
        id: randomUUID(),
        shopId: shop,
        name: winBack.name,
        templateId: 'win-back',
        definition: winBack,
        status: 'draft',
        createdBy: 'owner',
        createdAt: T0,
      });
      if (status === 'active')
        assert.ok(await storage.journeys.setStatus(shop, j.id, ['draft'], 'active', T0));
      return (await storage.journeys.find(shop, j.id))!;
    }

    it('CRM-1: tags once each, notes newest first, both per shop', async () => {
      const buyer = await makeBuyer(storage, shopId);
      assert.equal(await storage.crm.addTag(shopId, buyer.id, '宝妈', 'agent', 'a1', T0), true);
      assert.equal(await storage.crm.addTag(shopId, buyer.id, '宝妈', 'api', null, T0 + 1), false);
      await storage.crm.addTag(shopId, buyer.id, '复购', 'accepted', 'a2', T0 + 2);
      assert.deepEqual(
        (await storage.crm.tags(shopId, buyer.id)).map((t) => [t.tag, t.source]),
        [
          ['宝妈', 'agent'],
          ['复购', 'accepted'],
        ],
      );
      assert.deepEqual(await storage.crm.tags(other, buyer.id), [], 'another shop sees none');
      assert.deepEqual((await storage.crm.tagsOf(shopId, [buyer.id])).get(buyer.id)?.sort(), [
        '复购',
        '宝妈',
      ]);
      assert.equal(await storage.crm.removeTag(shopId, buyer.id, '复购'), true);
      assert.equal(await storage.crm.removeTag(shopId, buyer.id, '复购'), false);

      for (const [i, text] of ['怕冷，推荐加厚款', '下次发顺丰'].entries())
        await storage.crm.addNote(shopId, {
          id: randomUUID(),
          buyerId: buyer.id,
          text,
          authorId: 'a1',
          authorName: '小美',
          createdAt: T0 + i,
        });
      const notes = await storage.crm.notes(shopId, buyer.id);
      assert.deepEqual(
        notes.map((n) => n.text),
        ['下次发顺丰', '怕冷，推荐加厚款'],
      );
      assert.equal(
        await storage.crm.deleteNote(other, buyer.id, notes[0]!.id, T0),
        false,
        "another shop's delete",
      );
      assert.equal(await storage.crm.deleteNote(shopId, buyer.id, notes[0]!.id, T0), true);
      assert.deepEqual(
        (await storage.crm.notes(shopId, buyer.id)).map((n) => n.text),
        ['怕冷，推荐加厚款'],
      );
    });

    it('a run starts once per key; a claimed run is held from other nodes and saved by version', async () => {
      const j = await journey();
      const buyer = await makeBuyer(storage, shopId);
      const run = startRun(randomUUID(), j.id, shopId, buyer.id, { orderId: 'T1' }, T0);
      assert.equal(await storage.journeys.startRun(run, `${j.id}:${buyer.id}:T1`, T0), true);
      const again = startRun(randomUUID(), j.id, shopId, buyer.id, { orderId: 'T1' }, T0);
      assert.equal(await storage.journeys.startRun(again, `${j.id}:${buyer.id}:T1`, T0), false);

      assert.deepEqual(await storage.journeys.claimDue('n1', T0 - 1, 30_000, 10), [], 'not due yet');
      const [claimed] = await storage.journeys.claimDue('n1', T0, 30_000, 10);
      assert.equal(claimed?.id, run.id);
      assert.deepEqual(await storage.journeys.claimDue('n2', T0 + 1000, 30_000, 10), [], 'held by n1');
      assert.equal(
        await storage.journeys.saveRun(
          { ...claimed!, step: 1, dueAt: T0 + 30 * DAY },
          claimed!.version,
          'n2',
          T0,
        ),
        false,
      );
      assert.equal(
        await storage.journeys.saveRun(
          { ...claimed!, step: 1, dueAt: T0 + 30 * DAY },
          claimed!.version,
          'n1',
          T0,
        ),
        true,
      );
      assert.equal(
        await storage.journeys.saveRun({ ...claimed!, step: 2 }, claimed!.version, 'n1', T0),
        false,
        'a stale version is refused',
      );
      assert.equal(await storage.journeys.nextDue(), T0 + 30 * DAY);
      // A lapsed claim is taken over by another node.
      const [byN2] = await storage.journeys.claimDue('n2', T0 + 30 * DAY, 30_000, 10);
      assert.equal(byN2?.step, 1);
      const [byN3] = await storage.journeys.claimDue('n3', T0 + 30 * DAY + 30_001, 30_000, 10);
      assert.equal(byN3?.id, run.id);
    });

    it("a paused journey's runs are not claimed; a stopped one's runs end", async () => {
      const j = await journey();
      const buyer = await makeBuyer(storage, shopId);
      const run = startRun(randomUUID(), j.id, shopId, buyer.id, {}, T0);
      await storage.journeys.startRuns([{ run, key: `${j.id}:${buyer.id}:` }], T0);
      assert.ok(await storage.journeys.setStatus(shopId, j.id, ['active'], 'paused', T0));
      const claimed = await storage.journeys.claimDue('n1', T0 + 365 * DAY, 1000, 1000);
      assert.ok(!claimed.some((r) => r.journeyId === j.id));
      assert.ok(await storage.journeys.setStatus(shopId, j.id, ['paused'], 'active', T0));
      assert.equal(await storage.journeys.stopRuns(shopId, j.id, T0), 1);
      const ended = await storage.journeys.findRun(shopId, run.id);
      assert.deepEqual([ended?.status, ended?.stopReason], ['stopped', 'journey_stopped']);
      assert.equal(
        await storage.journeys.setStatus(shopId, j.id, ['draft'], 'active', T0),
        false,
        'not a draft',
      );
    });

    it('a send is recorded once per key; replies and conversions count within the window', async () => {
      const j = await journey();
      const buyer = await makeBuyer(storage, shopId);
      const send = {
        key: `r-${randomUUID()}:3`,
        shopId,
        journeyId: j.id,
        runId: 'r',
        buyerId: buyer.id,
        kind: 'message' as const,
        text: '好久不见',
        couponId: null,
        conversationId: null,
        messageId: null,
        outcome: 'sent' as const,
        at: T0,
      };
      assert.equal(await storage.journeys.recordSend(send), true);
      assert.equal(await storage.journeys.recordSend({ ...send, text: 'again' }), false);
      assert.equal(await storage.journeys.findSend(other, send.key), undefined, "another shop's key");
      assert.equal((await storage.journeys.findSend(shopId, send.key))?.text, '好久不见');
      await storage.journeys.markReplied(shopId, buyer.id, T0 + 3600_000, DAY);
      // win-back attributes for 30 days: an order 40 days later is not this message's.
      await storage.journeys.markConverted(shopId, buyer.id, 'late', T0 + 40 * DAY);
      let stats = await storage.journeys.stats(shopId, j.id);
      assert.deepEqual([stats.sends, stats.replies, stats.conversions], [1, 1, 0]);
      await storage.journeys.markConverted(shopId, buyer.id, 'T9', T0 + 10 * DAY);
      await storage.journeys.markConverted(shopId, buyer.id, 'T10', T0 + 11 * DAY);
      stats = await storage.journeys.stats(shopId, j.id);
      assert.equal(stats.conversions, 1, 'one conversion per message');
    });

    it('a coupon is given once per source key; opt-outs and settings are per shop', async () => {
      const buyer = await makeBuyer(storage, shopId);
      const c = {
        id: randomUUID(),
        shopId,
        buyerId: buyer.id,
        amountCents: 1000,
        minSpendCents: 9900,
        validDays: 30,
        expiresAt: T0 + 30 * DAY,
        source: 'journey' as const,
        sourceKey: `run-${randomUUID()}:2`,
        createdAt: T0,
      };
      const first = await storage.crm.issueCoupon(c);
      const second = await storage.crm.issueCoupon({ ...c, id: randomUUID() });
      assert.equal(second.id, first.id);
      assert.equal(first.validDays, 30);

      assert.equal(await storage.crm.optedOut(shopId, buyer.id), false);
      await storage.crm.optOut(shopId, buyer.id, 'buyer', T0);
      await storage.crm.optOut(shopId, buyer.id, 'agent', T0 + 1);
      assert.equal(await storage.crm.optedOut(shopId, buyer.id), true);
      assert.equal(await storage.crm.optedOut(other, buyer.id), false);
      await storage.crm.optIn(shopId, buyer.id);
      assert.equal(await storage.crm.optedOut(shopId, buyer.id), false);

      assert.deepEqual(await storage.crm.settings(shopId), {});
      const loyalty = { tiers: [{ name: '银卡', minSpendCents: 100, minOrders: 2, discountPercent: 2 }] };
      await storage.crm.saveSettings(shopId, { loyalty }, T0);
      await storage.crm.saveSettings(shopId, { loyalty }, T0 + 1);
      assert.deepEqual(await storage.crm.settings(shopId), { loyalty });
      assert.deepEqual(await storage.crm.settings(other), {});
    });
  });
}
