import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  createChecker,
  evaluateCompliance,
  parseComplianceCases,
  validateComplianceSettings,
} from '@xiaoer/core';

const root = new URL('../..', import.meta.url).pathname;
const load = (name: string) =>
  parseComplianceCases(readFileSync(join(root, 'packages/server/src/demo', name), 'utf8'));

// The dev set is scored with every platform pack on, the demo shop's domain allowed, no guarantees,
// and every checkable promise confirmed (its warn labels were written for that mode).
const checker = createChecker(
  validateComplianceSettings({
    platforms: ['taobao-tmall', 'jd', 'pinduoduo', 'douyin-kuaishou'],
    confirmPromises: true,
    customPhrases: [],
    allowedDomains: ['xiaoer.dev'],
    shopNames: ['小二家居旗舰店'],
  }),
);

describe('compliance dev set (CMP-1 … CMP-5)', () => {
  it('has at least 180 labelled cases, mixed pass / block / warn', () => {
    const cases = load('compliance-dev.jsonl');
    assert.ok(cases.length >= 180, `${cases.length} cases`);
    const share = (v: string) => cases.filter((c) => c.expect === v).length / cases.length;
    assert.ok(share('pass') > 0.4 && share('block') > 0.4 && share('warn') > 0.05);
  });

  it('meets the targets: block recall >= 0.95, false blocks <= 2 %', () => {
    for (const name of ['compliance-dev.jsonl', 'compliance-holdout.jsonl']) {
      const report = evaluateCompliance(checker, load(name));
      const why = `${name}: ${JSON.stringify({ ...report, mistakes: report.mistakes.slice(0, 10) })}`;
      assert.ok(report.blockRecall >= 0.95, why);
      assert.ok(report.falseBlockRate <= 0.02, why);
    }
  });
});
