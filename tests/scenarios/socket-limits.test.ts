/**
 * Issue #14: one socket (or many of one buyer) flooding client events. Every event is counted
 * against its buyer or agent account: over the budget it is answered `rate_limited` (with
 * `retryAfterMs`) and does no work; typing reaches the other side coalesced, the last state last;
 * a sender far past the limit is disconnected; the server keeps serving everyone else.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Socket } from 'socket.io-client';
import type { Message, ShopId, AgentId } from '@xiaoer/core';
import { testDatabases } from '../support/databases';
import { loginCookie, startTestServer, widgetSession, type TestServer } from '../support/server';
import { collect, connect, emit, until, type AckBody } from '../support/sockets';

/** Small budgets, so a test reaches them in a few dozen events. */
const LIMIT = 20;
const TYPING_PUSH_MS = 1000;
const FLOOD_DISCONNECT_AFTER = 100;
const ENV = {
  WS_TYPING_PER_10S: String(LIMIT),
  WS_SYNC_PER_10S: String(LIMIT),
  WS_READ_PER_10S: String(LIMIT),
  WS_EVENTS_PER_10S: String(LIMIT),
  BUYER_MESSAGES_PER_10S: '1000',
  WS_TYPING_PUSH_MS: String(TYPING_PUSH_MS),
  WS_FLOOD_DISCONNECT_AFTER: String(FLOOD_DISCONNECT_AFTER),
  WIDGET_SESSIONS_PER_MINUTE: '10000',
  LOGIN_ATTEMPTS_PER_MINUTE: '10000',
};

interface TypingPush {
  conversationId: string;
  who: string;
  isTyping: boolean;
}

