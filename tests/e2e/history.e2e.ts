/**
 * Issue #18 in Chromium, for a shop that is not the demo: an order comes in through the v1 API,
 * its buyer chats with an agent (and another buyer too); the owner opens 会话记录 in the console,
 * searches by the order number, finds that buyer's conversation only, and opens its transcript
 * with the response times — on a desk and on a 390 px phone.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Agent, HistoryTranscript, ShopId } from '@xiaoer/core';
import type { Page } from 'playwright-core';
import { ARTIFACTS, logIn, newShopWorld } from '../support/browser';
import { makeAgent } from '../support/fixtures';
import { AGENT_PASSWORD, loginCookie, signedIdentity, widgetSession } from '../support/server';
import { V1_ORDER } from '../support/v1';

const OWNER = 'boss@history-tea.cn';
const ORDER = 'TB-E2E-7788';

/** Resolves when the page's finite animations (a drawer sliding in) have ended. */
const settled = (page: Page) =>
  page.waitForFunction(() =>
    document.getAnimations().every((a) => a.effect?.getComputedTiming().endTime === Infinity),
  );

describe('e2e: chat history — search by order number, open the transcript (issue #18)', () => {
  let world: Awaited<ReturnType<typeof newShopWorld>>;
  let ownerCookie = '';
  const conversations = { mine: '', other: '' };

  before(async () => {
    world = await newShopWorld('history-tea', OWNER);
    const { t, shopId } = world;
    const agent: Agent = await makeAgent(t.storage, shopId, { name: '小美' });
    await t.server.ctx.chat.setAgentStatus(shopId, agent.id, 'online');
    ownerCookie = await loginCookie(t.server, OWNER, AGENT_PASSWORD);
    const agentCookie = await loginCookie(t.server, agent.email);
    const inject = (method: 'PUT' | 'POST', url: string, headers: Record<string, string>, payload: object) =>
      t.server.app.inject({ method, url, headers, payload });
    const made = await inject('POST', '/api/admin/api-keys', { cookie: ownerCookie }, { name: 'ERP' });
    const key = (made.json() as { key: string }).key;
    for (const [ext, nick] of [
      ['tb-1001', '王小明'],
      ['tb-1002', '李雷'],
    ])
      assert.equal(
        (await inject('PUT', `/api/v1/buyers/${ext}`, { authorization: `Bearer ${key}` }, { nick }))
          .statusCode,
        201,
      );
    const order = await inject(
      'PUT',
      `/api/v1/orders/${ORDER}`,
      { authorization: `Bearer ${key}` },
      {
        ...V1_ORDER,
        buyerExternalId: 'tb-1001',
      },
    );
    assert.equal(order.statusCode, 201, order.body);

    const chat = async (shop: ShopId, externalId: string, text: string, reply: string) => {
      const s = (await t.storage.shops.findShop(shop))!;
      const { token } = await widgetSession(t.server, {
        shop: s.slug,
        identity: signedIdentity(s.secret, externalId),
      });
      const sent = await inject(
        'POST',
        '/api/widget/messages',
        { authorization: `Bearer ${token}` },
        {
          clientId: `b-${externalId}`,
          kind: 'text',
          body: { text },
        },
      );
      assert.equal(sent.statusCode, 200, sent.body);
      const id = (sent.json() as { conversation: { id: string } }).conversation.id;
      const answered = await inject(
        'POST',
        `/api/conversations/${id}/messages`,
        { cookie: agentCookie },
        {
          clientId: `a-${externalId}`,
          kind: 'text',
          body: { text: reply },
        },
      );
      assert.equal(answered.statusCode, 200, answered.body);
      return id;
    };
    conversations.mine = await chat(shopId, 'tb-1001', '我的订单发货了吗？', '亲，今天下午发出');
    conversations.other = await chat(shopId, 'tb-1002', '有优惠吗？', '满 200 减 20');
  });
  after(async () => {
    await world?.close();
  });

  async function transcriptOf(id: string): Promise<HistoryTranscript> {
    const res = await world.t.server.app.inject({
      method: 'GET',
      url: `/api/admin/history/${id}`,
      headers: { cookie: ownerCookie },
    });
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as HistoryTranscript;
  }

  async function searchByOrder(page: Page): Promise<void> {
    await page.getByTestId('history').waitFor();
    // Before the search both conversations are listed.
    await page.locator(`[data-testid="history-row"][data-id="${conversations.other}"]`).waitFor();
    await page.getByTestId('history-order').fill(ORDER);
    await page.getByTestId('history-search').click();
    await page
      .locator(`[data-testid="history-row"][data-id="${conversations.other}"]`)
      .waitFor({ state: 'detached' });
    const rows = page.getByTestId('history-row');
    assert.equal(await rows.count(), 1);
    assert.equal(await rows.first().getAttribute('data-id'), conversations.mine);
    assert.match(await rows.first().innerText(), /王小明/);
  }

  it('the owner finds the buyer’s conversation by the order number and reads its transcript', async () => {
    const { t, pages } = world;
    const owner = await pages.open({ width: 1440, height: 900 });
    await logIn(owner, t.url, '/admin/#history', OWNER, AGENT_PASSWORD);
    await owner.getByRole('tab', { name: '会话记录' }).waitFor();
    await searchByOrder(owner);
    await owner.getByTestId('history-row').first().click();
    const drawer = owner.locator('.ant-drawer-content');
    await drawer.getByTestId('history-response-times').waitFor();
    await settled(owner);
    const expected = await transcriptOf(conversations.mine);
    const texts = await drawer.getByTestId('history-message').allInnerTexts();
    assert.ok(texts.some((x) => x.includes('我的订单发货了吗？')));
    assert.ok(texts.some((x) => x.includes('亲，今天下午发出') && x.includes('小美')));
    assert.ok(expected.responseTimes.firstResponseMs !== null);
    assert.equal(
      await drawer.getByTestId('history-first-response').getAttribute('data-ms'),
      String(expected.responseTimes.firstResponseMs),
    );
    assert.doesNotMatch(await drawer.innerText(), /CMP-|MET-|RT-\d/, 'no rule ids in what merchants read');
    await owner.screenshot({ path: `${ARTIFACTS}console-history.png` });
    assert.deepEqual(pages.errors, [], 'no uncaught errors');
  });

  it('on a 390 px phone: the page does not overflow, the table scrolls, the transcript is full width', async () => {
    const { t, pages } = world;
    const phone = await pages.open({ width: 390, height: 844 });
    await logIn(phone, t.url, '/admin/#history', OWNER, AGENT_PASSWORD);
    await searchByOrder(phone);
    const widths = await phone.evaluate(() => {
      const body = document.querySelector('.ant-table-body, .ant-table-content') as HTMLElement | null;
      return {
        page: document.documentElement.scrollWidth,
        tableScroll: body ? body.scrollWidth : 0,
        tableBox: body ? body.clientWidth : 0,
      };
    });
    assert.ok(widths.page <= 390, `the page is ${widths.page}px wide`);
    assert.ok(widths.tableScroll > widths.tableBox, 'the table scrolls sideways within the page');
    await phone.getByTestId('history-row').first().click();
    const drawer = phone.locator('.ant-drawer-content-wrapper');
    await phone.getByTestId('history-response-times').waitFor();
    await settled(phone);
    const box = await drawer.boundingBox();
    assert.equal(Math.round(box!.width), 390);
    await phone.screenshot({ path: `${ARTIFACTS}console-history-phone.png` });
    assert.deepEqual(pages.errors, [], 'no uncaught errors');
  });
});
