import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { AgentId, ShopId } from '@xiaoer/core';
import { ARTIFACTS, launchChromium } from '../support/browser';
import { loginCookie, startTestServer, type TestServer } from '../support/server';

describe('e2e: buyer widget ↔ agent workbench in headless Chromium', () => {
  let t: TestServer;
  let browser: Browser;
  before(async () => {
    t = await startTestServer();
    // Only agent1 is online, so the demo buyer's conversation lands on the agent we log in as.
    for (const id of ['agent-demo-2', 'agent-demo-3']) {
      await t.server.ctx.chat.setAgentStatus('shop-demo' as ShopId, id as AgentId, 'offline');
    }
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  async function agentLogsIn(page: Page): Promise<void> {
    await page.goto(`${t.url}/workbench/`);
    await page.getByTestId('login-email').fill('agent1@demo.xiaoer.dev');
    await page.getByTestId('login-password').fill('password123');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('composer').or(page.getByTestId('agent-status')).first().waitFor();
  }

  it('the buyer asks on the demo page, the agent sees it and replies, the buyer sees the reply', async () => {
    const buyerContext = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      locale: 'zh-CN',
    });
    const agentContext = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      locale: 'zh-CN',
    });
    const buyer = await buyerContext.newPage();
    const agent = await agentContext.newPage();
    const pageErrors: string[] = [];
    for (const p of [buyer, agent]) p.on('pageerror', (e) => pageErrors.push(e.message));

    await agentLogsIn(agent);

    await buyer.goto(`${t.url}/demo?buyer=tb100001`);
    await buyer.getByTestId('xiaoer-launcher').click();
    const question = '你好，我的保温杯什么时候发货？';
    await buyer.getByTestId('xiaoer-input').fill(question);
    await buyer.getByTestId('xiaoer-send').click();
    await buyer
      .locator('[data-testid="xiaoer-message"][data-sender="buyer"]', { hasText: question })
      .waitFor();

    // The conversation appears in the agent's list in real time, without a reload.
    const item = agent.getByTestId('conversation-item').first();
    await item.waitFor();
    await item.click();
    await agent
      .locator('[data-testid="message-bubble"][data-sender="buyer"]', { hasText: question })
      .waitFor();

    const answer = '亲，付款后 48 小时内发货哦～';
    await agent.getByTestId('composer').fill(answer);
    await agent.getByTestId('send-button').click();
    await agent.locator('[data-testid="message-bubble"][data-sender="agent"]', { hasText: answer }).waitFor();

    await buyer.locator('[data-testid="xiaoer-message"][data-sender="agent"]', { hasText: answer }).waitFor();

    // Exactly once on each side.
    assert.equal(await buyer.locator('[data-testid="xiaoer-message"]', { hasText: answer }).count(), 1);
    assert.equal(await agent.locator('[data-testid="message-bubble"]', { hasText: question }).count(), 1);

    await buyer.screenshot({ path: `${ARTIFACTS}buyer-demo-page.png` });
    await agent.screenshot({ path: `${ARTIFACTS}agent-workbench.png` });
    assert.deepEqual(pageErrors, [], 'no uncaught errors in either page');
    await buyerContext.close();
    await agentContext.close();
  });

  it('issue #14 the widget whose token is revoked starts a new session by itself and keeps chatting', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${t.url}/demo?buyer=anonymous`);
    const connected = () =>
      page.waitForFunction(
        () =>
          (
            window as unknown as { XiaoerWidget?: { __state(): { connected: boolean } } }
          ).XiaoerWidget?.__state().connected,
      );
    await connected();
    const token = () => page.evaluate(() => localStorage.getItem('xiaoer.token.demo'));
    const first = (await token())!;
    const buyerId = first.split('.')[2]!;
    // An admin revokes the buyer's tokens: the server closes the socket, its reconnect is refused…
    const revoked = await t.server.app.inject({
      method: 'POST',
      url: `/api/buyers/${buyerId}/revoke-tokens`,
      headers: { cookie: await loginCookie(t.server, 'owner@demo.xiaoer.dev') },
    });
    assert.equal(revoked.statusCode, 200, revoked.body);
    // … and the widget opens a new session and connects with its token, without a reload.
    await page.waitForFunction((old) => localStorage.getItem('xiaoer.token.demo') !== old, first);
    await connected();
    await page.getByTestId('xiaoer-launcher').click();
    await page.getByTestId('xiaoer-input').fill('还在吗？');
    await page.getByTestId('xiaoer-send').click();
    await page
      .locator('[data-testid="xiaoer-message"][data-sender="buyer"][data-seq]', { hasText: '还在吗？' })
      .waitFor();
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  it('the owner creates an agent in the admin console and the new agent can log in', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(`${t.url}/admin/`);
    await page.getByTestId('login-email').fill('owner@demo.xiaoer.dev');
    await page.getByTestId('login-password').fill('password123');
    await page.getByTestId('login-submit').click();
    await page.getByRole('tab', { name: '客服' }).click();
    await page.getByTestId('agent-create').click();
    const dialog = page.getByRole('dialog');
    await dialog.locator('#email').fill('newbie@demo.xiaoer.dev');
    await dialog.locator('#name').fill('新人小李');
    await dialog.locator('#password').fill('Kefu-2026-strong');
    await dialog.getByRole('button', { name: /确\s*定|OK/ }).click();
    await page.locator('.ant-table-row', { hasText: 'newbie@demo.xiaoer.dev' }).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}admin-agents.png` });
    const login = await t.server.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: 'newbie@demo.xiaoer.dev', password: 'Kefu-2026-strong' },
    });
    assert.equal(login.statusCode, 200);
    await context.close();
  });
});
