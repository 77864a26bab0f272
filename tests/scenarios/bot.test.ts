import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Conversation, Message, ShopId } from '@xiaoer/core';
import type { InjectOptions } from 'fastify';
import { testDatabases } from '../support/databases';
import {
  loginCookie,
  signedIdentity,
  startTestServer,
  widgetSession,
  type TestServer,
} from '../support/server';
import { untilFound } from '../support/sockets';

const SHOP = 'shop-demo' as ShopId;

for (const engine of testDatabases) {
  describe(`the first-line bot on ${engine.name}`, () => {
    let t: TestServer;
    let owner: string;
    let agent1: string;
    const inject = (o: InjectOptions) => t.server.app.inject(o);

    before(async () => {
      t = await startTestServer({ storage: await engine.open(), bot: true, listen: false });
      for (const id of ['agent-demo-2', 'agent-demo-3'])
        await t.server.ctx.chat.setAgentStatus(SHOP, id as never, 'offline');
      owner = await loginCookie(t.server, 'owner@demo.xiaoer.dev');
      agent1 = await loginCookie(t.server, 'agent1@demo.xiaoer.dev');
    });
    after(() => t.close());

    /**
     * A long-standing buyer (first payment 200 days ago, so no RT-7 priority) with one shipped
     * parcel, signed in by the shop; returns a sender and a reader of the conversation.
     */
    async function buyer(externalId: string) {
      const shop = (await t.storage.shops.findShopBySlug('demo'))!;
      const existing = await t.storage.buyers.findOrCreate(SHOP, { externalId }, () => ({
        id: `b-${externalId}` as never,
        shopId: SHOP,
        externalId,
        visitorId: null,
        nick: `买家${externalId}`,
        phone: null,
        createdAt: 0,
        lastSeenAt: 0,
      }));
      if ((await t.storage.orders.listBuyerOrders(SHOP, existing.id, 0)).length === 0) {
        const DAY = 86_400_000;
        const base = {
          shopId: SHOP,
          buyerId: existing.id,
          items: [{ productId: 'prod-01' as never, title: '保温杯', quantity: 1, priceCents: 8900 }],
          totalCents: 8900,
        };
        await t.storage.orders.insertOrder({
          ...base,
          id: `OLD-${externalId}` as never,
          status: 'completed',
          carrier: '中通快递',
          trackingNo: 'ZT1',
          createdAt: Date.now() - 200 * DAY,
          paidAt: Date.now() - 200 * DAY,
          shippedAt: Date.now() - 199 * DAY,
          logistics: [{ at: Date.now() - 197 * DAY, description: '已签收' }],
        });
        await t.storage.orders.insertOrder({
          ...base,
          id: `NEW-${externalId}` as never,
          status: 'shipped',
          carrier: '顺丰速运',
          trackingNo: 'SF100',
          createdAt: Date.now() - 2 * DAY,
          paidAt: Date.now() - 2 * DAY,
          shippedAt: Date.now() - DAY,
          logistics: [{ at: Date.now() - DAY / 2, description: '【杭州转运中心】已发出' }],
        });
      }
      const { token } = await widgetSession(t.server, {
        shop: 'demo',
        identity: signedIdentity(shop.secret, externalId),
      });
      let n = 0;
      let conversationId = '';
      return {
        async say(text: string): Promise<Conversation> {
          const res = await inject({
            method: 'POST',
            url: '/api/widget/messages',
            headers: { authorization: `Bearer ${token}` },
            payload: { clientId: `${externalId}-${n++}`, kind: 'text', body: { text } },
          });
          assert.equal(res.statusCode, 200, res.body);
          const body = JSON.parse(res.body) as { conversation: Conversation };
          conversationId = body.conversation.id;
          return body.conversation;
        },
        /** Waits for the bot's reply after the last buyer message. */
        async botReply(afterSeq: number): Promise<Message[]> {
          return untilFound(async () => {
            const msgs = await t.storage.conversations.listMessages(
              SHOP,
              conversationId as never,
              afterSeq,
              50,
            );
            const fromBot = msgs.filter((m) => m.sender === 'bot');
            return fromBot.length > 0 ? fromBot : undefined;
          }, 'the bot reply');
        },
        /** Waits for a system line with this code (BOT-3: what the buyer is told). */
        async systemLine(code: string): Promise<Message> {
          return untilFound(async () => {
            const msgs = await t.storage.conversations.listMessages(SHOP, conversationId as never, 0, 200);
            return msgs.find((m) => m.kind === 'system' && m.body.code === code);
          }, `the ${code} line`);
        },
        conversation: () => t.storage.conversations.findConversation(SHOP, conversationId as never),
      };
    }

    const text = (m: Message) => (m.kind === 'text' || m.kind === 'system' ? m.body.text : m.kind);

    it('BOT-1 BOT-4 BOT-3 scenario: FAQ answer, parcel from the order, two misses hand off, the agent teaches the bot', async () => {
      const b = await buyer('vip-1');
      const c1 = await b.say('可以开发票吗');
      assert.equal(c1.status, 'bot');
      const [faqAnswer] = await b.botReply(c1.lastSeq);
      assert.match(text(faqAnswer!), /电子发票/);

      const c2 = await b.say('我的快递到哪了');
      const parcel = await b.botReply(c2.lastSeq);
      assert.match(
        text(parcel[0]!),
        /订单 NEW-vip-1：已发货，顺丰速运 SF100，最新物流：【杭州转运中心】已发出/,
      );

      const question = '你们店的logo是谁设计的';
      const c3 = await b.say(question);
      const [miss] = await b.botReply(c3.lastSeq);
      assert.match(text(miss!), /人工/, 'BOT-3: a miss is never silence, it offers a person');
      const c4 = await b.say(question);
      await b.botReply(c4.lastSeq);
      const handedOff = await untilFound(async () => {
        const c = await b.conversation();
        return c?.status === 'assigned' ? c : undefined;
      }, 'the handoff');
      assert.equal(handedOff.agentId, 'agent-demo-1');

      // The agent answers and teaches the bot in one click (a new entry with its answer).
      const reply = await inject({
        method: 'POST',
        url: `/api/conversations/${handedOff.id}/messages`,
        headers: { cookie: agent1 },
        payload: { clientId: 'teach-1', kind: 'text', body: { text: '亲，logo是我们自己的设计师画的哦' } },
      });
      assert.equal(reply.statusCode, 200);
      const learn = await inject({
        method: 'POST',
        url: '/api/faq/learn',
        headers: { cookie: agent1 },
        payload: { question, answer: '亲，logo是我们自己的设计师画的哦', category: '售后' },
      });
      assert.equal(learn.statusCode, 201, learn.body);
      await inject({
        method: 'POST',
        url: `/api/conversations/${handedOff.id}/end`,
        headers: { cookie: agent1 },
      });

      // Next time the same question is answered by the bot.
      const again = await buyer('vip-1');
      const c5 = await again.say(question);
      assert.equal(c5.status, 'bot');
      const [learned] = await again.botReply(c5.lastSeq);
      assert.match(text(learned!), /logo是我们自己的设计师画的/);
    });

    it('BOT-2 a request for a person hands off at once and the bot says so; BOT-5 off hours says when humans are back', async () => {
      const b = await buyer('vip-2');
      const c = await b.say('转人工');
      const [line] = await b.botReply(c.lastSeq);
      assert.match(text(line!), /转接人工客服/);
      assert.equal(
        await untilFound(
          async () => ((await b.conversation())?.status === 'assigned' ? true : undefined),
          'assignment',
        ),
        true,
      );

      await t.server.ctx.chat.setAgentStatus(SHOP, 'agent-demo-1' as never, 'offline');
      await t.server.ctx.chat.setAgentStatus(SHOP, 'agent-demo-owner' as never, 'offline');
      try {
        const late = await buyer('vip-3');
        await late.say('人工客服');
        // BOT-5 / BOT-3: no promise of a transfer; told they wait, their place and when people are back.
        const offHours = await late.systemLine('queued');
        assert.match(text(offHours), /没有客服在线.*09:00–23:00.*第 1 位/s);
        const waiting = await untilFound(async () => {
          const conv = await late.conversation();
          return conv?.status === 'queued' ? conv : undefined;
        }, 'the queue');
        assert.equal(waiting.agentId, null, 'it waits in the queue, it is not dropped');
      } finally {
        await t.server.ctx.chat.setAgentStatus(SHOP, 'agent-demo-owner' as never, 'online');
        await t.server.ctx.chat.setAgentStatus(SHOP, 'agent-demo-1' as never, 'online');
      }
    });

    it('RT-7 a new customer (one purchase this month, first payment within 180 days) skips the bot', async () => {
      const shop = (await t.storage.shops.findShopBySlug('demo'))!;
      const fresh = await t.storage.buyers.findOrCreate(SHOP, { externalId: 'new-1' }, () => ({
        id: 'b-new-1' as never,
        shopId: SHOP,
        externalId: 'new-1',
        visitorId: null,
        nick: '新客',
        phone: null,
        createdAt: 0,
        lastSeenAt: 0,
      }));
      await t.storage.orders.insertOrder({
        id: 'FIRST-new-1' as never,
        shopId: SHOP,
        buyerId: fresh.id,
        status: 'paid',
        totalCents: 100,
        carrier: null,
        trackingNo: null,
        createdAt: Date.now() - 5 * 86_400_000,
        paidAt: Date.now() - 5 * 86_400_000,
        shippedAt: null,
        items: [],
        logistics: [],
      });
      const { token } = await widgetSession(t.server, {
        shop: 'demo',
        identity: signedIdentity(shop.secret, 'new-1'),
      });
      const res = await inject({
        method: 'POST',
        url: '/api/widget/messages',
        headers: { authorization: `Bearer ${token}` },
        payload: { clientId: 'n1', kind: 'text', body: { text: '可以开发票吗' } },
      });
      const { conversation } = JSON.parse(res.body) as { conversation: Conversation };
      assert.equal(conversation.status, 'assigned');
    });

    it('SPAM-1 a buyer repeating one line is set aside as suspected spam: no bot, no agent; an agent can release it', async () => {
      const b = await buyer('vip-6');
      await b.say('加我微信领红包');
      await b.say('加我微信领红包');
      const c = await b.say('加我微信领红包');
      assert.equal(c.status, 'spam');
      assert.equal(c.spamReason, 'repeated');
      assert.equal(c.agentId, null);
      const list = JSON.parse(
        (await inject({ method: 'GET', url: '/api/conversations', headers: { cookie: agent1 } })).body,
      ) as {
        conversations: Conversation[];
      };
      assert.ok(
        list.conversations.some((x) => x.id === c.id && x.status === 'spam'),
        'shown in the suspected-spam group',
      );
      const released = await inject({
        method: 'POST',
        url: `/api/conversations/${c.id}/release`,
        headers: { cookie: agent1 },
      });
      assert.equal(released.statusCode, 200, released.body);
      assert.equal(
        (JSON.parse(released.body) as { conversation: Conversation }).conversation.status,
        'assigned',
      );
    });

    it('SPAM-1 a buyer on the shop’s block list goes straight to suspected spam', async () => {
      const current = JSON.parse(
        (await inject({ method: 'GET', url: '/api/admin/bot', headers: { cookie: owner } })).body,
      ) as {
        settings: Record<string, unknown>;
      };
      const saved = await inject({
        method: 'PUT',
        url: '/api/admin/bot',
        headers: { cookie: owner },
        payload: { ...current.settings, blockedBuyers: ['vip-7'] },
      });
      assert.equal(saved.statusCode, 200, saved.body);
      const b = await buyer('vip-7');
      const c = await b.say('你好');
      assert.equal(c.status, 'spam');
      assert.equal(c.spamReason, 'blocked');
      const stored = await t.storage.conversations.listMessages(SHOP, c.id, 0, 10);
      assert.equal(stored.length, 1, 'the message is kept, never lost');
    });

    it('an agent can take over a bot conversation at any time by writing into it', async () => {
      const b = await buyer('vip-4');
      const c = await b.say('在吗');
      await b.botReply(c.lastSeq);
      const list = JSON.parse(
        (await inject({ method: 'GET', url: '/api/conversations', headers: { cookie: agent1 } })).body,
      ) as {
        conversations: Conversation[];
      };
      assert.ok(
        list.conversations.some((x) => x.id === c.id && x.status === 'bot'),
        'agents see the bot’s conversations',
      );
      const res = await inject({
        method: 'POST',
        url: `/api/conversations/${c.id}/messages`,
        headers: { cookie: agent1 },
        payload: { clientId: 'takeover', kind: 'text', body: { text: '您好，我是客服小美' } },
      });
      assert.equal(res.statusCode, 200, res.body);
      const taken = await b.conversation();
      assert.equal(taken?.status, 'assigned');
      assert.equal(taken?.agentId, 'agent-demo-1');
    });

    it('imports a KB all or nothing, reporting the bad row and field; exports JSON and CSV', async () => {
      const before = JSON.parse(
        (await inject({ method: 'GET', url: '/api/admin/faq', headers: { cookie: owner } })).body,
      ) as {
        entries: unknown[];
      };
      const bad = await inject({
        method: 'POST',
        url: '/api/admin/faq/import',
        headers: { cookie: owner },
        payload: [
          { id: 'x1', question: '问题一', similar: [], answer: '答案', category: '' },
          { id: 'x2', question: '', similar: [], answer: '答案', category: '' },
        ],
      });
      assert.equal(bad.statusCode, 400);
      assert.match(JSON.parse(bad.body).error.message, /row 2, question/);
      const afterBad = JSON.parse(
        (await inject({ method: 'GET', url: '/api/admin/faq', headers: { cookie: owner } })).body,
      ) as {
        entries: unknown[];
      };
      assert.equal(afterBad.entries.length, before.entries.length, 'nothing imported');
      const csv =
        'id,question,similar,answer,category\ncsv-1,能送货上门吗,送货上门|上门配送,亲，快递会送到家门口,发货\n';
      const ok = await inject({
        method: 'POST',
        url: '/api/admin/faq/import',
        headers: { cookie: owner, 'content-type': 'text/csv' },
        payload: csv,
      });
      assert.equal(ok.statusCode, 200, ok.body);
      const exported = await inject({
        method: 'GET',
        url: '/api/admin/faq/export?format=csv',
        headers: { cookie: owner },
      });
      assert.match(exported.body, /csv-1,能送货上门吗,送货上门\|上门配送/);
      const tested = JSON.parse(
        (
          await inject({
            method: 'GET',
            url: `/api/admin/faq/test?q=${encodeURIComponent('可以上门配送吗')}`,
            headers: { cookie: owner },
          })
        ).body,
      ) as {
        matches: { entryId: string; score: number }[];
      };
      assert.equal(tested.matches[0]?.entryId, 'csv-1');
      assert.equal(
        (await inject({ method: 'GET', url: '/api/admin/faq', headers: { cookie: agent1 } })).statusCode,
        403,
      );
    });

    it('answers or hands off on hostile input and never echoes HTML', async () => {
      const b = await buyer('vip-5');
      for (const input of [
        '<script>alert(1)</script>',
        "' OR 1=1; DROP TABLE messages; --",
        '🙂🙂🙂',
        '发'.repeat(4999),
      ]) {
        const c = await b.say(input);
        if (c.status !== 'bot') break;
        const replies = await b.botReply(c.lastSeq);
        for (const r of replies) assert.doesNotMatch(text(r), /<script>/);
      }
    });
  });
}
