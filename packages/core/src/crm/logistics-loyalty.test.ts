import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError, HOUR } from '../kernel';
import {
  DEFAULT_LOGISTICS_WATCH,
  validateLogisticsWatch,
  watchParcel,
  type WatchedOrder,
} from './logistics-watch';
import { DEFAULT_LOYALTY_LADDER, tierOf, validateLadder } from './loyalty';

const shipped = Date.UTC(2026, 11, 1, 2, 0);
const parcel = (carrier: string, logistics: { at: number; description: string }[]): WatchedOrder => ({
  id: 'T1',
  status: 'shipped',
  carrier,
  shippedAt: shipped,
  logistics,
});

describe('CRM-3 logistics watch', () => {
  it('flags a parcel quiet for longer than its carrier usually is, once per quiet spell', () => {
    const scans = [{ at: shipped + 2 * HOUR, description: '【杭州】快件已揽收' }];
    assert.equal(
      watchParcel(parcel('中通快递', scans), shipped + 40 * HOUR),
      undefined,
      'ZTO: 48 h is usual',
    );
    const flag = watchParcel(parcel('中通快递', scans), shipped + 51 * HOUR);
    assert.equal(flag?.kind, 'stalled');
    assert.equal(flag?.issue['zh-CN'], '已经 49 小时没有物流更新');
    assert.equal(flag?.key, `T1:stalled:${shipped + 2 * HOUR}`);
    // SF is faster: the same quiet spell is a stall sooner.
    assert.equal(watchParcel(parcel('顺丰速运', scans), shipped + 30 * HOUR)?.kind, 'stalled');
    // A new scan starts a new spell: a later stall is a new flag.
    const later = [...scans, { at: shipped + 60 * HOUR, description: '【武汉】到达转运中心' }];
    assert.equal(watchParcel(parcel('中通快递', later), shipped + 70 * HOUR), undefined);
    assert.notEqual(watchParcel(parcel('中通快递', later), shipped + 120 * HOUR)?.key, flag?.key);
  });

  it('flags an abnormal event at once, and tells a weather delay apart', () => {
    const held = [{ at: shipped + 5 * HOUR, description: '【沈阳】因暴雪天气，快件暂时滞留' }];
    const flag = watchParcel(parcel('韵达', held), shipped + 6 * HOUR);
    assert.equal(flag?.kind, 'abnormal');
    assert.match(flag!.issue['zh-CN'], /^因天气原因暂时延误/);
    const broken = [{ at: shipped + 5 * HOUR, description: '快件外包装破损，已联系发件人' }];
    assert.match(watchParcel(parcel('韵达', broken), shipped + 6 * HOUR)!.issue['zh-CN'], /^物流出现异常/);
    assert.equal(
      watchParcel(parcel('UPS', [{ at: shipped, description: 'Delivery exception' }]), shipped + HOUR)?.kind,
      'abnormal',
    );
  });

  it('a shipped parcel never scanned is a stall; delivered and unshipped orders are not watched', () => {
    assert.match(watchParcel(parcel('圆通', []), shipped + 50 * HOUR)!.issue['zh-CN'], /没有揽收记录/);
    const done = [{ at: shipped + 30 * HOUR, description: '已签收，签收人：本人' }];
    assert.equal(watchParcel(parcel('圆通', done), shipped + 500 * HOUR), undefined);
    assert.equal(
      watchParcel({ ...parcel('圆通', []), status: 'paid', shippedAt: null }, shipped + 500 * HOUR),
      undefined,
    );
  });
});

describe("CRM-3 a shop's watch settings", () => {
  it('are checked whole, naming the field at fault', () => {
    assert.deepEqual(validateLogisticsWatch(DEFAULT_LOGISTICS_WATCH), DEFAULT_LOGISTICS_WATCH);
    const field = (raw: unknown) => {
      try {
        validateLogisticsWatch(raw);
      } catch (e) {
        assert.ok(e instanceof DomainError);
        return e.field;
      }
      return 'accepted';
    };
    assert.equal(field({ defaultGapHours: 0, carrierGapHours: {} }), 'defaultGapHours');
    assert.equal(field({ defaultGapHours: 48, carrierGapHours: { 中通: 1.5 } }), 'carrierGapHours.中通');
    assert.equal(field({ defaultGapHours: 48, carrierGapHours: [] }), 'carrierGapHours');
    assert.equal(field({ defaultGapHours: 48, carrierGapHours: { ' ': 12 } }), 'carrierGapHours. ');
    assert.deepEqual(validateLogisticsWatch({ defaultGapHours: 36, carrierGapHours: { ' 中通 ': 12 } }), {
      defaultGapHours: 36,
      carrierGapHours: { 中通: 12 },
    });
  });
});

describe('CRM-6 loyalty tiers', () => {
  it('a buyer reaches a tier by spend or by orders, and sees what the next one needs', () => {
    assert.deepEqual(tierOf(DEFAULT_LOYALTY_LADDER, { spentCents: 0, orders: 0 }).rank, 0);
    const silver = tierOf(DEFAULT_LOYALTY_LADDER, { spentCents: 60_000, orders: 1 });
    assert.deepEqual([silver.rank, silver.name, silver.discountPercent], [1, '银卡会员', 2]);
    assert.deepEqual(silver.next, { name: '金卡会员', spendCentsToGo: 140_000, ordersToGo: 7 });
    assert.equal(tierOf(DEFAULT_LOYALTY_LADDER, { spentCents: 10_000, orders: 8 }).name, '金卡会员');
    const top = tierOf(DEFAULT_LOYALTY_LADDER, { spentCents: 900_000, orders: 1 });
    assert.deepEqual([top.rank, top.next], [3, undefined]);
  });

  it('a ladder must rise: thresholds and discounts, with unique names', () => {
    assert.deepEqual(validateLadder(DEFAULT_LOYALTY_LADDER), DEFAULT_LOYALTY_LADDER);
    const field = (raw: unknown) => {
      try {
        validateLadder(raw);
      } catch (e) {
        assert.ok(e instanceof DomainError);
        return e.field;
      }
      return 'accepted';
    };
    const [a, b] = DEFAULT_LOYALTY_LADDER.tiers;
    assert.equal(field({ tiers: [b, a] }), 'tiers[1]');
    assert.equal(field({ tiers: [a, { ...b, discountPercent: 1 }] }), 'tiers[1].discountPercent');
    assert.equal(field({ tiers: [a, { ...b, name: a!.name }] }), 'tiers[1].name');
    assert.equal(field({ tiers: [{ ...a, minOrders: -1 }] }), 'tiers[0].minOrders');
    assert.equal(field({}), 'tiers');
  });
});
