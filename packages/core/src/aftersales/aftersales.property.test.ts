import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { applyAftersalesEvent } from './aftersales.engine';
import { simulateAftersales, type AftersalesScenarioAction } from './aftersales.simulate';
import {
  AFTERSALES_KINDS,
  DEFAULT_AFTERSALES_SETTINGS,
  type AftersalesBy,
  type AftersalesOrder,
} from './aftersales.types';

const H = 3_600_000;
const T0 = Date.parse('2026-11-01T00:00:00+08:00');
const CASES = ['c1', 'c2', 'c3', 'c4', 'c5'];
const ORDERS: AftersalesOrder[] = [
  {
    id: 'o1',
    status: 'shipped',
    items: [{ productId: 'towel', quantity: 1, priceCents: 5000 }],
    paidCents: 5000,
    paidAt: 0,
    shippedAt: 0,
  },
  {
    id: 'o2',
    status: 'paid',
    items: [{ productId: 'towel', quantity: 2, priceCents: 5000 }],
    paidCents: 10000,
    paidAt: 0,
    shippedAt: null,
  },
  {
    id: 'o3',
    status: 'shipped',
    items: [{ productId: 'cherries', quantity: 1, priceCents: 9000 }],
    paidCents: 9000,
    paidAt: 0,
    shippedAt: 0,
  },
];
const ACTORS: AftersalesBy[] = [
  { by: 'buyer' },
  { by: 'platform' },
  { by: 'agent', agent: 'li', role: 'cs_admin' },
  { by: 'agent', agent: 'wang', role: 'agent' },
  { by: 'agent', agent: 'zhao', role: 'outsourced' },
];
const TYPES = [
  'request',
  'approve',
  'reject',
  'ship-return',
  'receive',
  'refund',
  'reship',
  'compensate',
  'escalate',
  'mark-urgent',
] as const;

const eventArb = fc.record({
  minute: fc.integer({ min: 0, max: 30 * 24 * 60 }),
  case: fc.integer({ min: 0, max: CASES.length - 1 }),
  type: fc.constantFrom(...TYPES),
  order: fc.integer({ min: 0, max: ORDERS.length - 1 }),
  kind: fc.constantFrom(...AFTERSALES_KINDS),
  actor: fc.integer({ min: 0, max: ACTORS.length - 1 }),
  amount: fc.option(fc.integer({ min: 1, max: 12000 }), { nil: undefined }),
  // a few events land exactly on the 48 h boundary of a request at minute 0
  onBoundary: fc.boolean(),
});

type RawEvent = typeof eventArb extends fc.Arbitrary<infer T> ? T : never;

function action(e: RawEvent): AftersalesScenarioAction {
  const by = ACTORS[e.actor]!;
  switch (e.type) {
    case 'request':
      return {
        type: 'request',
        order: ORDERS[e.order]!.id,
        kind: e.kind,
        reason: 'r',
        ...(e.amount ? { amountCents: e.amount } : {}),
        ...by,
      };
    case 'refund':
      return { type: 'refund', ...(e.amount ? { amountCents: e.amount } : {}), ...by };
    case 'compensate':
      return { type: 'compensate', amountCents: e.amount ?? 100, ...by };
    case 'escalate':
      return { type: 'escalate', to: 'li', note: 'n', ...by };
    default:
      return { type: e.type, ...by } as AftersalesScenarioAction;
  }
}

