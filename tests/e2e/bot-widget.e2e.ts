/**
 * Issue #15 in the widget, in Chromium: the bot's "您是想问" choices are buttons (a tap gets the
 * answer), a buyer with several orders picks one by tapping its card, by typing its number or its
 * product (BOT-4), and the 转人工 button reaches a person from anywhere. Desktop and phone.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BuyerId, Order, OrderId, ShopId } from '@xiaoer/core';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, launchChromium } from '../support/browser';
import { startTestServer, type TestServer } from '../support/server';

const SHOP = 'shop-demo' as ShopId;

describe('e2e: the bot’s buttons in the widget (issue #15)', () => {
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

  const botSays = (page: Page, text: string | RegExp) =>
    page.locator('[data-testid="xiaoer-message"][data-sender="bot"]', { hasText: text }).last();
  const ask = async (page: Page, text: string) => {
    await page.getByTestId('xiaoer-input').fill(text);
    await page.getByTestId('xiaoer-send').click();
  };

  it('a choice is a button: one tap, the answer', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(`${t.url}/demo?buyer=anonymous`);
    await page.getByTestId('xiaoer-launcher').click();
    // A buyer with no orders asking where their parcel is: the bot offers what is close.
    await ask(page, '我的快递到哪了');
    const choice = page.getByTestId('xiaoer-choice').first();
    await choice.waitFor();
    await botSays(page, '您是想问').waitFor();
    await page.screenshot({ path: `${ARTIFACTS}widget-choices-phone.png` });
    const question = (await choice.textContent())!;
    await choice.click();
    await page
      .locator('[data-testid="xiaoer-message"][data-sender="buyer"]', { hasText: question })
      .waitFor();
    const entry = (await t.storage.faq.listEntries(SHOP)).find((e) => e.question === question)!;
    await botSays(page, entry.answer.slice(0, 12)).waitFor();
    await context.close();
  });

  it('BOT-4 several orders: a card tap, a typed order number and a product name each get that order', async () => {
    const buyer = (await t.storage.buyers.findOrCreate(SHOP, { externalId: 'tb100002' }, () => {
      throw new Error('the demo buyer tb100002 is missing');
    }))!;
    const now = Date.now();
    const order = (id: string, title: string, minutesAgo: number): Order =>
      ({
        id: id as OrderId,
        shopId: SHOP,
        buyerId: buyer.id as BuyerId,
        status: 'shipped',
        items: [{ productId: 'prod-01' as never, title, quantity: 1, priceCents: 5900 }],
        totalCents: 5900,
        carrier: '顺丰速运',
        trackingNo: `SF${id}`,
        createdAt: now - minutesAgo * 60_000,
        paidAt: now - minutesAgo * 60_000,
        shippedAt: now - minutesAgo * 30_000,
        logistics: [{ at: now - 60_000, description: `【${title}】运输中` }],
      }) as Order;
    await t.storage.orders.insertOrder(order('E2E-PICK-1001', '竹纤维毛巾', 2));
    await t.storage.orders.insertOrder(order('E2E-PICK-2002', '陶瓷马克杯', 3));

    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(`${t.url}/demo?buyer=tb100002`);
    await page.getByTestId('xiaoer-launcher').click();

    await ask(page, '我的快递到哪了');
    const card = page.getByTestId('xiaoer-order-pick').filter({ hasText: 'E2E-PICK-2002' }).last();
    await card.waitFor();
    // Issue #18: the order number and its status sit side by side; neither runs into the other.
    const no = await card.getByTestId('xiaoer-order-no').boundingBox();
    const status = await card.getByTestId('xiaoer-order-status').boundingBox();
    assert.ok(
      no && status && no.x + no.width <= status.x + 0.5,
      `${JSON.stringify(no)} ${JSON.stringify(status)}`,
    );
    await page.screenshot({ path: `${ARTIFACTS}widget-order-pick.png` });
    await card.click();
    await botSays(page, /订单 E2E-PICK-2002：已发货/).waitFor();

    await ask(page, '另一个快递呢');
    await page.getByTestId('xiaoer-order-pick').filter({ hasText: 'E2E-PICK-1001' }).last().waitFor();
    await ask(page, 'E2E-PICK-1001');
    await botSays(page, /订单 E2E-PICK-1001：已发货/).waitFor();

    await ask(page, '快递到哪了');
    await page.getByTestId('xiaoer-order-pick').filter({ hasText: 'E2E-PICK-2002' }).last().waitFor();
    await ask(page, '马克杯那个');
    await botSays(page, /订单 E2E-PICK-2002：已发货.*【陶瓷马克杯】运输中/).waitFor();
    await context.close();
  });

  it('the 转人工 button hands the buyer to a person', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(`${t.url}/demo?buyer=anonymous`);
    await page.getByTestId('xiaoer-launcher').click();
    await ask(page, '你好');
    await botSays(page, /您好/).waitFor();
    await page.getByTestId('xiaoer-human').click();
    await botSays(page, '正在为您转接人工客服').waitFor();
    await page.screenshot({ path: `${ARTIFACTS}widget-human-button-phone.png` });
    const conversationId = await page.evaluate(
      () =>
        (
          window as unknown as { XiaoerWidget: { __state(): { conversationId: string } } }
        ).XiaoerWidget.__state().conversationId,
    );
    const stored = await t.storage.conversations.findConversation(SHOP, conversationId as never);
    assert.notEqual(stored?.status, 'bot', 'with a person, or queued for one');
    await context.close();
  });
});
