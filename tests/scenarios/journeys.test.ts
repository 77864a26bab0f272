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
  silentLogger,
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
import { CRM_ENROL_TIMER, JourneyRunner } from '../../packages/server/src/crm/journey-runner';

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

    const call = async (
      method: 'GET' | 'PUT' | 'POST' | 'DELETE',
      url: string,
      payload?: unknown,
      cookie?: string,
    ) => {
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
    /**
     * The enrol timers a write set (a review, an announced product, a group buy), fired at `at` as a
     * worker does; returns how many were set since the last call.
     */
    const enrolsSeen = new Set<string>();
    const fireEnrols = async (at: number) => {
      clock.set(at);
      // Claimed and completed as a worker node does, so the background scheduler never fires one
      // again later (a group buy's invitation sent long after the test moved on).
      for (const t of await storage.timers.claimDue('test-node', at, HOUR, 100, [CRM_ENROL_TIMER])) {
        await server.ctx.journeys.onEnrolTimer(t.shopId, t.payload);
        await storage.timers.complete(t.id, 'test-node', at);
      }
      // One the background scheduler took first: wait until it has fired; count the new ones.
      // (bounded: a timer the scheduler claimed and failed would otherwise hang the test)
      for (let tries = 0; ; tries++) {
        assert.ok(tries < 2000, 'an enrol timer the background scheduler took was never fired');
        const due = (await storage.timers.list({ kind: CRM_ENROL_TIMER, shopId })).filter(
          (t) => t.dueAt <= at,
        );
        if (due.every((t) => t.firedAt !== null)) {
          const fresh = due.filter((t) => !enrolsSeen.has(t.id));
          for (const t of fresh) enrolsSeen.add(t.id);
          return fresh.length;
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    /** The sweep the crm.sweep timer runs, at `at`. */
    const sweepAt = async (at: number) => {
      clock.set(at);
      await server.ctx.journeys.sweep();
    };
    /** A restart of the node: runs, their due times and the enrol timers live in the database. */
    const restart = async () => {
      await server.close();
      server = await createServer(
        parseConfig({ PORT: '0', LOG_LEVEL: 'silent', SECRET: 'test-secret-test-secret-test-secret!' }),
        { storage, clock },
      );
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

      await restart();
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
      // Every trigger has its source (orders, parcels, dates, reviews, products, group buys): every
      // template is offered.
      const offered = (await call('GET', '/api/admin/journey-templates', undefined, cookie)).json().templates;
      assert.deepEqual(
        offered.map((x: { id: string }) => x.id),
        ['follow-up', 'logistics-notice', 'win-back', 'holiday', 'new-arrival', 'group-buy', 'review-care'],
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
      await restart(); // the runs held by quiet hours are in the database
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
      await restart();
      await sweepAt(shippedAt + 2 * HOUR + 60 * HOUR);
      assert.equal((await botLines(stalled)).length, 1, 'flagged once, told once (across a restart)');

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

    it('CRM-7: reviews arrive through the API; drafts differ by content; one reply through the guard, sent on as review.replied; a poor review is cared for', async () => {
      const care = await start('review-care');
      const R = T0 + 600 * DAY; // 10:00 Shanghai
      clock.set(R);
      const owner = await loginCookie(server, ownerEmail);
      const hook = await call('POST', '/api/v1/webhooks', {
        url: 'http://127.0.0.1:9/reviews',
        events: ['review.replied'],
      });
      assert.equal(hook.status, 201, hook.body);
      await putOrder('rv-1', order('rv1', 'completed', R - 5 * DAY));
      await putOrder('rv-2', order('rv2', 'completed', R - 5 * DAY));
      const review = (id: string, body: Record<string, unknown>) =>
        call('PUT', `/api/v1/reviews/${id}`, body);
      const good = {
        buyerExternalId: 'rv1',
        orderExternalId: 'rv-1',
        rating: 5,
        text: '保温效果很好，一晚上水还是热的，物流也快',
        postedAt: iso(R - HOUR),
      };
      const poor = {
        buyerExternalId: 'rv2',
        orderExternalId: 'rv-2',
        rating: 2,
        text: '杯盖有点漏水，包装也压坏了',
        postedAt: iso(R - HOUR),
      };
      assert.equal((await review('tb-1', good)).status, 201);
      assert.equal((await review('tb-2', poor)).status, 201);
      assert.equal((await review('tb-2', poor)).status, 200, 'sent again: the same review');
      // An old review synced (posted a month ago) is kept, and starts no journey.
      assert.equal((await review('tb-0', { ...poor, postedAt: iso(R - 30 * DAY) })).status, 201);
      const bad = await review('tb-3', { ...good, rating: 6 });
      assert.equal(bad.status, 400);
      assert.equal(bad.json().error.field, 'rating');

      // Only the poor review's buyer is cared for, an hour later.
      await fireEnrols(R);
      const runs = await storage.journeys.listRuns(shopId, care);
      assert.equal(runs.length, 2, 'the two fresh reviews, not the old one');
      await sweepAt(R + MINUTE);
      assert.deepEqual(await botLines(await buyerOf('rv2')), [], 'an hour later, not at once');
      await restart();
      await sweepAt(R + HOUR + 2 * MINUTE);
      assert.deepEqual(await botLines(await buyerOf('rv1')), []);
      const told = await botLines(await buyerOf('rv2'));
      assert.equal(told.length, 1);
      assert.match(told[0]!.text, /看到您对「不锈钢保温杯」的评价/);

      // The workbench: three waiting; each draft is written from its own review.
      const list = await call('GET', '/api/reviews', undefined, owner);
      assert.equal(list.status, 200, list.body);
      assert.equal(list.json().unanswered, 3);
      const byId = new Map(
        list.json().reviews.map((r: { externalId: string }) => [r.externalId, r] as const),
      ) as Map<
        string,
        {
          id: string;
          draft: string;
          buyerNick: string;
          orderId: string;
          item: string;
          reading: { praised: string[]; complained: string[] };
        }
      >;
      const g = byId.get('tb-1')!;
      const p2 = byId.get('tb-2')!;
      // Each review with its own buyer and order (the page's buyers and orders are read at once).
      assert.deepEqual(
        [g.buyerNick, p2.buyerNick, g.item, p2.item],
        ['买家rv1', '买家rv2', '不锈钢保温杯', '不锈钢保温杯'],
      );
      assert.notEqual(g.orderId, p2.orderId);
      assert.notEqual(g.draft, p2.draft);
      assert.ok(g.reading.praised.includes('effect') && g.reading.praised.includes('delivery'), g.draft);
      assert.ok(p2.reading.complained.includes('packaging'), p2.draft);
      assert.match(g.draft, /买家rv1/);
      assert.match(p2.draft, /抱歉/);

      // CMP-3: a reply that would take the buyer off the platform is refused, and nothing is stored.
      const blocked = await call(
        'POST',
        `/api/reviews/${p2.id}/reply`,
        { text: '加我微信 xiaoer888 给您补偿' },
        owner,
      );
      assert.equal(blocked.status, 422, blocked.body);
      assert.equal(blocked.json().error.code, 'compliance_blocked');
      const sent = await call('POST', `/api/reviews/${p2.id}/reply`, { text: p2.draft }, owner);
      assert.equal(sent.status, 200, sent.body);
      assert.equal(sent.json().review.reply.text, p2.draft);
      assert.equal(sent.json().review.draft, null);
      assert.equal(
        (await call('POST', `/api/reviews/${p2.id}/reply`, { text: '再说一次' }, owner)).status,
        409,
        'one reply per review',
      );
      const after1 = (await call('GET', '/api/reviews', undefined, owner)).json();
      assert.equal(after1.unanswered, 2);
      assert.ok(!after1.reviews.some((r: { id: string }) => r.id === p2.id));
      const answered = (await call('GET', '/api/reviews?view=answered', undefined, owner)).json();
      assert.deepEqual(
        answered.reviews.map((r: { externalId: string }) => r.externalId),
        ['tb-2'],
      );
      // The connector reads it back, and hears of it.
      const v1 = (await call('GET', '/api/v1/reviews/tb-2')).json().review;
      assert.equal(v1.reply.text, p2.draft);
      assert.deepEqual(
        (await call('GET', '/api/v1/reviews?answered=false'))
          .json()
          .reviews.map((r: { externalId: string }) => r.externalId),
        ['tb-0', 'tb-1'],
      );
      const events = await storage.webhooks.deliveries(shopId, hook.json().id, { limit: 10 });
      assert.deepEqual(
        events.map((d) => d.type),
        ['review.replied'],
      );
      const data = JSON.parse(events[0]!.body).data;
      assert.deepEqual(
        [data.review.externalId, data.review.buyerExternalId, data.review.reply.text],
        ['tb-2', 'rv2', p2.draft],
      );
      await call('DELETE', `/api/v1/webhooks/${hook.json().id}`);
      // Two reviews without an order from one buyer: each its own run (a review is its own thing).
      for (const id of ['tb-4', 'tb-5'])
        await review(id, {
          buyerExternalId: 'rv4',
          rating: 1,
          text: '不好用',
          postedAt: iso(clock.now() - HOUR),
        });
      await fireEnrols(clock.now());
      const rv4 = await buyerOf('rv4');
      assert.equal(
        (await storage.journeys.listRuns(shopId, care)).filter((r) => r.buyerId === rv4).length,
        2,
      );
      await stop(care);
    });

    it('CRM-8 / CRM-5: an open group buy and an announced product invite the audience; a group buy closed before the morning invites nobody', async () => {
      const invite = await start('group-buy');
      const arrival = await start('new-arrival');
      const G = T0 + 620 * DAY; // 10:00 Shanghai
      await putOrder('gb-1', order('gb1', 'paid', G - 10 * DAY));
      const gb1 = await buyerOf('gb1');
      clock.set(G);
      const groupBuy = (id: string, body: Record<string, unknown>) =>
        call('PUT', `/api/v1/group-buys/${id}`, body);
      const made = await groupBuy('pd-1', {
        title: '保温杯两只装',
        priceCents: 9_900,
        endsAt: iso(G + 3 * DAY),
      });
      assert.equal(made.status, 201, made.body);
      assert.equal(made.json().groupBuy.status, 'open');
      await fireEnrols(G);
      await sweepAt(G + MINUTE);
      const lines = await botLines(gb1);
      assert.equal(lines.length, 1);
      assert.match(lines[0]!.text, /「保温杯两只装」正在拼单，拼单价99元/);

      // Opened at 23:00: the invitation waits for the morning, and the group buy closes at 01:00.
      const night = G + DAY + 13 * HOUR; // 23:00 Shanghai
      await putOrder('gb-2', order('gb2', 'paid', night - 10 * DAY));
      const gb2 = await buyerOf('gb2');
      clock.set(night);
      await groupBuy('pd-2', { title: '焖烧罐拼单', priceCents: 5_900, endsAt: iso(night + 2 * DAY) });
      await fireEnrols(night);
      await sweepAt(night + MINUTE);
      const waiting = (await storage.journeys.listRuns(shopId, invite)).filter(
        (r) => r.buyerId === gb2 && r.context.groupBuyId === 'pd-2',
      );
      assert.equal(waiting.length, 1);
      await restart(); // the invitation held for the morning is in the database
      clock.set(night + 2 * HOUR);
      const closed = await groupBuy('pd-2', {
        title: '焖烧罐拼单',
        priceCents: 5_900,
        endsAt: iso(night + 2 * DAY),
        status: 'closed',
      });
      assert.equal(closed.status, 200, closed.body);
      await sweepAt(night + 9 * HOUR + MINUTE); // 08:01
      assert.ok(!(await botLines(gb2)).some((l) => /焖烧罐/.test(l.text)), 'closed: not sent');
      const [stopped] = (await storage.journeys.listRuns(shopId, invite)).filter(
        (r) => r.buyerId === gb2 && r.context.groupBuyId === 'pd-2',
      );
      assert.deepEqual([stopped?.status, stopped?.stopReason], ['stopped', 'condition_failed']);
      // Reopened in the morning: invited again, this time sent.
      await groupBuy('pd-2', { title: '焖烧罐拼单', priceCents: 5_900, endsAt: iso(night + 2 * DAY) });
      await fireEnrols(clock.now());
      await sweepAt(clock.now() + MINUTE);
      assert.equal((await botLines(gb2)).filter((l) => /焖烧罐/.test(l.text)).length, 1, 'reopened: invited');

      // CRM-5: a product the shop announces is pushed; a catalogue sync (no announce) is not.
      const N = G + 5 * DAY; // 10:00
      clock.set(N);
      assert.equal(
        (await call('PUT', '/api/v1/products/cup-2', { title: '钛杯', priceCents: 19_900 })).status,
        201,
      );
      assert.equal(await fireEnrols(N), 0, 'no announcement, no enrolment');
      assert.equal(
        (
          await call('PUT', '/api/v1/products/cup-3', {
            title: '钛合金保温杯',
            priceCents: 25_900,
            announce: true,
          })
        ).status,
        201,
      );
      assert.equal(await fireEnrols(N), 1);
      await sweepAt(N + MINUTE);
      const pushed = (await botLines(gb1)).filter((l) => /上新/.test(l.text));
      assert.equal(pushed.length, 1);
      assert.match(pushed[0]!.text, /「钛合金保温杯」/);
      assert.ok(
        (await storage.journeys.listRuns(shopId, arrival)).every((r) => r.context.productId === 'cup-3'),
      );
      await stop(invite);
      await stop(arrival);
    });

    it('CRM-4: "30 days since the last order" starts a run for a buyer who reaches it after the journey starts, not for those long gone', async () => {
      const L = T0 + 700 * DAY; // 10:00
      clock.set(L);
      const cookie = await loginCookie(server, ownerEmail);
      const made = await call(
        'POST',
        '/api/admin/journeys',
        {
          journey: {
            name: '30天未下单',
            trigger: { kind: 'days_since_last_order', days: 30 },
            audience: {},
            steps: [{ kind: 'message', template: '{buyerNick}，好久不见，「{orderItem}」用得还好吗？' }],
            exitOnOrder: true,
            attributionDays: 7,
          },
        },
        cookie,
      );
      assert.equal(made.status, 201, made.body);
      const id = made.json().journey.id;
      await putOrder('ls-1', order('ls', 'paid', L + HOUR));
      const ls = await buyerOf('ls');
      // A dry run names who will reach 30 days within the horizon, and when.
      const plan = await call('POST', `/api/admin/journeys/${id}/dry-run`, { days: 40 }, cookie);
      assert.equal(plan.status, 200, plan.body);
      const mine = plan.json().sends.filter((x: { buyerId: string }) => x.buyerId === ls);
      assert.equal(mine.length, 1, plan.body);
      assert.ok(mine[0].at >= L + HOUR + 30 * DAY);
      // The dry run keeps to the journey's audience: none carries this tag.
      const narrow = await call(
        'POST',
        '/api/admin/journeys',
        {
          journey: {
            ...made.json().journey.definition,
            name: '30天未下单（标签）',
            audience: { tags: ['无人有此标签'] },
          },
        },
        cookie,
      );
      assert.equal(narrow.status, 201, narrow.body);
      const none = await call(
        'POST',
        `/api/admin/journeys/${narrow.json().journey.id}/dry-run`,
        { days: 40 },
        cookie,
      );
      assert.deepEqual([none.json().buyers, none.json().sends.length], [0, 0]);
      assert.equal(
        (await call('POST', `/api/admin/journeys/${id}/status`, { status: 'active' }, cookie)).status,
        200,
      );

      await sweepAt(L + 29 * DAY);
      assert.equal((await storage.journeys.listRuns(shopId, id)).length, 0, 'not yet');
      await sweepAt(L + 30 * DAY + 2 * HOUR);
      const runs = await storage.journeys.listRuns(shopId, id);
      assert.deepEqual(
        runs.map((r) => r.buyerId),
        [ls],
        'only the buyer who reached 30 days since the journey started',
      );
      await sweepAt(L + 30 * DAY + 4 * HOUR);
      const lines = (await botLines(ls)).filter((l) => /好久不见/.test(l.text));
      assert.equal(lines.length, 1);
      assert.match(lines[0]!.text, /「不锈钢保温杯」用得还好吗/);

      // Paused for 20 days while another buyer reaches 30 days: resumed, it does not greet them late.
      await putOrder('lp-1', order('lp', 'paid', L + 5 * DAY));
      const lp = await buyerOf('lp');
      const status = async (s: string) =>
        call(
          'POST',
          `/api/admin/journeys/${id}/status`,
          { status: s },
          await loginCookie(server, ownerEmail),
        );
      assert.equal((await status('paused')).status, 200);
      await sweepAt(L + 40 * DAY);
      clock.set(L + 40 * DAY + HOUR);
      assert.equal((await status('active')).status, 200);
      await sweepAt(L + 41 * DAY + 2 * HOUR);
      await sweepAt(L + 42 * DAY + 4 * HOUR);
      assert.ok(
        !(await storage.journeys.listRuns(shopId, id)).some((r) => r.buyerId === lp),
        'reached 30 days while paused: not greeted on resume',
      );
      await stop(id);
    });

    it("CRM-6 / CRM-3: the shop's own ladder and the watch's hours, set in the console, are what the profile and the watch use", async () => {
      const W = T0 + 800 * DAY; // 10:00
      clock.set(W);
      const owner = await loginCookie(server, ownerEmail);
      const put = (body: unknown) => call('PUT', '/api/admin/crm/settings', body, owner);
      const before = (await call('GET', '/api/admin/crm/settings', undefined, owner)).json().settings;
      assert.equal(before.loyalty.tiers[0].name, '银卡会员', 'the defaults until the shop sets its own');
      const refused = await put({
        loyalty: {
          tiers: [
            { name: '老朋友', minSpendCents: 20_000, minOrders: 2, discountPercent: 3 },
            { name: '挚友', minSpendCents: 10_000, minOrders: 5, discountPercent: 5 },
          ],
        },
        logistics: { defaultGapHours: 48, carrierGapHours: { 中通: 12 } },
      });
      assert.equal(refused.status, 400, refused.body);
      assert.equal(refused.json().error.field, 'tiers[1]');
      assert.deepEqual(
        (await call('GET', '/api/admin/crm/settings', undefined, owner)).json().settings,
        before,
        'nothing written: not even the valid part',
      );
      const saved = await put({
        loyalty: { tiers: [{ name: '老朋友', minSpendCents: 20_000, minOrders: 2, discountPercent: 3 }] },
        logistics: { defaultGapHours: 48, carrierGapHours: { 中通: 12 } },
      });
      assert.equal(saved.status, 200, saved.body);
      assert.equal(
        (await put({ logistics: { defaultGapHours: 0, carrierGapHours: {} } })).json().error.field,
        'defaultGapHours',
      );

      // A buyer with one 128-yuan order is a 老朋友 now (spend from 200 yuan or 2 orders: not yet).
      await putOrder(
        'ws-1',
        order('ws', 'shipped', W, { shippedAt: iso(W), carrier: '中通快递', trackingNo: 'ZT5' }),
      );
      const ws = await buyerOf('ws');
      let profile = (await call('GET', `/api/buyers/${ws}/crm`, undefined, owner)).json();
      assert.deepEqual([profile.tier.rank, profile.tier.next.name], [0, '老朋友']);
      await putOrder('ws-2', order('ws', 'paid', W + MINUTE));
      profile = (await call('GET', `/api/buyers/${ws}/crm`, undefined, owner)).json();
      assert.deepEqual([profile.tier.rank, profile.tier.name], [1, '老朋友']);
      // 中通 quiet for 13 hours is stalled under the shop's 12.
      await sweepAt(W + 13 * HOUR);
      profile = (await call('GET', `/api/buyers/${ws}/crm`, undefined, owner)).json();
      assert.deepEqual(
        profile.parcelFlags.map((f: { orderId: string; kind: string }) => [f.orderId, f.kind]),
        [['ws-1', 'stalled']],
      );
    });

    it('CRM-1: a segment by tags, spend, last order and tier is counted and listed for the console; tags are suggested from what the buyer wrote', async () => {
      const S = T0 + 900 * DAY;
      await putOrder('sg-1', order('sg1', 'paid', S - 10 * DAY));
      await putOrder('sg-2', order('sg2', 'paid', S - 100 * DAY));
      clock.set(S);
      const owner = await loginCookie(server, ownerEmail);
      const tag = (buyerId: string, t: string) =>
        call('POST', `/api/buyers/${buyerId}/tags`, { tag: t }, owner);
      const sg1 = await buyerOf('sg1');
      const sg2 = await buyerOf('sg2');
      assert.equal((await tag(sg1, '宝妈')).status, 200);
      assert.equal((await tag(sg2, '宝妈')).status, 200);
      const preview = (audience: unknown) => call('POST', '/api/admin/segments/preview', { audience }, owner);
      const recent = await preview({ tags: ['宝妈'], orderedWithinDays: 30 });
      assert.equal(recent.status, 200, recent.body);
      assert.deepEqual(
        [recent.json().count, recent.json().buyers.map((b: { nick: string }) => b.nick)],
        [1, ['买家sg1']],
      );
      const lapsed = (await preview({ tags: ['宝妈'], notOrderedForDays: 60 })).json();
      assert.deepEqual(
        lapsed.buyers.map((b: { buyerId: string; spentCents: number; tags: string[] }) => [
          b.buyerId,
          b.spentCents,
          b.tags,
        ]),
        [[sg2, 12_800, ['宝妈']]],
      );
      // Tags suggested from what the buyer wrote; the agent takes one.
      await server.ctx.chat.sendBuyerMessage(shopId, sg1, 'sg1-a', {
        kind: 'text',
        body: { text: '上次买的挺好 我特别怕冷 这回给我妈也买一个 她手脚也冰凉' },
      });
      let crm = (await call('GET', `/api/buyers/${sg1}/crm`, undefined, owner)).json();
      assert.deepEqual(
        crm.suggestedTags.map((x: { tag: string }) => x.tag),
        ['老顾客', '怕冷', '长辈'],
        '宝妈 is carried already',
      );
      assert.equal(crm.suggestedTags[2].evidence, '我妈');
      crm = (await call('POST', `/api/buyers/${sg1}/tags`, { tag: '怕冷', suggested: true }, owner)).json();
      assert.deepEqual(
        crm.tags.map((x: { tag: string; source: string }) => [x.tag, x.source]),
        [
          ['宝妈', 'agent'],
          ['怕冷', 'accepted'],
        ],
      );
      assert.deepEqual(
        crm.suggestedTags.map((x: { tag: string }) => x.tag),
        ['老顾客', '长辈'],
      );
      // One turned down is not suggested again, to any agent; only the suggested tags can be.
      const dismiss = (tag: string) =>
        call(
          'POST',
          `/api/buyers/${sg1}/tag-suggestions/${encodeURIComponent(tag)}/dismiss`,
          undefined,
          owner,
        );
      const turned = await dismiss('老顾客');
      assert.equal(turned.status, 200, turned.body);
      assert.deepEqual(
        turned.json().suggestedTags.map((x: { tag: string }) => x.tag),
        ['长辈'],
      );
      assert.equal((await dismiss('老顾客')).status, 200, 'turned down twice: the same');
      const unknown = await dismiss('爱喝茶');
      assert.equal(unknown.status, 404, unknown.body);
      assert.equal(unknown.json().error.field, 'tag');
      await server.ctx.chat.sendBuyerMessage(shopId, sg1, 'sg1-b', {
        kind: 'text',
        body: { text: '又来买了 第三次买了' },
      });
      crm = (await call('GET', `/api/buyers/${sg1}/crm`, undefined, owner)).json();
      assert.deepEqual(
        crm.suggestedTags.map((x: { tag: string }) => x.tag),
        ['长辈'],
        'not again, whatever she writes',
      );
      assert.ok(!crm.tags.some((x: { tag: string }) => x.tag === '老顾客'), 'turned down, not added');
      // Turned down for her alone: another buyer who says the same is still suggested it.
      await server.ctx.chat.sendBuyerMessage(shopId, sg2 as BuyerId, 'sg2-a', {
        kind: 'text',
        body: { text: '又来买了 第三次买了' },
      });
      assert.ok(
        (await call('GET', `/api/buyers/${sg2}/crm`, undefined, owner))
          .json()
          .suggestedTags.some((x: { tag: string }) => x.tag === '老顾客'),
      );

      // CRM-1 interests: the shop's products she asked about, from her words (a product written
      // through the API after the index was built is found too: the catalogue's version moved).
      assert.equal(
        (await call('PUT', '/api/v1/products/jar-1', { title: '焖烧罐', priceCents: 12_900 })).status,
        201,
      );
      await server.ctx.chat.sendBuyerMessage(shopId, sg1, 'sg1-c', {
        kind: 'text',
        body: { text: '这个焖烧罐能焖粥吗 焖烧罐有粉色吗' },
      });
      crm = (await call('GET', `/api/buyers/${sg1}/crm`, undefined, owner)).json();
      assert.deepEqual(
        crm.interests.map((x: { title: string; mentions: number; evidence: string }) => [
          x.title,
          x.mentions,
          x.evidence,
        ]),
        [['焖烧罐', 1, '焖烧罐']],
      );

      const bad = await preview({ minSpendCents: -1 });
      assert.equal(bad.status, 400, bad.body);
      assert.equal(bad.json().error.field, 'audience.minSpendCents');
    });

    it('a node that died mid-send: the step it had claimed is not sent again (a message lost beats one twice), and the run goes on', async () => {
      const journey = await start('follow-up');
      const C = T0 + 950 * DAY; // 10:00
      await putOrder('cr-1', order('cr', 'completed', C - 3 * DAY));
      const buyerId = await buyerOf('cr');
      await sweepAt(C + MINUTE);
      const [run] = await storage.journeys.listRuns(shopId, journey);
      assert.equal(run?.step, 1, 'waiting a day before the first message');
      // The dead node had claimed step 1's send, and died before sending it.
      assert.ok(
        await storage.journeys.recordSend({
          key: `${run!.id}:1`,
          shopId,
          journeyId: journey,
          runId: run!.id,
          buyerId,
          kind: 'message',
          text: '…',
          couponId: null,
          conversationId: null,
          messageId: null,
          outcome: 'pending',
          at: C + DAY,
        }),
      );
      await sweepAt(C + MINUTE + DAY);
      assert.deepEqual(await botLines(buyerId), [], 'the claimed step is not sent again');
      await sweepAt(C + MINUTE + 4 * DAY);
      const lines = await botLines(buyerId);
      assert.equal(lines.length, 1);
      assert.match(lines[0]!.text, /5元无门槛券/, 'the run went on to its next step');
      await stop(journey);
    });

    it('a journey stopped from the console while a batch is in flight: nothing more is sent, and its runs end', async () => {
      // This node's background timers stop here: the runner below (another node) alone moves the runs.
      await server.scheduler.stop();
      const M = T0 + 980 * DAY; // 10:00
      clock.set(M);
      for (const i of [1, 2, 3, 4]) await putOrder(`mb-${i}`, order(`mb${i}`, 'paid', M - DAY));
      const journey = await start('group-buy');
      const owner = await loginCookie(server, ownerEmail);
      assert.equal(
        (
          await call('PUT', '/api/v1/group-buys/mb', {
            title: '批量拼单',
            priceCents: 1_000,
            endsAt: iso(M + 3 * DAY),
          })
        ).status,
        201,
      );
      await fireEnrols(M);
      const audience = (await storage.journeys.listRuns(shopId, journey)).length;
      assert.ok(audience >= 4, `the audience was enrolled (${audience})`);
      // The owner stops the journey in the console right after the batch's first message goes out.
      let sent = 0;
      const chat = server.ctx.chat;
      const stopping = Object.assign(Object.create(chat) as typeof chat, {
        sendJourneyMessage: async (...args: Parameters<typeof chat.sendJourneyMessage>) => {
          const out = await chat.sendJourneyMessage(...args);
          // (a buyer of an earlier test still talking to the shop is `busy`: not sent, the run waits)
          if (out !== 'busy' && ++sent === 1) {
            const r = await call(
              'POST',
              `/api/admin/journeys/${journey}/status`,
              { status: 'stopped' },
              owner,
            );
            assert.equal(r.status, 200, r.body);
          }
          return out;
        },
      });
      const nodeB = new JourneyRunner({
        storage,
        chat: stopping,
        clock,
        ids: { next: () => randomUUID() },
        logger: silentLogger,
        nodeId: 'node-b',
      });
      clock.set(M + MINUTE);
      await nodeB.runDue();
      assert.equal(sent, 1, 'the batch went on after the stop, but sent nothing more');
      assert.equal((await storage.journeys.stats(shopId, journey)).sends, 1);
      const runs = await storage.journeys.listRuns(shopId, journey);
      let told = 0;
      for (const r of runs)
        told += (await botLines(r.buyerId as BuyerId)).filter((l) => /批量拼单/.test(l.text)).length;
      assert.equal(told, 1, 'one buyer of the audience was told');
      assert.deepEqual(
        runs.filter((r) => r.status === 'active'),
        [],
        'no run is left to send later',
      );
      // Every run ended with the journey (the one that had sent too: it had not been saved yet).
      assert.ok(runs.filter((r) => r.stopReason === 'journey_stopped').length >= audience - 1);
      // Nor does a later sweep on this node send anything.
      await sweepAt(M + DAY);
      assert.equal((await storage.journeys.stats(shopId, journey)).sends, 1);
    });

    it('CRM-4: a buyer who never comes back gets the coupon at 30 days, the offer at 60, then nothing — across a restart', async () => {
      const journey = await start('win-back');
      const first = T0 + 990 * DAY; // 10:00 (the last test: the latest times)
      await putOrder('wn-1', order('wn', 'paid', first));
      const buyerId = await buyerOf('wn');
      await sweepAt(first + 5 * MINUTE);
      await sweepAt(first + 30 * DAY + 5 * MINUTE);
      assert.equal((await botLines(buyerId)).length, 1);
      const open = (await storage.conversations.findOpenByBuyer(shopId, buyerId))!;
      await server.ctx.chat.endConversation(
        shopId,
        { type: 'agent', agentId: ownerId as AgentId, isAdmin: true },
        open.id,
      );
      await restart();
      await sweepAt(first + 60 * DAY + 5 * MINUTE);
      await sweepAt(first + 60 * DAY + 10 * MINUTE); // again: nothing more
      const lines = await botLines(buyerId);
      assert.equal(lines.length, 1, 'the offer, in a new conversation');
      assert.match(lines[0]!.text, /老顾客的专属优惠：满129减20元/);
      const [run] = await storage.journeys.listRuns(shopId, journey);
      assert.equal(run?.status, 'done');
      await sweepAt(first + 120 * DAY);
      assert.equal(
        (await storage.compliance.proactiveSentSince(shopId, buyerId, 0)).length,
        2,
        'then nothing',
      );
      const stats = await storage.journeys.stats(shopId, journey);
      assert.deepEqual([stats.sends, stats.coupons, stats.conversions], [2, 2, 0]);
      await stop(journey);
    });
  });
}
