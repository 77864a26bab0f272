import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { AgentId, Conversation, ConversationId, ShopId } from '@xiaoer/core';
import { ARTIFACTS, launchChromium, logIn as logInAt, Pages } from '../support/browser';
import { startTestServer, WidgetBuyers, type TestServer } from '../support/server';
import { untilFound } from '../support/sockets';

const SHOP = 'shop-demo' as ShopId;
const MEI = 'agent-demo-1' as AgentId;

/**
 * Issue #18 in the browser: the owner's 实时看板 follows the floor without a reload — 小美 opens her
 * workbench (online), a buyer waits on her (load, 等待), her workbench closes and RT-8's grace
 * passes (离线); the board reads well at 390 px. Then SPAM-1 from the workbench: 小美 reports an
 * advertiser (confirmed), undoes it from the notice, reports again and undoes it on the set-aside
 * conversation.
 */
describe('e2e: live board and reporting an advertiser', () => {
  let t: TestServer;
  let browser: Browser;
  const pages = new Pages(() => browser);
  const buyers = new WidgetBuyers(() => t.server);
  let owner: Page;
  let mei: Page;

  before(async () => {
    // Nobody is at a workbench: 小美 alone opens hers, so every buyer lands on her (RT-8).
    t = await startTestServer({ agentsOnline: false, env: { PRESENCE_EXPIRY_SECONDS: '1' } });
    browser = await launchChromium();
  });
  after(async () => {
    await pages.close();
    await browser?.close();
    await t?.close();
  });

  const logIn = (page: Page, path: string, email: string) => logInAt(page, t.url, path, email);
  const card = (page: Page, agentId: string, status?: string) =>
    page.locator(
      `[data-testid="live-agent"][data-agent-id="${agentId}"]${status ? `[data-status="${status}"]` : ''}`,
    );
  const conversation = async (id: ConversationId) =>
    (await t.storage.conversations.findConversation(SHOP, id))!;
  const blocked = async () => (await t.storage.shops.findBotSettings(SHOP))?.blockedBuyers ?? [];

  it('the owner’s live board follows an agent online, a buyer waiting, and the agent going offline — no reload', async () => {
    owner = await pages.open({ width: 1440, height: 900 });
    await logIn(owner, '/admin/', 'owner@demo.xiaoer.dev');
    // The console opens on the live board, first of its tabs.
    const firstTab = owner.getByRole('tab').first();
    await firstTab.waitFor();
    assert.equal((await firstTab.innerText()).trim(), '实时看板');
    await owner.getByTestId('live-board').waitFor();
    await card(owner, MEI, 'offline').waitFor();
    await owner.getByTestId('live-connection').getByText('实时更新中').waitFor();
    // Marked: a reload would lose it.
    await owner.evaluate(() => ((window as unknown as { liveMark: number }).liveMark = 1));

    mei = await pages.open();
    await logIn(mei, '/workbench/', 'agent1@demo.xiaoer.dev');
    await mei.getByTestId('agent-status').waitFor();
    await card(owner, MEI, 'online').waitFor();

    const c = await buyers.says('阿花', '在吗？这件外套有 M 码吗');
    assert.equal(c.agentId, MEI);
    const mine = card(owner, MEI);
    await mine.getByTestId('live-agent-load').getByText('1/', { exact: false }).waitFor();
    const waiting = mine.getByTestId('live-agent-waiting');
    await waiting.getByText('等待', { exact: false }).waitFor();
    assert.match(await waiting.innerText(), /等待 (不到 1 分钟|\d+ 分钟)/);
    await owner.screenshot({ path: `${ARTIFACTS}live-board.png`, fullPage: true, animations: 'disabled' });

    // Her workbench closes: past the grace she is offline, and the board says so by itself.
    await mei.close();
    await card(owner, MEI, 'offline').waitFor();
    assert.equal(await card(owner, MEI).getByTestId('live-agent-status').innerText(), '离线');
    assert.equal(
      await owner.evaluate(() => (window as unknown as { liveMark?: number }).liveMark),
      1,
      'the same page: no reload',
    );
  });

  it('the live board reads well on a 390 px phone', async () => {
    const phone = await pages.open({ width: 390, height: 844 });
    await logIn(phone, '/admin/', 'owner@demo.xiaoer.dev');
    await phone.getByTestId('live-board').waitFor();
    await card(phone, MEI).waitFor();
    const overflow = await phone.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    assert.ok(overflow <= 0, `no sideways scrolling at 390 px (${overflow} px too wide)`);
    await phone.screenshot({
      path: `${ARTIFACTS}live-board-390.png`,
      fullPage: true,
      animations: 'disabled',
    });
  });

  it('SPAM-1 the agent reports an advertiser from the chat, undoes it from the notice and on the set-aside chat', async () => {
    mei = await pages.open();
    await logIn(mei, '/workbench/', 'agent1@demo.xiaoer.dev');
    await mei.getByTestId('agent-status').waitFor();
    await card(owner, MEI, 'online').waitFor();
    const c = await buyers.says('广告哥', '加微信 ad888，全场一折');
    assert.equal(c.agentId, MEI);

    const item = mei.locator(`[data-testid="conversation-item"][data-conversation-id="${c.id}"]`);
    await item.click();
    await mei.locator('[data-testid="message-bubble"][data-sender="buyer"]', { hasText: 'ad888' }).waitFor();
    await mei.getByTestId('report-spam').click();
    await mei.locator('.ant-popconfirm').getByText('加入黑名单', { exact: false }).waitFor();
    await mei.locator('.ant-popconfirm .ant-btn-primary').click();
    await mei.getByTestId('report-spam-done').waitFor();
    assert.equal((await conversation(c.id)).status, 'spam');
    assert.deepEqual(await blocked(), [c.buyerId], 'on the shop’s block list');
    // The owner's board counts it among the suspected spam, and 小美's slot is free again.
    await owner.locator('[data-testid="live-counts"][data-spam="1"]').waitFor();

    // Undo from the notice: back to 小美, off the block list.
    await mei.getByTestId('report-spam-undo').click();
    await mei.getByText('已撤销举报').waitFor();
    const back = await untilFound(async () => {
      const now = await conversation(c.id);
      return now.status === 'assigned' ? now : undefined;
    }, 'the conversation back with 小美');
    assert.equal(back.agentId, MEI);
    assert.deepEqual(await blocked(), []);
    await owner.locator('[data-testid="live-counts"][data-spam="0"]').waitFor();

    // Reported again, then undone on the set-aside conversation itself (疑似骚扰).
    await item.click();
    await mei.getByTestId('report-spam').click();
    await mei.locator('.ant-popconfirm .ant-btn-primary').click();
    await mei.getByTestId('report-spam-done').waitFor();
    await mei.locator('.ant-segmented-item', { hasText: '疑似骚扰' }).click();
    await item.click();
    await mei.getByTestId('reported-tag').waitFor();
    await mei.getByTestId('unreport-spam').click();
    const again: Conversation = await untilFound(async () => {
      const now = await conversation(c.id);
      return now.status === 'assigned' ? now : undefined;
    }, 'the conversation back again');
    assert.equal(again.agentId, MEI);
    assert.deepEqual(await blocked(), []);
    assert.deepEqual(pages.errors, []);
  });
});
