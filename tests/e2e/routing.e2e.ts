import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { AgentId, ConversationId, RoutingSettings, ShopId } from '@xiaoer/core';
import { ARTIFACTS, launchChromium, logIn as logInAt, Pages } from '../support/browser';
import { loginCookie, startTestServer, type TestServer } from '../support/server';

const SHOP = 'shop-demo' as ShopId;

/**
 * Routing in the browser (RT-2 … RT-10): the console saves group routing; one agent at a cap of
 * one; three buyers ask for a person at once; the widget tells each waiting buyer their place;
 * the workbench shows why each buyer came, the live queue, an admin's assignment beyond the cap
 * and a transfer to a group.
 */
describe('e2e: routing — console settings, queue line in the widget, queue panel and transfer', () => {
  let t: TestServer;
  let browser: Browser;
  const pages = new Pages(() => browser);
  const pageErrors = pages.errors;
  /** The third buyer's conversation, waiting at the end of the second test. */
  let thirdId = '' as ConversationId;

  before(async () => {
    t = await startTestServer();
    // 小美 (agent-demo-1) alone online, one chat at a time: the second buyer has to queue.
    for (const id of ['agent-demo-2', 'agent-demo-3']) {
      await t.server.ctx.chat.setAgentStatus(SHOP, id as AgentId, 'offline');
    }
    await t.storage.agents.updateAgent(SHOP, 'agent-demo-1' as AgentId, { maxConcurrent: 1 });
    browser = await launchChromium();
  });
  after(async () => {
    await pages.close();
    await browser?.close();
    await t?.close();
  });

  const newPage = (viewport?: { width: number; height: number }) => pages.open(viewport);

  const logIn = (page: Page, path: string, email: string) => logInAt(page, t.url, path, email);

  async function buyerAsks(text: string): Promise<Page> {
    const page = await newPage({ width: 1280, height: 800 });
    await page.goto(`${t.url}/demo?buyer=anonymous`);
    await page.getByTestId('xiaoer-launcher').click();
    await page.getByTestId('xiaoer-input').fill(text);
    await page.getByTestId('xiaoer-send').click();
    await page.locator('[data-testid="xiaoer-message"][data-sender="buyer"]', { hasText: text }).waitFor();
    return page;
  }

  /** The open conversation whose last message is `text` (read from the server). */
  async function conversationOf(text: string) {
    const all = await t.storage.conversations.listForAgent(SHOP, 'agent-demo-owner' as AgentId, {
      status: 'open',
      all: true,
      limit: 50,
    });
    const found = all.find((c) => c.lastMessagePreview === text);
    assert.ok(found, `a conversation whose last message is ${text}`);
    return found;
  }

  it('the owner switches to group routing with a group bound to 售后中 in the console', async () => {
    const page = await newPage({ width: 1280, height: 1000 });
    await logIn(page, '/admin/', 'owner@demo.xiaoer.dev');
    await page.getByRole('tab', { name: '分流' }).click();
    await page.getByTestId('routing-settings').waitFor();
    await page.getByTestId('routing-mode').getByText('分组分流').click();
    await page.getByTestId('routing-add-group').click();
    const group = page.getByTestId('routing-group').first();
    await group.getByLabel('分组名称').fill('售后组');
    // Bind 售后中 and make 阿强 (offline for now) the group's member.
    await group.getByLabel('绑定订单状态').click();
    await page.locator('.ant-select-item-option', { hasText: '售后中' }).click();
    // The choice is in the select before the menu closes (a click on a menu still opening is lost
    // on a loaded machine).
    await group.locator('.ant-select-selection-item', { hasText: '售后中' }).waitFor();
    await page.keyboard.press('Escape');
    await group.getByLabel('组员').click();
    await page.locator('.ant-select-item-option', { hasText: '阿强' }).last().click();
    await group.locator('.ant-select-selection-item', { hasText: '阿强' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('routing-save').click();
    await page.getByText('已保存', { exact: true }).first().waitFor();
    await page.screenshot({ path: `${ARTIFACTS}routing-settings.png` });

    const saved: RoutingSettings = await t.storage.shops.findRoutingSettings(SHOP);
    assert.equal(saved.mode, 'group');
    assert.deepEqual(
      saved.groups.map((g) => ({ name: g.name, statuses: g.statuses, agentIds: g.agentIds })),
      [{ name: '售后组', statuses: ['after-sales'], agentIds: ['agent-demo-2'] }],
    );
  });

  it('buyers beyond the cap see their place in the widget; the agent sees why each came', async () => {
    const agent = await newPage();
    await logIn(agent, '/workbench/', 'agent1@demo.xiaoer.dev');
    await agent.getByTestId('agent-status').waitFor();

    const first = await buyerAsks('第一位：我想问下尺码');
    const second = await buyerAsks('第二位：什么时候发货');
    const third = await buyerAsks('第三位：能便宜点吗');

    // RT-4: the second is next, the third has one ahead of them, each with an estimate line.
    await second.getByTestId('xiaoer-queue').getByText('您是下一位').waitFor();
    await third.getByTestId('xiaoer-queue').getByText('您前面还有 1 位').waitFor();
    assert.equal(
      await first.getByTestId('xiaoer-queue').isVisible(),
      false,
      'the first buyer waits for nobody',
    );
    await third.screenshot({ path: `${ARTIFACTS}routing-widget-queue.png` });

    // The agent holds the first buyer, tagged with why routing gave it to them.
    await agent.getByTestId('conversation-item').first().click();
    const reason = agent.getByTestId('assign-reason');
    await reason.waitFor();
    assert.equal(await reason.getAttribute('data-reason'), 'least-loaded');
    assert.equal((await reason.innerText()).trim(), '最少接待');

    // The queue tab lists both waiting buyers in order.
    await agent.getByTestId('queue-tab').click();
    await agent.getByTestId('queue-entry').nth(1).waitFor();
    assert.deepEqual(await agent.getByTestId('queue-position').allInnerTexts(), ['第1位', '第2位']);
    await agent.screenshot({ path: `${ARTIFACTS}routing-queue-panel.png` });

    // RT-9: ending the chat frees the slot at once; the second buyer comes in from the queue.
    await agent.getByTestId('end-conversation').click();
    await agent.locator('.ant-popconfirm .ant-btn-primary').click();
    await second.getByTestId('xiaoer-queue').waitFor({ state: 'hidden' });
    await third.getByTestId('xiaoer-queue').getByText('您是下一位').waitFor();
    const c2 = await conversationOf('第二位：什么时候发货');
    assert.equal(c2.agentId, 'agent-demo-1');
    assert.equal(c2.assignReason, 'queue');
    await agent.getByTestId('queue-entry').nth(1).waitFor({ state: 'detached' });
    assert.equal(await agent.getByTestId('queue-entry').count(), 1);
    thirdId = (await conversationOf('第三位：能便宜点吗')).id as ConversationId;
  });

  it('an admin assigns the waiting buyer beyond the cap; the agent transfers it to a group', async () => {
    const owner = await newPage();
    await logIn(owner, '/workbench/', 'owner@demo.xiaoer.dev');
    await owner.getByTestId('queue-tab').click();
    await owner.getByTestId('queue-entry').first().waitFor();
    // RT-10: 小美 is at her cap of one; an admin may still give her the buyer.
    await owner.getByTestId('queue-assign').first().click();
    await owner.locator('.ant-select-item-option', { hasText: '小美' }).click();
    await owner.getByTestId('queue-entry').first().waitFor({ state: 'detached' });
    const c3 = await t.storage.conversations.findConversation(SHOP, thirdId);
    assert.equal(c3?.agentId, 'agent-demo-1');
    assert.equal(c3?.assignReason, 'manual');

    // 阿强 comes online; 小美 transfers the third buyer to 售后组, whose only member he is.
    await t.server.ctx.chat.setAgentStatus(SHOP, 'agent-demo-2' as AgentId, 'online');
    const agent = await newPage();
    await logIn(agent, '/workbench/', 'agent1@demo.xiaoer.dev');
    await agent.locator(`[data-testid="conversation-item"][data-conversation-id="${thirdId}"]`).click();
    const reason = agent.getByTestId('assign-reason');
    await reason.waitFor();
    assert.equal((await reason.innerText()).trim(), '手动分配');
    // The supervisor has the conversation open already: the note reaches them pushed, unasked.
    await owner.locator(`[data-testid="conversation-item"][data-conversation-id="${thirdId}"]`).click();
    await owner.getByTestId('composer').waitFor();
    assert.equal(await owner.getByTestId('transfer-note-shown').count(), 0);
    await agent.getByTestId('transfer-conversation').click();
    await agent.locator('[data-testid="transfer-group"]', { hasText: '售后组' }).click();
    // Issue #18: a click chooses; nothing moves until it is confirmed, with a note for 阿强.
    await agent.locator('[data-testid="transfer-group"][data-chosen="true"]').waitFor();
    assert.equal((await t.storage.conversations.findConversation(SHOP, thirdId))?.agentId, 'agent-demo-1');
    const note = '买家要换 XL 码，库存已查，等仓库回复';
    await agent.getByTestId('transfer-note').fill(note);
    await agent.getByTestId('transfer-confirm').click();
    await agent
      .locator(`[data-testid="conversation-item"][data-conversation-id="${thirdId}"]`)
      .waitFor({ state: 'detached' });
    const moved = await t.storage.conversations.findConversation(SHOP, thirdId);
    assert.equal(moved?.agentId, 'agent-demo-2');
    assert.equal(moved?.assignReason, 'transfer');
    await owner.getByTestId('transfer-note-shown').getByText(/XL 码/).waitFor();
    // 阿强 opens it and reads the note, from 小美; the buyer's page never shows it.
    const next = await newPage();
    await logIn(next, '/workbench/', 'agent2@demo.xiaoer.dev');
    await next.locator(`[data-testid="conversation-item"][data-conversation-id="${thirdId}"]`).click();
    const shown = next.getByTestId('transfer-note-shown');
    await shown.waitFor();
    assert.match(await shown.innerText(), /小美/);
    assert.match(await shown.innerText(), /XL 码/);
    const buyerSees = await t.server.app.inject({
      method: 'GET',
      url: `/api/conversations/${thirdId}/messages?after=0`,
      headers: { cookie: await loginCookie(t.server, 'agent2@demo.xiaoer.dev') },
    });
    assert.doesNotMatch(buyerSees.body, /XL 码/, 'the note is no message');
    await agent.screenshot({ path: `${ARTIFACTS}routing-workbench.png` });
    assert.deepEqual(pageErrors, [], 'no uncaught errors in any page');
  });
});
