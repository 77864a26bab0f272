import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { AgentId, BuyerId, ConversationId, QuickReplyId, ShopId } from '@xiaoer/core';
import { ARTIFACTS, launchChromium, logIn as logInAt, Pages } from '../support/browser';
import { jpg, photo, png, qrPixels } from '../support/images';
import { loginCookie, startTestServer, type TestServer } from '../support/server';

const SHOP = 'shop-demo' as ShopId;

const BANNED = '你问我我问谁';
const WECHAT = '加我微信 abc_12345 私聊';
const PROMISE = '亲，明天给您发顺丰';

/**
 * The compliance guard in the browser (CMP-1 … CMP-6): the composer checks as the agent types,
 * a banned phrase cannot be sent and its rewrite can; an off-platform contact never reaches the
 * buyer, even forced past the browser; a warned promise is sent once confirmed and shown in the
 * sidebar; the owner sees blocks and overrides in the console's log; reaching out obeys the caps.
 */
describe('e2e: compliance — live check in the composer, server refusals, promises, console log', () => {
  let t: TestServer;
  let browser: Browser;
  const pages = new Pages(() => browser);
  const pageErrors = pages.errors;
  let agent: Page;
  let buyer: Page;
  let owner: Page;
  let conversationId = '' as ConversationId;

  before(async () => {
    t = await startTestServer();
    // 小美 (agent-demo-1) alone online: the buyer lands on her.
    for (const id of ['agent-demo-2', 'agent-demo-3']) {
      await t.server.ctx.chat.setAgentStatus(SHOP, id as AgentId, 'offline');
    }
    // CMP-6 without quiet hours (the test must not depend on the time of day): one a day.
    const settings = await t.storage.compliance.complianceSettings(SHOP);
    await t.storage.compliance.saveComplianceSettings(SHOP, {
      ...settings,
      proactive: { maxPerDay: 1, maxPerWeek: 3, quietStart: '00:00', quietEnd: '00:00' },
    });
    // A careless personal quick reply: one click must not get it past the check either.
    await t.storage.quickReplies.insertQuickReply({
      id: 'qr-e2e-wechat' as QuickReplyId,
      shopId: SHOP,
      ownerId: 'agent-demo-1' as AgentId,
      title: '私聊',
      text: WECHAT,
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

  const newPage = (viewport?: { width: number; height: number }) => pages.open(viewport);

  const logIn = (page: Page, path: string, email: string) => logInAt(page, t.url, path, email);

  const buyerSees = (text: string) =>
    buyer.locator('[data-testid="xiaoer-message"][data-sender="agent"]', { hasText: text });
  const agentBubble = (text: string) =>
    agent.locator('[data-testid="message-bubble"][data-sender="agent"]', { hasText: text });

  async function storedTexts(): Promise<string[]> {
    const messages = await t.storage.conversations.listMessages(SHOP, conversationId, 0, 500);
    return messages.flatMap((m) => (m.kind === 'text' ? [m.body.text] : []));
  }

  it('the owner edits the rules in the console: a bad edit is refused whole, a good one saved', async () => {
    owner = await newPage({ width: 1440, height: 1000 });
    await logIn(owner, '/admin/', 'owner@demo.xiaoer.dev');
    await owner.getByRole('tab', { name: '合规', exact: true }).click();
    await owner.getByTestId('compliance-settings').waitFor();
    // Every checkable promise asks the agent to confirm (CMP-4), and a phrase of the shop's own.
    await owner.getByTestId('compliance-confirm-promises').click();
    // Issue #19: unkept promises flagged 6 hours before they fall due.
    await owner.getByTestId('compliance-promise-lead').fill('6');
    await owner.getByTestId('compliance-add-phrase').click();
    await owner.getByLabel('短语').last().fill('找平台投诉');
    await owner.getByLabel('原因（给客服看）').last().fill('不要引导买家投诉');
    const domains = owner.locator('.ant-form-item', { hasText: '允许的域名' }).locator('input');
    await domains.fill('http://bad');
    await domains.press('Enter');
    await owner.getByTestId('compliance-save').click();
    await owner.getByTestId('compliance-error').getByText('允许的域名 2').waitFor();
    const before = await t.storage.compliance.complianceSettings(SHOP);
    assert.deepEqual(before.customPhrases, [], 'nothing half-saved');
    assert.notEqual(before.confirmPromises, true);
    await owner
      .locator('.ant-select-selection-item', { hasText: 'http://bad' })
      .locator('.ant-select-selection-item-remove')
      .click();
    await owner.getByTestId('compliance-save').click();
    await owner.getByText('已保存', { exact: true }).first().waitFor();
    const saved = await t.storage.compliance.complianceSettings(SHOP);
    assert.deepEqual(saved.customPhrases, [
      { phrase: '找平台投诉', verdict: 'block', reason: '不要引导买家投诉' },
    ]);
    assert.equal(saved.confirmPromises, true);
    assert.equal(saved.promiseLeadHours, 6);
    assert.deepEqual(saved.allowedDomains, ['xiaoer.dev']);

    await owner.getByTestId('compliance-test-input').fill('有意见您可以去找 平台 投诉');
    const result = owner.getByTestId('compliance-test-result');
    await result.locator('[data-testid="compliance-finding"][data-rule="CMP-1"]').waitFor();
    assert.equal(await result.getAttribute('data-verdict'), 'block');
    assert.match(await result.innerText(), /不要引导买家投诉/);
    await owner.screenshot({
      path: `${ARTIFACTS}compliance-settings.png`,
      fullPage: true,
      animations: 'disabled',
    });
  });

  it('a banned phrase (CMP-1) cannot be sent; its rewrite can, in one click', async () => {
    agent = await newPage();
    await logIn(agent, '/workbench/', 'agent1@demo.xiaoer.dev');
    await agent.getByTestId('agent-status').waitFor();

    buyer = await newPage({ width: 1280, height: 800 });
    await buyer.goto(`${t.url}/demo?buyer=anonymous`);
    await buyer.getByTestId('xiaoer-launcher').click();
    const question = '你好，我的快递到哪了？';
    await buyer.getByTestId('xiaoer-input').fill(question);
    await buyer.getByTestId('xiaoer-send').click();
    await buyer
      .locator('[data-testid="xiaoer-message"][data-sender="buyer"]', { hasText: question })
      .waitFor();

    await agent.getByTestId('conversation-item').first().click();
    await agent
      .locator('[data-testid="message-bubble"][data-sender="buyer"]', { hasText: question })
      .waitFor();
    conversationId = (await agent
      .getByTestId('conversation-item')
      .first()
      .getAttribute('data-conversation-id')) as ConversationId;
    assert.ok(conversationId, 'the conversation id is on the list item');

    const composer = agent.getByTestId('composer');
    await composer.fill(BANNED);
    const panel = agent.getByTestId('compliance-panel');
    await panel.locator('[data-testid="compliance-finding"][data-rule="CMP-1"]').waitFor();
    assert.equal(await panel.getAttribute('data-verdict'), 'block');
    assert.match(await panel.innerText(), /推卸责任/, 'the reason in the UI language');
    assert.equal(await agent.getByTestId('send-button').isDisabled(), true, 'blocked: no send button');
    // Enter does not send either.
    await composer.press('Enter');
    await agent.waitForTimeout(300);
    assert.equal(await agentBubble(BANNED).count(), 0);
    assert.equal(await composer.inputValue(), BANNED);
    await agent.screenshot({ path: `${ARTIFACTS}compliance-composer-blocked.png`, animations: 'disabled' });

    await agent.getByTestId('compliance-rewrite').click();
    const rewritten = await composer.inputValue();
    assert.notEqual(rewritten, BANNED);
    assert.doesNotMatch(rewritten, /你问我/);
    await panel.waitFor({ state: 'detached' }); // the polite text passes
    await agent.getByTestId('send-button').click();
    await agentBubble(rewritten).waitFor();
    await buyerSees(rewritten).waitFor();
    assert.equal(await composer.inputValue(), '');
    assert.ok((await storedTexts()).includes(rewritten));
    assert.ok(!(await storedTexts()).includes(BANNED));
  });

  it('issue #17 a line no list names is read by meaning: the clause, how sure, a rewrite of that clause', async () => {
    const composer = agent.getByTestId('composer');
    // Issue #18: Esc keeps a draft; it only leaves a quick-reply search.
    await composer.fill('亲，这个草稿还没写完');
    await composer.press('Escape');
    assert.equal(await composer.inputValue(), '亲，这个草稿还没写完');
    await composer.fill('/私聊');
    await composer.press('Escape');
    assert.equal(await composer.inputValue(), '');
    const line = '好的亲，已经给您退款了，下次买东西过过脑子';
    await composer.fill(line);
    const panel = agent.getByTestId('compliance-panel');
    const finding = panel.locator(
      '[data-testid="compliance-finding"][data-source="model"][data-rule="CMP-2"]',
    );
    await finding.waitFor();
    assert.equal(await panel.getAttribute('data-verdict'), 'block');
    assert.match(await finding.innerText(), /按语义判断（\d+%）/);
    assert.match(await finding.innerText(), /下次买东西过过脑子/, 'the clause it read');
    await agent.screenshot({ path: `${ARTIFACTS}compliance-by-meaning.png`, animations: 'disabled' });
    await agent.getByTestId('compliance-rewrite').click();
    // The insult's clause is gone; the rest is kept as the agent wrote it, and passes.
    assert.equal(await composer.inputValue(), '好的亲，已经给您退款了');
    await panel.waitFor({ state: 'detached' });
    await composer.fill('');
  });

  it('an off-platform contact (CMP-3) never reaches the buyer, even forced past the browser', async () => {
    const composer = agent.getByTestId('composer');
    await composer.fill(WECHAT);
    const panel = agent.getByTestId('compliance-panel');
    await panel.locator('[data-testid="compliance-finding"][data-rule="CMP-3"]').first().waitFor();
    assert.equal(await agent.getByTestId('send-button').isDisabled(), true);

    // A quick reply sent in one click goes the same way: refused, shown in the empty box.
    await composer.fill('');
    await panel.waitFor({ state: 'detached' });
    await agent.getByRole('tab', { name: '快捷回复' }).click();
    await agent.locator('.ant-list-item', { hasText: '私聊' }).getByText(WECHAT).click();
    await agent.getByText('快捷回复未发送').waitFor();
    await panel.locator('[data-testid="compliance-finding"][data-rule="CMP-3"]').first().waitFor();
    assert.equal(await composer.inputValue(), WECHAT);
    assert.equal(await agentBubble(WECHAT).count(), 0);
    await agent.getByRole('tab', { name: '买家' }).click();

    // The server is the authority: the browser's check failing (or being skipped) changes nothing.
    await composer.fill('');
    await panel.waitFor({ state: 'detached' });
    await agent.route('**/api/compliance/check', (route) => route.abort());
    await composer.fill(WECHAT);
    await agent.getByTestId('send-button').click();
    // The server refuses: no bubble, the text is back in the box with the server's findings.
    await panel.locator('[data-testid="compliance-finding"][data-rule="CMP-3"]').first().waitFor();
    assert.equal(await composer.inputValue(), WECHAT);
    assert.equal(await agentBubble(WECHAT).count(), 0, 'the pending bubble is gone');
    await agent.unroute('**/api/compliance/check');

    // Straight to the HTTP API with the agent's session, confirming warnings: still refused.
    const cookie = await loginCookie(t.server, 'agent1@demo.xiaoer.dev');
    const forced = await t.server.app.inject({
      method: 'POST',
      url: `/api/conversations/${conversationId}/messages`,
      headers: { cookie },
      payload: { clientId: 'forced-wechat-1', kind: 'text', body: { text: WECHAT }, confirmWarnings: true },
    });
    assert.equal(forced.statusCode, 422);
    const body = forced.json() as { error: { code: string; details: { findings: { rule: string }[] } } };
    assert.equal(body.error.code, 'compliance_blocked');
    assert.ok(body.error.details.findings.some((f) => f.rule === 'CMP-3'));
    await composer.fill('');
  });

  it('an image with a payment QR code (CMP-3) is refused with the reason shown; a plain photo is sent', async () => {
    const agentImages = agent.locator('[data-testid="message-bubble"][data-sender="agent"] img');
    const buyerImages = buyer.locator('[data-testid="xiaoer-message"][data-sender="agent"] img');
    const before = await agentImages.count();
    const file = agent.locator('input[type="file"]');
    await file.setInputFiles({
      name: 'pay.png',
      mimeType: 'image/png',
      buffer: png(qrPixels('wxp://f2f0Qm4bXkz9TRcYl0aJ3sH8')),
    });
    // The workbench says why (zh-CN first), and no bubble stays.
    await agent.getByText(/图片未发送：站外交易：图片中的二维码/).waitFor();
    assert.equal(await agentImages.count(), before, 'no image bubble');
    await agent.screenshot({ path: `${ARTIFACTS}compliance-image-blocked.png`, animations: 'disabled' });

    await file.setInputFiles({ name: 'photo.jpg', mimeType: 'image/jpeg', buffer: jpg(photo(320, 240)) });
    await buyerImages.first().waitFor();
    assert.equal(await buyerImages.count(), 1, 'only the photo reached the buyer');
    // Shown, not a broken image: the widget fetches it with the buyer's token (issue #14), the
    // workbench with the agent's cookie, under the pages' CSP.
    const loaded = (img: import('playwright-core').Locator) =>
      img.evaluate((el) => {
        const i = el as HTMLImageElement;
        return i.complete ? i.naturalWidth : new Promise<number>((r) => (i.onload = () => r(i.naturalWidth)));
      });
    assert.equal(await loaded(buyerImages.first()), 320, 'the buyer sees the photo');
    assert.equal(await loaded(agentImages.last()), 320, 'the agent sees the photo');
    const stored = (await t.storage.conversations.listMessages(SHOP, conversationId, 0, 500)).filter(
      (m) => m.kind === 'image',
    );
    assert.equal(stored.length, 1);
  });

  it('a warned promise (CMP-4) asks for confirmation, is sent, and shows in the sidebar', async () => {
    const composer = agent.getByTestId('composer');
    await composer.fill(PROMISE);
    const panel = agent.getByTestId('compliance-panel');
    await panel.locator('[data-testid="compliance-finding"][data-rule="CMP-4"]').waitFor();
    assert.equal(await panel.getAttribute('data-verdict'), 'warn');
    await agent.getByTestId('send-button').click();
    const confirm = agent.locator('.ant-modal-confirm');
    await confirm.locator('.ant-modal-confirm-title', { hasText: '可能违规，确认发送？' }).waitFor();
    await confirm.locator('[data-testid="compliance-finding"][data-rule="CMP-4"]').waitFor();
    // Once antd's zoom-in is over, so the picture shows the dialog.
    await agent.waitForFunction(() => {
      const m = document.querySelector('.ant-modal-confirm');
      return !!m && !/ant-zoom/.test(m.className);
    });
    await agent.screenshot({ path: `${ARTIFACTS}compliance-confirm.png` });
    await agent.getByTestId('compliance-confirm-ok').click();
    await buyerSees(PROMISE).waitFor();

    // Everything before it has arrived: the blocked texts never did, and are not stored.
    assert.equal(await buyer.locator('[data-testid="xiaoer-message"]', { hasText: 'abc_12345' }).count(), 0);
    assert.equal(await buyer.locator('[data-testid="xiaoer-message"]', { hasText: BANNED }).count(), 0);
    const stored = await storedTexts();
    assert.ok(stored.includes(PROMISE));
    assert.ok(!stored.some((text) => text.includes('abc_12345')), 'no off-platform contact stored');

    // The next agent sees what was promised (CMP-4).
    const promises = agent.getByTestId('promise-item');
    await promises.first().waitFor();
    const shown = (await promises.allInnerTexts()).join('\n');
    assert.match(shown, /顺丰/);
    assert.match(shown, /小美/);
    await buyer.screenshot({ path: `${ARTIFACTS}compliance-buyer.png`, animations: 'disabled' });
    await agent.screenshot({ path: `${ARTIFACTS}compliance-workbench.png`, animations: 'disabled' });
  });

  it('the owner sees the block and the confirmation in the console log', async () => {
    await owner.getByRole('tab', { name: '拦截记录' }).click();
    await owner.getByTestId('compliance-log-row').first().waitFor();
    const blocked = owner.locator('[data-testid="compliance-log-row"][data-action="blocked"]', {
      hasText: 'abc_12345',
    });
    await blocked.first().waitFor();
    const blockedText = await blocked.first().innerText();
    assert.match(blockedText, /小美/);
    assert.match(blockedText, /拦截/);
    assert.match(blockedText, /站外交易/);
    assert.doesNotMatch(blockedText, /CMP-\d/, 'rule names, not spec ids (issue #18)');
    assert.ok((await blocked.first().locator('mark').count()) > 0, 'the matched words are highlighted');
    const confirmed = owner.locator('[data-testid="compliance-log-row"][data-action="confirmed"]', {
      hasText: PROMISE,
    });
    await confirmed.waitFor();
    const confirmedText = await confirmed.innerText();
    assert.match(confirmedText, /小美/);
    assert.match(confirmedText, /确认发送/);
    assert.match(confirmedText, /承诺/);
    // Pressing Enter on the banned phrase was an attempt: logged like a refused send.
    const attempt = owner.locator('[data-testid="compliance-log-row"][data-action="blocked"]', {
      hasText: BANNED,
    });
    await attempt.first().waitFor();
    assert.match(await attempt.first().innerText(), /禁用语/);
    // Filtered by action: only the overrides.
    await owner.getByTestId('compliance-log-action').click();
    await owner.locator('.ant-select-item-option', { hasText: '确认发送' }).click();
    await owner.locator('[data-testid="compliance-log-row"][data-action="blocked"]').first().waitFor({
      state: 'detached',
    });
    assert.equal(await owner.getByTestId('compliance-log-row').count(), 1);
    await owner.getByTestId('compliance-log-action').locator('.ant-select-clear').click();
    await blocked.first().waitFor();
    await owner.keyboard.press('Escape');
    await owner.screenshot({ path: `${ARTIFACTS}compliance-log.png`, animations: 'disabled' });
  });

  it('issue #17 the owner reviews the log: a wrong warning goes on the allow list, shown as a tag and in the settings', async () => {
    const confirmed = owner.locator('[data-testid="compliance-log-row"][data-action="confirmed"]', {
      hasText: PROMISE,
    });
    await confirmed.getByTestId('compliance-review-wrong').click();
    const pop = owner.locator('.ant-popconfirm:not(.ant-popover-hidden)');
    await pop.getByTestId('compliance-review-allow').click();
    await pop.getByTestId('compliance-review-wrong-ok').click();
    const tag = confirmed.locator('[data-testid="compliance-review-tag"][data-review="wrong"]');
    await tag.waitFor();
    assert.match(await tag.innerText(), /误判/);
    // The clause the promise sat in is on the shop's allow list now.
    const settings = await t.storage.compliance.complianceSettings(SHOP);
    assert.deepEqual(settings.allowList, ['明天给您发顺丰']);
    // A block judged right is tagged so; the precision card counts both reviews.
    const blocked = owner
      .locator('[data-testid="compliance-log-row"][data-action="blocked"]', { hasText: 'abc_12345' })
      .first();
    await blocked.getByTestId('compliance-review-correct').click();
    await blocked.locator('[data-testid="compliance-review-tag"][data-review="correct"]').waitFor();
    const cmp4 = owner.locator('[data-testid="compliance-precision-row"][data-rule="CMP-4"]');
    await cmp4.getByTestId('compliance-precision-value').filter({ hasText: '0%' }).waitFor();
    const cmp3 = owner.locator('[data-testid="compliance-precision-row"][data-rule="CMP-3"]');
    await cmp3.getByTestId('compliance-precision-value').filter({ hasText: '100%' }).waitFor();
    await owner.screenshot({ path: `${ARTIFACTS}compliance-log-review.png`, animations: 'disabled' });

    // On a phone: the log, its precision card and the allow list fit the screen's width.
    const phone = await newPage({ width: 390, height: 844 });
    await logIn(phone, '/admin/#compliance-log', 'owner@demo.xiaoer.dev');
    await phone.locator('[data-testid="compliance-review-tag"][data-review="wrong"]').first().waitFor();
    await phone.getByTestId('compliance-precision-row').first().waitFor();
    const overflow = () => phone.evaluate(() => document.documentElement.scrollWidth - innerWidth);
    assert.ok((await overflow()) <= 0, `the log overflows by ${await overflow()} px`);
    await phone.screenshot({ path: `${ARTIFACTS}compliance-log-390.png`, animations: 'disabled' });
    // The console reads its tab from the address when it loads.
    await phone.goto(`${t.url}/admin/#compliance`);
    await phone.reload();
    const item = phone.getByTestId('compliance-allow-item');
    await item.first().waitFor();
    assert.deepEqual(await item.allInnerTexts(), ['明天给您发顺丰']);
    assert.ok((await overflow()) <= 0, `the settings overflow by ${await overflow()} px`);
    await phone.getByTestId('compliance-allow-list').scrollIntoViewIfNeeded();
    await phone.screenshot({ path: `${ARTIFACTS}compliance-allow-list-390.png`, animations: 'disabled' });
    await phone.close();
  });

  it('reaching out (CMP-6) needs no open conversation and obeys the daily cap', async () => {
    await agent.getByTestId('end-conversation').click();
    await agent.locator('.ant-popconfirm .ant-btn-primary').click();
    const open = agent.getByTestId('proactive-open');
    await agent.waitForFunction(
      () => !document.querySelector('[data-testid="proactive-open"]')?.hasAttribute('disabled'),
    );
    const hello = '您好，您咨询的快递问题已经帮您跟进好了，有需要随时找我哦';
    await open.click();
    await agent.getByTestId('proactive-text').fill(hello);
    await agent.getByTestId('proactive-send').click();
    await buyerSees(hello).waitFor();
    const reopened = await t.storage.conversations.findOpenByBuyer(
      SHOP,
      (await t.storage.conversations.findConversation(SHOP, conversationId))!.buyerId as BuyerId,
    );
    assert.equal(reopened?.agentId, 'agent-demo-1');
    await agentBubble(hello).waitFor();
    assert.equal(await open.isDisabled(), true, 'an open conversation again: reply there');

    // A second one the same day is refused, with the earliest time it may go.
    await agent.getByTestId('end-conversation').click();
    await agent.locator('.ant-popconfirm .ant-btn-primary').click();
    await agent.waitForFunction(
      () => !document.querySelector('[data-testid="proactive-open"]')?.hasAttribute('disabled'),
    );
    await open.click();
    await agent.getByTestId('proactive-text').fill('亲，店里上新了，欢迎来看看');
    await agent.getByTestId('proactive-send').click();
    const error = agent.getByTestId('proactive-error');
    await error.waitFor();
    const errorText = await error.innerText();
    assert.match(errorText, /骚扰/);
    assert.doesNotMatch(errorText, /CMP-\d/);
    assert.match(errorText, /最早可发送时间/);
    await agent.screenshot({ path: `${ARTIFACTS}compliance-proactive.png`, animations: 'disabled' });
    assert.deepEqual(pageErrors, [], 'no uncaught errors in any page');
  });
});
