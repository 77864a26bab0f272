import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ComplianceLogEntry } from './compliance.guard';
import type { ComplianceRuleId, Finding } from './compliance.types';
import { rulePrecision } from './precision';

const finding = (
  rule: ComplianceRuleId,
  verdict: Finding['verdict'],
  source?: Finding['source'],
): Finding => ({
  rule,
  id: `${rule}.x`,
  verdict,
  reason: { 'zh-CN': '', en: '' },
  span: { start: 0, end: 1 },
  matched: 'x',
  ...(source ? { source } : {}),
});

type Entry = Pick<ComplianceLogEntry, 'action' | 'verdict' | 'rules' | 'findings' | 'review'>;
const entry = (action: Entry['action'], findings: Finding[], review?: Entry['review']): Entry => ({
  action,
  verdict: findings.some((f) => f.verdict === 'block') ? 'block' : 'warn',
  rules: [...new Set(findings.map((f) => f.rule))],
  findings,
  ...(review ? { review } : {}),
});

describe('compliance precision per rule (issue #17)', () => {
  it('lists CMP-1 … CMP-5 and AD-LAW with nothing logged, precision null', () => {
    const rows = rulePrecision([]);
    assert.deepEqual(
      rows.map((r) => r.rule),
      ['CMP-1', 'CMP-2', 'CMP-3', 'CMP-4', 'CMP-5', 'AD-LAW'],
    );
    for (const r of rows) {
      assert.deepEqual(
        [r.blocked, r.confirmed, r.reviewedCorrect, r.reviewedWrong, r.byModel, r.precision],
        [0, 0, 0, 0, 0, null],
      );
    }
  });

  it('counts blocks, confirmed warnings and reviews; precision is correct / reviewed', () => {
    const rows = rulePrecision([
      entry('blocked', [finding('CMP-1', 'block')], 'correct'),
      entry('blocked', [finding('CMP-1', 'block')], 'correct'),
      entry('blocked', [finding('CMP-1', 'block')], 'correct'),
      entry('blocked', [finding('CMP-1', 'block', 'model')], 'wrong'),
      entry('blocked', [finding('CMP-1', 'block')]),
      entry('confirmed', [finding('AD-LAW', 'warn')]),
      entry('confirmed', [finding('AD-LAW', 'warn', 'model')], 'wrong'),
    ]);
    const cmp1 = rows.find((r) => r.rule === 'CMP-1')!;
    assert.deepEqual(cmp1, {
      rule: 'CMP-1',
      blocked: 5,
      confirmed: 0,
      reviewedCorrect: 3,
      reviewedWrong: 1,
      precision: 0.75,
      byModel: 1,
    });
    const adLaw = rows.find((r) => r.rule === 'AD-LAW')!;
    assert.deepEqual(adLaw, {
      rule: 'AD-LAW',
      blocked: 0,
      confirmed: 2,
      reviewedCorrect: 0,
      reviewedWrong: 1,
      precision: 0,
      byModel: 1,
    });
  });

  it('a warning beside a block is not counted with the block (the block stopped the message)', () => {
    const rows = rulePrecision([
      entry('blocked', [finding('CMP-3', 'block'), finding('AD-LAW', 'warn')], 'wrong'),
    ]);
    assert.equal(rows.find((r) => r.rule === 'CMP-3')!.reviewedWrong, 1);
    const adLaw = rows.find((r) => r.rule === 'AD-LAW')!;
    assert.deepEqual([adLaw.blocked, adLaw.reviewedWrong, adLaw.precision], [0, 0, null]);
  });

  it('other rules present follow in rule order; a refused proactive message counts as blocked', () => {
    const rows = rulePrecision([
      entry('proactive_refused', [finding('CMP-6', 'block')]),
      entry('blocked', [finding('CMP-7', 'block')], 'correct'),
    ]);
    assert.deepEqual(
      rows.map((r) => r.rule),
      ['CMP-1', 'CMP-2', 'CMP-3', 'CMP-4', 'CMP-5', 'CMP-6', 'CMP-7', 'AD-LAW'],
    );
    assert.equal(rows.find((r) => r.rule === 'CMP-6')!.blocked, 1);
    assert.equal(rows.find((r) => r.rule === 'CMP-7')!.precision, 1);
  });

  it('an entry without findings of its verdict counts for every rule it names', () => {
    const rows = rulePrecision([{ action: 'blocked', verdict: 'block', rules: ['CMP-5'], findings: [] }]);
    assert.equal(rows.find((r) => r.rule === 'CMP-5')!.blocked, 1);
  });
});
