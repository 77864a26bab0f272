/**
 * The HTTP API in process (Fastify `inject`): RT-4 caps and the queue. No response in this file may
 * be a 5xx.
 * (One of the files split by route area from tests/scenarios/http-api.test.ts in issue #20; the
 * shared helpers are in tests/support/http-api.ts.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEMO_SHOP, ok, request, type SendJson } from '../../support/http-api';
import { loginCookie, startTestServer, widgetSession } from '../../support/server';

// ------------------------------------------------------------------ RT-4 queue
describe('RT-4 caps and the queue over HTTP', () => {
  it('RT-4 with every agent at its cap a buyer waits in the queue; raising the cap assigns it at once', async () => {
    const t = await startTestServer({ listen: false });
    try {
      const owner = await loginCookie(t.server, 'owner@demo.xiaoer.dev');
      for (const id of ['agent-demo-2', 'agent-demo-3']) {
        await t.server.ctx.chat.setAgentStatus(DEMO_SHOP, id as never, 'offline');
      }
      ok(
        await request(t, 'PATCH', '/api/admin/agents/agent-demo-1', {
          cookie: owner,
          payload: { maxConcurrent: 1 },
        }),
      );
      const send = async (text: string) => {
        const { token } = await widgetSession(t.server);
        return ok<SendJson>(
          await request(t, 'POST', '/api/widget/messages', {
            token,
            payload: { clientId: text, kind: 'text', body: { text } },
          }),
        ).conversation;
      };
      const first = await send('第一位');
      assert.equal(first.agentId, 'agent-demo-1');
      const second = await send('第二位');
      assert.equal(second.status, 'queued');
      assert.equal(second.agentId, null);
      ok(
        await request(t, 'PATCH', '/api/admin/agents/agent-demo-1', {
          cookie: owner,
          payload: { maxConcurrent: 2 },
        }),
      );
      const now = await t.storage.conversations.findConversation(DEMO_SHOP, second.id as never);
      assert.equal(now?.status, 'assigned');
      assert.equal(now?.agentId, 'agent-demo-1');
    } finally {
      await t.close();
    }
  });
});
