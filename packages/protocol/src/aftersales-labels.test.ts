import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CASE_KIND_LABELS,
  CASE_STATUS_LABELS,
  clockOffset,
  countdownText,
  deadlineLine,
  deadlineNear,
  kindsForOrder,
} from './aftersales-labels';
import { AFTERSALES_KIND_VALUES, AFTERSALES_STATUS_VALUES } from './aftersales';

const H = 3_600_000;

describe('after-sales labels and countdowns (issue #19)', () => {
  it('names every status and kind the server has, in both languages', () => {
    for (const lang of ['zh-CN', 'en'] as const) {
      for (const s of AFTERSALES_STATUS_VALUES) assert.ok(CASE_STATUS_LABELS[lang][s], `${lang} ${s}`);
      for (const k of AFTERSALES_KIND_VALUES) assert.ok(CASE_KIND_LABELS[lang][k], `${lang} ${k}`);
    }
  });

  it('counts down past a day in hours, and stops at zero', () => {
    assert.equal(countdownText(48 * H - 30_000), '47:59:30');
    assert.equal(countdownText(61_999), '00:01:01');
    assert.equal(countdownText(-5_000), '00:00:00');
  });

  it('says whose clock runs', () => {
    const now = 1_000_000;
    assert.equal(
      deadlineLine('zh-CN', { kind: 'merchant-answer', at: now + 48 * H - 30_000 }, now),
      '商家处理剩余 47:59:30',
    );
    assert.equal(
      deadlineLine('zh-CN', { kind: 'merchant-refund', at: now + H }, now),
      '商家退款剩余 01:00:00',
    );
    assert.equal(deadlineLine('en', null, now), null);
  });

  it('offers only refund or compensation on an order not shipped', () => {
    assert.deepEqual(kindsForOrder('paid'), ['refund-only', 'compensation']);
    assert.ok(kindsForOrder('shipped').includes('return-refund'));
  });

  it('turns red inside the alert window, corrected by the server clock', () => {
    const offset = clockOffset(10_000, 4_000);
    assert.equal(offset, 6_000);
    const serverNow = 4_000 + offset;
    assert.equal(deadlineNear(serverNow + 2 * H, serverNow, 2), true);
    assert.equal(deadlineNear(serverNow + 2 * H + 1, serverNow, 2), false);
  });
});

describe('after-sales refusals in words (issue #19)', () => {
  it('names what special goods still allow, and the coupon floor', async () => {
    const { errorText } = await import('./error-text');
    const special = {
      code: 'validation_failed',
      field: 'kind',
      details: { issue: 'aftersales_special_goods', allowed: ['refund-only', 'reship', 'compensation'] },
    };
    assert.match(errorText(special, 'zh-CN', 400), /可申请：仅退款、补发、补偿$/);
    assert.match(errorText(special, 'en', 400), /Refund only, Reship, Compensation$/);
    const floor = {
      code: 'validation_failed',
      field: 'coupon.validDays',
      details: { issue: 'coupon_validity', min: 30 },
    };
    assert.equal(errorText(floor, 'zh-CN', 400), '优惠券有效期至少 30 天');
    const role = { code: 'forbidden', field: 'role', details: { issue: 'aftersales_role' } };
    assert.equal(errorText(role, 'zh-CN', 403), '只有店主或管理员可以做此决定');
    // Anything else is said as before.
    assert.equal(errorText({ code: 'forbidden', field: 'role' }, 'zh-CN', 403), '一个店铺只能有一位店主');
  });
});

describe('the actions an agent is offered (issue #19, AS-6)', () => {
  it('gives deciding only to deciders, recording to everyone', async () => {
    const { caseActions } = await import('./aftersales-labels');
    const requested = {
      kind: 'refund-only',
      status: 'requested',
      open: true,
      holder: null,
      urgent: false,
    } as const;
    assert.deepEqual(caseActions(requested, { id: 'a1', decides: true }), [
      'approve',
      'reject',
      'escalate',
      'take',
      'mark-urgent',
    ]);
    assert.deepEqual(caseActions(requested, { id: 'a2', decides: false }), ['escalate', 'take']);
    const shipped = {
      kind: 'return-refund',
      status: 'return-shipped',
      open: true,
      holder: 'a2',
      urgent: true,
    } as const;
    assert.deepEqual(caseActions(shipped, { id: 'a2', decides: false }), ['receive', 'escalate']);
    // Another's case is taken, or escalated, only by a decider (AS-6).
    assert.deepEqual(caseActions(shipped, { id: 'a3', decides: false }), ['receive']);
    // AS-4: a finished case with the buyer made whole is claimed from the carrier; a decider settles.
    const refunded = { ...shipped, status: 'refunded', open: false } as const;
    assert.deepEqual(caseActions(refunded, { id: 'a3', decides: false }), ['claim-carrier']);
    assert.deepEqual(
      caseActions({ ...refunded, claim: { status: 'open' } }, { id: 'a3', decides: false }),
      [],
    );
    assert.deepEqual(caseActions({ ...refunded, claim: { status: 'open' } }, { id: 'a1', decides: true }), [
      'claim-settle',
    ]);
    assert.deepEqual(
      caseActions({ ...shipped, status: 'closed', open: false }, { id: 'a1', decides: true }),
      [],
    );
  });
});