describe('after-sales engine: properties', () => {
  it('AS-2 no case is approved automatically twice; every armed timer is taken once and acts at most once, at its deadline', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { minLength: 1, maxLength: 60 }), fc.boolean(), (raw, flag) => {
        const settings = {
          ...DEFAULT_AFTERSALES_SETTINGS,
          overdueRefund: flag ? ('flag' as const) : ('auto-refund' as const),
        };
        const events = raw.map((e) => ({
          at: T0 + (e.onBoundary ? 48 * 60 : e.minute) * 60_000,
          case: CASES[e.case]!,
          action: action(e),
        }));
        const result = simulateAftersales({
          settings,
          products: [
            { id: 'towel', special: false },
            { id: 'cherries', special: true },
          ],
          orders: ORDERS,
          events,
        });
        const s = result.summary;
        assert.equal(
          s.timersFired + s.timersSuperseded,
          s.timersArmed,
          'each armed timer popped exactly once',
        );
        for (const id of CASES) {
          const mine = result.changes.filter((c) => c.case === id);
          const approvals = mine.filter((c) => c.status === 'approved');
          assert.ok(approvals.length <= 1, `${id} approved ${approvals.length} times`);
          const system = mine.filter((c) => c.by === 'system');
          const keys = system.map((c) => `${c.at}/${c.reason}/${c.status}`);
          assert.equal(new Set(keys).size, keys.length, `${id}: a deadline acted twice`);
          for (let i = 1; i < mine.length; i++)
            assert.ok(mine[i]!.at >= mine[i - 1]!.at, 'changes in time order');
          const c = result.cases.get(id);
          if (!c) continue;
          // an automatic approval is exactly 48 h after the request, and only when nobody answered before
          for (const a of approvals.filter((x) => x.by === 'system')) {
            assert.equal(a.at, c.openedAt + 48 * H);
            assert.ok(
              !c.history.some(
                (h) =>
                  h.at < a.at && (h.status === 'rejected' || (h.status === 'approved' && h.by !== 'system')),
              ),
            );
          }
          assert.deepEqual(
            c.history
              .filter((h, i) => i === 0 || h.status !== c.history[i - 1]!.status)
              .map((h) => [h.at, h.status, h.by, h.reason]),
            mine.map((x) => [x.at, x.status, x.by, x.reason]),
            'the history is the changes, once',
          );
        }
        for (const o of ORDERS) {
          const refunded = [...result.cases.values()]
            .filter((c) => c.orderId === o.id)
            .reduce((n, c) => n + c.refundedCents, 0);
          assert.ok(refunded <= o.paidCents, `order ${o.id} refunded ${refunded} of ${o.paidCents}`);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a deadline event applied twice acts once, whatever the case went through', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('refund-only' as const, 'return-refund' as const, 'exchange' as const),
        fc.integer({ min: 0, max: 3 }),
        (kind, steps) => {
          const boss: AftersalesBy = { by: 'agent', agent: 'li', role: 'admin' };
          let r = applyAftersalesEvent(
            undefined,
            {
              type: 'request',
              caseId: 'c',
              kind,
              order: ORDERS[0]!,
              products: [{ id: 'towel', special: false }],
              otherCases: [],
              reason: 'r',
              by: 'buyer',
            },
            DEFAULT_AFTERSALES_SETTINGS,
            T0,
          );
          const seq = [
            { type: 'approve', ...boss },
            { type: 'ship-return', by: 'buyer' },
            { type: 'receive', ...boss },
          ] as const;
          for (const e of seq.slice(0, kind === 'refund-only' ? Math.min(steps, 1) : steps))
            r = applyAftersalesEvent(r.case, e, DEFAULT_AFTERSALES_SETTINGS, T0 + H);
          const d = r.case.deadline;
          if (!d) return;
          const once = applyAftersalesEvent(
            r.case,
            { type: 'deadline', ...d },
            DEFAULT_AFTERSALES_SETTINGS,
            d.at,
          );
          assert.notEqual(once.case, r.case, 'the due deadline acts');
          assert.equal(once.case.deadline?.at === d.at && once.case.deadline.kind === d.kind, false);
          const twice = applyAftersalesEvent(
            once.case,
            { type: 'deadline', ...d },
            DEFAULT_AFTERSALES_SETTINGS,
            d.at,
          );
          assert.deepEqual(twice.changes, []);
          assert.equal(twice.case, once.case);
        },
      ),
    );
  });
});
