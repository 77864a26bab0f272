import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { HOUR } from '../kernel/clock';
import { validateComplianceSettings } from './compliance.types';
import {
  checkPromise,
  compareForSupervisor,
  countPromisesByAgent,
  DEFAULT_PROMISE_CHECK_SETTINGS,
  nextPromiseStatus,
  normalizeCarrier,
  promiseAtRiskAt,
  promiseCheckSettingsOf,
  promiseDueAt,
  sameCarrier,
  PROMISE_STATUSES,
  type PromiseCaseFacts,
  type PromiseOrderFacts,
  type PromiseRow,
  type PromiseStatus,
  type PromiseToCheck,
} from './promise-check';

const T0 = Date.parse('2026-11-25T10:00:00+08:00');
const DUE = Date.parse('2026-11-25T23:59:59.999+08:00');
const LEAD = DEFAULT_PROMISE_CHECK_SETTINGS.leadMs;

const paid: PromiseOrderFacts = { status: 'paid', shippedAt: null, carrier: null, logistics: [] };
const shipped = (at: number, carrier: string | null = '顺丰速运'): PromiseOrderFacts => ({
  status: 'shipped',
  shippedAt: at,
  carrier,
  logistics: [],
});
const shipBy: PromiseToCheck = {
  kind: 'ship-by',
  detail: '今天给您发货',
  dueAt: DUE,
  createdAt: T0,
  orderId: 'T1',
};
const facts = (order: PromiseOrderFacts | undefined, cases: PromiseCaseFacts[] = []) => ({ order, cases });

