import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '../kernel';
import { applyAftersalesEvent } from './aftersales.engine';
import {
  DEFAULT_AFTERSALES_SETTINGS,
  type AftersalesBy,
  type AftersalesCase,
  type AftersalesEvent,
  type AftersalesKind,
  type AftersalesOrder,
  type AftersalesProduct,
} from './aftersales.types';

const H = 3_600_000;
const D = 24 * H;
const T0 = Date.parse('2026-11-13T09:00:00+08:00');
const S = DEFAULT_AFTERSALES_SETTINGS;
const boss: AftersalesBy = { by: 'agent', agent: 'li', role: 'cs_admin' };
const junior: AftersalesBy = { by: 'agent', agent: 'wang', role: 'agent' };
const outsourced: AftersalesBy = { by: 'agent', agent: 'zhao', role: 'outsourced' };
const buyer: AftersalesBy = { by: 'buyer' };

const products: AftersalesProduct[] = [
  { id: 'towel', special: false },
  { id: 'cherries', special: true },
];
const shipped: AftersalesOrder = {
  id: 'o1',
  status: 'shipped',
  items: [{ productId: 'towel', quantity: 2, priceCents: 3990 }],
  paidCents: 7980,
  paidAt: T0 - 2 * D,
  shippedAt: T0 - D,
};
const unshipped: AftersalesOrder = { ...shipped, id: 'o2', status: 'paid', shippedAt: null };
const fresh: AftersalesOrder = {
  ...shipped,
  id: 'o3',
  items: [{ productId: 'cherries', quantity: 1, priceCents: 12800 }],
  paidCents: 12800,
};

function request(
  kind: AftersalesKind,
  over: Partial<Extract<AftersalesEvent, { type: 'request' }>> = {},
): Extract<AftersalesEvent, { type: 'request' }> {
  return {
    type: 'request',
    caseId: 'c1',
    kind,
    order: shipped,
    products,
    otherCases: [],
    reason: 'size',
    ...buyer,
    ...over,
  } as Extract<AftersalesEvent, { type: 'request' }>;
}

function open(kind: AftersalesKind, over: Partial<Extract<AftersalesEvent, { type: 'request' }>> = {}) {
  return applyAftersalesEvent(undefined, request(kind, over), S, T0);
}

/** Runs events in order from a fresh case; returns the last result. */
function run(kind: AftersalesKind, steps: [number, AftersalesEvent][]) {
  let r = open(kind);
  for (const [at, e] of steps) r = applyAftersalesEvent(r.case, e, S, at);
  return r;
}

function refuses(
  c: AftersalesCase | undefined,
  e: AftersalesEvent,
  now: number,
  field: string,
  code?: string,
) {
  const before = c ? structuredClone(c) : undefined;
  assert.throws(
    () => applyAftersalesEvent(c, e, S, now),
    (err: unknown) => {
      assert.ok(err instanceof DomainError, String(err));
      assert.equal(err.field, field, err.message);
      if (code) assert.equal(err.code, code);
      return true;
    },
  );
  assert.deepEqual(c, before, 'nothing changed');
}

