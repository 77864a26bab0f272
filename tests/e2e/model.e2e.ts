/**
 * Issue #15 in Chromium: the owner connects a model provider (a local OpenAI-compatible stub) in the
 * console and switches on suggested replies and summaries; an agent in the workbench reads the
 * summary of the buyer handed to them, asks for a reply, gets it in the composer to edit, and
 * sends it.
 */
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { ARTIFACTS, launchChromium } from '../support/browser';
import { startTestServer, WidgetBuyers, type TestServer } from '../support/server';

const SUGGESTION = '亲，您好，订单已经在打包了，今天就会发出哦';
const SUMMARY = '买家问订单何时发货，要求转人工；待客服查单后答复发货时间。';

describe('e2e: a model provider’s suggested reply (issue #15)', () => {
  let t: TestServer;
  let browser: Browser;
  let stub: Server;
  let stubUrl = '';
  before(async () => {
    stub = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        // The summary's prompt asks to write for the agent who takes over (接手).
        const content = body.includes('接手') ? SUMMARY : SUGGESTION;
        if (req.url === '/v1/chat/completions')
          res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content } }] }));
        else res.writeHead(404).end('{}');
      });
    });
    await new Promise<void>((r) => stub.listen(0, '127.0.0.1', r));
    stubUrl = `http://127.0.0.1:${(stub.address() as { port: number }).port}/v1`;
    t = await startTestServer();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
    stub.closeAllConnections();
    await new Promise((r) => stub.close(r));
  });

  it('the owner connects it in the console; the agent gets a suggestion in the composer and sends it', async () => {
    const console_ = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const admin = await console_.newPage();
    await admin.goto(`${t.url}/admin/`);
    await admin.getByTestId('login-email').fill('owner@demo.xiaoer.dev');
    await admin.getByTestId('login-password').fill('password123');
    await admin.getByTestId('login-submit').click();
    await admin.getByRole('tab', { name: /机器人/ }).click();
    const card = admin.getByTestId('model-settings');
    await card.waitFor();
    await card.getByTestId('model-enabled').click();
    await card.getByTestId('model-base-url').fill(stubUrl);
    await card.getByPlaceholder('qwen2.5:7b').fill('stub-chat');
    await card
      .getByText('客服建议回复')
      .locator('xpath=ancestor::div[contains(@class,"ant-form-item")]')
      .locator('button[role="switch"]')
      .click();
    await card.getByTestId('model-summaries').click();
    await card.getByTestId('model-save').click();
    await admin.getByText('已保存').first().waitFor();
    await card.screenshot({ path: `${ARTIFACTS}admin-model-settings.png` });
    await console_.close();

    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    const agent = await context.newPage();
    await agent.goto(`${t.url}/workbench/`);
    await agent.getByTestId('login-email').fill('agent1@demo.xiaoer.dev');
    await agent.getByTestId('login-password').fill('password123');
    await agent.getByTestId('login-submit').click();
    await agent.getByTestId('agent-status').waitFor();
    // The buyer asks, then asks for a person: the agent who takes them gets a summary.
    const buyers = new WidgetBuyers(() => t.server);
    await buyers.says('甲', '我的订单什么时候发货？');
    await buyers.says('甲', '转人工');
    const item = agent.getByTestId('conversation-item').first();
    await item.waitFor();
    await item.click();
    await agent.getByTestId('transfer-summary').getByText(SUMMARY).waitFor();
    await agent.getByTestId('suggest-reply').click();
    await agent.waitForFunction(
      (text) =>
        (document.querySelector('[data-testid="composer"]') as HTMLTextAreaElement | null)?.value === text,
      SUGGESTION,
    );
    await agent.screenshot({ path: `${ARTIFACTS}workbench-suggested-reply.png` });
    await agent.getByTestId('send-button').click();
    await agent
      .locator('[data-testid="message-bubble"][data-sender="agent"]', { hasText: SUGGESTION })
      .waitFor();
    await context.close();
  });
});
