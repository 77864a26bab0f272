import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createChecker } from './checker';
import { validateComplianceSettings } from './compliance.types';
import { evaluateCompliance, parseComplianceCases } from './evaluate';

const checker = createChecker(
  validateComplianceSettings({
    platforms: ['jd'],
    customPhrases: [],
    allowedDomains: [],
    confirmPromises: true,
  }),
);

describe('compliance eval', () => {
  it('counts block recall and precision, false blocks, per-rule recall and the mistakes', () => {
    const report = evaluateCompliance(checker, [
      { text: '你问我，我问谁', expect: 'block', rule: 'CMP-1' },
      { text: '你有病吧', expect: 'block', rule: 'CMP-2' },
      { text: '您好，欢迎光临', expect: 'block', rule: 'CMP-1' },
      { text: '发票已经开好了', expect: 'pass', rule: null },
      { text: '不开发票', expect: 'pass', rule: null },
      { text: '明天给您发顺丰', expect: 'warn', rule: 'CMP-4' },
    ]);
    assert.equal(report.cases, 6);
    assert.equal(report.blockRecall, 0.667);
    assert.equal(report.blockPrecision, 0.667);
    assert.equal(report.falseBlockRate, 0.5);
    assert.equal(report.warnRecall, 1);
    assert.deepEqual(report.perRule, [
      { rule: 'CMP-1', recall: 0.5, n: 2 },
      { rule: 'CMP-2', recall: 1, n: 1 },
      { rule: 'CMP-4', recall: 1, n: 1 },
    ]);
    assert.deepEqual(
      report.mistakes.map((m) => [m.text, m.expect, m.got]),
      [
        ['您好，欢迎光临', 'block', 'pass'],
        ['不开发票', 'pass', 'block'],
      ],
    );
  });

  it('parses dev-set lines and names the line of a bad one', () => {
    assert.deepEqual(parseComplianceCases('{"text":"x","expect":"pass","rule":null}\n\n'), [
      { text: 'x', expect: 'pass', rule: null },
    ]);
    assert.throws(() => parseComplianceCases('{"text":"x","expect":"pass"}\nnope'), /line 2/);
    assert.throws(() => parseComplianceCases('{"text":"x","expect":"maybe"}'), /line 1: expect/);
    assert.throws(() => parseComplianceCases('{"text":"x","expect":"block","rule":"CMP-9"}'), /line 1: rule/);
  });
});
