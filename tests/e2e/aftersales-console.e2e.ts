import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { HOUR, type OrderId, type ProductId } from '@xiaoer/core';
import { ARTIFACTS, logIn, newShopWorld } from '../support/browser';
import { makeAgent, makeBuyer } from '../support/fixtures';
import { AGENT_PASSWORD } from '../support/server';

const OWNER = 'boss@aftersales.cn';

/**
 * Issue #19 in the console: the 售后 tab of a shop that is not the demo, with two cases (one
 * refunded and rated 5, one waiting and marked urgent) — the 30-day figures and charts, the open
 * case with its holder, countdown and urgent marker; the after-sales rules saved, a stingy coupon
 * floor refused in Chinese on its field; no English left over and no rule id shown.
 */
describe('e2e: the console’s 售后 tab — 30-day figures, open cases, after-sales rules', () => {
  let world: Awaited<ReturnType<typeof newShopWorld>>;
  let owner: Page;

  before(async () => {
    world = await newShopWorld('aftersales-e2e', OWNER);
    const { storage, server } = world.t;
    const li = await makeAgent(storage, world.shopId, { name: '客服小李', role: 'cs_admin' });
    const buyer = await makeBuyer(storage, world.shopId, '买家阿花');
    for (const [id, cents] of [
      ['O-1', 5_900],
      ['O-2', 3_900],
    ] as const)
      await storage.orders.insertOrder({
        id: id as OrderId,
        shopId: world.shopId,
        buyerId: buyer.id,
        status: 'paid',
        totalCents: cents,
        carrier: null,
        trackingNo: null,
        createdAt: Date.now() - 3 * HOUR,
        paidAt: Date.now() - 3 * HOUR,
        shippedAt: null,
        items: [{ productId: 'towel' as ProductId, title: '毛巾', quantity: 1, priceCents: cents }],
        logistics: [],
      });
    const cases = server.ctx.aftersales;
    const asLi = { by: 'agent' as const, agentId: li.id, role: li.role };
    const asBuyer = { by: 'buyer' as const, buyerId: buyer.id };
    const done = await cases.open(world.shopId, asBuyer, {
      orderId: 'O-1',
      kind: 'refund-only',
      reason: '不想要了',
    });
    await cases.act(world.shopId, done.record.case.id, asLi, { type: 'take' });
    await cases.act(world.shopId, done.record.case.id, asLi, { type: 'approve' });
    await cases.act(world.shopId, done.record.case.id, asLi, { type: 'refund' });
    await cases.rate(world.shopId, done.record.case.id, buyer.id, 5);
    const waiting = await cases.open(world.shopId, asBuyer, {
      orderId: 'O-2',
      kind: 'refund-only',
      reason: '质量问题',
    });
    await cases.act(world.shopId, waiting.record.case.id, asLi, { type: 'take' });
    await cases.act(world.shopId, waiting.record.case.id, asLi, { type: 'mark-urgent' });
  });
  after(() => world?.close());

  it('shows the 30-day figures, the charts, and the open case with its holder, countdown and marker', async () => {
    owner = await world.pages.open();
    await logIn(owner, world.t.url, '/admin/', OWNER, AGENT_PASSWORD);
    await owner.getByRole('tab', { name: '售后', exact: true }).click();
    const figures = owner.getByTestId('aftersales-figures');
    await figures.waitFor();
    const text = (await figures.textContent()) ?? '';
    for (const part of [
      '售后单',
      '2',
      '已完结 1',
      '买家满意度',
      '5.00',
      '退款金额',
      '¥59.00',
      '平台介入率',
      '0.0%',
    ])
      assert.ok(text.includes(part), `${part} in ${text}`);
    await owner.locator('[data-testid="aftersales-daily-chart"][data-rendered="true"]').waitFor();
    await owner.locator('[data-testid="aftersales-reason-chart"][data-rendered="true"]').waitFor();
    await owner.locator('[data-testid="aftersales-agent-chart"][data-rendered="true"]').waitFor();
    const agents = (await owner.getByTestId('aftersales-agents').textContent()) ?? '';
    assert.ok(agents.includes('客服小李'), agents);
    const open = owner.getByTestId('aftersales-open').locator('tbody tr').filter({ hasText: 'O-2' });
    await open.waitFor();
    const row = (await open.textContent()) ?? '';
    // Taken just now: 48 hours to answer, so 1 day and 23 hours (and some minutes) left.
    for (const part of ['仅退款', '质量问题', '待处理', '加急', '客服小李', '剩 1天 23小时'])
      assert.ok(row.includes(part), `${part} in ${row}`);
    assert.ok(!(await owner.getByTestId('aftersales-open').textContent())!.includes('O-1'));
  });

  it('saves the rules, refuses a stingy coupon floor in Chinese on its field, no English left over', async () => {
    const floor = owner.getByTestId('aftersales-couponMinValidDays');
    await floor.fill('0');
    await owner.getByTestId('aftersales-settings-save').click();
    const alert = owner.getByTestId('aftersales-settings-error');
    await alert.waitFor();
    assert.equal(await alert.textContent(), '补偿券最短有效期（天）：「补偿券最短有效期（天）」不能小于 1');
    const item = owner.locator('.ant-form-item').filter({ has: floor });
    await item.locator('.ant-form-item-explain-error').waitFor();
    assert.equal((await world.t.server.ctx.aftersales.settings(world.shopId)).couponMinValidDays, 30);
    await floor.fill('15');
    await owner.getByTestId('aftersales-merchantAnswerHours').fill('24');
    await owner.getByTestId('aftersales-settings-save').click();
    await owner.getByText('已保存').first().waitFor();
    await alert.waitFor({ state: 'detached' });
    const saved = await world.t.server.ctx.aftersales.settings(world.shopId);
    assert.equal(saved.couponMinValidDays, 15);
    assert.equal(saved.merchantAnswerHours, 24);
    const tab = (await owner.locator('.ant-tabs-tabpane-active').textContent()) ?? '';
    assert.doesNotMatch(tab, /AS-\d|CMP-\d|MET-\d|RT-\d/);
    // Order ids aside, nothing in the tab is English.
    const english = tab.replace(/O-\d/g, '').match(/[A-Za-z]{2,}/g);
    assert.equal(english, null, `English left over: ${english?.join(', ')}`);
    await owner.screenshot({ path: `${ARTIFACTS}aftersales-console.png`, fullPage: true });
    assert.deepEqual(world.pages.errors, []);
  });
});
