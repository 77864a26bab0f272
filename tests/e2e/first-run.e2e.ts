import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { readSetupToken } from '../../packages/server/src/setup/setup-token';
import { ARTIFACTS, launchChromium, Pages } from '../support/browser';
import { AGENT_PASSWORD, startTestServer, type TestServer } from '../support/server';

const OWNER_EMAIL = 'boss@tea-house.cn';
const OWNER_PASSWORD = 'Chaguan-2026-owner';
const AGENT_EMAIL = 'xiaomei@tea-house.cn';

/**
 * Issue #13, a fresh install without the demo (DEMO=false), from nothing to a working shop: `/`
 * leads to the setup page; the owner fills it (a weak password refused on its field), lands in the
 * console logged in and adds an agent; the agent logs in to the workbench in another browser; a
 * buyer on the shop's own page asks for a person through the widget; the agent replies; the buyer
 * sees it. Then the setup page is gone.
 */
describe('e2e: first run — setup page → owner → agent → a buyer served', () => {
  let t: TestServer;
  let browser: Browser;
  const pages = new Pages(() => browser);

  before(async () => {
    t = await startTestServer({ demo: false, env: { DEMO: 'false' } });
    browser = await launchChromium();
  });
  after(async () => {
    await pages.close();
    await browser?.close();
    await t?.close();
  });

  async function fillSetup(page: Page, token: string, password: string) {
    await page.getByTestId('setup-token').fill(token);
    await page.getByTestId('setup-shop-name').fill('茶馆');
    await page.getByTestId('setup-slug').fill('tea-house');
    await page.getByTestId('setup-org-name').fill('茶馆集团');
    await page.getByTestId('setup-owner-name').fill('老板');
    await page.getByTestId('setup-owner-email').fill(OWNER_EMAIL);
    await page.getByTestId('setup-password').fill(password);
    await page.getByTestId('setup-password-confirm').fill(password);
  }

  it('the owner sets up the shop, adds an agent, and the agent serves a buyer from the widget', async () => {
    const token = await readSetupToken(t.storage);
    assert.ok(token, 'a setup token was made at start');

    // The phone-sized view of the page, for the screenshot.
    const phone = await pages.open({ width: 390, height: 844 });
    await phone.goto(`${t.url}/setup?token=${token}`);
    await phone.getByTestId('setup-page').waitFor();
    assert.equal(await phone.getByTestId('setup-token').inputValue(), token, 'the link fills the token in');
    await phone.screenshot({ path: `${ARTIFACTS}first-run-setup-390.png`, fullPage: true });

    // `/` leads to the setup page on a fresh install.
    const owner = await pages.open({ width: 1440, height: 900 });
    await owner.goto(`${t.url}/`);
    await owner.getByTestId('setup-page').waitFor();
    assert.match(owner.url(), /\/setup$/);
    await owner.screenshot({ path: `${ARTIFACTS}first-run-setup-1440.png`, fullPage: true });

    // A wrong token is refused on the token field; a weak password on the password field.
    await fillSetup(owner, 'not-the-token', OWNER_PASSWORD);
    await owner.getByTestId('setup-submit').click();
    await owner.locator('.ant-form-item-has-error [data-testid="setup-token"]').waitFor();
    await owner.getByTestId('setup-error').waitFor();
    await fillSetup(owner, token, 'password123');
    await owner.getByTestId('setup-submit').click();
    await owner.locator('.ant-form-item-has-error [data-testid="setup-password"]').waitFor();
    assert.equal(await t.storage.shops.hasRealShop(), false, 'nothing written by the refused attempts');
    await owner.screenshot({ path: `${ARTIFACTS}first-run-setup-refused.png`, fullPage: true });

    // Done: the owner lands in the admin console, logged in.
    await fillSetup(owner, token, OWNER_PASSWORD);
    await owner.getByTestId('setup-submit').click();
    await owner.waitForURL(`${t.url}/admin/`);
    await owner.getByRole('tab', { name: '客服' }).click();
    await owner.getByTestId('agent-create').waitFor();
    await owner
      .locator(`[data-testid="agent-row"][data-email="${OWNER_EMAIL}"][data-role="owner"]`)
      .waitFor();

    // The owner adds an agent (a strong password).
    await owner.getByTestId('agent-create').click();
    const dialog = owner.getByRole('dialog');
    await dialog.locator('#email').fill(AGENT_EMAIL);
    await dialog.locator('#name').fill('小美');
    await dialog.locator('#password').fill(AGENT_PASSWORD);
    await dialog.getByRole('button', { name: /确\s*定|OK/ }).click();
    await owner.locator(`[data-testid="agent-row"][data-email="${AGENT_EMAIL}"]`).waitFor();
    await dialog.waitFor({ state: 'hidden' });
    await owner.screenshot({ path: `${ARTIFACTS}first-run-console.png` });

    // The agent logs in to the workbench in another browser context.
    const agent = await pages.open({ width: 1440, height: 900 });
    await agent.goto(`${t.url}/workbench/`);
    await agent.getByTestId('login-email').fill(AGENT_EMAIL);
    await agent.getByTestId('login-password').fill(AGENT_PASSWORD);
    await agent.getByTestId('login-submit').click();
    await agent.getByTestId('agent-status').waitFor();

    // A buyer on the shop's own page (the widget's one script tag) asks for a person.
    const buyer = await pages.open({ width: 1280, height: 800 });
    await buyer.route(`${t.url}/tea-house-page`, (route) =>
      route.fulfill({
        contentType: 'text/html; charset=utf-8',
        body: `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>茶馆</title></head>
<body><h1>茶馆 · 新茶上市</h1><script src="/widget.js" data-shop="tea-house" async></script></body></html>`,
      }),
    );
    await buyer.goto(`${t.url}/tea-house-page`);
    await buyer.getByTestId('xiaoer-launcher').click();
    await buyer.getByTestId('xiaoer-input').fill('转人工');
    await buyer.getByTestId('xiaoer-send').click();
    const question = '你好，明前龙井还有货吗？';
    await buyer.getByTestId('xiaoer-input').fill(question);
    await buyer.getByTestId('xiaoer-send').click();
    await buyer
      .locator('[data-testid="xiaoer-message"][data-sender="buyer"]', { hasText: question })
      .waitFor();

    // The agent sees the buyer and replies; the buyer sees the reply.
    const item = agent.getByTestId('conversation-item').first();
    await item.waitFor();
    await item.click();
    await agent
      .locator('[data-testid="message-bubble"][data-sender="buyer"]', { hasText: question })
      .waitFor();
    const answer = '亲，明前龙井有货的，今天下单明天发货～';
    await agent.getByTestId('composer').fill(answer);
    await agent.getByTestId('send-button').click();
    await buyer.locator('[data-testid="xiaoer-message"][data-sender="agent"]', { hasText: answer }).waitFor();
    await agent.screenshot({ path: `${ARTIFACTS}first-run-workbench.png` });
    await buyer.screenshot({ path: `${ARTIFACTS}first-run-buyer.png` });

    // Once: the setup page is gone, `/` is the workbench.
    const gone = await phone.goto(`${t.url}/setup?token=${token}`);
    assert.equal(gone?.status(), 404);
    await phone.goto(`${t.url}/`);
    assert.match(phone.url(), /\/workbench\/$/);
    assert.deepEqual(pages.errors, [], 'no uncaught errors in any page');
  });
});

