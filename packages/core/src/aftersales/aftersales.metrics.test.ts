import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  aftersalesMetrics,
  aftersalesWindow,
  caseAgent,
  type AftersalesMetricsCase,
} from './aftersales.metrics';
import type { AftersalesHistoryEntry, AftersalesKind } from './aftersales.types';

const H = 3_600_000;
const TZ = 'Asia/Shanghai';
const NOW = Date.parse('2026-11-30T12:00:00+08:00');

function mk(
  openedAt: number,
  opts: {
    kind?: AftersalesKind;
    reason?: string;
    holder?: string | null;
    finishedAfterH?: number;
    rating?: number;
    refundedCents?: number;
    history?: AftersalesHistoryEntry[];
  } = {},
): AftersalesMetricsCase {
  return {
    case: {
      kind: opts.kind ?? 'refund-only',
      reason: opts.reason ?? 'damaged',
      holder: opts.holder === undefined ? 'a1' : opts.holder,
      openedAt,
      refundedCents: opts.refundedCents ?? 0,
      history: opts.history ?? [{ at: openedAt, status: 'requested', by: 'buyer', reason: 'request' }],
    },
    finishedAt: opts.finishedAfterH === undefined ? null : openedAt + opts.finishedAfterH * H,
    rating: opts.rating ?? null,
  };
}

