/**
 * Issue #18: the workbench for a working day, on a desk (1440×900) and on a phone (390×844): one
 * pane at a time on the phone — list → chat → send → buyer — with a bottom navigation, large touch
 * targets, a one-line header and no sideways scrolling; installable (manifest, icons, worker).
 * A shop made without the demo; its buyer arrives through the widget.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { ARTIFACTS, logIn, newShopWorld } from '../support/browser';
import { makeAgent } from '../support/fixtures';
import { jpg, photo } from '../support/images';
import { AGENT_PASSWORD } from '../support/server';
import { DEADLINE_MS } from '../support/wait';

const OWNER = 'owner@phone-shop.test';
const AGENT = 'agent@phone-shop.test';

describe('e2e: the workbench on a desk and on a phone (issue #18)', () => {
  let world: Awaited<ReturnType<typeof newShopWorld>>;
  before(async () => {
    world = await newShopWorld('phone-shop', OWNER);
    await makeAgent(world.t.storage, world.shopId, { email: AGENT, role: 'agent', password: AGENT_PASSWORD });
  });
  after(async () => {
    await world?.close();
  });

  /** A buyer of the shop writes from the shop's page (the widget on a page of ours). */
  async function buyerWrites(text: string): Promise<Page> {
    const buyer = await world.pages.open({ width: 390, height: 844 });
    const shopPage = `${world.t.url}/phone-shop-page`;
    await buyer.route(shopPage, (route) =>
      route.fulfill({
        contentType: 'text/html; charset=utf-8',
        body: `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"></head>
<body><h1>手机店</h1><script src="/widget.js" data-shop="phone-shop" async></script></body></html>`,
      }),
    );
    await buyer.goto(shopPage);
    await buyer.getByTestId('xiaoer-launcher').click();
    // Straight to a person (BOT-3), then the question.
    for (const line of ['转人工', text]) {
      await buyer.getByTestId('xiaoer-input').fill(line);
      await buyer.getByTestId('xiaoer-send').click();
      await buyer.locator('[data-testid="xiaoer-message"][data-sender="buyer"]', { hasText: line }).waitFor();
    }
    return buyer;
  }

  const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - innerWidth);

  it('on a phone: list → chat → send → buyer pane, one at a time, with the bottom navigation', async () => {
    const phone = await world.pages.open({ width: 390, height: 844 });
    await logIn(phone, world.t.url, '/workbench/', AGENT, AGENT_PASSWORD);
    await phone.getByTestId('bottom-nav').waitFor();
    // The header is one line: as tall as the bar, whatever the shop's name.
    const header = await phone.locator('.ant-layout-header').boundingBox();
    assert.ok(header && header.height <= 56, `header ${header?.height}px`);
    assert.ok((await overflow(phone)) <= 0, 'no sideways scroll');

    const question = '你好，手机上能看到吗？';
    const buyer = await buyerWrites(question);
    const item = phone.getByTestId('conversation-item').first();
    await item.waitFor();
    // The unread count sits beside the name, not under a tag.
    await item.getByTestId('unread-badge').waitFor();
    await phone.screenshot({ path: `${ARTIFACTS}workbench-phone-list.png`, animations: 'disabled' });
    await item.click();

    // The chat fills the screen; the list is not shown beside it.
    const chat = phone.getByTestId('pane-chat');
    await chat
      .locator('[data-testid="message-bubble"][data-sender="buyer"]', { hasText: question })
      .waitFor();
    assert.equal(await phone.getByTestId('pane-list').isVisible(), false);
    const composer = phone.getByTestId('composer');
    const box = await composer.boundingBox();
    assert.ok(box && box.width >= 300, `composer ${box?.width}px wide`);
    const answer = '亲，能看到的，请问有什么可以帮您？';
    await composer.fill(answer);
    await phone.getByTestId('send-button').click();
    await chat.locator('[data-testid="message-bubble"][data-sender="agent"]', { hasText: answer }).waitFor();
    await buyer.locator('[data-testid="xiaoer-message"][data-sender="agent"]', { hasText: answer }).waitFor();
    assert.ok((await overflow(phone)) <= 0, 'no sideways scroll in the chat');
    await phone.screenshot({ path: `${ARTIFACTS}workbench-phone-chat.png`, animations: 'disabled' });

    // A draft survives a visit to the buyer pane.
    await composer.fill('草稿还在吗');
    await phone.getByTestId('nav-buyer').click();
    await phone.getByTestId('pane-side').waitFor();
    assert.equal(await chat.isVisible(), false);
    await phone.screenshot({ path: `${ARTIFACTS}workbench-phone-buyer.png`, animations: 'disabled' });
    await phone.getByTestId('nav-chat').click();
    assert.equal(await composer.inputValue(), '草稿还在吗');

    // Touch targets: every bottom-navigation button is at least 44 px tall.
    for (const b of await phone.getByTestId('bottom-nav').locator('button').all()) {
      const bb = await b.boundingBox();
      assert.ok(bb && bb.height >= 44 && bb.width >= 44, `nav button ${bb?.width}×${bb?.height}`);
    }
    // Back to the list from the chat's own back button.
    await phone.getByTestId('chat-back').click();
    await phone.getByTestId('pane-list').waitFor();
    // The menu holds the rest of the header.
    await phone.getByTestId('header-menu').click();
    await phone.getByTestId('account-menu').waitFor();
    await phone.screenshot({ path: `${ARTIFACTS}workbench-phone-menu.png`, animations: 'disabled' });
    assert.deepEqual(world.pages.errors, []);
  });

  it('on a desk: list, chat and buyer side by side', async () => {
    const desk = await world.pages.open({ width: 1440, height: 900 });
    await logIn(desk, world.t.url, '/workbench/', AGENT, AGENT_PASSWORD);
    const item = desk.getByTestId('conversation-item').first();
    await item.waitFor();
    await item.click();
    await desk.getByTestId('composer').waitFor();
    // All three at once; no bottom navigation.
    assert.equal(await desk.getByTestId('bottom-nav').count(), 0);
    assert.ok(await desk.getByTestId('conversation-item').first().isVisible());
    assert.ok(await desk.getByRole('tab', { name: '买家' }).isVisible());
    const composer = await desk.getByTestId('composer').boundingBox();
    assert.ok(composer && composer.width >= 600, `composer ${composer?.width}px wide`);
    assert.ok((await overflow(desk)) <= 0);
    await desk.screenshot({ path: `${ARTIFACTS}workbench-desk.png`, animations: 'disabled' });

    // TEAM-3: a quick reply with a picture — made in the editor, sent in one click (the picture with
    // its text), and the picture opens full size in the chat.
    await desk.getByRole('tab', { name: '快捷回复' }).click();
    await desk
      .getByRole('button', { name: /新\s*建|Create/ })
      .first()
      .click();
    const dialog = desk.getByRole('dialog');
    // Saved empty: the form says what is missing, and nothing is thrown in the page.
    await dialog.getByRole('button', { name: /确\s*定/ }).click();
    await dialog.locator('.ant-form-item-explain-error').first().waitFor();
    await dialog.locator('#title').fill('尺码表');
    await dialog.locator('#text').fill('亲，这是我们的尺码表，请参考～');
    await dialog
      .locator('input[type="file"]')
      .setInputFiles({ name: 'size.jpg', mimeType: 'image/jpeg', buffer: jpg(photo(320, 240)) });
    await dialog.getByTestId('quick-reply-image').waitFor();
    await dialog.getByRole('button', { name: /确\s*定/ }).click();
    await dialog.waitFor({ state: 'hidden' });
    const reply = desk.locator('.ant-list-item', { hasText: '尺码表' });
    await reply.getByTestId('quick-reply-has-image').waitFor();
    await reply.getByText('尺码表', { exact: true }).click();
    const image = desk.locator('[data-testid="message-bubble"][data-sender="agent"] img');
    await image.first().waitFor();
    // A click anywhere on the picture (its 点击放大 mask covers it) opens the preview.
    await desk.locator('[data-testid="message-bubble"][data-sender="agent"] .ant-image').first().click();
    await desk.locator('.ant-image-preview-img').waitFor();
    await desk.screenshot({ path: `${ARTIFACTS}workbench-image-zoom.png`, animations: 'disabled' });
    await desk.keyboard.press('Escape');
    assert.deepEqual(world.pages.errors, [], 'no uncaught errors in any page');
  });

  it("a supervisor's list says who holds each chat; Alt+↓ / Alt+↑ move between chats", async () => {
    // A second buyer, so there is somewhere to move to.
    const second = '第二位买家：请问有现货吗？';
    await buyerWrites(second);
    const owner = await world.pages.open({ width: 1440, height: 900 });
    await logIn(owner, world.t.url, '/workbench/', OWNER, AGENT_PASSWORD);
    const items = owner.getByTestId('conversation-item');
    await items.nth(1).waitFor();
    const agent = await world.t.storage.agents.findAccountByEmail(AGENT);
    assert.ok(agent);
    const holders = owner.locator(`[data-testid="holder-tag"][data-agent-id="${agent.id}"]`);
    await holders.nth(1).waitFor();
    assert.match(await holders.first().innerText(), /\S/);
    const selected = owner.locator('[data-testid="conversation-item"][data-selected="true"]');
    await owner.keyboard.press('Alt+ArrowDown');
    await selected.waitFor();
    const first = await selected.getAttribute('data-conversation-id');
    assert.equal(first, await items.nth(0).getAttribute('data-conversation-id'));
    await owner.keyboard.press('Alt+ArrowDown');
    await owner
      .locator(
        `[data-testid="conversation-item"][data-selected="true"]:not([data-conversation-id="${first}"])`,
      )
      .waitFor();
    assert.equal(
      await selected.getAttribute('data-conversation-id'),
      await items.nth(1).getAttribute('data-conversation-id'),
    );
    await owner.keyboard.press('Alt+ArrowUp');
    await owner
      .locator(`[data-testid="conversation-item"][data-selected="true"][data-conversation-id="${first}"]`)
      .waitFor();
    await owner.screenshot({ path: `${ARTIFACTS}workbench-supervisor-list.png`, animations: 'disabled' });
  });

  it('is installable: manifest, icons and a service worker on the workbench', async () => {
    const page = await world.pages.open({ width: 390, height: 844 });
    await page.goto(`${world.t.url}/workbench/`);
    const href = await page.locator('link[rel="manifest"]').getAttribute('href');
    assert.ok(href);
    const manifest = (await (await fetch(new URL(href, world.t.url))).json()) as {
      start_url: string;
      display: string;
      icons: { src: string; sizes: string }[];
    };
    assert.equal(manifest.start_url, '/workbench/');
    assert.equal(manifest.display, 'standalone');
    for (const size of ['192x192', '512x512']) {
      const icon = manifest.icons.find((i) => i.sizes === size);
      assert.ok(icon, size);
      const res = await fetch(new URL(icon.src, world.t.url));
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'image/png');
    }
    // The worker registers and controls the workbench (it caches nothing).
    await page.getByTestId('login-email').waitFor();
    const scope = await page.evaluate(
      (deadline) =>
        Promise.race([
          navigator.serviceWorker.ready.then((r) => r.scope),
          new Promise<string>((_, reject) =>
            setTimeout(() => reject(new Error('no service worker')), deadline),
          ),
        ]),
      DEADLINE_MS,
    );
    assert.equal(new URL(scope).pathname, '/workbench/');
  });
});
