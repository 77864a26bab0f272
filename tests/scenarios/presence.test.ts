import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Socket } from 'socket.io-client';
import type { AgentId, ShopId } from '@xiaoer/core';
import { testDatabases } from '../support/databases';
import { makeAgent } from '../support/fixtures';
import {
  AGENT_PASSWORD,
  loginCookie,
  startTestServer,
  WidgetBuyers,
  type TestServer,
} from '../support/server';
import { connect } from '../support/sockets';
import { cliTeamService } from '../../packages/server/src/team/team-cli';
import { nextEvent, waitFor } from '../support/wait';

const SHOP = 'shop-demo' as ShopId;
const A1 = 'agent-demo-1' as AgentId;
const GRACE_MS = 400;

/** Resolves with the first `event` payload on `socket` that `match` accepts (the deadline is a hang guard). */
function next<T>(socket: Socket, event: string, match: (p: T) => boolean = () => true): Promise<T> {
  return nextEvent<T>(socket, event, match);
}

for (const engine of testDatabases) {
  describe(`RT-8 presence and live access on one node, ${engine.name}`, () => {
    let t: TestServer;
    const sockets: Socket[] = [];
    const buyers = new WidgetBuyers(() => t.server);
    let owner: string;
    let ownerSocket: Socket;
    const status = async (id: AgentId) => (await t.storage.agents.findAgent(SHOP, id))!.status;
    /** Waits (on the stored status, every 20 ms; the deadline is a hang guard) until the agent has `want`. */
    const becomes = async (id: AgentId, want: string) => {
      await waitFor(`${id} to become ${want}`, async () => (await status(id)) === want, { every: 20 });
    };
    const open = async (cookie: string) => {
      const s = await connect(t.url, '/agent', { cookie });
      sockets.push(s);
      return s;
    };

    before(async () => {
      t = await startTestServer({
        storage: await engine.open(),
        agentsOnline: false,
        env: { PRESENCE_EXPIRY_SECONDS: String(GRACE_MS / 1000), RATE_LIMIT_PER_MINUTE: '100000' },
      });
      owner = await loginCookie(t.server, 'owner@demo.xiaoer.dev');
    });
    beforeEach(async () => {
      // Nobody is here; every open chat is over (each test starts from an empty floor).
      for (const s of sockets.splice(0)) s.close();
      for (const a of await t.storage.agents.listAgents(SHOP))
        if (a.status !== 'offline') await t.server.ctx.chat.setAgentStatus(SHOP, a.id, 'offline');
      for (const c of [
        ...(await t.storage.conversations.listByStatus(SHOP, 'assigned', 500)),
        ...(await t.storage.conversations.listByStatus(SHOP, 'queued', 500)),
      ])
        await t.storage.conversations.updateConversation(SHOP, c.id, { status: 'ended', endedAt: 0 });
    });
    after(async () => {
      for (const s of sockets) s.close();
      await t.close();
    });

    it('an agent who never opened the workbench is never given a buyer; opening it makes them available and takes the queue', async () => {
      assert.equal(await status(A1), 'offline');
      const waiting = await buyers.says('never-seen', '在吗');
      assert.equal(waiting.status, 'queued');
      assert.equal(waiting.agentId, null);
      ownerSocket = await open(owner);
      const cookie = await loginCookie(t.server, 'agent1@demo.xiaoer.dev');
      const seen = next<{ agentId: string; status: string }>(
        ownerSocket,
        'agent:status',
        (p) => p.agentId === A1,
      );
      await open(cookie);
      // Status changes show live to admins.
      assert.equal((await seen).status, 'online');
      await becomes(A1, 'online');
      const now = await t.storage.conversations.findConversation(SHOP, waiting.id);
      assert.deepEqual([now?.status, now?.agentId], ['assigned', A1], 'the queue drained to them');
      // BOT-3 / BOT-5: nobody waits in silence — told they wait (place, hours), then who took them.
      const lines = (await t.storage.conversations.listMessages(SHOP, waiting.id, 0, 50)).flatMap((m) =>
        m.kind === 'system' ? [[m.body.code, m.body.text, m.body.agentId ?? null]] : [],
      );
      assert.deepEqual(lines, [
        [
          'queued',
          '当前没有客服在线（服务时间 每天 09:00–23:00），您已进入排队（第 1 位），客服上线后会第一时间回复您。',
          null,
        ],
        ['agent_joined', '客服小美为您服务', A1],
      ]);
    });

    it('the last socket closing takes the agent offline after the grace; a reload within the grace keeps them', async () => {
      ownerSocket = await open(owner);
      const cookie = await loginCookie(t.server, 'agent1@demo.xiaoer.dev');
      const first = await open(cookie);
      await becomes(A1, 'online');
      const statuses: string[] = [];
      ownerSocket.on('agent:status', (p: { agentId: string; status: string }) => {
        if (p.agentId === A1) statuses.push(p.status);
      });
      // A reload: another socket, and the first drops. (A reload whose new socket comes after the
      // old one dropped, within the grace, is local-presence.test.ts's, on a mocked clock: here it
      // would race the grace on a slow machine.)
      const second = await open(cookie);
      first.close();
      await new Promise((r) => setTimeout(r, GRACE_MS * 3));
      assert.equal(await status(A1), 'online', 'a reload within the grace keeps them');
      const offline = next<{ agentId: string; status: string }>(
        ownerSocket,
        'agent:status',
        (p) => p.agentId === A1 && p.status === 'offline',
      );
      const left = Date.now();
      second.close();
      await offline;
      assert.ok(Date.now() - left >= GRACE_MS - 50, 'not before the grace');
      assert.deepEqual(
        statuses.filter((x) => x !== 'online'),
        ['offline'],
        'offline once: after the last socket, never on the reload',
      );
      assert.equal(await status(A1), 'offline');
      assert.equal((await buyers.says('after-close', '有人吗')).agentId, null, 'gone: given nobody');
    });

    it('RT-8 with offlineChats "requeue" an agent who leaves hands their chats back to routing; with "keep" they stay theirs', async () => {
      const settings = await t.storage.shops.findRoutingSettings(SHOP);
      const cookie1 = await loginCookie(t.server, 'agent1@demo.xiaoer.dev');
      const cookie2 = await loginCookie(t.server, 'agent2@demo.xiaoer.dev');
      const s1 = await open(cookie1);
      await becomes(A1, 'online');
      const chat = await buyers.says('requeue-me', '你好');
      assert.equal(chat.agentId, A1);
      await open(cookie2);
      await becomes('agent-demo-2' as AgentId, 'online');
      try {
        await t.storage.shops.saveRoutingSettings(SHOP, { ...settings, offlineChats: 'keep' });
        s1.close();
        await becomes(A1, 'offline');
        const kept = (await t.storage.conversations.findConversation(SHOP, chat.id))!.agentId;
        assert.equal(kept, A1, 'keep: still theirs');
        const back = await open(cookie1);
        await becomes(A1, 'online');
        await t.storage.shops.saveRoutingSettings(SHOP, { ...settings, offlineChats: 'requeue' });
        back.close();
        await becomes(A1, 'offline');
        // (the status is written first, then the chats move, in the same routing step)
        const moved = await waitFor(
          'the chat to move',
          async () => {
            const c = (await t.storage.conversations.findConversation(SHOP, chat.id))!;
            return c.status === 'assigned' && c.agentId !== A1 && c;
          },
          { every: 20 },
        );
        assert.deepEqual(
          [moved.status, moved.agentId],
          ['assigned', 'agent-demo-2'],
          'requeue: to the agent still here',
        );
      } finally {
        await t.storage.shops.saveRoutingSettings(SHOP, settings);
      }
    });

    for (const [what, act] of [
      ['disabling', (id: string) => ({ method: 'POST' as const, url: `/api/admin/agents/${id}/disable` })],
      [
        'a role change',
        (id: string) => ({
          method: 'PATCH' as const,
          url: `/api/admin/agents/${id}`,
          payload: { role: 'outsourced' },
        }),
      ],
      [
        'a password reset',
        (id: string) => ({
          method: 'POST' as const,
          url: `/api/admin/agents/${id}/password`,
          payload: { password: 'Another-strong-2026' },
        }),
      ],
    ] as const) {
      it(`TEAM-1 ${what} disconnects the agent's live socket at once`, async () => {
        const agent = await makeAgent(t.storage, SHOP, { status: 'offline', password: AGENT_PASSWORD });
        const socket = await open(await loginCookie(t.server, agent.email, AGENT_PASSWORD));
        const changed = next<{ change: string }>(socket, 'account:changed');
        const gone = new Promise<string>((resolve) => socket.on('disconnect', (reason) => resolve(reason)));
        const res = await t.server.app.inject({ ...act(agent.id), headers: { cookie: owner } });
        assert.ok(res.statusCode < 300, res.body);
        assert.ok((await changed).change);
        assert.equal(await gone, 'io server disconnect');
        if (what === 'disabling') {
          await assert.rejects(loginCookie(t.server, agent.email, AGENT_PASSWORD), /403/);
        }
      });
    }

    it('TEAM-1 an agent disabled from the command line (no socket event) is disconnected at the next re-check', async () => {
      const agent = await makeAgent(t.storage, SHOP, { status: 'offline', password: AGENT_PASSWORD });
      const socket = await open(await loginCookie(t.server, agent.email, AGENT_PASSWORD));
      const gone = new Promise<string>((resolve) => socket.on('disconnect', (reason) => resolve(reason)));
      await cliTeamService(t.storage).disableAgent({ type: 'cli' }, SHOP, agent.id);
      assert.equal(await gone, 'io server disconnect');
    });

    it('logout disconnects every socket of the account and sets them offline', async () => {
      const cookie = await loginCookie(t.server, 'agent1@demo.xiaoer.dev');
      const desk = await open(cookie);
      const phone = await open(await loginCookie(t.server, 'agent1@demo.xiaoer.dev'));
      await becomes(A1, 'online');
      const gone = [desk, phone].map(
        (s) => new Promise<string>((resolve) => s.on('disconnect', (reason) => resolve(reason))),
      );
      const res = await t.server.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie } });
      assert.equal(res.statusCode, 204);
      assert.deepEqual(await Promise.all(gone), ['io server disconnect', 'io server disconnect']);
      assert.equal(await status(A1), 'offline');
      await assert.rejects(open(cookie), 'the session is over');
    });
  });
}