describe('after-sales engine: transitions (AS-1, AS-2)', () => {
  it('AS-2 a request opens the case and arms the 48 h answer deadline', () => {
    const r = open('refund-only');
    assert.equal(r.case.status, 'requested');
    assert.equal(r.case.requestedCents, 7980);
    assert.deepEqual(r.changes, [
      { at: T0, case: 'c1', kind: 'refund-only', status: 'requested', by: 'buyer', reason: 'size' },
    ]);
    assert.deepEqual(r.timers, [{ case: 'c1', kind: 'merchant-answer', at: T0 + 48 * H }]);
  });

  it('refund-only: approve arms the refund deadline, refund closes it', () => {
    let r = applyAftersalesEvent(open('refund-only').case, { type: 'approve', ...boss }, S, T0 + H);
    assert.equal(r.case.status, 'approved');
    assert.deepEqual(r.timers, [{ case: 'c1', kind: 'merchant-refund', at: T0 + H + 7 * D }]);
    r = applyAftersalesEvent(r.case, { type: 'refund', amountCents: 5000, ...boss }, S, T0 + 2 * H);
    assert.equal(r.case.status, 'refunded');
    assert.equal(r.case.refundedCents, 5000);
    assert.equal(r.case.deadline, null);
    assert.deepEqual(r.timers, []);
  });

  it('return-refund: approved → awaiting-return → return-shipped → received → refunded', () => {
    const approved = applyAftersalesEvent(
      open('return-refund').case,
      { type: 'approve', ...boss },
      S,
      T0 + H,
    );
    assert.deepEqual(
      approved.changes.map((c) => [c.status, c.by, c.reason]),
      [
        ['approved', 'agent', 'approved'],
        ['awaiting-return', 'agent', 'return-needed'],
      ],
    );
    assert.deepEqual(approved.timers, [{ case: 'c1', kind: 'buyer-ship', at: T0 + H + 7 * D }]);
    const shippedBack = applyAftersalesEvent(approved.case, { type: 'ship-return', ...buyer }, S, T0 + D);
    assert.equal(shippedBack.case.status, 'return-shipped');
    assert.equal(shippedBack.case.deadline, null);
    const received = applyAftersalesEvent(shippedBack.case, { type: 'receive', ...junior }, S, T0 + 3 * D);
    assert.equal(received.case.status, 'received');
    assert.deepEqual(received.timers, [{ case: 'c1', kind: 'merchant-refund', at: T0 + 10 * D }]);
    const refunded = applyAftersalesEvent(received.case, { type: 'refund', by: 'platform' }, S, T0 + 4 * D);
    assert.equal(refunded.case.status, 'refunded');
    assert.equal(refunded.case.refundedCents, 7980);
    assert.deepEqual(
      refunded.case.history.map((h) => h.status),
      ['requested', 'approved', 'awaiting-return', 'return-shipped', 'received', 'refunded'],
    );
  });

  it('exchange: the new goods go out after the return is received', () => {
    const r = run('exchange', [
      [T0 + H, { type: 'approve', ...boss }],
      [T0 + D, { type: 'ship-return', ...buyer }],
      [T0 + 2 * D, { type: 'receive', ...junior }],
      [T0 + 3 * D, { type: 'reship', ...junior }],
    ]);
    assert.equal(r.case.status, 'reshipped');
    assert.equal(r.case.refundedCents, 0);
  });

  it('reship: approved then reshipped; no answer deadline is armed', () => {
    const opened = open('reship');
    assert.deepEqual(opened.timers, []);
    const r = run('reship', [
      [T0 + H, { type: 'approve', ...boss }],
      [T0 + 2 * H, { type: 'reship', ...junior }],
    ]);
    assert.equal(r.case.status, 'reshipped');
  });

  it('reject ends a request and disarms its deadline', () => {
    const r = applyAftersalesEvent(
      open('refund-only').case,
      { type: 'reject', reason: 'used', ...boss },
      S,
      T0 + H,
    );
    assert.equal(r.case.status, 'rejected');
    assert.equal(r.changes[0]!.reason, 'used');
    assert.equal(r.case.deadline, null);
  });

  it('AS-2 an unshipped return closes at the buyer-ship deadline, by the system', () => {
    const approved = applyAftersalesEvent(open('return-refund').case, { type: 'approve', ...boss }, S, T0);
    const r = applyAftersalesEvent(
      approved.case,
      { type: 'deadline', kind: 'buyer-ship', at: T0 + 7 * D },
      S,
      T0 + 7 * D,
    );
    assert.deepEqual(r.changes, [
      {
        at: T0 + 7 * D,
        case: 'c1',
        kind: 'return-refund',
        status: 'closed',
        by: 'system',
        reason: 'return-not-shipped',
      },
    ]);
  });

  it('AS-2 a refund overdue after receipt is refunded by the system, or flagged when the shop says so', () => {
    const received = run('return-refund', [
      [T0, { type: 'approve', ...boss }],
      [T0 + D, { type: 'receive', ...junior }],
    ]);
    const due = T0 + 8 * D;
    const auto = applyAftersalesEvent(
      received.case,
      { type: 'deadline', kind: 'merchant-refund', at: due },
      S,
      due,
    );
    assert.deepEqual(
      auto.changes.map((c) => [c.at, c.status, c.by, c.reason]),
      [[due, 'refunded', 'system', 'deadline']],
    );
    assert.equal(auto.case.refundedCents, 7980);
    const flag = applyAftersalesEvent(
      received.case,
      { type: 'deadline', kind: 'merchant-refund', at: due },
      { ...S, overdueRefund: 'flag' },
      due,
    );
    assert.equal(flag.case.status, 'received');
    assert.equal(flag.case.flagged, 'refund-overdue');
    assert.equal(flag.case.deadline, null);
    assert.deepEqual(flag.changes, [], 'a flag is not a state change');
    assert.deepEqual(flag.case.history.at(-1), {
      at: due,
      status: 'received',
      by: 'system',
      reason: 'refund-overdue',
    });
  });

  it('AS-4/AS-5 compensation: a partial refund and a fair coupon', () => {
    const c = open('compensation', { ...boss }).case;
    assert.equal(c.holder, 'li');
    const r = applyAftersalesEvent(
      c,
      {
        type: 'compensate',
        amountCents: 1000,
        coupon: { amountCents: 3000, validDays: 30, scope: 'store' },
        ...boss,
      },
      S,
      T0 + H,
    );
    assert.equal(r.case.status, 'compensated');
    assert.equal(r.case.refundedCents, 1000);
    assert.equal(r.case.coupons.length, 1);
  });

  it('AS-6 escalation moves the holder with the whole history and a note', () => {
    const before = open('refund-only', { ...outsourced }).case;
    const r = applyAftersalesEvent(
      before,
      { type: 'escalate', to: 'li', note: 'photo checked', ...outsourced },
      S,
      T0 + H,
    );
    assert.equal(r.case.holder, 'li');
    assert.equal(r.case.status, 'requested');
    assert.deepEqual(r.case.deadline, before.deadline, 'the deadline still runs');
    assert.deepEqual(r.case.history.slice(0, -1), before.history);
    assert.deepEqual(r.case.history.at(-1), {
      at: T0 + H,
      status: 'requested',
      by: 'agent',
      reason: 'escalated',
      agent: 'zhao',
      note: 'photo checked',
    });
    const urgent = applyAftersalesEvent(r.case, { type: 'mark-urgent', ...boss }, S, T0 + 2 * H);
    assert.equal(urgent.case.urgent, true);
  });
});