for (const engine of testDatabases) {
  describe(`issue #14 socket event limits on ${engine.name}`, () => {
    let t: TestServer;
    let agent: Socket;
    const typingAtAgent: TypingPush[] = [];
    let agentGot: Message[] = [];
    const sockets: Socket[] = [];
    before(async () => {
      t = await startTestServer({ storage: await engine.open(), env: ENV });
      // One agent at the desk: every conversation lands on agent1.
      for (const id of ['agent-demo-2', 'agent-demo-3'])
        await t.server.ctx.chat.setAgentStatus('shop-demo' as ShopId, id as AgentId, 'offline');
      agent = await connect(t.url, '/agent', {
        cookie: await loginCookie(t.server, 'agent1@demo.xiaoer.dev'),
      });
      agent.on('conversation:typing', (e: TypingPush) => typingAtAgent.push(e));
      agentGot = collect(agent);
    });
    after(async () => {
      for (const s of [...sockets, agent]) s.close();
      await t.close();
    });

    /** A buyer whose conversation agent1 holds, on `tabs` sockets. */
    async function buyerWithConversation(tabs = 1) {
      const { token } = await widgetSession(t.server);
      const open: Socket[] = [];
      for (let i = 0; i < tabs; i++) open.push(await connect(t.url, '/buyer', { token }));
      sockets.push(...open);
      const sent = await emit<{ message: Message }>(open[0]!, 'message:send', {
        clientId: `first-${token.slice(-6)}`,
        kind: 'text',
        body: { text: '你好，在吗' },
      });
      assert.ok(sent.ok, JSON.stringify(sent));
      return { token, sockets: open, conversationId: sent.data.message.conversationId };
    }

    /** Sends `count` of an event round-robin over the sockets, each with an ack. */
    const burst = (from: Socket[], count: number, event: string, payload: (i: number) => unknown) =>
      Promise.all(
        Array.from({ length: count }, (_, i) => emit<unknown>(from[i % from.length]!, event, payload(i))),
      );

    const tally = (acks: AckBody<unknown>[]) => ({
      ok: acks.filter((a) => a.ok).length,
      limited: acks.filter((a) => {
        const error = a.ok ? undefined : (a.error as { code: string; retryAfterMs?: number });
        return error?.code === 'rate_limited' && (error.retryAfterMs ?? 0) > 0;
      }).length,
    });

    it('typing from a buyer on several sockets reaches the agent coalesced, the last state ("stopped") last', async () => {
      const buyer = await buyerWithConversation(3);
      const mine = () => typingAtAgent.filter((e) => e.conversationId === buyer.conversationId);
      const started = Date.now();
      // Within the budget: every one is taken, and they arrive as a few pushes.
      const acks = await burst(buyer.sockets, LIMIT - 1, 'conversation:typing', () => ({
        conversationId: buyer.conversationId,
        isTyping: true,
      }));
      assert.equal(tally(acks).ok, LIMIT - 1);
      const stop = await emit(buyer.sockets[2]!, 'conversation:typing', {
        conversationId: buyer.conversationId,
        isTyping: false,
      });
      assert.ok(stop.ok);
      await until(() => mine().at(-1)?.isTyping === false, 'the stopped-typing push at the agent');
      const elapsed = Date.now() - started;
      // At most one push a coalescing interval (and the first at once), never one per event.
      assert.ok(
        mine().length <= Math.ceil(elapsed / TYPING_PUSH_MS) + 1,
        `${mine().length} typing pushes in ${elapsed} ms`,
      );
      assert.ok(mine().length < LIMIT, `${mine().length} pushes for ${LIMIT} events`);
      assert.deepEqual(mine()[0], { conversationId: buyer.conversationId, who: 'buyer', isTyping: true });
    });

    it('over the budget, each event is answered rate_limited with retryAfterMs and does no work — one budget for all the buyer’s sockets', async () => {
      const buyer = await buyerWithConversation(2);
      const calls = { sync: 0, read: 0 };
      const chat = t.server.ctx.chat;
      const realSync = chat.syncMessages.bind(chat);
      const realRead = chat.markRead.bind(chat);
      chat.syncMessages = (...args) => (calls.sync++, realSync(...args));
      chat.markRead = (...args) => (calls.read++, realRead(...args));
      try {
        const extra = 15;
        const sync = tally(
          await burst(buyer.sockets, LIMIT + extra, 'messages:sync', () => ({
            conversationId: buyer.conversationId,
            afterSeq: 0,
          })),
        );
        assert.deepEqual(sync, { ok: LIMIT, limited: extra });
        assert.equal(calls.sync, LIMIT, 'refused syncs never reached the service');
        const read = tally(
          await burst(buyer.sockets, LIMIT + extra, 'conversation:read', (i) => ({
            conversationId: buyer.conversationId,
            seq: i,
          })),
        );
        assert.deepEqual(read, { ok: LIMIT, limited: extra });
        assert.equal(calls.read, LIMIT, 'refused read receipts never reached the service');
        const typing = tally(
          await burst(buyer.sockets, LIMIT + extra, 'conversation:typing', () => ({
            conversationId: buyer.conversationId,
            isTyping: true,
          })),
        );
        assert.deepEqual(typing, { ok: LIMIT, limited: extra });
        // message:send (and any other event) draws on the general budget; the first send took one.
        const sends = tally(
          await burst(buyer.sockets, LIMIT + extra, 'message:send', (i) => ({
            clientId: `burst-${i}`,
            kind: 'text',
            body: { text: `第 ${i} 个问题：这件衣服有 ${i} 号吗` },
          })),
        );
        assert.deepEqual(sends, { ok: LIMIT - 1, limited: extra + 1 });
      } finally {
        chat.syncMessages = realSync;
        chat.markRead = realRead;
      }
    });

    it('events named like object internals ("constructor", "__proto__", "toString") are just other events', async () => {
      const buyer = await buyerWithConversation(1);
      const socket = buyer.sockets[0]!;
      for (const event of ['constructor', '__proto__', 'toString', 'hasOwnProperty'])
        socket.emit(event, { conversationId: buyer.conversationId });
      const sync = await emit(socket, 'messages:sync', { conversationId: buyer.conversationId, afterSeq: 0 });
      assert.ok(sync.ok, JSON.stringify(sync));
      assert.ok(socket.connected);
      assert.equal((await fetch(`${t.url}/health`)).status, 200);
    });

    it('an agent account has one budget over all its sockets; its typing reaches the buyer coalesced, the last state last', async () => {
      const buyer = await buyerWithConversation(1);
      const atBuyer: TypingPush[] = [];
      buyer.sockets[0]!.on('conversation:typing', (e: TypingPush) => atBuyer.push(e));
      const cookie = await loginCookie(t.server, 'owner@demo.xiaoer.dev');
      const tabs = [await connect(t.url, '/agent', { cookie }), await connect(t.url, '/agent', { cookie })];
      sockets.push(...tabs);
      const started = Date.now();
      const typing = await burst(tabs, LIMIT - 1, 'conversation:typing', () => ({
        conversationId: buyer.conversationId,
        isTyping: true,
      }));
      assert.equal(tally(typing).ok, LIMIT - 1);
      assert.ok(
        (
          await emit(tabs[1]!, 'conversation:typing', {
            conversationId: buyer.conversationId,
            isTyping: false,
          })
        ).ok,
      );
      await until(() => atBuyer.at(-1)?.isTyping === false, 'the stopped-typing push at the buyer');
      const elapsed = Date.now() - started;
      assert.ok(
        atBuyer.length <= Math.ceil(elapsed / TYPING_PUSH_MS) + 1,
        `${atBuyer.length} typing pushes in ${elapsed} ms`,
      );
      assert.equal(
        tally(
          await burst(tabs, 5, 'conversation:typing', () => ({
            conversationId: buyer.conversationId,
            isTyping: true,
          })),
        ).limited,
        5,
      );
      const extra = 7;
      const sync = tally(
        await burst(tabs, LIMIT + extra, 'messages:sync', () => ({
          conversationId: buyer.conversationId,
          afterSeq: 0,
        })),
      );
      assert.deepEqual(sync, { ok: LIMIT, limited: extra });
    });

    it('a socket flooding every event far past the limit is disconnected and its buyer refused a while; /health and another buyer get through meanwhile', async () => {
      const flooder = await buyerWithConversation(1);
      const other = await buyerWithConversation(1);
      const socket = flooder.sockets[0]!;
      const mine = () => typingAtAgent.filter((e) => e.conversationId === flooder.conversationId);
      let reason = '';
      socket.once('disconnect', (why) => (reason = why));
      const started = Date.now();
      const events = [
        [
          'conversation:typing',
          (i: number) => ({ conversationId: flooder.conversationId, isTyping: i % 2 === 0 }),
        ],
        ['messages:sync', () => ({ conversationId: flooder.conversationId, afterSeq: 0 })],
        ['conversation:read', (i: number) => ({ conversationId: flooder.conversationId, seq: i })],
        [
          'message:send',
          (i: number) => ({ clientId: `flood-${i}`, kind: 'text', body: { text: `刷屏 ${i}` } }),
        ],
      ] as const;
      // Fire and forget, as an attacker would: no acks awaited.
      for (let i = 0; i < 4 * (LIMIT + FLOOD_DISCONNECT_AFTER); i++) {
        const [event, payload] = events[i % events.length]!;
        socket.emit(event, payload(i));
      }
      // Meanwhile the server answers others.
      const health = await fetch(`${t.url}/health`);
      assert.equal(health.status, 200);
      const normal = await emit<{ message: Message }>(other.sockets[0]!, 'message:send', {
        clientId: 'during-the-flood',
        kind: 'text',
        body: { text: '请问今天能发货吗' },
      });
      assert.ok(normal.ok, JSON.stringify(normal));
      await until(
        () => agentGot.some((m) => m.clientId === 'during-the-flood'),
        'the other buyer’s message at the agent',
      );
      await until(() => reason !== '', 'the flooder disconnected');
      assert.equal(reason, 'io server disconnect');
      const elapsed = Date.now() - started;
      assert.ok(
        mine().length <= Math.ceil(elapsed / TYPING_PUSH_MS) + 1,
        `${mine().length} typing pushes in ${elapsed} ms`,
      );
      // The same buyer on a new socket is let in and put out at once, while blocked.
      const again = await connect(t.url, '/buyer', { token: flooder.token });
      sockets.push(again);
      await until(() => again.disconnected, 'the blocked buyer’s new socket put out');
      assert.equal((await fetch(`${t.url}/health`)).status, 200);
    });
  });
}
