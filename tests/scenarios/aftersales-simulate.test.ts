import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const EXAMPLE = join(root, 'examples/aftersales/scenario.json');

type Line = Record<string, unknown>;

function simulate(scenario: unknown) {
  const dir = mkdtempSync(join(tmpdir(), 'xiaoer-as-sim-'));
  const file = join(dir, 'scenario.json');
  writeFileSync(file, typeof scenario === 'string' ? scenario : JSON.stringify(scenario));
  const r = spawnSync(
    process.execPath,
    [join(root, 'bin/xiaoer.mjs'), 'aftersales', 'simulate', '--scenario', file],
    {
      encoding: 'utf8',
    },
  );
  const lines = r.stdout.trim().split('\n').filter(Boolean);
  return { status: r.status, lines, stderr: r.stderr };
}

function parse(lines: string[]) {
  const parsed = lines.map((l) => JSON.parse(l) as Line);
  const summary = parsed.pop()!.summary as Record<string, unknown>;
  return {
    all: parsed,
    changes: parsed.filter((l) => !('error' in l)),
    errors: parsed.filter((l) => 'error' in l),
    summary,
  };
}

const t = (day: number, hms: string) => `2026-11-${String(day).padStart(2, '0')}T${hms}+08:00`;
const base = {
  timezone: 'Asia/Shanghai',
  products: [
    { id: 'towel', special: false },
    { id: 'cherries', special: true },
  ],
  orders: [
    {
      id: 'o1',
      status: 'shipped',
      items: [{ product: 'towel', quantity: 2, price: 39.9 }],
      paidAt: t(10, '10:00:00'),
      shippedAt: t(11, '10:00:00'),
    },
    {
      id: 'o2',
      status: 'shipped',
      items: [{ product: 'towel', price: 20 }],
      paidAt: t(10, '10:00:00'),
      shippedAt: t(11, '10:00:00'),
    },
    {
      id: 'o3',
      status: 'shipped',
      items: [{ product: 'cherries', price: 128 }],
      paidAt: t(10, '10:00:00'),
      shippedAt: t(11, '10:00:00'),
    },
  ],
};

