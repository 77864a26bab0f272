import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BuyerId, Order, OrderId, ShopId } from '../index';
import {
  asksForHuman,
  decide,
  DEFAULT_BOT_SETTINGS,
  describeOrder,
  isNewCustomerPriority,
  renderAnswer,
} from './bot.policy';
import { FaqIndex, type FaqEntry } from './faq-index';
import { QuestionScorer } from './scorer';

const spaces = { cut: (t: string) => t.split(/\s+/) };

const order = (id: string, status: Order['status'], createdAt: number, logistics: string[] = []): Order => ({
  id: id as OrderId,
  shopId: 's' as ShopId,
  buyerId: 'b' as BuyerId,
  status,
  totalCents: 100,
  carrier: status === 'shipped' ? '顺丰速运' : null,
  trackingNo: status === 'shipped' ? 'SF1' : null,
  createdAt,
  paidAt: createdAt,
  shippedAt: null,
  items: [],
  logistics: logistics.map((description, i) => ({ at: createdAt + i, description })),
});

function setup() {
  const index = new FaqIndex(new QuestionScorer(spaces));
  const entries = new Map<string, FaqEntry>();
  const add = (e: FaqEntry) => {
    entries.set(e.id, e);
    index.upsert(e);
  };
  add({
    id: 'invoice',
    question: '能 开 发票 吗',
    similar: ['发票 怎么 开'],
    answer: '可以开电子发票',
    category: '售前',
    enabled: true,
  });
  add({
    id: 'hours',
    question: '客服 几点 上班',
    similar: [],
    answer: '服务时间 {{shop.serviceHours}}',
    category: '售前',
    enabled: true,
  });
  return { index, entries };
}

describe('bot policy', () => {
  it('BOT-2 hands off when the buyer asks for a person, in Chinese or English, not for look-alikes', () => {
    for (const t of ['转人工', '我要人工客服！', '人工', 'I want a human', 'manual service please', 'agent'])
      assert.ok(asksForHuman(t), t);
    for (const t of ['人工智能音箱有货吗', '这个代理 agentur 是谁', '发货了吗'])
      assert.ok(!asksForHuman(t), t);
    const d = decide({ text: '转人工', settings: DEFAULT_BOT_SETTINGS, ...setup(), orders: [], misses: 0 });
    assert.deepEqual(d, { kind: 'handoff', reason: 'requested' });
  });

  it('BOT-1 answers from the FAQ at or above the threshold', () => {
    const d = decide({
      text: '发票 怎么 开',
      settings: DEFAULT_BOT_SETTINGS,
      ...setup(),
      orders: [],
      misses: 0,
    });
    assert.equal(d.kind, 'answer');
    assert.equal(d.kind === 'answer' && d.entry.id, 'invoice');
  });

  it('BOT-3 never stays silent: a miss first, a handoff after two misses in a row', () => {
    const first = decide({
      text: '你们 老板 是 谁',
      settings: DEFAULT_BOT_SETTINGS,
      ...setup(),
      orders: [],
      misses: 0,
    });
    assert.equal(first.kind, 'miss');
    const second = decide({
      text: '你们 老板 是 谁',
      settings: DEFAULT_BOT_SETTINGS,
      ...setup(),
      orders: [],
      misses: 1,
    });
    assert.deepEqual(second, { kind: 'handoff', reason: 'repeated_miss' });
  });

  it('BOT-4 answers a shipping question from the one order in play, asks which one when several are', () => {
    const shipped = order('DD1', 'shipped', 10, ['【杭州】派送中']);
    const done = order('DD0', 'completed', 5);
    const one = decide({
      text: '我的快递到哪了',
      settings: DEFAULT_BOT_SETTINGS,
      ...setup(),
      orders: [shipped, done],
      misses: 0,
    });
    assert.equal(one.kind, 'order_status');
    assert.match(describeOrder(shipped), /顺丰速运 SF1.*派送中/);
    const paid = order('DD2', 'paid', 20);
    const two = decide({
      text: '什么时候发货',
      settings: DEFAULT_BOT_SETTINGS,
      ...setup(),
      orders: [shipped, paid],
      misses: 0,
    });
    assert.equal(two.kind, 'pick_order');
    assert.deepEqual(two.kind === 'pick_order' && two.orders.map((o) => o.id), ['DD2', 'DD1']);
  });

  it('fills answer variables and drops unknown ones', () => {
    const text = renderAnswer('{{shop.name}} 服务时间 {{shop.serviceHours}} {{order.status}}{{nope}}', {
      shop: { name: '小二', serviceHours: '09:00–23:00' },
      order: order('DD3', 'paid', 1),
    });
    assert.equal(text, '小二 服务时间 09:00–23:00 已付款，等待发货');
  });
});

describe('RT-7 new-customer priority', () => {
  const DAY = 86_400_000;
  const now = 1000 * DAY;
  const paidOn = (daysAgo: number) => ({
    ...order(`P${daysAgo}`, 'completed', now - daysAgo * DAY),
    paidAt: now - daysAgo * DAY,
  });
  it('is a first payment within 180 days and exactly one purchase in the last 30', () => {
    assert.equal(isNewCustomerPriority([paidOn(10)], now), true);
    assert.equal(isNewCustomerPriority([paidOn(10), paidOn(100)], now), true);
    assert.equal(isNewCustomerPriority([paidOn(10), paidOn(200)], now), false, 'an old customer');
    assert.equal(isNewCustomerPriority([paidOn(10), paidOn(20)], now), false, 'bought twice this month');
    assert.equal(isNewCustomerPriority([paidOn(40)], now), false, 'nothing in the last 30 days');
    assert.equal(isNewCustomerPriority([], now), false);
  });
});