describe('e2e: first run beside the demo — the landing shows both paths', () => {
  let t: TestServer;
  let browser: Browser;
  const pages = new Pages(() => browser);

  before(async () => {
    t = await startTestServer({ env: { DEMO: 'auto' } });
    browser = await launchChromium();
  });
  after(async () => {
    await pages.close();
    await browser?.close();
    await t?.close();
  });

  it('`/` links the demo page, workbench and console, and setting up one’s own shop', async () => {
    const page = await pages.open({ width: 1440, height: 900 });
    await page.goto(`${t.url}/`);
    await page.getByTestId('landing').waitFor();
    for (const [id, href] of [
      ['landing-demo', '/demo'],
      ['landing-workbench', '/workbench/'],
      ['landing-admin', '/admin/'],
      ['landing-setup', '/setup'],
    ] as const)
      assert.equal(await page.getByTestId(id).getAttribute('href'), href);
    await page.screenshot({ path: `${ARTIFACTS}first-run-landing-1440.png` });
    // The demo page says it is one.
    await page.getByTestId('landing-demo').click();
    await page.getByTestId('demo-notice').getByText('这是演示店铺').waitFor();
    await page.goBack();
    await page.getByTestId('landing-setup').click();
    await page.getByTestId('setup-page').waitFor();
    assert.deepEqual(pages.errors, [], 'no uncaught errors in any page');
  });
});
