/**
 * Issue #15: the bot's holding line ("正在为您转接人工客服，请稍候") is no answer — the buyer's wait
 * goes on in the workbench until a person replies — and MET-1 counts it only as the shop's setting
 * says (default: counted, as the platforms count automatic replies). A new shop, SQLite and
 * PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ConversationId, ShopId } from '@xiaoer/core';
import { testDatabases } from '../support/databases';
import { makeAgent, makeShop } from '../support/fixtures';
import { loginCookie, startTestServer, widgetSession, type TestServer } from '../support/server';

for (const engine of testDatabases) {
  describe(`issue #15 holding lines are not replies (${engine.name})`, () => {
    let t: TestServer;
    let shopId: ShopId;
    let owner: string;
    let agentCookie: string;
    const slug = `holding-${engine.name}`;
    before(async () => {
      t = await startTestServer({ storage: await engine.open(), demo: false });
      shopId = await makeShop(t.storage, slug);
      const boss = await makeAgent(t.storage, shopId, { role: 'owner', takesRouting: false });
      const agent = await makeAgent(t.storage, shopId);
      owner = await loginCookie(t.server, boss.email);
      agentCookie = await loginCookie(t.server, agent.email);
      await t.server.ctx.chat.setAgentStatus(shopId, agent.id, 'online');
      const res = await t.server.app.inject({
        method: 'GET',
        url: '/api/admin/bot',
        headers: { cookie: owner },
      });
      const settings = (res.json() as { settings: Record<string, unknown> }).settings;
      const on = await t.server.app.inject({
        method: 'PUT',
        url: '/api/admin/bot',
        headers: { cookie: owner },
        payload: { ...settings, enabled: true },
      });
      assert.equal(on.statusCode, 200, on.body);
    });
    after(() => t.close());

    it('the buyer still waits in the workbench after the bot’s “请稍候”; a person’s reply ends the wait', async () => {
      const { token } = await widgetSession(t.server, { shop: slug });
      const sent = await t.server.app.inject({
        method: 'POST',
        url: '/api/widget/messages',
        headers: { authorization: `Bearer ${token}` },
        payload: { clientId: 'h1', kind: 'text', body: { text: '转人工' } },
      });
      assert.equal(sent.statusCode, 200, sent.body);
      const id = (sent.json() as { conversation: { id: string } }).conversation.id as ConversationId;
      // Wait for the handoff: the conversation with the agent, the bot's line stored before it.
      let conversation = await t.storage.conversations.findConversation(shopId, id);
      for (let i = 0; i < 400 && conversation?.status !== 'assigned'; i++) {
        await new Promise((r) => setTimeout(r, 25));
        conversation = await t.storage.conversations.findConversation(shopId, id);
      }
      assert.equal(conversation?.status, 'assigned');
      const messages = await t.storage.conversations.listMessages(shopId, id, 0, 50);
      const line = messages.find((m) => m.sender === 'bot');
      assert.ok(line && line.kind === 'text' && line.body.holding === true, JSON.stringify(line));
      assert.equal(conversation?.waitingSince, messages.find((m) => m.sender === 'buyer')?.createdAt);

      const reply = await t.server.app.inject({
        method: 'POST',
        url: `/api/conversations/${id}/messages`,
        headers: { cookie: agentCookie },
        payload: { clientId: 'a1', kind: 'text', body: { text: '您好，我是客服，请问有什么可以帮您？' } },
      });
      assert.equal(reply.statusCode, 200, reply.body);
      assert.equal((await t.storage.conversations.findConversation(shopId, id))?.waitingSince, null);
    });

    it('the shop chooses whether holding lines count in MET-1 (a setting, validated naming the field)', async () => {
      const get = async () =>
        (
          (
            await t.server.app.inject({
              method: 'GET',
              url: '/api/admin/metrics/settings',
              headers: { cookie: owner },
            })
          ).json() as { settings: Record<string, unknown> }
        ).settings;
      const settings = await get();
      assert.equal(settings.holdingLinesCount, true);
      const off = await t.server.app.inject({
        method: 'PUT',
        url: '/api/admin/metrics/settings',
        headers: { cookie: owner },
        payload: { ...settings, holdingLinesCount: false },
      });
      assert.equal(off.statusCode, 200, off.body);
      // The roll-ups know which reply answered each consultation: the rule recounts them.
      assert.equal((off.json() as { rebuilding: boolean }).rebuilding, true);
      await t.server.ctx.metrics.rebuild(shopId); // the one started runs first
      assert.equal((await get()).holdingLinesCount, false);
      const bad = await t.server.app.inject({
        method: 'PUT',
        url: '/api/admin/metrics/settings',
        headers: { cookie: owner },
        payload: { ...settings, holdingLinesCount: 'sometimes' },
      });
      assert.equal(bad.statusCode, 400);
      assert.equal((bad.json() as { error: { field: string } }).error.field, 'holdingLinesCount');
    });
  });
}
