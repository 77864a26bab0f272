import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Socket } from 'socket.io-client';
import type { Message } from '@xiaoer/core';
import { testDatabases } from '../support/databases';
import { loginCookie, startTestServer, widgetSession, type TestServer } from '../support/server';
import { collect, connect, emit, until } from '../support/sockets';

for (const engine of testDatabases) {
  describe(`real-time chat over Socket.IO on ${engine.name}`, () => {
    let t: TestServer;
    const sockets: Socket[] = [];
    before(async () => {
      t = await startTestServer({ storage: await engine.open() });
    });
    after(async () => {
      for (const s of sockets) s.close();
      await t.close();
    });

    async function buyerAndAgent() {
      // Two agents go offline so the one conversation lands on agent1 deterministically.
      for (const id of ['agent-demo-2', 'agent-demo-3']) {
        await t.server.ctx.chat.setAgentStatus('shop-demo' as never, id as never, 'offline');
      }
      const cookie = await loginCookie(t.server, 'agent1@demo.xiaoer.dev');
      const agent = await connect(t.url, '/agent', { cookie });
      const { token } = await widgetSession(t.server);
      const buyer = await connect(t.url, '/buyer', { token });
      sockets.push(agent, buyer);
      return { agent, buyer, token };
    }

    it('RT-2 a buyer message reaches the assigned agent and the reply reaches the buyer', async () => {
      const { agent, buyer } = await buyerAndAgent();
      const agentGot = collect(agent);
      const buyerGot = collect(buyer);
      const sent = await emit<{ message: Message }>(buyer, 'message:send', {
        clientId: 'b-1',
        kind: 'text',
        body: { text: '你好，什么时候发货？' },
      });
      assert.equal(sent.ok, true);
      // The first message is stored before the assignment; the agent syncs the conversation it is given.
      const convId = sent.ok ? sent.data.message.conversationId : '';
      const sync = await emit<{ messages: Message[] }>(agent, 'messages:sync', {
        conversationId: convId,
        afterSeq: 0,
      });
      assert.ok(sync.ok);
      assert.equal(
        sync.ok && sync.data.messages[0]?.kind === 'text' && sync.data.messages[0].body.text,
        '你好，什么时候发货？',
      );

      const reply = await emit<{ message: Message }>(agent, 'message:send', {
        conversationId: convId,
        clientId: 'a-1',
        kind: 'text',
        body: { text: '亲，48 小时内发货' },
      });
      assert.ok(reply.ok, JSON.stringify(reply));
      await until(() => buyerGot.some((m) => m.clientId === 'a-1'), 'the reply at the buyer');
      // A second buyer message now goes straight to the agent in real time.
      await emit(buyer, 'message:send', { clientId: 'b-2', kind: 'text', body: { text: '好的谢谢' } });
      await until(() => agentGot.some((m) => m.clientId === 'b-2'), 'the buyer message at the agent');
    });

    it('a buyer who drops and reconnects gets the messages sent meanwhile, each once', async () => {
      const { agent, buyer, token } = await buyerAndAgent();
      const first = await emit<{ message: Message }>(buyer, 'message:send', {
        clientId: 'r-1',
        kind: 'text',
        body: { text: '在吗' },
      });
      assert.ok(first.ok);
      const convId = first.ok ? first.data.message.conversationId : '';
      let lastSeen = first.ok ? first.data.message.seq : 0;
      buyer.close();

      for (const [i, text] of ['亲，在的', '请问有什么可以帮您？'].entries()) {
        const r = await emit(agent, 'message:send', {
          conversationId: convId,
          clientId: `off-${i}`,
          kind: 'text',
          body: { text },
        });
        assert.ok(r.ok, JSON.stringify(r));
      }

      const again = await connect(t.url, '/buyer', { token });
      sockets.push(again);
      const live = collect(again);
      const sync = await emit<{ messages: Message[] }>(again, 'messages:sync', {
        conversationId: convId,
        afterSeq: lastSeen,
      });
      assert.ok(sync.ok);
      const caughtUp = sync.ok ? sync.data.messages : [];
      const texts = caughtUp
        .filter((m) => m.kind !== 'system')
        .map((m) => (m.kind === 'text' ? m.body.text : m.kind));
      assert.deepEqual(texts, ['亲，在的', '请问有什么可以帮您？']);
      lastSeen = caughtUp.at(-1)!.seq;
      // Nothing more arrives live for those two: each was delivered exactly once.
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(live.filter((m) => m.seq <= lastSeen).length, 0);
    });

    it('a retried send with the same client id stores one message and pushes it once', async () => {
      const { agent, buyer } = await buyerAndAgent();
      const first = await emit<{ message: Message }>(buyer, 'message:send', {
        clientId: 'dup',
        kind: 'text',
        body: { text: '一次' },
      });
      assert.ok(first.ok);
      const convId = first.ok ? first.data.message.conversationId : '';
      const agentGot = collect(agent);
      const retry = await emit<{ message: Message }>(buyer, 'message:send', {
        clientId: 'dup',
        kind: 'text',
        body: { text: '一次' },
      });
      assert.ok(retry.ok);
      assert.equal(retry.ok && retry.data.message.id, first.ok && first.data.message.id);
      const stored = await t.storage.conversations.listMessages(
        'shop-demo' as never,
        convId as never,
        0,
        100,
      );
      assert.equal(stored.filter((m) => m.clientId === 'dup').length, 1);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(agentGot.filter((m) => m.clientId === 'dup').length, 0, 'the retry is not pushed again');
    });

    it("a buyer's other tabs get the message pushed; the sending tab has it in its ack, not twice", async () => {
      const { buyer, token } = await buyerAndAgent();
      const otherTab = await connect(t.url, '/buyer', { token });
      sockets.push(otherTab);
      const senderGot = collect(buyer);
      const otherGot = collect(otherTab);
      const sent = await emit<{ message: Message }>(buyer, 'message:send', {
        clientId: 'tabs',
        kind: 'text',
        body: { text: '两个标签页' },
      });
      assert.ok(sent.ok);
      await until(() => otherGot.some((m) => m.clientId === 'tabs'), 'the push to the other tab');
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(senderGot.filter((m) => m.clientId === 'tabs').length, 0);
    });

    it('typing indicators and read receipts cross between buyer and agent', async () => {
      const { agent, buyer } = await buyerAndAgent();
      const sent = await emit<{ message: Message }>(buyer, 'message:send', {
        clientId: 't-1',
        kind: 'text',
        body: { text: '你好' },
      });
      assert.ok(sent.ok);
      const convId = sent.ok ? sent.data.message.conversationId : '';
      const typing = new Promise((resolve) => buyer.once('conversation:typing', resolve));
      await emit(agent, 'conversation:typing', { conversationId: convId, isTyping: true });
      assert.deepEqual(await typing, { conversationId: convId, who: 'agent', isTyping: true });
      const read = new Promise((resolve) => buyer.once('conversation:read', resolve));
      const ack = await emit<{ seq: number }>(agent, 'conversation:read', { conversationId: convId, seq: 1 });
      assert.ok(ack.ok);
      assert.deepEqual(await read, { conversationId: convId, reader: 'agent', seq: 1 });
    });

    it('rejects sockets without a session or with a forged buyer token, and bad payloads without crashing', async () => {
      await assert.rejects(connect(t.url, '/agent', {}), /unauthenticated/);
      await assert.rejects(
        connect(t.url, '/buyer', { token: 'v1.shop-demo.someone.forged' }),
        /unauthenticated/,
      );
      const { buyer } = await buyerAndAgent();
      const empty = await emit(buyer, 'message:send', { clientId: 'e', kind: 'text', body: { text: '   ' } });
      assert.deepEqual(empty.ok, false);
      assert.equal(!empty.ok && empty.error.field, 'body.text');
      const wrongType = await emit(buyer, 'message:send', { clientId: 5, kind: 'text', body: { text: 'x' } });
      assert.equal(!wrongType.ok && wrongType.error.code, 'validation_failed');
      const garbage = await emit(buyer, 'messages:sync', 'not an object');
      assert.equal(garbage.ok, false);
      // Still up and serving.
      const ok = await emit(buyer, 'message:send', {
        clientId: 'fine',
        kind: 'text',
        body: { text: '还在吗' },
      });
      assert.equal(ok.ok, true);
    });
  });
}
