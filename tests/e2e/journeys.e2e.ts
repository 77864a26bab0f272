/**
 * Issue #21 in Chromium, for a shop that is not the demo: the owner makes the follow-up journey
 * (CRM-2) from its template in the console, dry runs it (the buyer, the time and the words, with
 * nothing sent), and starts it; the order arrives received through the v1 API; a day later (a
 * fake clock, the crm.sweep timer's work run by hand) the buyer opens the shop page on a phone and
 * finds the follow-up in the widget. In the workbench, the agent tags the buyer and leaves a note
 * for the next agent (CRM-1); on a phone, the agent answers a review from the draft written from it
 * (CRM-7).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { DAY, FakeClock, MINUTE } from '@xiaoer/core';
import { ARTIFACTS, launchChromium, logIn, Pages } from '../support/browser';
import { makeAgent, makeShop } from '../support/fixtures';
import {
  AGENT_PASSWORD,
  loginCookie,
  signedIdentity,
  startTestServer,
  type TestServer,
} from '../support/server';

const OWNER = 'boss@journeys-e2e.cn';
const SLUG = 'jr-e2e';

describe('e2e: a journey made, dry run and started in the console; its follow-up in the widget', () => {
  // 10:00 in Shanghai tomorrow (quiet hours would hold the follow-up at night; a time ahead of the
  // browser's keeps every cookie the server sets unexpired in Chromium).
  const today = new Date();
  const clock = new FakeClock(
    Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + 1, 2, 0),
  );
  let t: TestServer;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let pages: Pages;
  let shopSecret = '';
  let owner: Page;
  /** The buyer's phone, on the shop's page with the widget open. */
  let buyerPage: Page;
  let call: (method: string, url: string, body: unknown, auth: Record<string, string>) => Promise<unknown>;
  let bearer: Record<string, string> = {};

  before(async () => {
    t = await startTestServer({ demo: false, env: { DEMO: 'false' }, clock });
    const shopId = await makeShop(t.storage, SLUG);
    shopSecret = (await t.storage.shops.findShop(shopId))!.secret;
    await makeAgent(t.storage, shopId, {
      email: OWNER,
      role: 'owner',
      name: '店长',
      password: AGENT_PASSWORD,
    });
    const cookie = await loginCookie(t.server, OWNER, AGENT_PASSWORD);
    call = async (method, url, body, auth) => {
      const res = await t.server.app.inject({
        method: method as 'PUT',
        url,
        headers: auth,
        ...(body !== undefined ? { payload: body as object } : {}),
      });
      assert.ok(res.statusCode < 300, `${url}: ${res.statusCode} ${res.body}`);
      return res.json();
    };
    const key = ((await call('POST', '/api/admin/api-keys', { name: 'ERP' }, { cookie })) as { key: string })
      .key;
    bearer = { authorization: `Bearer ${key}` };
    await call('PUT', '/api/v1/buyers/tb-9', { nick: '阿花' }, bearer);
    await call('PUT', '/api/v1/products/tea-1', { title: '明前龙井', priceCents: 12_800 }, bearer);
    await call('PUT', '/api/v1/products/tea-2', { title: '安吉白茶', priceCents: 9_800 }, bearer);
    // Received yesterday: the dry run shows what the follow-up would send her.
    await call(
      'PUT',
      '/api/v1/orders/T-9',
      {
        buyerExternalId: 'tb-9',
        status: 'completed',
        totalCents: 12_800,
        items: [{ productExternalId: 'tea-1', title: '明前龙井', quantity: 1, priceCents: 12_800 }],
        createdAt: new Date(clock.now() - 3 * DAY).toISOString(),
        paidAt: new Date(clock.now() - 3 * DAY).toISOString(),
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

  it('the owner makes the follow-up from its template, dry runs it and starts it', async () => {
    owner = await pages.open({ width: 1440, height: 900 });
    await logIn(owner, t.url, '/admin/', OWNER, AGENT_PASSWORD);
    await owner.getByRole('tab', { name: '客户旅程', exact: true }).click();
    await owner.getByTestId('journey-template').click();
    await owner.locator('.ant-select-item-option', { hasText: '签收回访' }).click();
    const row = owner.locator('[data-testid="journey-row"]', { hasText: '签收回访' });
    await row.waitFor();
    assert.equal(await row.getAttribute('data-status'), 'draft');

    await row.getByTestId('journey-dry-run').click();
    const plan = owner.getByTestId('journey-plan');
    await plan.waitFor();
    const rows = plan.getByTestId('journey-plan-row');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 3);
    const first = (await rows.first().textContent()) ?? '';
    assert.ok(first.includes('阿花') && first.includes('明前龙井'), first);
    assert.match((await plan.textContent()) ?? '', /1 位买家，3 条消息将在 90 天内发送（不会真正发送）/);
    await owner.screenshot({ path: `${ARTIFACTS}journeys-dry-run.png` });
    await owner.locator('.ant-modal-close').click();
    await plan.waitFor({ state: 'hidden' });
    // Nothing was sent or started by the dry run.
    const shop = (await t.storage.shops.findShopBySlug(SLUG))!;
    const journey = (await t.storage.journeys.list(shop.id)).find((j) => j.templateId === 'follow-up');
    assert.equal((await t.storage.journeys.listRuns(shop.id, journey!.id)).length, 0);

    await row.getByTestId('journey-start').click();
    await owner
      .locator('[data-testid="journey-row"][data-status="active"]', { hasText: '签收回访' })
      .waitFor();
    await owner.screenshot({ path: `${ARTIFACTS}journeys-console.png`, fullPage: true });
  });

  it("CRM-6: the owner renames the first tier and sets a carrier's stall time in the console", async () => {
    const settings = owner.getByTestId('crm-settings');
    await settings.scrollIntoViewIfNeeded();
    const tier = settings.getByTestId('crm-tier').first().locator('input').first();
    await tier.fill('老茶客');
    await settings.getByTestId('crm-carrier').first().locator('input').nth(1).fill('12');
    await settings.getByTestId('crm-settings-save').click();
    await owner.getByText('已保存', { exact: true }).first().waitFor();
    const shop = (await t.storage.shops.findShopBySlug(SLUG))!;
    const saved = await t.storage.crm.settings(shop.id);
    assert.equal(saved.loyalty?.tiers[0]?.name, '老茶客');
    assert.equal(saved.logistics?.carrierGapHours['顺丰'], 12);
    await settings.screenshot({ path: `${ARTIFACTS}journeys-crm-settings.png` });
  });

  it("the owner writes a journey of the shop's own; a template with an unknown variable is refused on its step", async () => {
    await owner.getByTestId('journey-new').click();
    const editor = owner.getByTestId('journey-editor');
    await editor.waitFor();
    await editor.getByTestId('journey-name').fill('30天没来的老客');
    await editor.getByTestId('journey-trigger').click();
    await owner.locator('.ant-select-item-option', { hasText: '距上次购买 N 天' }).click();
    await editor.locator('#journey_trigger_days').fill('30');
    const template = editor.getByTestId('journey-step-template');
    await template.fill('{buyerName}，好久不见～');
    await owner.getByTestId('journey-save').click();
    const error = owner.getByTestId('journey-error');
    await error.waitFor();
    assert.match(
      (await error.textContent()) ?? '',
      /第 2 步 · 消息内容：「消息内容」用了不存在的变量 \{buyerName\}/,
    );
    await owner.screenshot({ path: `${ARTIFACTS}journeys-editor-refused.png` });
    await template.fill('{buyerNick}，好久不见～「{orderItem}」用得还好吗？');
    await owner.getByTestId('journey-save').click();
    await editor.waitFor({ state: 'detached' });
    const row = owner.locator('[data-testid="journey-row"]', { hasText: '30天没来的老客' });
    await row.waitFor();
    assert.equal(await row.getAttribute('data-status'), 'draft');
    const shop = (await t.storage.shops.findShopBySlug(SLUG))!;
    const made = (await t.storage.journeys.list(shop.id)).find((j) => j.name === '30天没来的老客')!;
    assert.deepEqual(made.definition.trigger, { kind: 'days_since_last_order', days: 30 });
    assert.deepEqual(
      made.definition.steps.map((x) => x.kind),
      ['wait', 'message'],
    );
  });

  it('a day after the order was received, the buyer finds the follow-up in the widget, on a phone', async () => {
    clock.advance(MINUTE);
    await t.server.ctx.journeys.sweep(); // the run starts
    clock.advance(DAY + MINUTE);
    await t.server.ctx.journeys.sweep(); // its first message goes
    const shop = (await t.storage.shops.findShopBySlug(SLUG))!;
    const journey = (await t.storage.journeys.list(shop.id)).find((j) => j.templateId === 'follow-up');
    assert.equal((await t.storage.journeys.stats(shop.id, journey!.id)).sends, 1);
    const buyer = (buyerPage = await pages.open({ width: 390, height: 844 }));
    const identity = JSON.stringify(
      signedIdentity(shopSecret, 'tb-9', { nick: '阿花', ts: clock.now() }),
    ).replace(/'/g, '&#39;');
    await buyer.route(`${t.url}/${SLUG}-page`, (route) =>
      route.fulfill({
        contentType: 'text/html; charset=utf-8',
        body: `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>茶馆</title></head>
<body><h1>茶馆</h1><script src="/widget.js" data-shop="${SLUG}" data-identity='${identity}' async></script></body></html>`,
      }),
    );
    await buyer.goto(`${t.url}/${SLUG}-page`);
    await buyer.getByTestId('xiaoer-launcher').click();
    await buyer
      .locator('[data-testid="xiaoer-message"][data-sender="bot"]', {
        hasText: '阿花您好，您的「明前龙井」已经签收了',
      })
      .waitFor();
    await buyer.screenshot({ path: `${ARTIFACTS}journeys-widget-phone.png` });
    // Her answer: the agent will see tags suggested from it.
    await buyer.getByTestId('xiaoer-input').fill('挺好的，上次给我妈买的她也喜欢，白茶也想试试');
    await buyer.getByTestId('xiaoer-send').click();
    // stored (it has its seq) before the agent looks
    await buyer
      .locator('[data-testid="xiaoer-message"][data-sender="buyer"][data-seq]', { hasText: '上次给我妈买的' })
      .waitFor();
  });

  it('CRM-1: in the workbench the owner tags the buyer and leaves a note for the next agent', async () => {
    const agent = await pages.open({ width: 1440, height: 900 });
    await logIn(agent, t.url, '/workbench/', OWNER, AGENT_PASSWORD);
    await agent.getByTestId('agent-status').waitFor();
    await agent.getByTestId('conversation-item').first().click();
    const crm = agent.getByTestId('buyer-crm');
    await crm.waitFor();
    await crm.getByTestId('buyer-tag-input').fill('爱喝绿茶');
    await crm.getByTestId('buyer-tag-add').click();
    await crm.getByTestId('buyer-tag').filter({ hasText: '爱喝绿茶' }).waitFor();
    // CRM-1: tags suggested from what she wrote; the owner takes one.
    await crm.getByTestId('buyer-tag-suggestion').filter({ hasText: '长辈' }).click();
    await crm.getByTestId('buyer-tag').filter({ hasText: '长辈' }).waitFor();
    // CRM-1: what she asked about — the white tea she named — beside the chat.
    await crm.getByTestId('buyer-interest').filter({ hasText: '安吉白茶' }).waitFor();
    // …and turns one down with its ×: gone, and not added.
    const returning = crm.getByTestId('buyer-tag-suggestion').filter({ hasText: '老顾客' });
    await crm.screenshot({ path: `${ARTIFACTS}journeys-crm-suggestion.png` });
    await returning.getByTestId('buyer-tag-suggestion-dismiss').click();
    await returning.waitFor({ state: 'detached' });
    assert.equal(await crm.getByTestId('buyer-tag').filter({ hasText: '老顾客' }).count(), 0);
    // CRM-1: the owner sends her order as a card; she taps it to say which order she means.
    await agent.getByRole('button', { name: '发送订单' }).first().click();
    const card = buyerPage.getByTestId('xiaoer-order-pick').filter({ hasText: 'T-9' }).last();
    await card.waitFor();
    await card.click();
    await agent
      .locator('[data-testid="message-bubble"][data-sender="buyer"]', { hasText: '订单 T-9' })
      .waitFor();
    await crm.getByTestId('buyer-note-input').fill('怕苦，推荐明前茶');
    await crm.getByTestId('buyer-note-add').click();
    await crm.getByTestId('buyer-note').filter({ hasText: '怕苦，推荐明前茶' }).waitFor();
    await agent.screenshot({ path: `${ARTIFACTS}journeys-workbench-crm.png` });
    const shop = await t.storage.shops.findShopBySlug(SLUG);
    const buyerId = (await t.storage.buyers.findByExternalId(shop!.id, 'tb-9'))!.id;
    assert.deepEqual(
      (await t.storage.crm.tags(shop!.id, buyerId)).map((x) => x.tag),
      ['爱喝绿茶', '长辈'],
    );
  });

  it("CRM-1: the owner finds the buyers tagged 爱喝绿茶 in the console's segments", async () => {
    const segments = owner.getByTestId('segments');
    await segments.scrollIntoViewIfNeeded();
    await segments.getByTestId('segment-tags').locator('input').fill('爱喝绿茶');
    await owner.keyboard.press('Enter');
    await segments.getByTestId('segment-query').click();
    await segments.getByTestId('segment-count').filter({ hasText: '共 1 位买家' }).waitFor();
    const row = (await segments.getByTestId('segment-row').first().textContent()) ?? '';
    assert.ok(row.includes('阿花') && row.includes('爱喝绿茶'), row);
    await segments.screenshot({ path: `${ARTIFACTS}journeys-segments.png` });
  });

  it('CRM-7: on a phone the agent answers a review from its draft; a reply that breaks the rules is held', async () => {
    const posted = new Date(clock.now() - 3_600_000).toISOString();
    await call(
      'PUT',
      '/api/v1/reviews/rv-9',
      {
        buyerExternalId: 'tb-9',
        orderExternalId: 'T-9',
        rating: 2,
        text: '茶叶味道还行，但是包装压坏了，撒了一些',
        postedAt: posted,
      },
      bearer,
    );
    await call(
      'PUT',
      '/api/v1/reviews/rv-10',
      { buyerExternalId: 'tb-9', rating: 5, text: '', postedAt: posted },
      bearer,
    );
    const phone = await pages.open({ width: 390, height: 844 });
    await logIn(phone, t.url, '/workbench/', OWNER, AGENT_PASSWORD);
    const nav = phone.getByTestId('nav-reviews');
    await nav.filter({ hasText: '2' }).waitFor();
    await nav.click();
    const card = phone.locator('[data-testid="review-card"][data-review="rv-9"]');
    await card.waitFor();
    const box = card.getByTestId('review-reply-text');
    const draft = await box.inputValue();
    assert.match(draft, /阿花您好/);
    assert.match(draft, /包装/);
    // CMP-3: the guard holds a reply that takes the buyer off the platform.
    await box.fill('加我微信 xiaoer888，给您补偿');
    await card.locator('[data-testid="compliance-panel"]').waitFor();
    assert.equal(await card.getByTestId('review-send').isDisabled(), true);
    await phone.screenshot({ path: `${ARTIFACTS}reviews-phone-blocked.png` });
    await box.fill(`${draft}已为您补发一份。`);
    await card.getByTestId('review-send').click();
    await card.waitFor({ state: 'detached' });
    await nav.filter({ hasText: '1' }).waitFor();
    await phone.screenshot({ path: `${ARTIFACTS}reviews-phone.png` });
    const shop = (await t.storage.shops.findShopBySlug(SLUG))!;
    const review = await t.storage.reviews.findExternal(shop.id, 'rv-9');
    assert.equal(review?.reply?.text, `${draft}已为您补发一份。`);
    // The buyer's profile beside the chat, on the phone too.
    await phone.getByTestId('nav-list').click();
    await phone.getByTestId('conversation-item').first().click();
    await phone.getByTestId('nav-buyer').click();
    await phone.getByTestId('buyer-crm').waitFor();
    await phone.screenshot({ path: `${ARTIFACTS}journeys-workbench-crm-phone.png`, fullPage: true });
  });
});