describe('AS-3 after-sales 30-day figures', () => {
  it('AS-3 the window is 30 local days ending today, from local midnight', () => {
    const w = aftersalesWindow(NOW, 30, TZ);
    assert.equal(w.to, '2026-11-30');
    assert.equal(w.from, '2026-11-01');
    assert.equal(w.since, Date.parse('2026-11-01T00:00:00+08:00'));
  });

  it('AS-3 handling time median and p90, processing rate, satisfaction, intervention, refunds', () => {
    const t = Date.parse('2026-11-10T10:00:00+08:00');
    const auto: AftersalesHistoryEntry[] = [
      { at: t, status: 'requested', by: 'buyer', reason: 'request' },
      { at: t + 48 * H, status: 'approved', by: 'system', reason: 'deadline' },
      { at: t + 49 * H, status: 'refunded', by: 'platform', reason: 'refund-done' },
    ];
    const cases = [
      mk(t, { finishedAfterH: 1, rating: 5, refundedCents: 1000 }),
      mk(t, { finishedAfterH: 2, rating: 4 }),
      mk(t, { finishedAfterH: 3, rating: 2 }),
      mk(t, { finishedAfterH: 49, refundedCents: 3000, history: auto, holder: null }),
      mk(t), // still open
      mk(Date.parse('2026-10-01T10:00:00+08:00'), { finishedAfterH: 1 }), // before the window
    ];
    const m = aftersalesMetrics(cases, NOW, 30, TZ);
    assert.equal(m.totals.count, 5);
    assert.equal(m.totals.finished, 4);
    assert.equal(m.totals.handlingMedianMs, 2 * H);
    assert.equal(m.totals.handlingP90Ms, 49 * H);
    assert.equal(m.totals.processingRate, 3 / 4);
    assert.equal(m.totals.rated, 3);
    assert.equal(m.totals.satisfaction, 11 / 3);
    assert.equal(m.totals.satisfiedShare, 2 / 3);
    assert.equal(m.totals.interventionRate, 1 / 5);
    assert.equal(m.totals.refundedCents, 4000);
    assert.equal(m.daily.length, 30);
    const day = m.daily.find((d) => d.date === '2026-11-10')!;
    assert.equal(day.opened, 5);
    assert.equal(day.finished, 3);
    assert.equal(m.daily.find((d) => d.date === '2026-11-12')!.refundedCents, 3000);
  });

  it('AS-3 a case counts for its holder, else the last agent who decided, and reasons group by kind', () => {
    const t = Date.parse('2026-11-20T10:00:00+08:00');
    const decided: AftersalesHistoryEntry[] = [
      { at: t, status: 'requested', by: 'buyer', reason: 'request' },
      { at: t + H, status: 'rejected', by: 'agent', reason: 'no', agent: 'a2' },
    ];
    const cases = [
      mk(t, { holder: 'a1', reason: 'damaged ' }),
      mk(t, { holder: null, history: decided, reason: 'damaged' }),
      mk(t, { holder: null, kind: 'exchange', reason: 'damaged' }),
    ];
    assert.equal(caseAgent(cases[1]!), 'a2');
    const m = aftersalesMetrics(cases, NOW, 30, TZ);
    assert.deepEqual(
      m.byAgent.map((a) => [a.agent, a.count]).sort(),
      [
        ['a1', 1],
        ['a2', 1],
        [null, 1],
      ].sort(),
    );
    assert.deepEqual(
      m.byReason.map((r) => [r.kind, r.reason, r.count]),
      [
        ['refund-only', 'damaged', 2],
        ['exchange', 'damaged', 1],
      ],
    );
  });

  it('AS-3 a platform that only reported the case did not intervene; one that decided did', () => {
    const t = Date.parse('2026-11-20T10:00:00+08:00');
    const reported = mk(t, { history: [{ at: t, status: 'requested', by: 'platform', reason: 'request' }] });
    const decided = mk(t, {
      history: [
        { at: t, status: 'requested', by: 'buyer', reason: 'request' },
        { at: t + H, status: 'approved', by: 'platform', reason: 'approve' },
      ],
    });
    assert.equal(aftersalesMetrics([reported], NOW, 30, TZ).totals.interventionRate, 0);
    assert.equal(aftersalesMetrics([decided], NOW, 30, TZ).totals.interventionRate, 1);
  });

  it('AS-3 groups add up to the totals, rates stay in [0, 1], the daily series counts every case once', () => {
    const start = aftersalesWindow(NOW, 30, TZ).since;
    const arbCase = fc
      .record({
        at: fc.integer({ min: start - 10 * 24 * H, max: NOW }),
        holder: fc.constantFrom('a1', 'a2', null),
        kind: fc.constantFrom<AftersalesKind>('refund-only', 'exchange'),
        reason: fc.constantFrom('damaged', 'late'),
        finishedAfterH: fc.option(fc.integer({ min: 0, max: 200 }), { nil: undefined }),
        rating: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
        refundedCents: fc.integer({ min: 0, max: 10_000 }),
        auto: fc.boolean(),
      })
      .map((r) =>
        mk(r.at, {
          holder: r.holder,
          kind: r.kind,
          reason: r.reason,
          refundedCents: r.refundedCents,
          ...(r.finishedAfterH !== undefined ? { finishedAfterH: r.finishedAfterH } : {}),
          ...(r.rating !== undefined ? { rating: r.rating } : {}),
          history: [
            { at: r.at, status: 'requested', by: 'buyer', reason: 'request' },
            ...(r.auto
              ? [{ at: r.at + H, status: 'approved' as const, by: 'system' as const, reason: 'deadline' }]
              : []),
          ],
        }),
      );
    fc.assert(
      fc.property(fc.array(arbCase, { maxLength: 40 }), (cases) => {
        const m = aftersalesMetrics(cases, NOW, 30, TZ);
        const inWindow = cases.filter((c) => c.case.openedAt >= start).length;
        assert.equal(m.totals.count, inWindow);
        for (const groups of [m.byAgent, m.byReason]) {
          assert.equal(
            groups.reduce((a, g) => a + g.count, 0),
            m.totals.count,
          );
          assert.equal(
            groups.reduce((a, g) => a + g.refundedCents, 0),
            m.totals.refundedCents,
          );
          assert.equal(
            groups.reduce((a, g) => a + g.finished, 0),
            m.totals.finished,
          );
        }
        assert.equal(
          m.daily.reduce((a, d) => a + d.opened, 0),
          inWindow,
        );
        for (const f of [m.totals, ...m.byAgent, ...m.byReason]) {
          for (const r of [f.processingRate, f.satisfiedShare, f.interventionRate])
            assert.ok(r === null || (r >= 0 && r <= 1));
          if (f.handlingMedianMs !== null) assert.ok(f.handlingMedianMs <= f.handlingP90Ms!);
          if (f.satisfaction !== null) assert.ok(f.satisfaction >= 1 && f.satisfaction <= 5);
        }
      }),
    );
  });
});
