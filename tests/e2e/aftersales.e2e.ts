/**
 * Issue #19 end to end, in Chromium, for a shop that is not the demo: its order comes in through
 * the v1 API; the buyer, on a phone, opens a refund in the widget from the order card with a photo;
 * the owner sees the case in the workbench's buyer pane with its countdown and evidence and
 * approves it; the buyer's widget changes live (no reload) to 已同意 with the refund deadline's
 * countdown. No English is left in the Chinese texts.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { ARTIFACTS, launchChromium, logIn, Pages } from '../support/browser';
import { makeAgent, makeShop } from '../support/fixtures';
import { photo, png } from '../support/images';
import {
  AGENT_PASSWORD,
  loginCookie,
  signedIdentity,
  startTestServer,
  type TestServer,
} from '../support/server';

const OWNER = 'boss@aftersales-e2e.cn';
const SLUG = 'as-e2e';

/** The visible text of the widget's panel (inside its shadow root). */
async function widgetText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const root = document.querySelector('#xiaoer-widget')?.shadowRoot;
    const view = root?.querySelector<HTMLElement>('[data-testid="xiaoer-as"]');
    return view?.innerText ?? '';
  });
}

describe('e2e: a refund opened in the widget with a photo, approved in the workbench, live on both sides', () => {
  let t: TestServer;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let pages: Pages;
  let shopSecret = '';

  before(async () => {
    t = await startTestServer({ demo: false, env: { DEMO: 'false' } });
    const shopId = await makeShop(t.storage, SLUG);
    shopSecret = (await t.storage.shops.findShop(shopId))!.secret;
    // The owner takes the chats, so the buyer's conversation lands with the agent logged in.
    await makeAgent(t.storage, shopId, {
      email: OWNER,
      role: 'owner',
      name: '店长',
      password: AGENT_PASSWORD,
    });
    const cookie = await loginCookie(t.server, OWNER, AGENT_PASSWORD);
    const call = async (method: string, url: string, body: unknown, auth: Record<string, string>) => {
      const res = await t.server.app.inject({
        method: method as 'PUT',
        url,
        headers: auth,
        payload: body as object,
      });
      assert.ok(res.statusCode < 300, `${url}: ${res.statusCode} ${res.body}`);
      return res.json() as Record<string, unknown>;
    };
    const key = (await call('POST', '/api/admin/api-keys', { name: 'ERP' }, { cookie })).key as string;
    const bearer = { authorization: `Bearer ${key}` };
    await call('PUT', '/api/v1/products/tea-1', { title: '明前龙井', priceCents: 12_800 }, bearer);
    // Paid, not shipped: the buyer is offered refund only or compensation.
    await call(
      'PUT',
      '/api/v1/orders/T-1',
      {
        buyerExternalId: 'tb-77',
        status: 'paid',
        totalCents: 12_800,
        items: [{ productExternalId: 'tea-1', title: '明前龙井', quantity: 1, priceCents: 12_800 }],
        createdAt: new Date(Date.now() - 3_600_000).toISOString(),
        paidAt: new Date(Date.now() - 3_500_000).toISOString(),
      },
      bearer,
    );
    browser = await launchChromium();
    pages = new Pages(() => browser);
  });
  after(async () => {
    await pages?.close();
    await browser?.close();
    await t?.close();
  });

  it('opens, shows, approves and updates live', async () => {
    const agent = await pages.open({ width: 1440, height: 900 });
    await logIn(agent, t.url, '/workbench/', OWNER, AGENT_PASSWORD);
    await agent.getByTestId('agent-status').waitFor();

    // The buyer, logged in on the shop's page, on a phone.
    const buyer = await pages.open({ width: 390, height: 844 });
    const identity = JSON.stringify(signedIdentity(shopSecret, 'tb-77', { nick: '阿花' })).replace(
      /'/g,
      '&#39;',
    );
    await buyer.route(`${t.url}/${SLUG}-page`, (route) =>
      route.fulfill({
        contentType: 'text/html; charset=utf-8',
        body: `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>茶馆</title></head>
<body><h1>茶馆</h1><script src="/widget.js" data-shop="${SLUG}" data-identity='${identity}' async></script></body></html>`,
      }),
    );
    await buyer.goto(`${t.url}/${SLUG}-page`);
    await buyer.getByTestId('xiaoer-launcher').click();
    await buyer.getByTestId('xiaoer-input').fill('茶叶不想要了，能退款吗');
    await buyer.getByTestId('xiaoer-send').click();

    // The owner has the conversation and sends the order as a card.
    await agent.getByTestId('conversation-item').first().click();
    await agent.getByTestId('order-card').filter({ hasText: 'T-1' }).waitFor();
    await agent.getByTestId('buyer-cases').getByText('该买家暂无售后单').waitFor();
    await agent
      .getByTestId('order-card')
      .filter({ hasText: 'T-1' })
      .getByRole('button', { name: '发送订单' })
      .click();

    // The buyer asks for after-sales from the card: an order not shipped offers two kinds.
    await buyer.getByTestId('xiaoer-as-open').click();
    const kinds = await buyer.getByTestId('xiaoer-as-kind').allTextContents();
    assert.deepEqual(kinds, ['仅退款', '补偿']);
    await buyer.getByTestId('xiaoer-as-reason').fill('买多了，还没发货，想退款');
    const file = `${ARTIFACTS}as-e2e-evidence.png`;
    writeFileSync(file, png(photo(80, 60, 7)));
    await buyer.getByTestId('xiaoer-as-photo').setInputFiles(file);
    await buyer.getByTestId('xiaoer-as-thumb').waitFor();
    await buyer.getByTestId('xiaoer-as-submit').click();
    const mine = buyer.getByTestId('xiaoer-as-case');
    await mine.filter({ hasText: '待商家处理' }).waitFor();
    // 48 h to answer, counting down live: the line changes while the page stays.
    const countdown = buyer.getByTestId('xiaoer-as-countdown');
    await countdown.filter({ hasText: /^商家处理剩余 4[78]:\d\d:\d\d$/ }).waitFor();
    const first = await countdown.textContent();
    await buyer.waitForFunction((before) => {
      const root = document.querySelector('#xiaoer-widget')?.shadowRoot;
      const now = root?.querySelector('[data-testid="xiaoer-as-countdown"]')?.textContent;
      return typeof now === 'string' && now !== before;
    }, first);

    // The owner sees it live in the buyer pane: status, holder line, countdown, the photo.
    const card = agent.getByTestId('buyer-cases').getByTestId('case-card');
    await card.getByTestId('case-status').filter({ hasText: '待商家处理' }).waitFor();
    await card
      .getByTestId('case-countdown')
      .filter({ hasText: /商家处理剩余 4[78]:\d\d:\d\d/ })
      .waitFor();
    // 48 h away, outside the shop's 6 h alert window: not red.
    assert.equal(await card.getByTestId('case-countdown').getAttribute('data-near'), 'false');
    const evidence = card.getByTestId('case-evidence').locator('img');
    await evidence.waitFor();
    // The agent may see the buyer's photo: it loads.
    await agent.waitForFunction(
      (img) => img instanceof HTMLImageElement && img.complete && img.naturalWidth === 80,
      await evidence.elementHandle(),
    );
    const cardText = await card.innerText();
    assert.doesNotMatch(cardText, /[A-Za-z]{3,}/, `English in the workbench card: ${cardText}`);
    // And in the 售后 list.
    await agent.getByTestId('cases-tab').click();
    await agent.getByTestId('cases-panel').getByTestId('case-card').filter({ hasText: 'T-1' }).waitFor();
    await agent.getByRole('tab', { name: /买家/ }).click();

    await card.getByTestId('case-action-approve').click();
    await card.getByTestId('case-status').filter({ hasText: '已同意' }).waitFor();

    // The buyer's widget moved without a reload: approved, and the refund's clock runs.
    await mine.filter({ hasText: '已同意' }).waitFor();
    await countdown.filter({ hasText: /^商家退款剩余 \d+:\d\d:\d\d$/ }).waitFor();
    const text = await widgetText(buyer);
    assert.doesNotMatch(text, /[A-Za-z]{3,}/, `English in the widget: ${text}`);
    await buyer.screenshot({ path: '/tmp/as-e2e-phone.png' });
    await buyer.screenshot({ path: `${ARTIFACTS}aftersales-widget-phone.png` });
    await agent.screenshot({ path: `${ARTIFACTS}aftersales-workbench.png` });
    // The workbench on a phone (390 px): the 售后 pane from the bottom bar shows the case.
    await agent.setViewportSize({ width: 390, height: 844 });
    await agent.getByTestId('bottom-nav').getByText('售后').click();
    await agent.getByTestId('cases-panel').getByTestId('case-card').filter({ hasText: 'T-1' }).waitFor();
    await agent.screenshot({ path: `${ARTIFACTS}aftersales-workbench-phone.png` });
    // 我的售后 → 申请售后: the buyer's own orders to pick from, not only cards in the chat (AS-1).
    await buyer.getByTestId('xiaoer-as-new').click();
    await buyer.getByTestId('xiaoer-as-order').filter({ hasText: 'T-1' }).click();
    await buyer.getByTestId('xiaoer-as-form').waitFor();
    assert.deepEqual(pages.errors, []);
  });
});
