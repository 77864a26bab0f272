import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { AgentId, QuickReplyId, ShopId } from '@xiaoer/core';
import { ARTIFACTS, launchChromium, Pages } from '../support/browser';
import { AGENT_PASSWORD, startTestServer, WidgetBuyers, type TestServer } from '../support/server';
import { waitFor } from '../support/wait';

const AGENT = 'centre.li@centre.example';

/**
 * TEAM-4 in the browser: an agent of an outsourced service centre serves two shops (甲店, 乙店)
 * from one workbench — buyers of both in one list, each with its shop's badge, a shop filter, and
 * whatever is done for a conversation (its messages, its shop's quick replies, the answer) done in
 * that conversation's shop.
 */
describe('e2e: service centre — one workbench for the buyers of two shops', () => {
  let t: TestServer;
  let browser: Browser;
  const pages = new Pages(() => browser);
  const buyers = new WidgetBuyers(() => t.server);
  let shopA: ShopId;
  let shopB: ShopId;
  let agentId: AgentId;

  before(async () => {
    t = await startTestServer();
    const team = t.server.ctx.team;
    const created = await team.createShop({
      slug: 'centre-a',
      name: '甲店',
      ownerEmail: 'boss@centre.example',
      password: AGENT_PASSWORD,
      orgName: '小二外包客服中心',
    });
    const owner = {
      type: 'agent' as const,
      agentId: created.owner.id,
      role: 'owner' as const,
      isOrgOwner: true,
    };
    shopA = created.shop.id;
    shopB = (await team.addShop(owner, { slug: 'centre-b', name: '乙店' })).id;
    const member = { role: 'agent' as const, maxConcurrent: 10, takesRouting: true };
    agentId = (
      await team.addAgent(owner, shopA, { ...member, email: AGENT, name: '小李', password: AGENT_PASSWORD })
    ).id;
    await team.addAgent(owner, shopB, { ...member, email: AGENT });
    await t.storage.quickReplies.insertQuickReply({
      id: 'qr-centre-b' as QuickReplyId,
      shopId: shopB,
      ownerId: null,
      title: '乙店发货',
      text: '乙店今天下午五点前发货',
      imageUrl: null,
      createdAt: Date.now(),
    });
    browser = await launchChromium();
  });
  after(async () => {
    await pages.close();
    await browser?.close();
    await t?.close();
  });

  /** Waits until the agent is online in both shops (RT-8: the open workbench makes them present). */
  async function presentInBoth() {
    await waitFor('online in both shops', async () => {
      const [a, b] = await Promise.all([
        t.storage.agents.findAgent(shopA, agentId),
        t.storage.agents.findAgent(shopB, agentId),
      ]);
      return a?.status === 'online' && b?.status === 'online';
    });
  }

  const item = (page: Page, conversationId: string) =>
    page.locator(`[data-testid="conversation-item"][data-conversation-id="${conversationId}"]`);

  it('TEAM-4 an agent of two shops sees buyers of both with shop badges, filters to one, and answers in its shop', async () => {
    const page = await pages.open();
    await page.goto(`${t.url}/workbench/`);
    await page.getByTestId('login-email').fill(AGENT);
    await page.getByTestId('login-password').fill(AGENT_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('agent-status').waitFor();
    await presentInBoth();

    const inA = await buyers.says('buyer-a', '甲店的杯子有货吗？', 'centre-a');
    const inB = await buyers.says('buyer-b', '乙店什么时候发货？', 'centre-b');
    assert.equal(inA.agentId, agentId);
    assert.equal(inB.agentId, agentId);

    // Both buyers in one list, each with its shop's badge.
    await item(page, inA.id).getByTestId('shop-badge').getByText('甲店').waitFor();
    await item(page, inB.id).getByTestId('shop-badge').getByText('乙店').waitFor();

    // 乙店's buyer: their messages, 乙店's quick replies, and the answer goes out in 乙店.
    await item(page, inB.id).click();
    await page.getByTestId('chat-shop-badge').getByText('乙店').waitFor();
    await page
      .locator('[data-testid="message-bubble"][data-sender="buyer"]', { hasText: '乙店什么时候发货？' })
      .waitFor();
    await page.getByTestId('buyer-sidebar').waitFor();
    await page.getByRole('tab', { name: '快捷回复' }).click();
    await page.getByText('乙店今天下午五点前发货').waitFor();
    const answer = '亲，今天下午五点前发出';
    await page.getByTestId('composer').fill(answer);
    await page.getByTestId('send-button').click();
    await page.locator('[data-testid="message-bubble"][data-sender="agent"]', { hasText: answer }).waitFor();
    const stored = await t.storage.conversations.listMessages(shopB, inB.id, 0, 50);
    assert.ok(stored.some((m) => m.sender === 'agent' && (m.body as { text?: string }).text === answer));

    // 甲店's buyer: 乙店's quick reply is not theirs.
    await item(page, inA.id).click();
    await page.getByTestId('chat-shop-badge').getByText('甲店').waitFor();
    await page
      .locator('[data-testid="message-bubble"][data-sender="buyer"]', { hasText: '甲店的杯子有货吗？' })
      .waitFor();
    await page.getByText('乙店今天下午五点前发货').waitFor({ state: 'detached' });

    // Filtered to 乙店: only its buyer is listed; back to all shops, both again.
    await page.getByTestId('shop-filter').click();
    await page.locator('.ant-select-item-option', { hasText: '乙店' }).click();
    await item(page, inA.id).waitFor({ state: 'detached' });
    await item(page, inB.id).waitFor();
    assert.equal(await page.getByTestId('conversation-item').count(), 1);
    await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)').waitFor({ state: 'hidden' });
    await page.screenshot({ path: `${ARTIFACTS}service-centre-filtered.png` });
    await page.getByTestId('shop-filter').click();
    await page.locator('.ant-select-item-option', { hasText: '全部店铺' }).click();
    await item(page, inA.id).waitFor();
    assert.equal(await page.getByTestId('conversation-item').count(), 2);
    await item(page, inB.id).click();
    await page.getByTestId('chat-shop-badge').getByText('乙店').waitFor();
    await page.getByRole('tab', { name: '买家' }).click();
    await page.getByTestId('buyer-sidebar').waitFor();
    await page.screenshot({ path: `${ARTIFACTS}service-centre.png` });
    assert.deepEqual(pages.errors, [], 'no uncaught errors');
  });
});
