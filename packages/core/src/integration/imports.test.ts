import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchHeaders, parseMoment, parseStatus, parseYuan, readImport } from './imports';

describe('issue #16 reading a shop’s spreadsheet', () => {
  it('amounts in yuan as shops write them', () => {
    assert.equal(parseYuan('128'), 12_800);
    assert.equal(parseYuan('128.5'), 12_850);
    assert.equal(parseYuan('￥1,280.00'), 128_000);
    assert.equal(parseYuan('99.9元'), 9_990);
    for (const bad of ['abc', '1.234', '-5', '12,3.4.5'])
      assert.throws(() => parseYuan(bad), /not an amount/, bad);
  });

  it('times: with an offset as given, without one on the shop’s wall clock', () => {
    assert.equal(parseMoment('2026-12-01T10:00:00+08:00', 'Asia/Shanghai'), '2026-12-01T02:00:00.000Z');
    assert.equal(parseMoment('2026-12-01 10:00:00', 'Asia/Shanghai'), '2026-12-01T02:00:00.000Z');
    assert.equal(parseMoment('2026/12/1 9:05', 'Asia/Shanghai'), '2026-12-01T01:05:00.000Z');
    assert.equal(parseMoment('2026年12月1日', 'Asia/Shanghai'), '2026-11-30T16:00:00.000Z');
    assert.equal(parseMoment('2026-12-01 10:00', 'Europe/London'), '2026-12-01T10:00:00.000Z');
    for (const bad of ['2026-02-30', 'yesterday', '12/01/2026'])
      assert.throws(() => parseMoment(bad, 'Asia/Shanghai'), /not a/, bad);
  });

  it('statuses in platform words', () => {
    assert.equal(parseStatus('等待买家付款'), 'unpaid');
    assert.equal(parseStatus('卖家已发货'), 'shipped');
    assert.equal(parseStatus('交易成功'), 'completed');
    assert.equal(parseStatus('退款中'), 'after_sales');
    assert.equal(parseStatus('After_Sales'), 'after_sales');
    assert.throws(() => parseStatus('发货了吗'), /not an order status/);
  });

  it('headers in Chinese, English or a platform’s wording; each field once; required ones named', () => {
    const { fields, missing } = matchHeaders('orders', [
      '订单编号',
      '买家会员名',
      '交易状态',
      '实付款',
      'SKU',
      '备注',
      '订单号',
    ]);
    assert.deepEqual(fields, [
      'externalId',
      'buyerExternalId',
      'status',
      'total',
      'productExternalId',
      null,
      null,
    ]);
    assert.deepEqual(
      missing.map((c) => c.field),
      ['createdAt'],
    );
    assert.deepEqual(matchHeaders('products', ['*商品编号', 'Title', '价格（元）']).fields, [
      'externalId',
      'title',
      'price',
    ]);
  });

  it('an order with a bad item row is left out whole', () => {
    const header = ['订单号', '买家编号', '订单状态', '订单金额', '商品编号', '数量', '下单时间'];
    const { records, problems } = readImport(
      'orders',
      header,
      [
        ['A', 'b1', '已付款', '10', 'p1', '1', '2026-12-01'],
        ['A', 'b1', '已付款', '10', 'p2', 'two', '2026-12-01'],
        ['B', 'b2', '已付款', '5', 'p1', '2', '2026-12-01'],
      ],
      'Asia/Shanghai',
    );
    assert.deepEqual(
      records.map((r) => r.externalId),
      ['B'],
    );
    assert.deepEqual(problems, [
      { row: 3, column: '数量', code: 'whole_number', value: 'two', message: '"two" is not a whole number' },
    ]);
  });
});
