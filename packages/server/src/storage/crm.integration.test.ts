import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import {
  DEFAULT_LOYALTY_LADDER,
  inSegment,
  journeyTemplates,
  segmentBounds,
  startRun,
  tierOf,
  type BuyerId,
  type BuyerSegment,
  type LoyaltyLadder,
  type OrderId,
  type OrderStatus,
  type ShopId,
} from '@xiaoer/core';
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

    it('CRM-1: the database pages and counts exactly the buyers inSegment holds for', async () => {
      // One shop of 60 buyers with orders of every status over 400 days (some on a boundary day),
      // tags from a small set; then segments at random against the same buyers summed up here.
      const shop = await makeShop(storage);
      const now = T0 + 400 * DAY;
      const statuses: OrderStatus[] = ['unpaid', 'paid', 'shipped', 'completed', 'after_sales', 'closed'];
      const TAGS = ['宝妈', '学生', '怕冷', '复购'];
      const world = fc.sample(
        fc.record({
          tags: fc.subarray(TAGS),
          orders: fc.array(
            fc.record({
              day: fc.integer({ min: 0, max: 400 }),
              cents: fc.integer({ min: 1, max: 80_000 }),
              status: fc.constantFrom(...statuses),
            }),
            { maxLength: 6 },
          ),
        }),
        { numRuns: 60, seed: 21 },
      );
      const buyers: {
        id: string;
        tags: string[];
        spentCents: number;
        orders: number;
        lastOrderAt: number | null;
      }[] = [];
      for (const w of world) {
        const buyer = await makeBuyer(storage, shop);
        for (const t of w.tags) await storage.crm.addTag(shop, buyer.id, t, 'api', null, T0);
        for (const o of w.orders)
          await storage.orders.insertOrder({
            id: randomUUID() as OrderId,
            shopId: shop,
            buyerId: buyer.id as BuyerId,
            status: o.status,
            totalCents: o.cents,
            carrier: null,
            trackingNo: null,
            createdAt: T0 + o.day * DAY,
            paidAt: o.status === 'unpaid' ? null : T0 + o.day * DAY,
            shippedAt: null,
            items: [],
            logistics: [],
          });
        const counted = w.orders.filter((o) => o.status !== 'unpaid' && o.status !== 'closed');
        buyers.push({
          id: buyer.id as string,
          tags: w.tags,
          spentCents: counted.reduce((n, o) => n + o.cents, 0),
          orders: counted.length,
          lastOrderAt: w.orders.length ? T0 + Math.max(...w.orders.map((o) => o.day)) * DAY : null,
        });
      }
      // A buyer of another shop, with orders and tags, is never in this shop's segments.
      const stranger = await makeBuyer(storage, other);
      await storage.crm.addTag(other, stranger.id, '宝妈', 'api', null, T0);

      const small: LoyaltyLadder = {
        tiers: [
          { name: 'A', minSpendCents: 30_000, minOrders: 2, discountPercent: 1 },
          { name: 'B', minSpendCents: 90_000, minOrders: 4, discountPercent: 2 },
        ],
      };
      const everyone: LoyaltyLadder = {
        tiers: [{ name: '新客', minSpendCents: 0, minOrders: 0, discountPercent: 0 }, ...small.tiers],
      };
      const segment: fc.Arbitrary<BuyerSegment> = fc.record(
        {
          tags: fc.subarray(TAGS, { minLength: 1 }),
          minSpendCents: fc.integer({ min: 0, max: 150_000 }),
          orderedWithinDays: fc.integer({ min: 1, max: 420 }),
          notOrderedForDays: fc.integer({ min: 1, max: 420 }),
          minTierRank: fc.integer({ min: 0, max: 4 }),
        },
        { requiredKeys: [] },
      );
      await fc.assert(
        fc.asyncProperty(
          segment,
          fc.constantFrom(DEFAULT_LOYALTY_LADDER, small, everyone),
          fc.integer({ min: 1, max: 25 }),
          async (seg, ladder, pageSize) => {
            const want = buyers
              .filter((b) => inSegment(seg, { ...b, tierRank: tierOf(ladder, b).rank }, now))
              .map((b) => b.id)
              .sort();
            const bounds = segmentBounds(seg, ladder, now);
            const got = [];
            for (let after = ''; ;) {
              const page = await storage.crm.segmentPage(shop, bounds, after, pageSize);
              if (page.length === 0) break;
              assert.ok(page.length <= pageSize);
              for (const row of page) {
                const b = buyers.find((x) => x.id === row.buyerId)!;
                assert.deepEqual(
                  [row.spentCents, row.orders, row.lastOrderAt, [...row.tags].sort()],
                  [b.spentCents, b.orders, b.lastOrderAt, [...b.tags].sort()],
                );
              }
              got.push(...page.map((r) => r.buyerId));
              after = page.at(-1)!.buyerId;
            }
            assert.deepEqual(got, want, JSON.stringify(seg));
            assert.equal(await storage.crm.segmentCount(shop, bounds), want.length);
          },
        ),
        { numRuns: 60, seed: 21 },
      );
    });

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