describe('xiaoer aftersales simulate', () => {
  it('prints one JSON line per state change with the stable fields, then a summary (the shipped example)', () => {
    const { status, lines, stderr } = simulate(JSON.parse(readFileSync(EXAMPLE, 'utf8')));
    assert.equal(status, 0, stderr);
    const { all, changes, errors, summary } = parse(lines);
    for (const c of changes)
      assert.deepEqual(Object.keys(c), ['at', 'case', 'kind', 'status', 'by', 'reason']);
    assert.match(String(changes[0]!.at), /\+08:00$/, 'times in the scenario’s zone');
    const times = all.map((l) => Date.parse(String(l.at)));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
      'lines in time order',
    );
    for (const key of [
      'cases',
      'open',
      'byStatus',
      'autoApproved',
      'autoRefunded',
      'timersFired',
      'timersSuperseded',
      'errors',
    ])
      assert.ok(key in summary, key);
    assert.equal(summary.errors, errors.length);
    const fields = new Set(errors.map((e) => e.field));
    for (const f of ['amount', 'order', 'kind', 'role', 'coupon.validDays', 'status'])
      assert.ok(fields.has(f), `the example shows a refusal naming ${f}`);
    assert.ok(changes.some((c) => c.status === 'approved' && c.by === 'system' && c.reason === 'deadline'));
  });

  it('AS-2 the 48 h boundary on both sides: an answer at 47:59:59 wins; none by 48:00:00 → system/deadline at exactly 48:00:00', () => {
    const { status, lines } = simulate({
      ...base,
      events: [
        {
          at: t(13, '09:00:00'),
          type: 'request',
          case: 'early',
          order: 'o1',
          kind: 'refund-only',
          reason: 'size',
        },
        {
          at: t(13, '09:00:00'),
          type: 'request',
          case: 'late',
          order: 'o2',
          kind: 'refund-only',
          reason: 'size',
        },
        {
          at: t(15, '08:59:59'),
          type: 'agent-reject',
          case: 'early',
          reason: 'used',
          agent: 'li',
          role: 'admin',
        },
        { at: t(15, '09:00:00'), type: 'agent-approve', case: 'late', agent: 'li', role: 'admin' },
      ],
    });
    assert.equal(status, 0);
    const { changes, errors } = parse(lines);
    assert.deepEqual(
      changes.filter((c) => c.case === 'early').map((c) => [c.at, c.status, c.by, c.reason]),
      [
        [t(13, '09:00:00'), 'requested', 'buyer', 'size'],
        [t(15, '08:59:59'), 'rejected', 'agent', 'used'],
      ],
    );
    // the merchant's approval at 48:00:00 is too late: the deadline fired first, at that very second
    assert.deepEqual(
      changes.filter((c) => c.case === 'late' && c.status === 'approved'),
      [
        {
          at: t(15, '09:00:00'),
          case: 'late',
          kind: 'refund-only',
          status: 'approved',
          by: 'system',
          reason: 'deadline',
        },
      ],
    );
    assert.deepEqual(
      errors.map((e) => [e.case, e.field]),
      [['late', 'status']],
    );
    // the superseded deadline of the rejected case never fires; the approved one refunds 7 days on
    assert.deepEqual(
      changes.filter((c) => c.by === 'system').map((c) => [c.case, c.status, c.at]),
      [
        ['late', 'approved', t(15, '09:00:00')],
        ['late', 'refunded', t(22, '09:00:00')],
      ],
    );
  });

  it('AS-2 a return-refund flow with its deadlines: unshipped returns close, overdue refunds are flagged when set so', () => {
    const { status, lines } = simulate({
      ...base,
      settings: { buyerShipDays: 3, merchantRefundDays: 2, overdueRefund: 'flag' },
      events: [
        {
          at: t(12, '10:00:00'),
          type: 'request',
          case: 'ret',
          order: 'o1',
          kind: 'return-refund',
          reason: 'size',
        },
        { at: t(12, '11:00:00'), type: 'agent-approve', case: 'ret' },
        { at: t(13, '11:00:00'), type: 'buyer-ship-return', case: 'ret' },
        { at: t(14, '11:00:00'), type: 'merchant-receive', case: 'ret', agent: 'wang', role: 'agent' },
        {
          at: t(12, '10:00:00'),
          type: 'request',
          case: 'idle',
          order: 'o2',
          kind: 'return-refund',
          reason: 'size',
        },
        { at: t(12, '10:30:00'), type: 'agent-approve', case: 'idle' },
        { at: t(20, '10:00:00'), type: 'refund-done', case: 'ret', agent: 'li', role: 'owner' },
      ],
    });
    assert.equal(status, 0);
    const { changes, summary } = parse(lines);
    assert.deepEqual(
      changes.filter((c) => c.case === 'idle').map((c) => [c.at, c.status, c.by, c.reason]),
      [
        [t(12, '10:00:00'), 'requested', 'buyer', 'size'],
        [t(12, '10:30:00'), 'approved', 'agent', 'approved'],
        [t(12, '10:30:00'), 'awaiting-return', 'agent', 'return-needed'],
        [t(15, '10:30:00'), 'closed', 'system', 'return-not-shipped'],
      ],
    );
    assert.deepEqual(
      changes.filter((c) => c.case === 'ret').map((c) => c.status),
      ['requested', 'approved', 'awaiting-return', 'return-shipped', 'received', 'refunded'],
    );
    assert.equal(summary.flagged, 1, 'the refund due 16 Nov was flagged, not refunded by the system');
    assert.equal(summary.autoRefunded, 0);
    assert.equal(summary.refundedYuan, 79.8);
  });

  it('names the bad field of a malformed scenario and exits 2', () => {
    const ev = (e: object) => ({ ...base, events: [{ at: t(13, '09:00:00'), case: 'c', ...e }] });
    const cases: [unknown, RegExp][] = [
      ['{not json', /scenario\.json/],
      [ev({ type: 'request', order: 'nope', kind: 'refund-only' }), /events\[0\]\.order/],
      [ev({ type: 'request', order: 'o1' }), /events\[0\]\.kind/],
      [ev({ type: 'request', order: 'o1', kind: 'refund-half' }), /events\[0\]\.kind/],
      [ev({ type: 'teleport' }), /events\[0\]\.type/],
      [{ ...ev({ type: 'request', order: 'o1', kind: 'refund-only' }), timezone: 'Mars/Base' }, /timezone/],
      [{ ...base, events: [{ at: '2026-11-13 09:00', type: 'request', case: 'c' }] }, /events\[0\]\.at/],
      [
        { ...base, events: [], orders: [{ ...base.orders[0], items: [{ product: 'ghost' }] }] },
        /orders\[0\]\.items\[0\]\.product/,
      ],
      [{ ...base, events: [], settings: { merchantAnswerHours: -1 } }, /settings\.merchantAnswerHours/],
      [ev({ type: 'escalate' }), /events\[0\]\.to/],
      [ev({ type: 'compensate', amount: 1.234 }), /events\[0\]\.amount/],
    ];
    for (const [scenario, field] of cases) {
      const r = simulate(scenario);
      assert.equal(r.status, 2, JSON.stringify(scenario));
      assert.match(r.stderr, field);
      assert.equal(r.lines.length, 0, 'nothing printed');
    }
  });
});
