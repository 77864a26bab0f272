/**
 * Issue #14: the workbench under the socket limits. After a reconnect it syncs every conversation
 * it has loaded; past the server's sync budget some are refused `rate_limited`, and it asks again
 * when `retryAfterMs` says — nothing said meanwhile is lost.
 */
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { AgentId, Conversation, ShopId } from '@xiaoer/core';
import { ARTIFACTS, launchChromium, Pages, logIn } from '../support/browser';
import { startTestServer, WidgetBuyers, type TestServer } from '../support/server';

describe('e2e: the workbench within the socket limits (issue #14)', () => {
  let t: TestServer;
  let browser: Browser;
  const pages = new Pages(() => browser);
  const buyers = new WidgetBuyers(() => t.server);
  before(async () => {
    // One sync per 10 s: a reconnect with three conversations loaded is refused twice.
    t = await startTestServer({ env: { WS_SYNC_PER_10S: '1' } });
    for (const id of ['agent-demo-2', 'agent-demo-3'])
      await t.server.ctx.chat.setAgentStatus('shop-demo' as ShopId, id as AgentId, 'offline');
    browser = await launchChromium();
  });
  after(async () => {
    await pages.close();
    await browser?.close();
    await t?.close();
  });

  it('a sync refused rate_limited after a reconnect is asked again, and the missed message shows', async () => {
    const page = await pages.open();
    await logIn(page, t.url, '/workbench/', 'agent1@demo.xiaoer.dev');
    const conversations: Conversation[] = [];
    for (const name of ['甲', '乙', '丙']) conversations.push(await buyers.says(name, `${name}：在吗？`));
    // Each is opened once (loaded), the last one stays open.
    for (const c of conversations) {
      const item = page.locator(`[data-testid="conversation-item"][data-conversation-id="${c.id}"]`);
      await item.click();
      await page
        .locator('[data-testid="message-bubble"][data-sender="buyer"]', { hasText: '在吗' })
        .first()
        .waitFor();
    }
    const open = conversations.at(-1)!;
    // A message stored with no push (as one sent while the agent's socket was away)…
    const missed = `丙：错过的这条 ${randomUUID().slice(0, 6)}`;
    await t.storage.conversations.appendMessage(
      'shop-demo' as ShopId,
      open.id,
      {
        clientId: randomUUID(),
        sender: 'buyer',
        senderId: open.buyerId,
        kind: 'text',
        body: { text: missed },
      },
      Date.now(),
    );
    // …then the connection drops (not by the server's will): socket.io reconnects and syncs.
    for (const socket of t.server.io.of('/agent').sockets.values()) socket.conn.close();
    await page.locator('[data-testid="message-bubble"][data-sender="buyer"]', { hasText: missed }).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}socket-limits-resync.png` });
  });
});