describe('CMP-4 promises checked (issue #19)', () => {
  it('CMP-4 ship-by: shipped by the due time is kept, at the very due millisecond too', () => {
    assert.deepEqual(checkPromise(shipBy, facts(shipped(DUE - HOUR)), DUE + 5 * HOUR), {
      status: 'kept',
      reason: 'shipped-in-time',
      settledAt: DUE - HOUR,
    });
    assert.equal(checkPromise(shipBy, facts(shipped(DUE)), DUE + 1).status, 'kept');
    // Kept as soon as it is known, long before the due time.
    assert.equal(checkPromise(shipBy, facts(shipped(T0 + HOUR)), T0 + HOUR).status, 'kept');
  });

  it('CMP-4 ship-by: shipped one millisecond late, or not at all past due, is broken', () => {
    assert.deepEqual(checkPromise(shipBy, facts(shipped(DUE + 1)), DUE + 2), {
      status: 'broken',
      reason: 'shipped-late',
      settledAt: DUE + 1,
    });
    assert.deepEqual(checkPromise(shipBy, facts(paid), DUE + 1), {
      status: 'broken',
      reason: 'not-shipped',
      settledAt: DUE,
    });
    // At the due millisecond it can still be kept: at risk, not broken.
    assert.equal(checkPromise(shipBy, facts(paid), DUE).status, 'at-risk');
  });

  it('CMP-4 ship-by: at risk from the lead before due, pending before that', () => {
    assert.deepEqual(checkPromise(shipBy, facts(paid), DUE - LEAD - 1), {
      status: 'pending',
      reason: 'waiting',
    });
    assert.deepEqual(checkPromise(shipBy, facts(paid), DUE - LEAD), {
      status: 'at-risk',
      reason: 'due-soon',
    });
    const tight = promiseCheckSettingsOf({ promiseLeadHours: 1 });
    assert.equal(checkPromise(shipBy, facts(paid), DUE - 2 * HOUR, tight).status, 'pending');
    assert.equal(checkPromise(shipBy, facts(paid), DUE - HOUR, tight).status, 'at-risk');
  });

  it('CMP-4 ship-by: the first tracking scan counts as shipping when the order has no shipped time', () => {
    const scanned: PromiseOrderFacts = {
      status: 'paid',
      shippedAt: null,
      carrier: null,
      logistics: [
        { at: DUE + 3 * HOUR, description: '到达杭州' },
        { at: DUE + HOUR, description: '已揽收' },
      ],
    };
    assert.deepEqual(checkPromise(shipBy, facts(scanned), DUE + 4 * HOUR), {
      status: 'broken',
      reason: 'shipped-late',
      settledAt: DUE + HOUR,
    });
  });

  it('CMP-4 void: no order to check against, or the order closed before it shipped', () => {
    assert.deepEqual(checkPromise({ ...shipBy, orderId: null }, facts(undefined), DUE + 1), {
      status: 'void',
      reason: 'no-order',
    });
    assert.deepEqual(checkPromise(shipBy, facts({ ...paid, status: 'closed' }), DUE + 1), {
      status: 'void',
      reason: 'order-closed',
    });
  });

  it('CMP-4 carrier: names normalised (顺丰 / SF / 顺丰速运 / SF Express; 京东物流 / 京东快递; 邮政 / EMS)', () => {
    for (const name of ['顺丰', 'SF', '顺丰速运', 'SF Express', 'ＳＦ', '顺丰速运有限公司', ' sf-express '])
      assert.equal(normalizeCarrier(name), 'sf', name);
    assert.ok(sameCarrier('京东物流', '京东快递'));
    assert.ok(sameCarrier('邮政', 'EMS'));
    assert.ok(sameCarrier('J&T Express', '极兔速递'));
    assert.ok(!sameCarrier('顺丰', '丰网'));
    assert.ok(!sameCarrier('圆通', '中通'));
    assert.ok(sameCarrier('某某物流', '某某快递'), 'an unknown carrier compares by its bare name');
    assert.ok(!sameCarrier('', ''));
  });

  it('CMP-4 carrier: kept with the promised carrier, broken with another, waiting while unknown', () => {
    const p: PromiseToCheck = { kind: 'carrier', detail: '顺丰', createdAt: T0, orderId: 'T1' };
    assert.equal(checkPromise(p, facts(shipped(T0 + HOUR, 'SF Express')), T0 + HOUR).status, 'kept');
    assert.deepEqual(checkPromise(p, facts(shipped(T0 + HOUR, '中通快递')), T0 + HOUR), {
      status: 'broken',
      reason: 'other-carrier',
      settledAt: T0 + HOUR,
    });
    assert.equal(checkPromise(p, facts(shipped(T0 + HOUR, null)), T0 + 2 * HOUR).status, 'pending');
    assert.equal(
      checkPromise(p, facts(paid), T0 + 30 * 24 * HOUR).status,
      'pending',
      'no due time of its own',
    );
    assert.equal(promiseDueAt(p), undefined);
  });

  it('CMP-4 exchange / refund: kept when a case of that purpose finished as promised by the due time', () => {
    const ex: PromiseToCheck = {
      kind: 'exchange',
      detail: '给您换',
      dueAt: DUE,
      createdAt: T0,
      orderId: 'T1',
    };
    const reshipped: PromiseCaseFacts = { purpose: 'exchange', status: 'reshipped', finishedAt: DUE - HOUR };
    assert.deepEqual(checkPromise(ex, facts(paid, [reshipped]), DUE + HOUR), {
      status: 'kept',
      reason: 'case-done',
      settledAt: DUE - HOUR,
    });
    // 补发 / 重发: a reship case keeps an exchange promise too.
    assert.equal(
      checkPromise(ex, facts(paid, [{ ...reshipped, purpose: 'reship' }]), DUE + HOUR).status,
      'kept',
    );
    // Another purpose, an open case, a rejected one, or finished late: broken once due.
    for (const c of [
      { ...reshipped, purpose: 'refund' as const, status: 'refunded' as const },
      { ...reshipped, status: 'approved' as const, finishedAt: null },
      { ...reshipped, status: 'rejected' as const },
      { ...reshipped, finishedAt: DUE + 1 },
    ])
      assert.deepEqual(checkPromise(ex, facts(paid, [c]), DUE + 2), {
        status: 'broken',
        reason: 'case-not-done',
        settledAt: DUE,
      });
    const refund: PromiseToCheck = { kind: 'refund', detail: '马上退款', createdAt: T0, orderId: 'T1' };
    const window = DEFAULT_PROMISE_CHECK_SETTINGS.windowsMs.refund;
    assert.equal(promiseDueAt(refund), T0 + window, 'no due time said: the default window');
    const refunded: PromiseCaseFacts = { purpose: 'refund', status: 'refunded', finishedAt: T0 + window };
    assert.equal(checkPromise(refund, facts(paid, [refunded]), T0 + window + 1).status, 'kept');
    assert.equal(checkPromise(refund, facts(paid), T0 + window - LEAD).status, 'at-risk');
    assert.equal(checkPromise(refund, facts(paid), T0 + window + 1).status, 'broken');
  });

  it('CMP-4 at-risk is never before the promise was made', () => {
    const soon: PromiseToCheck = { ...shipBy, dueAt: T0 + HOUR };
    assert.equal(promiseAtRiskAt(soon), T0);
    assert.equal(promiseAtRiskAt(shipBy), DUE - LEAD);
  });

  it('CMP-4 stored status: settled stays settled, at-risk is not undone, alerts on at-risk and broken', () => {
    assert.deepEqual(nextPromiseStatus('pending', { status: 'at-risk', reason: 'due-soon' }), {
      status: 'at-risk',
      changed: true,
      alert: true,
    });
    assert.deepEqual(nextPromiseStatus('at-risk', { status: 'at-risk', reason: 'due-soon' }), {
      status: 'at-risk',
      changed: false,
      alert: false,
    });
    assert.deepEqual(nextPromiseStatus('at-risk', { status: 'pending', reason: 'waiting' }), {
      status: 'at-risk',
      changed: false,
      alert: false,
    });
    assert.deepEqual(nextPromiseStatus('at-risk', { status: 'broken', reason: 'not-shipped' }), {
      status: 'broken',
      changed: true,
      alert: true,
    });
    assert.deepEqual(nextPromiseStatus('pending', { status: 'kept', reason: 'shipped-in-time' }), {
      status: 'kept',
      changed: true,
      alert: false,
    });
    for (const settled of ['kept', 'broken', 'void'] as const)
      assert.deepEqual(nextPromiseStatus(settled, { status: 'at-risk', reason: 'due-soon' }), {
        status: settled,
        changed: false,
        alert: false,
      });
  });

  it('CMP-4 ship-by property: kept exactly when it left by the due time; else broken once past due', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 96 * HOUR }),
        fc.option(fc.integer({ min: 0, max: 96 * HOUR }), { nil: null }),
        fc.integer({ min: 0, max: 96 * HOUR }),
        (dueIn, shippedIn, nowIn) => {
          const p: PromiseToCheck = { ...shipBy, dueAt: T0 + dueIn };
          const at = shippedIn === null ? null : T0 + shippedIn;
          const now = Math.max(T0 + nowIn, at ?? 0);
          const order = at === null ? paid : shipped(at);
          const v = checkPromise(p, facts(order), now);
          if (at !== null) assert.equal(v.status, at <= p.dueAt! ? 'kept' : 'broken');
          else if (now > p.dueAt!) assert.equal(v.status, 'broken');
          else assert.equal(v.status, now >= p.dueAt! - LEAD ? 'at-risk' : 'pending');
        },
      ),
    );
  });

  it('CMP-4 property: once a verdict is settled, later checks with the same facts give the same', () => {
    const statuses: PromiseStatus[] = [];
    fc.assert(
      fc.property(
        fc.constantFrom<PromiseToCheck['kind']>('ship-by', 'carrier', 'exchange', 'refund'),
        fc.option(fc.integer({ min: 0, max: 96 * HOUR }), { nil: null }),
        fc.integer({ min: 0, max: 200 * HOUR }),
        fc.integer({ min: 0, max: 200 * HOUR }),
        (kind, doneIn, t1, dt) => {
          const p: PromiseToCheck = { kind, detail: '顺丰', createdAt: T0, orderId: 'T1' };
          const done = doneIn === null ? null : T0 + doneIn;
          const order = done === null ? paid : shipped(done, 'SF');
          const cases: PromiseCaseFacts[] =
            done === null
              ? []
              : [
                  { purpose: 'exchange', status: 'reshipped', finishedAt: done },
                  { purpose: 'refund', status: 'refunded', finishedAt: done },
                ];
          const now1 = Math.max(T0 + t1, done ?? 0);
          const first = checkPromise(p, facts(order, cases), now1);
          const later = checkPromise(p, facts(order, cases), now1 + dt);
          statuses.push(first.status);
          if (first.status === 'kept' || first.status === 'broken') assert.deepEqual(later, first);
        },
      ),
    );
    assert.ok(statuses.includes('kept') && statuses.includes('broken'), 'both outcomes were tried');
  });

  it('CMP-4 counted per agent: made, kept, broken, at risk; kept rate over the settled', () => {
    const rows = [
      { agentId: 'a1', status: 'kept' as const },
      { agentId: 'a1', status: 'broken' as const },
      { agentId: 'a1', status: 'kept' as const },
      { agentId: 'a2', status: 'at-risk' as const },
      { agentId: 'a2', status: 'void' as const },
      { agentId: 'a3', status: 'broken' as const },
      { agentId: 'a3', status: 'broken' as const },
    ];
    const counts = countPromisesByAgent(rows);
    assert.deepEqual(
      counts.map((c) => [c.agentId, c.made, c.kept, c.broken, c.atRisk, c.pending, c.void]),
      [
        ['a3', 2, 0, 2, 0, 0, 0],
        ['a1', 3, 2, 1, 0, 0, 0],
        ['a2', 2, 0, 0, 1, 0, 1],
      ],
    );
    assert.equal(counts[1]!.keptRate, 2 / 3);
    assert.equal(counts[2]!.keptRate, null);
    // Grouped rows (from the database) count as many as they say.
    assert.deepEqual(
      countPromisesByAgent([
        { agentId: 'a', status: 'kept', count: 3 },
        { agentId: 'a', status: 'broken', count: 1 },
      ]).map((c) => [c.made, c.kept, c.broken, c.keptRate]),
      [[4, 3, 1, 0.75]],
    );
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            agentId: fc.constantFrom('a', 'b', 'c'),
            status: fc.constantFrom(...PROMISE_STATUSES),
          }),
        ),
        (list) => {
          const c = countPromisesByAgent(list);
          assert.equal(
            c.reduce((n, x) => n + x.made, 0),
            list.length,
          );
          for (const x of c) assert.equal(x.made, x.kept + x.broken + x.atRisk + x.pending + x.void);
        },
      ),
    );
  });

  it('CMP-4 the supervisor sees at-risk first (soonest due), then broken, then the rest', () => {
    const row = (status: PromiseStatus, dueAt: number, createdAt = T0): PromiseRow => ({
      agentId: 'a',
      status,
      dueAt,
      createdAt,
    });
    const sorted = [
      row('kept', 1),
      row('broken', 5),
      row('pending', 1),
      row('at-risk', 9),
      row('broken', 8),
      row('at-risk', 3),
      row('void', 1),
    ].sort(compareForSupervisor);
    assert.deepEqual(
      sorted.map((r) => [r.status, r.dueAt]),
      [
        ['at-risk', 3],
        ['at-risk', 9],
        ['broken', 8],
        ['broken', 5],
        ['pending', 1],
        ['kept', 1],
        ['void', 1],
      ],
    );
  });

  it('CMP-4 the lead is a shop setting, 1–72 whole hours', () => {
    const base = { platforms: [], customPhrases: [], allowedDomains: [] };
    assert.equal(validateComplianceSettings({ ...base, promiseLeadHours: 6 }).promiseLeadHours, 6);
    for (const bad of [0, 73, 2.5, '4'])
      assert.throws(
        () => validateComplianceSettings({ ...base, promiseLeadHours: bad }),
        (e: Error & { field?: string }) => e.field === 'promiseLeadHours',
      );
    assert.equal(promiseCheckSettingsOf({ promiseLeadHours: 6 }).leadMs, 6 * HOUR);
    assert.equal(promiseCheckSettingsOf({}).leadMs, LEAD);
  });
});
