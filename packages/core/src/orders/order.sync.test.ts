import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeLogistics, orderChanged } from './order.sync';
import type { Order } from './order.types';

describe('issue #16 order writes from the shop', () => {
  it('tracking events: the same id is the same event; newest first', () => {
    const first = mergeLogistics(
      [],
      [
        { id: 'e1', at: 1, description: '揽收' },
        { id: 'e2', at: 3, description: '到达杭州' },
      ],
    );
    assert.equal(first.added, 2);
    assert.deepEqual(
      first.events.map((e) => e.id),
      ['e2', 'e1'],
    );
    const again = mergeLogistics(first.events, [
      { id: 'e2', at: 3, description: '到达杭州' },
      { id: 'e3', at: 2, description: '发往杭州' },
    ]);
    assert.equal(again.added, 1);
    assert.deepEqual(
      again.events.map((e) => e.id),
      ['e2', 'e3', 'e1'],
    );
    assert.equal(mergeLogistics(again.events, again.events).added, 0);
  });

  it('an order written again with the same fields has not changed; a new status has', () => {
    const order = {
      id: 'T1',
      shopId: 's',
      buyerId: 'b',
      status: 'paid',
      totalCents: 100,
      carrier: null,
      trackingNo: null,
      createdAt: 1,
      paidAt: 2,
      shippedAt: null,
      items: [{ productId: 'p', title: '茶', quantity: 1, priceCents: 100 }],
      logistics: [],
    } as unknown as Order;
    assert.equal(orderChanged(order, { ...order, items: [...order.items] }), false);
    assert.equal(orderChanged(order, { ...order, status: 'shipped' }), true);
    assert.equal(orderChanged(order, { ...order, items: [{ ...order.items[0]!, quantity: 2 }] }), true);
  });
});
