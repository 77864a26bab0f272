/**
 * Issue #21: journeys for a shop that is not the demo, on SQLite and PostgreSQL, with a fake clock:
 * orders arrive through the v1 API; the CRM sweep (the crm.sweep timer's work) starts the runs
 * their facts trigger and moves the runs that are due. Each shipped template as a scenario:
 * sends exactly once (across a restart), stops on purchase, respects quiet hours and the caps,
 * never interrupts a buyer who is talking to the shop.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  DAY,
  FakeClock,
  HOUR,
  MINUTE,
  journeyTemplates,
  newConversation,
  type AgentId,
  type BuyerId,
  type ConversationId,
  type ShopId,
} from '@xiaoer/core';
import { testDatabases } from '../support/databases';
import { makeAgent, makeShop } from '../support/fixtures';
import { loginCookie, startTestServer } from '../support/server';
import { createServer, type XiaoerServer } from '../../packages/server/src/app';
import { parseConfig } from '../../packages/server/src/config';
import type { Storage } from '../../packages/server/src/storage';

// 2026-12-03 10:00 in Shanghai.
const T0 = Date.UTC(2026, 11, 3, 2, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

for (const engine of testDatabases) {
  describe(`issue #21 journeys (${engine.name})`, () => {
    const clock = new FakeClock(T0);
    let server: XiaoerServer;
    let storage: Storage;
    let shopId: ShopId;
    let ownerId = '';
    let key = '';
    let ownerEmail = '';

    const call = async (method: 'GET' | 'PUT' | 'POST', url: string, payload?: unknown, cookie?: string) => {
      const res = await server.app.inject({
        method,
        url,
        headers: cookie ? { cookie } : { authorization: `Bearer ${key}` },
        ...(payload !== undefined ? { payload: payload as object } : {}),
      });
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      return { status: res.statusCode, body: res.body, json: () => res.json() as any };
    };
    const order = (buyer: string, status: string, at: number, extra: Record<string, unknown> = {}) => ({
      buyerExternalId: buyer,
      status,
      totalCents: 12_800,
      items: [{ productExternalId: 'cup', title: '不锈钢保温杯', quantity: 1, priceCents: 12_800 }],
      createdAt: iso(at),
      paidAt: iso(at + MINUTE),
      ...extra,
    });
    /** An order written through the API when it was paid (the clock only moves on). */
    const putOrder = async (id: string, body: { buyerExternalId: string; createdAt: string }) => {
      clock.set(Math.max(clock.now(), Date.parse(body.createdAt) + 2 * MINUTE));
      const b = await call('PUT', `/api/v1/buyers/${body.buyerExternalId}`, {
        nick: `买家${body.buyerExternalId}`,
      });
      assert.ok(b.status === 200 || b.status === 201, b.body);
      const r = await call('PUT', `/api/v1/orders/${id}`, body);
      assert.ok(r.status === 200 || r.status === 201, r.body);
    };
    const start = async (templateId: string) => {
      const t = journeyTemplates().find((x) => x.id === templateId)!;
      const j = await storage.journeys.create({
        id: randomUUID(),
        shopId,
        name: t.definition.name,
        templateId,
        definition: t.definition,
        status: 'draft',
        createdBy: ownerId,
        createdAt: clock.now(),
      });
      assert.ok(await storage.journeys.setStatus(shopId, j.id, ['draft'], 'active', clock.now()));
      return j.id;
    };
    const stop = (id: string) => storage.journeys.setStatus(shopId, id, ['active'], 'stopped', clock.now());
    const buyerOf = async (external: string) =>
      (await storage.buyers.findByExternalId(shopId, external))!.id as BuyerId;
    /** What the bot said to the buyer, oldest first, across their conversations. */
    const botLines = async (buyerId: BuyerId) => {
      const open = await storage.conversations.findOpenByBuyer(shopId, buyerId);
      if (!open) return [];
      const messages = await storage.conversations.listMessages(shopId, open.id, 0, 100);
      return messages.flatMap((m) =>
        m.sender === 'bot' && m.kind === 'text' ? [{ text: m.body.text, at: m.createdAt }] : [],
      );
    };
    /** The sweep the crm.sweep timer runs, at `at`. */
    const sweepAt = async (at: number) => {
      clock.set(at);
      await server.ctx.journeys.sweep();
    };

    before(async () => {
      storage = await engine.open();
      server = (await startTestServer({ storage, clock, demo: false })).server;
      shopId = await makeShop(storage, `crm-${engine.name}`);
      const owner = await makeAgent(storage, shopId, { role: 'owner', takesRouting: false });
      ownerId = owner.id;
      ownerEmail = owner.email;
      const cookie = await loginCookie(server, owner.email);
      key = (await call('POST', '/api/admin/api-keys', { name: 'ERP' }, cookie)).json().key;
    });
    after(async () => {
      await server.close();
      await storage.close();
    });

    it('CRM-2: a received order is followed up — asked, thanked with a coupon, invited to review — each once, across a restart', async () => {
      const journey = await start('follow-up');
      await putOrder('fu-1', order('fu', 'completed', T0 - 3 * DAY, { carrier: '中通', trackingNo: 'ZT9' }));
      const buyerId = await buyerOf('fu');
      await sweepAt(T0 + MINUTE); // the order settles, its run starts
      const [run] = await storage.journeys.listRuns(shopId, journey);
      assert.equal(run?.status, 'active');
      assert.equal(run?.context.orderItem, '不锈钢保温杯');
      assert.deepEqual(await botLines(buyerId), [], 'the first step waits a day');

      await sweepAt(T0 + MINUTE + DAY);
      await sweepAt(T0 + 2 * MINUTE + DAY); // again: nothing more
      let lines = await botLines(buyerId);
      assert.equal(lines.length, 1);
      assert.match(lines[0]!.text, /^买家fu您好，您的「不锈钢保温杯」已经签收了/);
      const conversation = (await storage.conversations.findOpenByBuyer(shopId, buyerId))!;
      assert.equal(conversation.status, 'bot', "the buyer's answer meets the bot first");
      // She answers (a reply, counted), and the chat it opened is over before the next step.
      await server.ctx.chat.sendBuyerMessage(shopId, buyerId, 'fu-reply', {
        kind: 'text',
        body: { text: '挺好的' },
      });
      await server.ctx.chat.endConversation(
        shopId,
        { type: 'agent', agentId: ownerId as AgentId, isAdmin: true },
        conversation.id,
      );

      // A restart: runs and their due times live in the database.
      await server.close();
      server = await createServer(
        parseConfig({ PORT: '0', LOG_LEVEL: 'silent', SECRET: 'test-secret-test-secret-test-secret!' }),
        { storage, clock },
      );
      await sweepAt(T0 + MINUTE + 4 * DAY);
      await sweepAt(T0 + MINUTE + 7 * DAY);
      await sweepAt(T0 + MINUTE + 8 * DAY);
      // (the first message was in the conversation she ended; the next two in a new one)
      lines = await botLines(buyerId);
      assert.equal(lines.length, 2, lines.map((l) => l.text).join(' | '));
      assert.match(lines[0]!.text, /5元无门槛券/);
      assert.match(lines[1]!.text, /欢迎抽空写下评价/);
      const stats = await storage.journeys.stats(shopId, journey);
      // The reply was noted in memory and written when the first server shut down.
      assert.deepEqual([stats.sends, stats.coupons, stats.replies, stats.runs.done], [3, 1, 1, 1]);
      // CMP-6 counted each message.
      assert.equal((await storage.compliance.proactiveSentSince(shopId, buyerId, 0)).length, 3);
      await stop(journey);
    });

    it('CRM-4: the win-back offers a coupon after 30 days and stops when the buyer orders again', async () => {
      const journey = await start('win-back');
      const first = T0 + 9 * DAY;
      await putOrder('wb-1', order('wb', 'paid', first));
      const buyerId = await buyerOf('wb');
      await sweepAt(first + 5 * MINUTE);
      assert.equal((await storage.journeys.listRuns(shopId, journey)).length, 1);
      await sweepAt(first + 30 * DAY + 5 * MINUTE);
      const lines = await botLines(buyerId);
      assert.equal(lines.length, 1);
      assert.match(lines[0]!.text, /满99减10元券/);
      // The buyer ends the chat the coupon opened, then comes back and buys within the window.
      const open = (await storage.conversations.findOpenByBuyer(shopId, buyerId))!;
      await server.ctx.chat.endConversation(
        shopId,
        { type: 'agent', agentId: ownerId as AgentId, isAdmin: true },
        open.id,
      );
      await putOrder('wb-2', order('wb', 'paid', first + 35 * DAY));
      await sweepAt(first + 35 * DAY + 5 * MINUTE);
      await sweepAt(first + 61 * DAY);
      const [run] = await storage.journeys.listRuns(shopId, journey);
      assert.deepEqual([run?.status, run?.stopReason], ['stopped', 'ordered']);
      assert.equal(
        (await storage.compliance.proactiveSentSince(shopId, buyerId, 0)).length,
        1,
        'no offer after the order',
      );
      const stats = await storage.journeys.stats(shopId, journey);
      assert.equal(stats.conversions, 1, 'the order within 30 days of the coupon counts');
      await stop(journey);
    });

    it('CMP-6: a message due at night waits for 08:00; a buyer talking to the shop is not interrupted', async () => {
      const journey = await start('win-back');
      // A first purchase at 23:10 Shanghai: thirty days later is in quiet hours.
      const late = Date.UTC(2027, 2, 1, 15, 10);
      await putOrder('qh-1', order('qh', 'paid', late));
      const buyerId = await buyerOf('qh');
      await sweepAt(late + 5 * MINUTE);
      await sweepAt(late + 30 * DAY + 5 * MINUTE);
      assert.deepEqual(await botLines(buyerId), [], 'not at 23:15');
      // 08:00 next morning — but the buyer is in a chat with an agent queue: the run waits.
      const morning = Date.UTC(2027, 3, 1, 0, 0);
      const chat = await storage.conversations.createOrGetOpen(
        newConversation(randomUUID() as ConversationId, shopId, buyerId, morning - HOUR, {
          status: 'queued',
        }),
      );
      await sweepAt(morning);
      assert.deepEqual(await botLines(buyerId), []);
      const [waiting] = await storage.journeys.listRuns(shopId, journey);
      assert.equal(waiting?.dueAt, morning + HOUR);
      await server.ctx.chat.endConversation(
        shopId,
        { type: 'agent', agentId: ownerId as AgentId, isAdmin: true },
        chat.id,
      );
      await sweepAt(morning + HOUR);
      const lines = await botLines(buyerId);
      assert.equal(lines.length, 1);
      assert.equal(iso(lines[0]!.at), iso(morning + HOUR));
      await stop(journey);
    });

    it('a stopped journey starts no runs and sends nothing more', async () => {
      const journey = await start('follow-up');
      await stop(journey);
      await putOrder('st-1', order('st', 'completed', T0 + 200 * DAY));
      await sweepAt(T0 + 200 * DAY + 5 * MINUTE);
      assert.equal((await storage.journeys.listRuns(shopId, journey)).length, 0);
    });

    it('the console: bad journeys refused naming the field, a dry run before anything is sent, then start, pause, stop', async () => {
      const cookie = await loginCookie(server, ownerEmail);
      const post = (url: string, body: unknown) => call('POST', url, body, cookie);
      const base = { name: '回访', trigger: { kind: 'order_received' }, exitOnOrder: false };
      const refused = async (journey: unknown, field: string, code = 'validation_failed') => {
        const r = await post('/api/admin/journeys', { journey });
        assert.equal(r.status, code === 'validation_failed' ? 400 : r.status, r.body);
        assert.equal(r.json().error.code, code, r.body);
        assert.equal(r.json().error.field, field, r.body);
      };
      await refused(
        { ...base, steps: [{ kind: 'message', template: '{buyerName}您好' }] },
        'steps[0].template',
      );
      await refused(
        {
          ...base,
          steps: [
            { kind: 'coupon', coupon: { amountCents: 3000, minSpendCents: 0, validDays: 3 } },
            { kind: 'message', template: '送券' },
          ],
        },
        'steps[0].coupon.validDays',
      );
      await refused(
        {
          ...base,
          steps: [
            { kind: 'message', template: '在吗' },
            { kind: 'wait', hours: 1 },
            { kind: 'message', template: '在吗' },
          ],
        },
        'steps[2]',
      );
      // CMP-3: a journey message is shop text like any other.
      await refused(
        { ...base, steps: [{ kind: 'message', template: '{buyerNick}，加我微信 xiaoer888 私下优惠' }] },
        'journey.steps[0].template',
        'compliance_blocked',
      );
      assert.equal(
        (await storage.journeys.list(shopId)).filter((j) => j.status === 'draft').length,
        0,
        'nothing written',
      );

      const created = await post('/api/admin/journeys', { templateId: 'follow-up' });
      assert.equal(created.status, 201, created.body);
      const id = created.json().journey.id;
      // A buyer whose order was received lately: the dry run shows what they would get, and when.
      const at = clock.now();
      await putOrder('dr-1', order('dr', 'completed', at - 2 * DAY));
      const plan = await post(`/api/admin/journeys/${id}/dry-run`, { days: 30 });
      assert.equal(plan.status, 200, plan.body);
      const buyerId = await buyerOf('dr');
      const forBuyer = plan.json().sends.filter((x: { buyerId: string }) => x.buyerId === buyerId);
      assert.equal(forBuyer.length, 3, plan.body);
      assert.match(forBuyer[0].text, /买家dr您好/);
      assert.deepEqual(await botLines(buyerId), [], 'a dry run sends nothing');
      assert.equal((await storage.journeys.listRuns(shopId, id)).length, 0, 'and starts nothing');

      const status = (s: string) => post(`/api/admin/journeys/${id}/status`, { status: s });
      assert.equal((await status('paused')).status, 409, 'a draft is not paused');
      assert.equal((await status('active')).json().journey.status, 'active');
      assert.equal(
        (await call('PUT', `/api/admin/journeys/${id}`, { version: 1, journey: base }, cookie)).status,
        409,
        'a started journey is not edited',
      );
      assert.equal((await status('paused')).json().journey.status, 'paused');
      assert.equal((await status('stopped')).json().journey.status, 'stopped');
      // A trigger with no source yet (new arrivals) may be drafted, not started; its template is not offered.
      const arrival = await post('/api/admin/journeys', {
        journey: {
          ...base,
          trigger: { kind: 'new_arrival' },
          steps: [{ kind: 'message', template: '{productTitle}上新了' }],
        },
      });
      assert.equal(arrival.status, 201, arrival.body);
      assert.equal(
        (await post(`/api/admin/journeys/${arrival.json().journey.id}/status`, { status: 'active' })).status,
        409,
      );
      const offered = (await call('GET', '/api/admin/journey-templates', undefined, cookie)).json().templates;
      assert.deepEqual(
        offered.map((x: { id: string }) => x.id),
        ['follow-up', 'logistics-notice', 'win-back', 'holiday'],
      );
      const list = await call('GET', '/api/admin/journeys', undefined, cookie);
      assert.ok(list.json().journeys.some((j: { id: string; stats: unknown }) => j.id === id && j.stats));
    });

    it('CRM-5: a holiday journey greets its audience on the day, at 08:00 local, once', async () => {
      const t = journeyTemplates('zh-CN', 2028).find((x) => x.id === 'holiday')!;
      // The buyers who ordered within a year (the template's audience) — 'ho' has, 'old' has not.
      await putOrder('old-1', order('old', 'paid', Date.UTC(2026, 0, 1)));
      await putOrder('ho-1', order('ho', 'paid', Date.UTC(2027, 10, 1)));
      const cookie = await loginCookie(server, ownerEmail); // (sessions expire as the clock runs on)
      const created = await call('POST', '/api/admin/journeys', { journey: t.definition }, cookie);
      assert.equal(created.status, 201, created.body);
      const id = created.json().journey.id;
      await call('POST', `/api/admin/journeys/${id}/status`, { status: 'active' }, cookie);
      const ho = await buyerOf('ho');
      const old = await buyerOf('old');
      await sweepAt(Date.UTC(2027, 11, 31, 15, 0)); // 23:00 on New Year's Eve: not yet
      assert.equal((await storage.journeys.listRuns(shopId, id)).length, 0);
      await sweepAt(Date.UTC(2027, 11, 31, 16, 1)); // 00:01 on the day: enrolled, quiet hours hold it
      const runs = await storage.journeys.listRuns(shopId, id);
      assert.ok(runs.some((r) => r.buyerId === ho));
      assert.ok(!runs.some((r) => r.buyerId === old), 'not in the audience');
      assert.deepEqual(await botLines(ho), []);
      await sweepAt(Date.UTC(2028, 0, 1, 0, 0)); // 08:00
      await sweepAt(Date.UTC(2028, 0, 1, 1, 0));
      const lines = await botLines(ho);
      assert.equal(lines.length, 1);
      assert.match(lines[0]!.text, /元旦快乐/);
      assert.equal(iso(lines[0]!.at), '2028-01-01T00:00:00.000Z');
    });

    it('CRM-3: a stalled and an abnormal parcel are flagged once, the buyer is told first, and the agent sees it', async () => {
      const journey = await start('logistics-notice');
      const shippedAt = T0 + 500 * DAY; // 10:00 Shanghai, after the earlier tests' times
      const parcel = (buyer: string, carrier: string, trackingNo: string) =>
        order(buyer, 'shipped', shippedAt - DAY, { shippedAt: iso(shippedAt), carrier, trackingNo });
      await putOrder('lw-1', parcel('lw1', '中通快递', 'ZT77'));
      await putOrder('lw-2', parcel('lw2', '韵达快递', 'YD88'));
      const scan = (id: string, at: number, description: string) =>
        call('POST', `/api/v1/orders/${id}/logistics`, {
          events: [{ id: `${id}-${at}`, at: iso(at), description }],
        });
      assert.equal((await scan('lw-1', shippedAt + 2 * HOUR, '【杭州】快件已揽收')).status, 200);
      assert.equal(
        (await scan('lw-2', shippedAt + 3 * HOUR, '【沈阳】因暴雪天气，快件暂时滞留')).status,
        200,
      );
      const stalled = await buyerOf('lw1');
      const held = await buyerOf('lw2');

      // The timer's sweep fires at the same moment as ours: ours waits for it, then sees its work.
      clock.set(shippedAt + 4 * HOUR);
      const timers = server.ctx.journeys.sweep();
      await sweepAt(shippedAt + 4 * HOUR);
      await timers;
      assert.deepEqual(await botLines(stalled), [], 'ZTO: 2 hours quiet is normal');
      const weather = await botLines(held);
      assert.equal(weather.length, 1);
      assert.match(weather[0]!.text, /（韵达快递 YD88）因天气原因暂时延误/);

      // 49 hours without a scan: a stall (the watch looks every ten minutes).
      await sweepAt(shippedAt + 2 * HOUR + 49 * HOUR);
      const told = await botLines(stalled);
      assert.equal(told.length, 1);
      assert.match(told[0]!.text, /（中通快递 ZT77）已经 49 小时没有物流更新/);
      await sweepAt(shippedAt + 2 * HOUR + 60 * HOUR);
      assert.equal((await botLines(stalled)).length, 1, 'flagged once, told once');

      // The agent sees the flag beside the chat; a new scan resolves it.
      const owner = await loginCookie(server, ownerEmail);
      const crm = await call('GET', `/api/buyers/${stalled}/crm`, undefined, owner);
      assert.equal(crm.status, 200, crm.body);
      assert.deepEqual(
        crm.json().parcelFlags.map((f: { orderId: string; kind: string }) => [f.orderId, f.kind]),
        [['lw-1', 'stalled']],
      );
      await scan('lw-1', shippedAt + 62 * HOUR, '【武汉】到达转运中心');
      await sweepAt(shippedAt + 63 * HOUR);
      assert.deepEqual(
        (await call('GET', `/api/buyers/${stalled}/crm`, undefined, owner)).json().parcelFlags,
        [],
      );
      await stop(journey);
    });
  });
}