describe('after-sales engine: the 48 h boundary (AS-2)', () => {
  const opened = open('refund-only').case;
  const deadline = T0 + 48 * H;

  it('AS-2 a merchant answer at 47:59:59 wins', () => {
    const r = applyAftersalesEvent(opened, { type: 'reject', reason: 'used', ...boss }, S, deadline - 1000);
    assert.equal(r.case.status, 'rejected');
    assert.equal(r.changes.length, 1);
    const late = applyAftersalesEvent(
      r.case,
      { type: 'deadline', kind: 'merchant-answer', at: deadline },
      S,
      deadline,
    );
    assert.deepEqual(late.changes, [], 'the superseded timer does nothing');
    assert.equal(late.case, r.case);
  });

  it('AS-2 no answer by 48:00:00 → approved by the system, reason deadline, at exactly 48:00:00', () => {
    const r = applyAftersalesEvent(
      opened,
      { type: 'deadline', kind: 'merchant-answer', at: deadline },
      S,
      deadline,
    );
    assert.deepEqual(r.changes, [
      { at: deadline, case: 'c1', kind: 'refund-only', status: 'approved', by: 'system', reason: 'deadline' },
    ]);
    const again = applyAftersalesEvent(
      r.case,
      { type: 'deadline', kind: 'merchant-answer', at: deadline },
      S,
      deadline,
    );
    assert.deepEqual(again.changes, [], 'fires at most once');
  });

  it('AS-2 an answer arriving after a late timer still finds the case approved at the deadline', () => {
    refuses(opened, { type: 'reject', ...boss }, deadline, 'status', 'conflict');
    // an event after the deadline settles it first (at the deadline's own time), then applies
    const r = applyAftersalesEvent(opened, { type: 'refund', ...boss }, S, deadline + 5 * 60_000);
    assert.deepEqual(
      r.changes.map((c) => [c.at, c.status, c.by, c.reason]),
      [
        [deadline, 'approved', 'system', 'deadline'],
        [deadline + 5 * 60_000, 'refunded', 'agent', 'refunded'],
      ],
    );
  });

  it('a deadline event before its time is refused', () => {
    refuses(opened, { type: 'deadline', kind: 'merchant-answer', at: deadline }, deadline - 1, 'at');
  });
});

