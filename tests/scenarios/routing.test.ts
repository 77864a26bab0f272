import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  FakeClock,
  type AgentId,
  type BuyerId,
  type Conversation,
  type OrderId,
  type ShopId,
} from '@xiaoer/core';
import type { InjectOptions } from 'fastify';
import { testDatabases } from '../support/databases';
import { loginCookie, startTestServer, WidgetBuyers, type TestServer } from '../support/server';
import { cliTeamService } from '../../packages/server/src/team/team-cli';

const SHOP = 'shop-demo' as ShopId;
const HOUR = 3_600_000;
const A1 = 'agent-demo-1' as AgentId;
const A2 = 'agent-demo-2' as AgentId;
const A3 = 'agent-demo-3' as AgentId;

for (const engine of testDatabases) {
  describe(`routing through the server on ${engine.name}`, () => {
    let t: TestServer;
    let owner: string;
    const clock = new FakeClock(Date.parse('2026-11-23T09:00:00+08:00'));
    const inject = (o: InjectOptions) => t.server.app.inject(o);
    const chat = () => t.server.ctx.chat;

    before(async () => {
      t = await startTestServer({
        storage: await engine.open(),
        clock,
        listen: false,
        env: {
          RATE_LIMIT_PER_MINUTE: '100000',
          WIDGET_SESSIONS_PER_MINUTE: '100000',
          // The test fires timers itself (the fake clock decides what is due).
          TIMER_POLL_MS: '60000',
        },
      });
      owner = await loginCookie(t.server, 'owner@demo.xiaoer.dev');
    });
    after(() => t.close());

    /** Puts the shop in a known state: these agents online with these caps, the rest offline, nothing open. */
    async function reset(online: Partial<Record<string, number>>, settings: Record<string, unknown> = {}) {
      for (const c of await t.storage.conversations.listForAgent(SHOP, A1, {
        status: 'open',
        all: true,
        limit: 1000,
      }))
        await t.storage.conversations.updateConversation(SHOP, c.id, { status: 'ended', endedAt: 0 });
      const res = await inject({
        method: 'PUT',
        url: '/api/admin/routing',
        headers: { cookie: owner },
        payload: {
          mode: 'basic',
          groups: [],
          offlineRouting: [],
          lingerMinutes: 0,
          returningBuyerHours: 72,
          newCustomerPriority: true,
          ...settings,
        },
      });
      assert.equal(res.statusCode, 200, res.body);
      for (const id of [A1, A2, A3]) {
        const cap = online[id];
        await t.storage.agents.updateAgent(SHOP, id, { maxConcurrent: cap ?? 10 });
        await chat().setAgentStatus(SHOP, id, cap === undefined ? 'offline' : 'online');
      }
    }

    const buyers = new WidgetBuyers(() => t.server);
    /** A buyer (one per name, kept across calls) sends a line; returns the conversation as answered. */
    const says = (name: string, text = '在吗') => buyers.says(name, text);
    const find = async (id: string) => (await t.storage.conversations.findConversation(SHOP, id as never))!;
    const asAgent = (agentId: AgentId) => ({ type: 'agent' as const, agentId, isAdmin: false });

    it('RT-1 a returning buyer goes back to their agent within 72 h (beyond the cap), as new after', async () => {
      await reset({ [A1]: 1, [A2]: 5 });
      const first = await says('rt1');
      assert.equal(first.agentId, A1);
      assert.equal(first.assignReason, 'least-loaded');
      await chat().endConversation(SHOP, asAgent(A1), first.id);
      await says('filler'); // A1 full again
      clock.advance(72 * HOUR); // the boundary: exactly 72 h since the last message counts
      const back = await says('rt1', '我又来了');
      assert.deepEqual([back.agentId, back.assignReason], [A1, 'returning-buyer']);
      const loads = await t.storage.conversations.countAssignedByAgent(SHOP);
      assert.equal(loads.get(A1), 2, 'beyond its cap of 1');
      await chat().endConversation(SHOP, asAgent(A1), back.id);
      clock.advance(72 * HOUR + 1);
      const later = await says('rt1', '过了三天');
      assert.deepEqual([later.agentId, later.assignReason], [A2, 'least-loaded']);
    });

    it('RT-3 group mode routes by the buyer’s latest order status; RT-4 a full group queues and drains at once', async () => {
      await reset(
        { [A1]: 5, [A2]: 1 },
        { mode: 'group', groups: [{ id: 'pre', name: '售前', statuses: ['none'], agentIds: [A2] }] },
      );
      const a = await says('grp-a');
      assert.deepEqual([a.agentId, a.assignReason], [A2, 'status-group']);
      const b = await says('grp-b');
      assert.deepEqual(
        [b.status, b.queueGroup, b.agentId],
        ['queued', 'pre', null],
        'A1 has room but is not in the group',
      );
      const queue = (
        await inject({ method: 'GET', url: '/api/queue', headers: { cookie: owner } })
      ).json() as {
        waiting: { conversationId: string; position: number; queue: string }[];
      };
      assert.deepEqual(
        queue.waiting.map((w) => [w.conversationId, w.position, w.queue]),
        [[b.id, 1, 'pre']],
      );
      await chat().endConversation(SHOP, asAgent(A2), a.id);
      const drained = await find(b.id);
      assert.deepEqual([drained.status, drained.agentId, drained.assignReason], ['assigned', A2, 'queue']);
    });

    it('RT-9 with a 20-minute linger the slot frees only when the time has passed', async () => {
      await reset({ [A1]: 1 }, { lingerMinutes: 20 });
      const a = await says('linger-a');
      const b = await says('linger-b');
      assert.equal(b.status, 'queued');
      await chat().endConversation(SHOP, asAgent(A1), a.id);
      assert.equal((await find(b.id)).status, 'queued', 'the ended chat still holds the slot');
      // The release is a durable timer in the database, fired by a worker once it is due.
      const [release, ...more] = (
        await t.storage.timers.list({ kind: 'routing.release', shopId: SHOP })
      ).filter((x) => x.firedAt === null);
      assert.equal(more.length, 0);
      assert.equal(release?.dueAt, clock.now() + 20 * 60_000);
      clock.advance(20 * 60_000 - 1);
      await t.server.scheduler.runDue(); // (the shop's recurring jobs fall due too)
      assert.equal((await t.storage.timers.find(release!.id))?.firedAt, null, 'not due yet');
      assert.equal((await find(b.id)).status, 'queued');
      clock.advance(1);
      assert.equal(await t.server.scheduler.runDue(), 1);
      assert.deepEqual([(await find(b.id)).agentId, (await find(b.id)).assignReason], [A1, 'queue']);
      const fired = await t.storage.timers.find(release!.id);
      assert.deepEqual(
        [fired?.firedAt, fired?.firedBy, fired?.attempts],
        [clock.now(), t.server.ctx.node.id, 1],
      );
      assert.equal(await t.server.scheduler.runDue(), 0, 'fired once');
    });

    it('RT-9 a release whose timer was never set (its node died first) still happens, by the minute sweep', async () => {
      await reset({ [A1]: 1 }, { lingerMinutes: 20 });
      const a = await says('lost-timer-a');
      const b = await says('lost-timer-b');
      await chat().endConversation(SHOP, asAgent(A1), a.id);
      // As if the node had died between the end and the timer's insert.
      await t.storage.db.kysely.deleteFrom('timers').where('kind', '=', 'routing.release').execute();
      clock.advance(20 * 60_000);
      await t.server.scheduler.runDue();
      assert.deepEqual([(await find(b.id)).agentId, (await find(b.id)).assignReason], [A1, 'queue']);
      const sweep = await t.storage.timers.find('routing.sweep');
      assert.ok(sweep && sweep.dueAt > clock.now(), 'the sweep runs again in a minute');
    });

    it('RT-8 an agent disabled from the command line (no routing step) has their chats routed by the minute sweep', async () => {
      await reset({ [A1]: 5, [A2]: 5 });
      const chat1 = await says('cli-disabled', '在吗');
      const holder = chat1.agentId as AgentId;
      await cliTeamService(t.storage).disableAgent({ type: 'cli' }, SHOP, holder);
      assert.deepEqual(
        [(await find(chat1.id)).status, (await find(chat1.id)).queuedAt],
        ['queued', null],
        'left unrouted',
      );
      clock.advance(60_000);
      await t.server.scheduler.runDue();
      const moved = await find(chat1.id);
      assert.equal(moved.status, 'assigned');
      assert.notEqual(moved.agentId, holder, 'to the agent still working');
      await t.storage.agents.updateAgent(SHOP, holder, { disabledAt: null });
    });

    it('RT-5 / RT-6 / RT-10: offline list, pulling from the queue, admin assignment beyond caps', async () => {
      await reset({}, { offlineRouting: [A3] });
      const night = await says('night');
      assert.deepEqual([night.agentId, night.assignReason], [A3, 'offline-list']);
      await reset({ [A1]: 1 });
      await says('busy-1');
      const waiting = await says('busy-2');
      assert.equal(waiting.status, 'queued');
      // the owner (a non-routing account) pulls it
      const pulled = (
        await inject({ method: 'POST', url: '/api/queue/pull', headers: { cookie: owner } })
      ).json() as {
        conversation: Conversation;
      };
      assert.deepEqual([pulled.conversation.id, pulled.conversation.assignReason], [waiting.id, 'pulled']);
      const another = await says('busy-3');
      const res = await inject({
        method: 'POST',
        url: `/api/conversations/${another.id}/assign`,
        headers: { cookie: owner },
        payload: { toAgentId: A1 },
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal((await find(another.id)).assignReason, 'manual');
      assert.equal((await t.storage.conversations.countAssignedByAgent(SHOP)).get(A1), 2, 'beyond the cap');
      // an agent may not assign; nobody assigns to an offline agent
      const agent1 = await loginCookie(t.server, 'agent1@demo.xiaoer.dev');
      const forbidden = await inject({
        method: 'POST',
        url: `/api/conversations/${another.id}/assign`,
        headers: { cookie: agent1 },
        payload: { toAgentId: A1 },
      });
      assert.equal(forbidden.statusCode, 403);
      const offline = await inject({
        method: 'POST',
        url: `/api/conversations/${another.id}/assign`,
        headers: { cookie: owner },
        payload: { toAgentId: A3 },
      });
      assert.equal(offline.statusCode, 409);
      assert.equal((await offline.json()).error.field, 'toAgentId');
    });

    it("CRM-6 with members first from the shop's second tier, a gold member jumps the queue; a silver one waits", async () => {
      await reset({ [A1]: 1 }, { priorityTierRank: 2 });
      const first = await says('crm6-filler');
      assert.equal(first.agentId, A1);
      clock.advance(1000); // each buyer queued at their own moment
      const plain = await says('crm6-plain');
      assert.equal(plain.status, 'queued');
      /** A buyer with `paid` paid orders of 100 yuan (default ladder: silver from 3, gold from 8). */
      const member = async (name: string, paid: number) => {
        const buyerId = (await buyers.token(name)).split('.')[2] as BuyerId;
        for (let i = 0; i < paid; i++)
          await t.storage.orders.insertOrder({
            id: `${name}-${i}` as OrderId,
            shopId: SHOP,
            buyerId,
            status: 'completed',
            totalCents: 10_000,
            carrier: null,
            trackingNo: null,
            createdAt: clock.now() - (i + 40) * 24 * HOUR,
            paidAt: clock.now() - (i + 40) * 24 * HOUR,
            shippedAt: null,
            items: [],
            logistics: [],
          });
        clock.advance(1000);
        return says(name);
      };
      const silver = await member('crm6-silver', 3);
      const gold = await member('crm6-gold', 8);
      const queue = (
        await inject({ method: 'GET', url: '/api/queue', headers: { cookie: owner } })
      ).json() as { waiting: { conversationId: string; position: number }[] };
      assert.deepEqual(
        queue.waiting.map((w) => w.conversationId),
        [gold.id, plain.id, silver.id],
      );
      await chat().endConversation(SHOP, asAgent(A1), first.id);
      assert.equal((await find(gold.id)).agentId, A1);
    });

    it('rejects a bad settings change whole, naming the field', async () => {
      const before = (
        await inject({ method: 'GET', url: '/api/admin/routing', headers: { cookie: owner } })
      ).json();
      for (const [payload, field] of [
        [{ lingerMinutes: 61 }, 'lingerMinutes'],
        [{ offlineRouting: ['ghost'] }, 'offlineRouting'],
        [{ groups: [{ id: 'g', name: 'G', statuses: ['paid'], agentIds: ['ghost'] }] }, 'groups[0].agentIds'],
        [{ groups: [{ id: 'g', name: 'G', statuses: ['lost'], agentIds: [] }] }, 'groups.0.statuses.0'],
        [{ mode: 'fancy' }, 'mode'],
      ] as const) {
        const res = await inject({
          method: 'PUT',
          url: '/api/admin/routing',
          headers: { cookie: owner },
          payload: { ...before.settings, ...payload },
        });
        assert.equal(res.statusCode, 400, `${JSON.stringify(payload)}: ${res.body}`);
        assert.equal(res.json().error.field, field);
      }
      const afterwards = (
        await inject({ method: 'GET', url: '/api/admin/routing', headers: { cookie: owner } })
      ).json();
      assert.deepEqual(afterwards, before);
    });

    it('RT-4 200 buyers at once for 20 slots: no cap exceeded, none assigned twice, the queue drains in order', async () => {
      await reset({ [A1]: 7, [A2]: 7, [A3]: 6 });
      const sent = await Promise.all(Array.from({ length: 200 }, (_, i) => says(`rush-${i}`, `第${i}个`)));
      const loads = await t.storage.conversations.countAssignedByAgent(SHOP);
      assert.deepEqual([loads.get(A1), loads.get(A2), loads.get(A3)], [7, 7, 6]);
      const open: Conversation[] = await t.storage.conversations.listForAgent(SHOP, A1, {
        status: 'open',
        all: true,
        limit: 1000,
      });
      assert.equal(open.length, 200);
      assert.equal(new Set(sent.map((c) => c.id)).size, 200, 'one conversation per buyer');
      const queued = (await t.server.ctx.routing.queueOf(SHOP)).map((w) => w.conversationId);
      assert.equal(queued.length, 180);
      // Free one slot at a time: the longest waiting goes first, every time.
      for (let i = 0; i < 10; i++) {
        const held = open.find((c) => c.status === 'assigned' && c.agentId === A1 && !c.endedAt)!;
        open.splice(open.indexOf(held), 1);
        await chat().endConversation(SHOP, asAgent(A1), held.id);
        const next = await find(queued[i]!);
        assert.deepEqual([next.agentId, next.assignReason], [A1, 'queue'], `#${i} in queue order`);
        open.push(next);
      }
    });
  });
}
