import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extractPromises } from './cmp4-promises.rule';

// Wednesday 11 November 2026, 10:00 in Shanghai (02:00 UTC).
const NOW = Date.UTC(2026, 10, 11, 2, 0);
const endOfDayShanghai = (month: number, day: number) => Date.UTC(2026, month, day, 15, 59, 59, 999);

function one(text: string) {
  const promises = extractPromises(text, NOW);
  assert.equal(promises.length, 1, `${text}: ${JSON.stringify(promises)}`);
  return promises[0]!;
}

describe('CMP-4 checkable promises', () => {
  it('CMP-4 "明天给您发顺丰" is a carrier promise and a ship-by promise due tomorrow', () => {
    const text = '好的亲，明天给您发顺丰';
    const ps = extractPromises(text, NOW);
    const carrier = ps.find((p) => p.kind === 'carrier');
    const shipBy = ps.find((p) => p.kind === 'ship-by');
    assert.equal(carrier?.detail, '顺丰');
    assert.equal(shipBy?.dueAt, endOfDayShanghai(10, 12));
    assert.equal(text.slice(shipBy!.span.start, shipBy!.span.end), '明天给您发');
  });

  it('CMP-4 ship-by due times: hours, days, business days, weekdays, dates, parts of the day', () => {
    assert.equal(one('可以的，48小时内给您发货').dueAt, NOW + 48 * 3_600_000);
    assert.equal(one('周五前一定给您发出').dueAt, endOfDayShanghai(10, 13));
    assert.equal(one('亲，今晚8点前给您发货').dueAt, Date.UTC(2026, 10, 11, 12, 0));
    // Issue #17: hours in Chinese numerals, and "first thing" / "before closing" read too.
    assert.equal(one('我答应您，今晚八点前发出去').dueAt, Date.UTC(2026, 10, 11, 12, 0));
    assert.equal(one('明天上午十点之前给您发货').dueAt, Date.UTC(2026, 10, 12, 2, 0));
    assert.equal(one('补发的那件明天一早就寄出').dueAt, endOfDayShanghai(10, 12));
    assert.equal(one('缺的螺丝包今天下班前给您寄出').dueAt, endOfDayShanghai(10, 11));
    assert.equal(one('三个工作日内给您发货').dueAt, endOfDayShanghai(10, 16));
    assert.equal(one('下周一之前给您发货').dueAt, endOfDayShanghai(10, 16));
    assert.equal(one('15号前给您发货').dueAt, endOfDayShanghai(10, 15));
    assert.equal(one('5号前给您发货').dueAt, endOfDayShanghai(11, 5));
    assert.equal(one('明天上午之前给您寄出').dueAt, Date.UTC(2026, 10, 12, 4, 0));
    assert.equal(one('好的，这就给您安排发货').dueAt, endOfDayShanghai(10, 11));
  });

  it('CMP-4 a promise counted from an unknown event has no due time', () => {
    const p = one('亲，付款后48小时内发货哦');
    assert.equal(p.kind, 'ship-by');
    assert.equal(p.dueAt, undefined);
  });

  it('CMP-4 exchanges and refunds', () => {
    assert.equal(one('好的，帮您换小一码，您寄回来就行').kind, 'exchange');
    assert.equal(one('您退回来后，我们给您换一个新的').kind, 'exchange');
    const refund = one('我这边马上给您退款');
    assert.equal(refund.kind, 'refund');
    assert.equal(refund.dueAt, endOfDayShanghai(10, 11));
    assert.equal(one('差价这边给您退').kind, 'refund');
    const later = one('我们3天内给您处理退款');
    assert.equal(later.kind, 'refund');
    assert.equal(later.dueAt, endOfDayShanghai(10, 14));
  });

  it('CMP-4 facts, refusals and policies are no promises', () => {
    for (const t of [
      '亲，已经给您发货了，顺丰单号SF1234567890123',
      '默认发中通快递',
      '抱歉，这个不能给您换',
      '京东物流今天已经揽收了',
      '这款香薰机定时功能有1小时、3小时和6小时三档',
      '售后处理时效是48小时',
      '我马上帮您核实',
    ])
      assert.deepEqual(extractPromises(t, NOW), [], t);
  });

  it('CMP-4 due dates follow the given time zone', () => {
    // 10:00 Shanghai is 21:00 the day before in New York: "明天" is 11 November there.
    const [p] = extractPromises('明天给您发货', NOW, 'America/New_York');
    assert.equal(p?.dueAt, Date.UTC(2026, 10, 12, 4, 59, 59, 999));
  });
});
