/**
 * Issue #18: the supervisors' live board and SPAM-1 reporting, on SQLite and PostgreSQL. A fresh
 * shop with two agents at their workbenches (real sockets, RT-8 presence) and its owner's console
 * watching; buyers write through the widget's HTTP route. The board is read as the console reads
 * it (GET /api/admin/live) whenever the gateway says the shop changed (`live:changed`).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Socket } from 'socket.io-client';
import type { Agent, AgentId, Conversation, LiveBoard, ShopId } from '@xiaoer/core';
import { DEFAULT_METRICS_SETTINGS } from '@xiaoer/core';
import { testDatabases } from '../support/databases';
import { makeAgent, makeShop } from '../support/fixtures';
import { loginCookie, startTestServer, WidgetBuyers, type TestServer } from '../support/server';
import { connect } from '../support/sockets';
import { DEADLINE_MS, nextEvent } from '../support/wait';

const GRACE_MS = 300;

/** Resolves with the first `event` payload on `socket` that `match` accepts (the deadline is a hang guard). */
function next<T>(socket: Socket, event: string, match: (p: T) => boolean = () => true): Promise<T> {
  return nextEvent<T>(socket, event, match);
}

for (const engine of testDatabases) {
  describe(`issue #18 live board and SPAM-1 reports on ${engine.name}`, () => {
    let t: TestServer;
    let shopId: ShopId;
    let slug: string;
    let mei: Agent;
    let wang: Agent;
    let ownerCookie: string;
    const cookies = new Map<string, string>();
    const sockets: Socket[] = [];
    let console_: Socket;
    const buyers = new WidgetBuyers(() => t.server);

    const call = async <T>(cookie: string, method: 'GET' | 'POST', url: string) => {
      const res = await t.server.app.inject({ method, url, headers: { cookie } });
      return { status: res.statusCode, body: res.json() as T };
    };
    const board = async () => {
      const res = await call<LiveBoard>(ownerCookie, 'GET', '/api/admin/live');
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body;
    };
    /**
     * The board once it shows what `ready` wants: read now, then again at every `live:changed`
     * the console socket receives (the push the console re-reads on); the deadline is a hang guard.
     */
    const boardWhen = async (ready: (b: LiveBoard) => boolean, what: string): Promise<LiveBoard> => {
      let latest = await board();
      if (ready(latest)) return latest;
      return new Promise<LiveBoard>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`the board never showed ${what}: ${JSON.stringify(latest)}`)),
          DEADLINE_MS,
        );
        const on = (e: { shopId: string }) => {
          if (e.shopId !== shopId) return;
          void board().then((b) => {
            latest = b;
            if (!ready(b)) return;
            clearTimeout(timer);
            console_.off('live:changed', on);
            resolve(b);
          }, reject);
        };
        console_.on('live:changed', on);
      });
    };
    const row = (b: LiveBoard, agent: Agent) => b.agents.find((a) => a.agentId === agent.id)!;
    const blockList = async () => (await t.storage.shops.findBotSettings(shopId))?.blockedBuyers ?? [];

    before(async () => {
      t = await startTestServer({
        storage: await engine.open(),
        agentsOnline: false,
        env: { PRESENCE_EXPIRY_SECONDS: String(GRACE_MS / 1000), RATE_LIMIT_PER_MINUTE: '100000' },
      });
      slug = `live-${randomUUID().slice(0, 6)}`;
      shopId = await makeShop(t.storage, slug);
      // Every hour of the day is inside the consultation window: the test does not depend on the clock.
      await t.storage.metrics.saveSettings(shopId, {
        ...DEFAULT_METRICS_SETTINGS,
        windowStart: '00:00',
        windowEnd: '23:59',
      });
      const fields = { status: 'offline' as const, chosenStatus: 'online' as const, maxConcurrent: 5 };
      mei = await makeAgent(t.storage, shopId, { ...fields, name: '小美', email: `mei@${slug}.test` });
      wang = await makeAgent(t.storage, shopId, { ...fields, name: '小王', email: `wang@${slug}.test` });
      await makeAgent(t.storage, shopId, {
        role: 'owner',
        takesRouting: false,
        status: 'offline',
        chosenStatus: 'online',
        name: '店主',
        email: `owner@${slug}.test`,
      });
      ownerCookie = await loginCookie(t.server, `owner@${slug}.test`);
      for (const a of [mei, wang]) cookies.set(a.id, await loginCookie(t.server, a.email));
    });
    after(async () => {
      for (const s of sockets) s.close();
      await t.close();
    });

    it('the console watches without counting as its owner being here (RT-8); only admins watch', async () => {
      console_ = await connect(t.url, '/agent', { cookie: ownerCookie, auth: { app: 'console' } });
      sockets.push(console_);
      // An agent's console socket joins no board.
      const agentConsole = await connect(t.url, '/agent', {
        cookie: cookies.get(mei.id)!,
        auth: { app: 'console' },
      });
      sockets.push(agentConsole);
      const watching = t.server.io.of('/agent').adapter.rooms.get(`live:${shopId}`);
      assert.deepEqual([...(watching ?? [])], [console_.id], 'the owner’s console alone watches the shop');
      const owner = (await board()).agents.find((a) => a.name === '店主')!;
      assert.equal(owner.status, 'offline', 'the console is no workbench: the owner takes no buyers');
      agentConsole.close();
    });

    it('agents at their workbenches and a buyer waiting: the board shows status, load, cap and who waits', async () => {
      for (const a of [mei, wang])
        sockets.push(await connect(t.url, '/agent', { cookie: cookies.get(a.id)! }));
      await boardWhen(
        (b) => row(b, mei).status === 'online' && row(b, wang).status === 'online',
        'both agents online',
      );
      const c = await buyers.says('阿花', '在吗？这款有货吗', slug);
      assert.equal(c.status, 'assigned');
      const holder = c.agentId === mei.id ? mei : wang;
      const b = await boardWhen((b) => row(b, holder).load === 1, 'the buyer with their agent');
      const r = row(b, holder);
      assert.equal(r.cap, 5);
      assert.equal(r.waiting, 1);
      assert.equal(r.oldestWaiting?.conversationId, c.id);
      assert.equal(r.oldestWaiting?.nick, (await t.storage.buyers.findBuyer(shopId, c.buyerId))?.nick);
      assert.equal(r.oldestWaiting?.since, c.waitingSince);
      assert.equal(b.queue.count, 0);
      await t.server.ctx.metrics.flush();
      const counted = await board();
      assert.equal(counted.today.consultations, 1, 'one consultation so far today');
      assert.equal(row(counted, holder).today.consultations, 1);
    });

    it('MET-5 each agent hears of the buyers they hold; admins and the board of all of them', async () => {
      const workbench = (a: Agent) =>
        sockets.find(
          (s) =>
            s !== console_ &&
            !s.disconnected &&
            (s.io.opts.extraHeaders as Record<string, string>)?.cookie === cookies.get(a.id),
        )!;
      type Alert = { atRisk: { conversationId: string; agentId: string | null }[] };
      const first = (await board()).agents.find((a) => a.load === 1)!;
      const [holder, other] = first.agentId === mei.id ? [mei, wang] : [wang, mei];
      // A second buyer goes to the other agent (least loaded, RT-2): both wait, nobody answered yet.
      const second = await buyers.says('阿草', '请问什么时候发货', slug);
      assert.equal(second.agentId, other.id);
      await t.server.ctx.metrics.flush();
      const theirs = (a: Agent) =>
        next<Alert>(workbench(a), 'metrics:alert', (p) => p.atRisk.every((r) => r.agentId === a.id));
      const [holderHears, otherHears] = [theirs(holder), theirs(other)];
      await t.server.ctx.metrics.checkAlerts();
      const [h, o] = await Promise.all([holderHears, otherHears]);
      assert.deepEqual(
        h.atRisk.map((r) => r.agentId),
        [holder.id],
      );
      assert.deepEqual(
        o.atRisk.map((r) => [r.conversationId, r.agentId]),
        [[second.id, other.id]],
      );
      const full = await board();
      assert.equal(full.alert?.atRisk.length, 2, 'the board names both');
      const asAgent = await call<{ alert: Alert | null; replyMinutes: number }>(
        cookies.get(other.id)!,
        'GET',
        '/api/metrics/alert',
      );
      assert.deepEqual(
        asAgent.body.alert?.atRisk.map((r) => r.conversationId),
        [second.id],
        'GET /api/metrics/alert: an agent’s own buyers',
      );
      assert.equal(asAgent.body.replyMinutes, DEFAULT_METRICS_SETTINGS.replyMinutes);
      // The holder answers in time: their banner clears, the other's stays.
      const cleared = next(workbench(holder), 'metrics:alert-cleared');
      const stays = theirs(other);
      const reply = await t.server.app.inject({
        method: 'POST',
        url: `/api/conversations/${h.atRisk[0]!.conversationId}/messages`,
        headers: { cookie: cookies.get(holder.id)! },
        payload: { clientId: randomUUID(), kind: 'text', body: { text: '在的，有货' } },
      });
      assert.equal(reply.statusCode, 200, reply.body);
      await t.server.ctx.metrics.flush();
      await t.server.ctx.metrics.checkAlerts();
      await cleared;
      assert.deepEqual(
        (await stays).atRisk.map((r) => r.conversationId),
        [second.id],
      );
    });

    it('an agent goes offline (their workbench closes, the grace passes): the board says so', async () => {
      // 小王's workbench is the last socket: it closes and RT-8's grace takes him offline.
      const wangSocket = sockets.find(
        (s) =>
          s !== console_ &&
          (s.io.opts.extraHeaders as Record<string, string>)?.cookie === cookies.get(wang.id),
      )!;
      wangSocket.close();
      const b = await boardWhen((b) => row(b, wang).status === 'offline', '小王 offline');
      assert.equal(row(b, mei).status, 'online');
      assert.equal(b.agents.at(-1)?.agentId !== mei.id, true, 'offline agents come after online ones');
      // He comes back: online again, pushed the same way.
      sockets.push(await connect(t.url, '/agent', { cookie: cookies.get(wang.id)! }));
      await boardWhen((b) => row(b, wang).status === 'online', '小王 back online');
      // He chooses to go offline himself (PUT /api/me/status): the board follows.
      const put = await t.server.app.inject({
        method: 'PUT',
        url: '/api/me/status',
        headers: { cookie: cookies.get(wang.id)! },
        payload: { status: 'offline' },
      });
      assert.equal(put.statusCode, 200, put.body);
      await boardWhen((b) => row(b, wang).status === 'offline', '小王 chose offline');
    });

    it('SPAM-1 the agent reports an advertiser: blocked, set aside, announced, not counted; undo gives it back', async () => {
      const c = await buyers.says('广告哥', '加微信 ad888 优惠多多', slug);
      assert.equal(c.agentId, mei.id, '小王 is offline: 小美 has the buyer');
      const meiSocket = sockets.find(
        (s) =>
          (s.io.opts.extraHeaders as Record<string, string>)?.cookie === cookies.get(mei.id) &&
          !s.disconnected,
      )!;
      await t.server.ctx.metrics.flush();
      const before = await board();

      // Only the agent holding it (or an admin) reports: another agent is refused, nothing changes.
      const wangTries = await call(cookies.get(wang.id)!, 'POST', `/api/conversations/${c.id}/report-spam`);
      assert.equal(wangTries.status, 403);
      assert.deepEqual(await blockList(), []);

      const announced = next<{ conversation: Conversation }>(
        meiSocket,
        'conversation:updated',
        (p) => p.conversation.id === c.id && p.conversation.status === 'spam',
      );
      const reported = await call<{ conversation: Conversation }>(
        cookies.get(mei.id)!,
        'POST',
        `/api/conversations/${c.id}/report-spam`,
      );
      assert.equal(reported.status, 200, JSON.stringify(reported.body));
      assert.equal(reported.body.conversation.status, 'spam');
      assert.equal(reported.body.conversation.spamReason, 'reported');
      assert.equal(reported.body.conversation.reportedBy, mei.id);
      assert.equal(reported.body.conversation.agentId, null);
      assert.equal((await announced).conversation.spamReason, 'reported', 'announced over the socket');
      assert.deepEqual(await blockList(), [c.buyerId], 'the buyer is on the block list');
      const again = await call(cookies.get(mei.id)!, 'POST', `/api/conversations/${c.id}/report-spam`);
      assert.equal(again.status, 409, 'reported once');

      // The slot frees; the reported buyer leaves the reply rate (SPAM-1).
      await t.server.ctx.metrics.flush();
      const aside = await boardWhen((b) => b.spam === 1, 'the conversation set aside');
      assert.equal(row(aside, mei).load, row(before, mei).load - 1);
      assert.equal(aside.today.consultations, before.today.consultations - 1);

      // Another agent cannot undo 小美's report; she can.
      const wangUndo = await call(cookies.get(wang.id)!, 'POST', `/api/conversations/${c.id}/unreport-spam`);
      assert.equal(wangUndo.status, 403);
      const undone = await call<{ conversation: Conversation }>(
        cookies.get(mei.id)!,
        'POST',
        `/api/conversations/${c.id}/unreport-spam`,
      );
      assert.equal(undone.status, 200, JSON.stringify(undone.body));
      assert.equal(undone.body.conversation.status, 'assigned');
      assert.equal(undone.body.conversation.agentId, mei.id, 'back to the agent who reported it');
      assert.equal(undone.body.conversation.spamReason, null);
      assert.equal(undone.body.conversation.reportedBy, null);
      assert.deepEqual(await blockList(), [], 'off the block list');
      await t.server.ctx.metrics.flush();
      const restored = await boardWhen((b) => b.spam === 0, 'the conversation back');
      assert.equal(row(restored, mei).load, row(before, mei).load);
      assert.equal(restored.today.consultations, before.today.consultations, 'counted again');
      const twice = await call(cookies.get(mei.id)!, 'POST', `/api/conversations/${c.id}/unreport-spam`);
      assert.equal(twice.status, 409, 'nothing left to undo');
    });

    it('SPAM-1 a reported buyer’s next conversation goes straight to suspected spam', async () => {
      const c = await buyers.says('广告妹', '代刷好评 私聊', slug);
      const reported = await call(cookies.get(c.agentId!)!, 'POST', `/api/conversations/${c.id}/report-spam`);
      assert.equal(reported.status, 200);
      // An admin ends the set-aside conversation; the buyer comes back with a new one.
      const end = await call(ownerCookie, 'POST', `/api/conversations/${c.id}/end`);
      assert.equal(end.status, 200);
      const later = await buyers.says('广告妹', '还在吗 代刷好评', slug);
      assert.notEqual(later.id, c.id);
      assert.equal(later.status, 'spam');
      assert.equal(later.spamReason, 'blocked');
      assert.equal(later.agentId, null);
      // An ended report cannot be undone from the chat any more (the console's block list can).
      const undo = await call(ownerCookie, 'POST', `/api/conversations/${c.id}/unreport-spam`);
      assert.equal(undo.status, 409);
    });

    it('SPAM-1 an undo while the reporter is offline sends the buyer to routing instead', async () => {
      const c = await buyers.says('阿明', '请问能开发票吗', slug);
      const reporter = c.agentId as AgentId;
      assert.equal(
        (await call(cookies.get(reporter)!, 'POST', `/api/conversations/${c.id}/report-spam`)).status,
        200,
      );
      await t.server.ctx.chat.setAgentStatus(shopId, reporter, 'offline');
      const undone = await call<{ conversation: Conversation }>(
        ownerCookie,
        'POST',
        `/api/conversations/${c.id}/unreport-spam`,
      );
      assert.equal(undone.status, 200, JSON.stringify(undone.body));
      assert.notEqual(undone.body.conversation.agentId, reporter);
      assert.ok(['queued', 'assigned'].includes(undone.body.conversation.status));
      assert.ok(!(await blockList()).includes(c.buyerId));
    });
  });
}
