import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { ARTIFACTS, launchChromium } from '../support/browser';
import { startTestServer, type TestServer } from '../support/server';

describe('e2e: the bot answers on the demo page; an agent takes over; the console tests the bot', () => {
  let t: TestServer;
  let browser: Browser;
  before(async () => {
    t = await startTestServer({ bot: true });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  it('BOT-1 the buyer gets the FAQ answer from the bot, then the agent takes over and answers', async () => {
    const buyerContext = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      locale: 'zh-CN',
    });
    const buyer = await buyerContext.newPage();
    await buyer.goto(`${t.url}/demo?buyer=anonymous`);
    await buyer.getByTestId('xiaoer-launcher').click();
    await buyer.getByTestId('xiaoer-input').fill('可以开发票吗');
    await buyer.getByTestId('xiaoer-send').click();
    await buyer
      .locator('[data-testid="xiaoer-message"][data-sender="bot"]', { hasText: '电子发票' })
      .waitFor({ timeout: 15_000 });
    await buyer.screenshot({ path: `${ARTIFACTS}bot-answer-widget.png` });

    const agentContext = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      locale: 'zh-CN',
    });
    const agent = await agentContext.newPage();
    await agent.goto(`${t.url}/workbench/`);
    await agent.getByTestId('login-email').fill('agent1@demo.xiaoer.dev');
    await agent.getByTestId('login-password').fill('password123');
    await agent.getByTestId('login-submit').click();
    await agent.getByTestId('conversation-item').first().click();
    await agent
      .locator('[data-testid="message-bubble"][data-sender="bot"]', { hasText: '电子发票' })
      .waitFor();
    await agent.getByTestId('take-over').click();
    await agent.getByTestId('take-over').waitFor({ state: 'detached' });
    await agent.getByTestId('composer').fill('您好，我是客服小美，发票抬头发我就好');
    await agent.getByTestId('send-button').click();
    await buyer
      .locator('[data-testid="xiaoer-message"][data-sender="agent"]', { hasText: '发票抬头发我就好' })
      .waitFor({ timeout: 15_000 });
    await agent.screenshot({ path: `${ARTIFACTS}bot-takeover-workbench.png` });
    await buyerContext.close();
    await agentContext.close();
  });

  it('the console’s "test the bot" box shows the top matches with their scores', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(`${t.url}/admin/`);
    await page.getByTestId('login-email').fill('owner@demo.xiaoer.dev');
    await page.getByTestId('login-password').fill('password123');
    await page.getByTestId('login-submit').click();
    await page.getByRole('tab', { name: /机器人/ }).click();
    await page.getByTestId('bot-test-input').fill('发票怎么开');
    await page.getByTestId('bot-test-input').press('Enter');
    const result = page.getByTestId('bot-test-result');
    await result.waitFor();
    await result.getByText('能开发票吗').first().waitFor();
    assert.match((await result.textContent()) ?? '', /机器人会回答/);
    await page.screenshot({ path: `${ARTIFACTS}admin-bot-test.png` });
    await context.close();
  });
});
