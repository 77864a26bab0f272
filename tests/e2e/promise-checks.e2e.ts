import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import {
  HOUR,
  type AgentId,
  type ConversationId,
  type OrderId,
  type ProductId,
  type RecordedPromise,
} from '@xiaoer/core';
import { ARTIFACTS, logIn, newShopWorld } from '../support/browser';
import { makeAgent, makeBuyer } from '../support/fixtures';
import { AGENT_PASSWORD } from '../support/server';

const OWNER = 'boss@promises.cn';

/**
 * Issue #19 (CMP-4) in the console: 承诺兑现 lists a broken promise (who made it, to whom, on which
 * order, what, when it was due) with the agent's counts; a promise going at risk while the page is
 * open comes live — a notice naming the agent and the promise, and the row at the top. No rule id
 * is shown to the merchant.
 */
describe('e2e: promises kept — a broken promise in the console, an at-risk one arriving live', () => {
  let world: Awaited<ReturnType<typeof newShopWorld>>;
  let owner: Page;
  let agentId: AgentId;
  let buyerId: RecordedPromise['buyerId'];

  /** A ship-by promise on order O-1 by 客服小李, due `dueIn` from now, checked as it is recorded. */
  async function promise(detail: string, dueIn: number): Promise<RecordedPromise> {
    const now = Date.now();
    const p: RecordedPromise = {
      id: randomUUID(),
      shopId: world.shopId,
      buyerId,
      orderId: 'O-1',
      conversationId: randomUUID() as ConversationId,
      agentId,
      messageSeq: 2,
      kind: 'ship-by',
      detail,
      dueAt: now + dueIn,
      createdAt: now - 2 * HOUR,
    };
    await world.t.storage.compliance.recordPromises([p]);
    await world.t.server.ctx.promises.recorded([p]);
    return p;
  }

  before(async () => {
    world = await newShopWorld('promises-e2e', OWNER);
    agentId = (await makeAgent(world.t.storage, world.shopId, { name: '客服小李' })).id;
    const buyer = await makeBuyer(world.t.storage, world.shopId, '买家阿花');
    buyerId = buyer.id;
    await world.t.storage.orders.insertOrder({
      id: 'O-1' as OrderId,
      shopId: world.shopId,
      buyerId: buyer.id,
      status: 'paid',
      totalCents: 5_900,
      carrier: null,
      trackingNo: null,
      createdAt: Date.now() - 3 * HOUR,
      paidAt: Date.now() - 3 * HOUR,
      shippedAt: null,
      items: [{ productId: 'towel' as ProductId, title: '毛巾', quantity: 1, priceCents: 5_900 }],
      logistics: [],
    });
  });
  after(() => world?.close());

  it('shows a broken promise with its agent, buyer, order and the agent’s counts', async () => {
    // Due an hour ago and the order has not shipped: broken as soon as it is checked.
    const broken = await promise('今天上午给您发货', -HOUR);
    owner = await world.pages.open();
    await logIn(owner, world.t.url, '/admin/', OWNER, AGENT_PASSWORD);
    await owner.getByRole('tab', { name: '承诺兑现', exact: true }).click();
    const row = owner.locator(`[data-testid="promise-row"][data-id="${broken.id}"]`);
    await row.waitFor();
    assert.equal(await row.getAttribute('data-status'), 'broken');
    const text = (await row.textContent()) ?? '';
    for (const part of [
      '已违约',
      '到期仍未发货',
      '客服小李',
      '买家阿花',
      'O-1',
      '发货时间',
      '今天上午给您发货',
    ])
      assert.ok(text.includes(part), `${part} in ${text}`);
    const counts = owner.locator(`[data-testid="promise-agent-row"][data-agent="${agentId}"]`);
    assert.equal(await counts.getByTestId('promise-agent-broken').textContent(), '1');
    await owner.locator('[data-testid="promise-chart"][data-rendered="true"]').waitFor();
    assert.doesNotMatch((await owner.locator('body').textContent()) ?? '', /CMP-\d|MET-\d|RT-\d/);
  });

  it('an at-risk promise arrives live: a notice naming it, and the row first in the list', async () => {
    // Due in an hour (within the 4-hour lead), not shipped: at risk as soon as it is recorded.
    const risky = await promise('下午三点前给您发出', HOUR);
    await owner.getByText('承诺即将到期仍未兑现：客服小李「下午三点前给您发出」').waitFor();
    const first = owner.getByTestId('promise-row').first();
    await first.and(owner.locator(`[data-id="${risky.id}"]`)).waitFor();
    assert.equal(await first.getAttribute('data-status'), 'at-risk');
    await owner.screenshot({ path: `${ARTIFACTS}promise-checks.png`, fullPage: true });
    assert.deepEqual(world.pages.errors, []);
  });
});
