import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { AgentId, BuyerId, ShopId } from '@xiaoer/core';
import { freshPostgresUrl } from '../../../../tests/support/databases';
import { openDatabase } from './db';
import { migrateToLatest } from './migrations';
import { openStorage } from './index';

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`migration 0009_team on ${engine}`, () => {
    it('TEAM-4 an install from before organisations keeps its agents, logins and sessions; its demo shop is marked', async () => {
      const url =
        engine === 'sqlite'
          ? `sqlite:${process.env.TMPDIR ?? '/tmp'}/xiaoer-mig-${process.pid}-${Date.now()}.db`
          : await freshPostgresUrl();
      const db = openDatabase(url);
      await migrateToLatest(db, '0008_timers');
      const k = db.kysely as never as import('kysely').Kysely<Record<string, Record<string, unknown>>>;
      for (const [id, slug] of [
        ['shop-demo', 'demo'],
        ['shop-real', 'real'],
      ])
        await k
          .insertInto('shops')
          .values({
            id,
            slug,
            name: slug,
            secret: 's',
            time_zone: 'Asia/Shanghai',
            service_hours: 'x',
            created_at: 1,
          })
          .execute();
      await k
        .insertInto('agents')
        .values({
          id: 'a-owner',
          shop_id: 'shop-real',
          email: 'owner@real.cn',
          name: '店主',
          password_hash: 'h',
          role: 'owner',
          status: 'online',
          max_concurrent: 50,
          takes_routing: 0,
          created_at: 1,
        })
        .execute();
      await k
        .insertInto('agents')
        .values({
          id: 'a-1',
          shop_id: 'shop-real',
          email: 'a1@real.cn',
          name: '小美',
          password_hash: 'h1',
          role: 'agent',
          status: 'hung_up',
          max_concurrent: 7,
          takes_routing: 1,
          created_at: 2,
        })
        .execute();
      await k
        .insertInto('sessions')
        .values({ token_hash: 't', agent_id: 'a-1', shop_id: 'shop-real', created_at: 1, expires_at: 9e12 })
        .execute();
      await db.close();

      const storage = await openStorage(url);
      try {
        const shop = (await storage.shops.findShop('shop-real' as ShopId))!;
        assert.equal(shop.isDemo, false);
        assert.equal((await storage.shops.findShop('shop-demo' as ShopId))!.isDemo, true);
        const org = (await storage.agents.findOrganisation(shop.orgId))!;
        assert.equal(org.ownerId, 'a-owner');
        const a1 = (await storage.agents.findAgent(shop.id, 'a-1' as AgentId))!;
        assert.equal(a1.email, 'a1@real.cn');
        assert.equal(a1.role, 'agent');
        assert.equal(a1.maxConcurrent, 7);
        assert.equal(a1.takesRouting, true);
        // RT-8: nobody is here until their workbench connects; the status they had is theirs then.
        assert.equal(a1.status, 'offline');
        assert.equal(a1.chosenStatus, 'hung_up');
        assert.equal((await storage.agents.findAccountForLogin('a1@real.cn'))!.passwordHash, 'h1');
        assert.equal((await storage.sessions.findSession('t', 0))!.agent_id, 'a-1');
      } finally {
        await storage.close();
        if (engine === 'sqlite')
          for (const end of ['', '-wal', '-shm']) rmSync(url.slice(7) + end, { force: true });
      }
    });
  });
}

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`migration 0010_buyer_tokens on ${engine}`, () => {
    it('issue #14 buyers start at token generation 0 and keep everything; kv keys kept without expiry', async () => {
      const url =
        engine === 'sqlite'
          ? `sqlite:${process.env.TMPDIR ?? '/tmp'}/xiaoer-mig10-${process.pid}-${Date.now()}.db`
          : await freshPostgresUrl();
      const db = openDatabase(url);
      await migrateToLatest(db, '0009_team');
      const k = db.kysely as never as import('kysely').Kysely<Record<string, Record<string, unknown>>>;
      await k
        .insertInto('shops')
        .values({
          id: 'shop-1',
          slug: 'one',
          name: 'one',
          secret: 's',
          time_zone: 'Asia/Shanghai',
          service_hours: 'x',
          created_at: 1,
        })
        .execute();
      await k
        .insertInto('buyers')
        .values({
          id: 'b-1',
          shop_id: 'shop-1',
          external_id: 'tb1',
          visitor_id: null,
          nick: '小明',
          phone: null,
          created_at: 1,
          last_seen_at: 2,
        })
        .execute();
      await k.insertInto('kv').values({ key: 'secret', value: 'kept-secret' }).execute();
      await db.close();

      const storage = await openStorage(url);
      try {
        const found = (await storage.buyers.findBuyerForToken('shop-1' as ShopId, 'b-1' as BuyerId))!;
        assert.equal(found.tokenGen, 0);
        assert.equal(found.buyer.nick, '小明');
        assert.equal(found.buyer.externalId, 'tb1');
        assert.ok(await storage.buyers.revokeTokens('shop-1' as ShopId, 'b-1' as BuyerId));
        assert.equal(
          (await storage.buyers.findBuyerForToken('shop-1' as ShopId, 'b-1' as BuyerId))!.tokenGen,
          1,
        );
        await storage.kv.pruneExpired(Number.MAX_SAFE_INTEGER);
        const secret = await storage.db.kysely
          .selectFrom('kv')
          .select('value')
          .where('key', '=', 'secret')
          .executeTakeFirst();
        assert.equal(secret?.value, 'kept-secret', 'a key without expiry is never pruned');
        assert.equal(await storage.kv.claimOnce('n', 100, 50), true);
        assert.equal(await storage.kv.claimOnce('n', 100, 60), false, 'claimed once while unexpired');
        assert.equal(await storage.kv.claimOnce('n', 300, 100), true, 'expired: claimable again');
      } finally {
        await storage.close();
        if (engine === 'sqlite')
          for (const end of ['', '-wal', '-shm']) rmSync(url.slice(7) + end, { force: true });
      }
    });
  });
}

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`migration 0011_upload_quotas on ${engine}`, () => {
    it('issue #14 uploads from before are counted in the quotas and swept (or kept) like new ones', async () => {
      const url =
        engine === 'sqlite'
          ? `sqlite:${process.env.TMPDIR ?? '/tmp'}/xiaoer-mig11-${process.pid}-${Date.now()}.db`
          : await freshPostgresUrl();
      const db = openDatabase(url);
      await migrateToLatest(db, '0010_buyer_tokens');
      const k = db.kysely as never as import('kysely').Kysely<Record<string, Record<string, unknown>>>;
      await k
        .insertInto('shops')
        .values({
          id: 'shop-1',
          slug: 'one',
          name: 'one',
          secret: 's',
          time_zone: 'Asia/Shanghai',
          service_hours: 'x',
          created_at: 1,
        })
        .execute();
      for (const id of ['old-orphan', 'old-used'])
        await k
          .insertInto('uploads')
          .values({
            id,
            shop_id: 'shop-1',
            content_type: 'image/png',
            size: 100,
            data: Buffer.from('x'),
            uploaded_by: 'buyer:b-1',
            created_at: 1000,
          })
          .execute();
      await k
        .insertInto('quick_replies')
        .values({
          id: 'q-1',
          shop_id: 'shop-1',
          owner_id: null,
          title: 't',
          text: 'x',
          image_url: '/uploads/old-used',
          created_at: 1000,
        })
        .execute();
      await db.close();

      const storage = await openStorage(url);
      try {
        assert.equal(await storage.uploads.shopBytes('shop-1'), 200);
        assert.equal(await storage.uploads.bytesSince('buyer:b-1', 999), 200);
        assert.deepEqual(await storage.uploads.sweepOrphans(5000, 5000), { removed: 1, kept: 1 });
        assert.equal(await storage.uploads.findUpload('old-orphan'), undefined);
        assert.ok(await storage.uploads.findUpload('old-used'));
      } finally {
        await storage.close();
        if (engine === 'sqlite')
          for (const end of ['', '-wal', '-shm']) rmSync(url.slice(7) + end, { force: true });
      }
    });
  });
}

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`migration 0012_faq_ids_per_shop (and 0013_faq_intents) on ${engine}`, () => {
    it('BOT-1 FAQ entries are kept, with no intents set; another shop may then use the same entry id (issue #14)', async () => {
      const url =
        engine === 'sqlite'
          ? `sqlite:${process.env.TMPDIR ?? '/tmp'}/xiaoer-mig-faq-${process.pid}-${Date.now()}.db`
          : await freshPostgresUrl();
      const db = openDatabase(url);
      await migrateToLatest(db, '0011_upload_quotas');
      const k = db.kysely as never as import('kysely').Kysely<Record<string, Record<string, unknown>>>;
      for (const id of ['shop-a', 'shop-b'])
        await k
          .insertInto('shops')
          .values({
            id,
            slug: id,
            name: id,
            secret: 's',
            time_zone: 'Asia/Shanghai',
            service_hours: 'x',
            created_at: 1,
          })
          .execute();
      await k
        .insertInto('faq_entries')
        .values({
          id: 'ship-time',
          shop_id: 'shop-a',
          question: '什么时候发货',
          similar: '["几天发货"]',
          answer: '48小时内发货',
          category: '发货',
          enabled: 1,
          created_at: 5,
          updated_at: 6,
        })
        .execute();
      await db.close();

      const storage = await openStorage(url);
      try {
        const a = 'shop-a' as ShopId;
        const b = 'shop-b' as ShopId;
        assert.deepEqual(await storage.faq.listEntries(a), [
          {
            id: 'ship-time',
            question: '什么时候发货',
            similar: ['几天发货'],
            answer: '48小时内发货',
            category: '发货',
            enabled: true,
            // Issue #15 (0013_faq_intents): entries from before link the suggested intents.
            intents: null,
            updatedAt: 6,
          },
        ]);
        const other = {
          id: 'ship-time',
          question: '发货时间',
          similar: [],
          answer: '当天发',
          category: '',
          enabled: true,
        };
        await storage.faq.saveEntries(b, [other], 10);
        assert.equal((await storage.faq.findEntry(b, 'ship-time'))?.answer, '当天发');
        assert.equal((await storage.faq.findEntry(a, 'ship-time'))?.answer, '48小时内发货');
        assert.equal(await storage.faq.deleteEntry(b, 'ship-time'), true);
        assert.equal((await storage.faq.findEntry(a, 'ship-time'))?.answer, '48小时内发货');
      } finally {
        await storage.close();
        if (engine === 'sqlite')
          for (const end of ['', '-wal', '-shm']) rmSync(url.slice(7) + end, { force: true });
      }
    });
  });

  describe(`migration 0016_integration on ${engine}`, () => {
    it('issue #16 products and orders are kept (their time of change set); another shop may then use the same order number', async () => {
      const url =
        engine === 'sqlite'
          ? `sqlite:${process.env.TMPDIR ?? '/tmp'}/xiaoer-mig-orders-${process.pid}-${Date.now()}.db`
          : await freshPostgresUrl();
      const db = openDatabase(url);
      await migrateToLatest(db, '0015_conversation_summaries');
      const k = db.kysely as never as import('kysely').Kysely<Record<string, Record<string, unknown>>>;
      const shop = await k.selectFrom('shops').selectAll().limit(1).executeTakeFirst();
      for (const id of ['shop-a', 'shop-b'])
        await k
          .insertInto('shops')
          .values({
            ...(shop ?? {}),
            id,
            slug: id,
            name: id,
            secret: 's',
            time_zone: 'Asia/Shanghai',
            service_hours: 'x',
            created_at: 1,
          })
          .execute();
      for (const [id, shopId] of [
        ['buyer-a', 'shop-a'],
        ['buyer-b', 'shop-b'],
      ])
        await k
          .insertInto('buyers')
          .values({
            id,
            shop_id: shopId,
            external_id: id,
            visitor_id: null,
            nick: id,
            phone: null,
            created_at: 1,
            last_seen_at: 1,
          })
          .execute();
      await k
        .insertInto('products')
        .values({ id: 'p-1', shop_id: 'shop-a', title: '茶', price_cents: 100, image_url: null })
        .execute();
      await k
        .insertInto('orders')
        .values({
          id: 'T-1',
          shop_id: 'shop-a',
          buyer_id: 'buyer-a',
          status: 'shipped',
          total_cents: 100,
          carrier: '顺丰',
          tracking_no: 'SF1',
          created_at: 7,
          paid_at: 8,
          shipped_at: 9,
          items: '[{"productId":"p-1","title":"茶","quantity":1,"priceCents":100}]',
          logistics: '[{"at":10,"description":"已揽收"}]',
        })
        .execute();
      await db.close();

      const storage = await openStorage(url);
      try {
        const a = 'shop-a' as ShopId;
        const b = 'shop-b' as ShopId;
        const order = await storage.orders.findOrderWithTime(a, 'T-1');
        assert.equal(order?.status, 'shipped');
        assert.equal(order?.updatedAt, 7, 'changed when created');
        assert.deepEqual(order?.logistics, [{ at: 10, description: '已揽收' }]);
        assert.equal((await storage.orders.listBuyerOrders(a, 'buyer-a' as BuyerId, 0)).length, 1);
        assert.equal((await storage.orders.findProduct(a, 'p-1'))?.title, '茶');
        const { outcome } = await storage.orders.upsertOrder(
          { ...order!, shopId: b, totalCents: 1, createdAt: 20 },
          async () => 'buyer-b' as BuyerId,
          30,
        );
        assert.equal(outcome, 'created');
        assert.equal((await storage.orders.findOrder(a, 'T-1'))?.totalCents, 100);
        assert.equal((await storage.orders.findOrder(b, 'T-1'))?.totalCents, 1);
      } finally {
        await storage.close();
        if (engine === 'sqlite')
          for (const end of ['', '-wal', '-shm']) rmSync(url.slice(7) + end, { force: true });
      }
    });
  });

  describe(`migration 0017_webhooks on ${engine}`, () => {
    it('issue #16 open conversations are kept (from the widget: no channel) and their next message is told to a new webhook', async () => {
      const url =
        engine === 'sqlite'
          ? `sqlite:${process.env.TMPDIR ?? '/tmp'}/xiaoer-mig-hooks-${process.pid}-${Date.now()}.db`
          : await freshPostgresUrl();
      const db = openDatabase(url);
      await migrateToLatest(db, '0016_integration');
      const k = db.kysely as never as import('kysely').Kysely<Record<string, Record<string, unknown>>>;
      const shop = await k.selectFrom('shops').selectAll().limit(1).executeTakeFirst();
      await k
        .insertInto('shops')
        .values({
          ...(shop ?? {}),
          id: 'shop-h',
          slug: 'shop-h',
          name: 'h',
          secret: 's',
          time_zone: 'Asia/Shanghai',
          service_hours: 'x',
          created_at: 1,
        })
        .execute();
      await k
        .insertInto('buyers')
        .values({
          id: 'buyer-h',
          shop_id: 'shop-h',
          external_id: 'tb-1',
          visitor_id: null,
          nick: 'h',
          phone: null,
          created_at: 1,
          last_seen_at: 1,
        })
        .execute();
      await k
        .insertInto('conversations')
        .values({
          id: 'c-h',
          shop_id: 'shop-h',
          buyer_id: 'buyer-h',
          status: 'queued',
          open: 1,
          agent_id: null,
          last_seq: 0,
          created_at: 1,
          last_message_at: 1,
          last_message_preview: '',
          agent_unread: 0,
          buyer_unread: 0,
          agent_read_seq: 0,
          buyer_read_seq: 0,
        })
        .execute();
      await db.close();

      const storage = await openStorage(url);
      try {
        const shopId = 'shop-h' as ShopId;
        const c = await storage.conversations.findConversation(shopId, 'c-h' as never);
        assert.equal(c?.channel, null);
        await storage.webhooks.create(
          shopId,
          { url: 'http://127.0.0.1:9/', events: ['message.created'], description: null, createdBy: null },
          5,
        );
        const sent = await storage.conversations.appendMessage(
          shopId,
          'c-h' as never,
          { clientId: 'm1', sender: 'buyer', senderId: 'buyer-h', kind: 'text', body: { text: '在吗' } },
          6,
        );
        assert.equal(sent.message.seq, 1);
        const [hook] = await storage.webhooks.list(shopId);
        const queued = await storage.webhooks.deliveries(shopId, hook!.id, { limit: 10 });
        assert.deepEqual(
          queued.map((d) => d.type),
          ['message.created'],
        );
        const body = JSON.parse(queued[0]!.body);
        assert.equal(body.data.conversation.channel, 'widget');
        assert.equal(body.data.conversation.buyer.externalId, 'tb-1');
        assert.equal(body.data.message.body.text, '在吗');
      } finally {
        await storage.close();
        if (engine === 'sqlite')
          for (const end of ['', '-wal', '-shm']) rmSync(url.slice(7) + end, { force: true });
      }
    });
  });

  describe(`migration 0019_compliance_review on ${engine}`, () => {
    it('issue #17 log entries from before are kept, unreviewed, and can then be reviewed', async () => {
      const url =
        engine === 'sqlite'
          ? `sqlite:${process.env.TMPDIR ?? '/tmp'}/xiaoer-mig-review-${process.pid}-${Date.now()}.db`
          : await freshPostgresUrl();
      const db = openDatabase(url);
      await migrateToLatest(db, '0018_channel_messages');
      const k = db.kysely as never as import('kysely').Kysely<Record<string, Record<string, unknown>>>;
      const shop = await k.selectFrom('shops').selectAll().limit(1).executeTakeFirst();
      await k
        .insertInto('shops')
        .values({
          ...(shop ?? {}),
          id: 'shop-r',
          slug: 'shop-r',
          name: 'r',
          secret: 's',
          time_zone: 'Asia/Shanghai',
          service_hours: 'x',
          created_at: 1,
        })
        .execute();
      const finding = {
        rule: 'CMP-1',
        id: 'cmp1.ask-me',
        verdict: 'block',
        reason: { 'zh-CN': '推诿', en: 'deflecting' },
        span: { start: 0, end: 3 },
        matched: '你问我',
      };
      await k
        .insertInto('compliance_log')
        .values({
          id: 'log-1',
          shop_id: 'shop-r',
          agent_id: 'a-1',
          conversation_id: 'c-1',
          buyer_id: 'b-1',
          action: 'blocked',
          verdict: 'block',
          rules: JSON.stringify(['CMP-1']),
          findings: JSON.stringify([finding]),
          text: '你问我，我问谁？',
          created_at: 5,
        })
        .execute();
      await db.close();

      const storage = await openStorage(url);
      try {
        const shopId = 'shop-r' as ShopId;
        const [entry] = await storage.compliance.listLog(shopId, { limit: 10 });
        assert.deepEqual(entry, {
          id: 'log-1',
          shopId,
          agentId: 'a-1',
          conversationId: 'c-1',
          buyerId: 'b-1',
          action: 'blocked',
          verdict: 'block',
          rules: ['CMP-1'],
          findings: [finding],
          text: '你问我，我问谁？',
          createdAt: 5,
        });
        const reviewed = await storage.compliance.reviewLogEntry(shopId, 'log-1', {
          review: 'wrong',
          by: 'a-boss' as AgentId,
          at: 9_000_000_000_000,
        });
        assert.deepEqual(
          [reviewed?.review, reviewed?.reviewedBy, reviewed?.reviewedAt],
          ['wrong', 'a-boss', 9_000_000_000_000],
        );
        assert.equal(await storage.compliance.findLogEntry('shop-other' as ShopId, 'log-1'), undefined);
      } finally {
        await storage.close();
        if (engine === 'sqlite')
          for (const end of ['', '-wal', '-shm']) rmSync(url.slice(7) + end, { force: true });
      }
    });
  });
}