describe('after-sales engine: refusals name the field and change nothing', () => {
  it('a refund above what was paid (amount)', () => {
    refuses(undefined, request('refund-only', { amountCents: 7981 }), T0, 'amount');
    const approved = applyAftersalesEvent(open('refund-only').case, { type: 'approve', ...boss }, S, T0);
    refuses(approved.case, { type: 'refund', amountCents: 7981, ...boss }, T0 + H, 'amount');
    const refundedElsewhere = {
      ...approved.case,
      id: 'c0',
      status: 'refunded' as const,
      refundedCents: 5000,
    };
    refuses(
      undefined,
      request('refund-only', { otherCases: [refundedElsewhere], amountCents: 3000 }),
      T0,
      'amount',
    );
    const ok = open('refund-only', { otherCases: [refundedElsewhere], amountCents: 2980 });
    assert.equal(ok.case.limitCents, 2980);
  });

  it('two open cases of one order never refund more than was paid together (amount)', () => {
    const refund = applyAftersalesEvent(open('refund-only').case, { type: 'approve', ...boss }, S, T0).case;
    const comp = open('compensation', { caseId: 'c2', ...boss }).case;
    const given = applyAftersalesEvent(
      comp,
      { type: 'compensate', amountCents: 3000, ...boss },
      S,
      T0 + H,
    ).case;
    assert.equal(given.refundedCents, 3000);
    // the refund case opened before the compensation: told what the other case refunded since
    refuses(refund, { type: 'refund', otherRefundedCents: 3000, ...boss }, T0 + 2 * H, 'amount');
    const r = applyAftersalesEvent(
      refund,
      { type: 'refund', amountCents: 4980, otherRefundedCents: 3000, ...boss },
      S,
      T0 + 2 * H,
    );
    assert.equal(r.case.refundedCents, 4980);
    // the automatic refund on the deadline pays only what is left
    const due = refund.deadline!;
    const auto = applyAftersalesEvent(
      refund,
      { type: 'deadline', ...due, otherRefundedCents: 3000 },
      S,
      due.at,
    );
    assert.equal(auto.case.refundedCents, 4980);
  });

  it('AS-1 a second open case for the same order and purpose (order)', () => {
    const first = open('refund-only').case;
    refuses(
      undefined,
      request('return-refund', { caseId: 'c2', otherCases: [first] }),
      T0,
      'order',
      'conflict',
    );
    // another purpose, or the same purpose once the first is finished, is fine
    assert.equal(open('reship', { caseId: 'c2', otherCases: [first] }).case.status, 'requested');
    const done = { ...first, status: 'rejected' as const };
    assert.equal(open('refund-only', { caseId: 'c2', otherCases: [done] }).case.status, 'requested');
  });

  it('AS-1 a return on special goods says why and which kinds are allowed (kind)', () => {
    for (const kind of ['return-refund', 'exchange'] as const) {
      try {
        applyAftersalesEvent(undefined, request(kind, { order: fresh }), S, T0);
        assert.fail('accepted');
      } catch (err) {
        assert.ok(err instanceof DomainError);
        assert.equal(err.field, 'kind');
        assert.match(err.message, /special goods/);
        assert.deepEqual((err.details as { allowed: string[] }).allowed, [
          'refund-only',
          'reship',
          'compensation',
        ]);
      }
    }
    assert.equal(open('refund-only', { order: fresh }).case.status, 'requested');
  });

  it('AS-1 a return on an order not shipped (kind); an unpaid order (order); an item not in the order', () => {
    refuses(undefined, request('return-refund', { order: unshipped }), T0, 'kind');
    refuses(
      undefined,
      request('refund-only', { order: { ...unshipped, status: 'unpaid', paidAt: null } }),
      T0,
      'order',
    );
    refuses(undefined, request('refund-only', { productIds: ['cherries'] }), T0, 'productIds');
  });

  it('AS-6 an action by a role without the right (role)', () => {
    const c = open('refund-only').case;
    for (const by of [junior, outsourced, buyer]) {
      refuses(c, { type: 'approve', ...by }, T0 + H, 'role', 'forbidden');
      refuses(c, { type: 'reject', ...by }, T0 + H, 'role', 'forbidden');
    }
    refuses(c, { type: 'mark-urgent', ...outsourced }, T0 + H, 'role');
    const approved = applyAftersalesEvent(c, { type: 'approve', ...boss }, S, T0).case;
    refuses(approved, { type: 'refund', ...junior }, T0 + H, 'role');
    refuses(approved, { type: 'refund', ...buyer }, T0 + H, 'role');
    const comp = open('compensation', { ...outsourced }).case;
    refuses(comp, { type: 'compensate', amountCents: 100, ...outsourced }, T0 + H, 'role');
    // recording and submitting stay open to everyone
    assert.equal(open('compensation', { ...outsourced }).case.openedBy, 'agent');
  });

  it('an event for an unknown case (case) or a finished one (case)', () => {
    refuses(undefined, { type: 'approve', ...boss }, T0, 'case', 'not_found');
    const rejected = applyAftersalesEvent(open('refund-only').case, { type: 'reject', ...boss }, S, T0).case;
    for (const e of [
      { type: 'approve', ...boss },
      { type: 'refund', ...boss },
      { type: 'escalate', to: 'li', note: 'x', ...junior },
    ] as AftersalesEvent[])
      refuses(rejected, e, T0 + H, 'case', 'conflict');
    refuses(rejected, request('refund-only'), T0, 'case', 'conflict');
  });

  it('an event in the wrong status (status) or for the wrong kind (kind)', () => {
    const c = open('return-refund').case;
    refuses(c, { type: 'ship-return', ...buyer }, T0 + H, 'status');
    refuses(c, { type: 'receive', ...junior }, T0 + H, 'status');
    refuses(c, { type: 'reship', ...junior }, T0 + H, 'kind');
    refuses(c, { type: 'compensate', amountCents: 100, ...boss }, T0 + H, 'kind');
    const awaiting = applyAftersalesEvent(c, { type: 'approve', ...boss }, S, T0).case;
    refuses(awaiting, { type: 'refund', ...boss }, T0 + H, 'status');
  });

  it('AS-5 a stingy compensation coupon is refused, naming the field and why', () => {
    const c = open('compensation', { ...boss }).case;
    const give = (coupon: object) => ({ type: 'compensate', coupon, ...boss }) as AftersalesEvent;
    refuses(c, give({ amountCents: 3000, validDays: 3, scope: 'store' }), T0, 'coupon.validDays');
    refuses(c, give({ amountCents: 3000, validDays: 30, scope: 'category' }), T0, 'coupon.scope');
    refuses(
      c,
      give({ amountCents: 3000, validDays: 30, scope: 'item', productIds: ['cherries'] }),
      T0,
      'coupon.productIds',
    );
    refuses(c, give({ amountCents: 0, validDays: 30, scope: 'store' }), T0, 'coupon.amount');
    refuses(c, { type: 'compensate', ...boss }, T0, 'coupon');
    refuses(c, { type: 'compensate', amountCents: 9000, ...boss }, T0, 'amount');
    try {
      applyAftersalesEvent(c, give({ amountCents: 3000, validDays: 3, scope: 'store' }), S, T0);
    } catch (err) {
      assert.match((err as Error).message, /at least 30 days; this one is valid 3/);
    }
    const ok = applyAftersalesEvent(
      c,
      give({ amountCents: 3000, validDays: 30, scope: 'item', productIds: ['towel'] }),
      S,
      T0,
    );
    assert.equal(ok.case.status, 'compensated');
  });

  it('AS-6 an escalation needs the next holder and a note', () => {
    const c = open('refund-only').case;
    refuses(c, { type: 'escalate', to: 'li', note: '  ', ...junior }, T0, 'note');
    refuses(c, { type: 'escalate', to: '', note: 'x', ...junior }, T0, 'to');
    refuses(c, { type: 'escalate', to: 'li', note: 'x', ...buyer }, T0, 'role');
  });
});
