import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ADLAW_RULES } from './adlaw.rule';
import { createChecker } from './checker';
import { DEFAULT_COMPLIANCE_SETTINGS } from './compliance.types';

const checker = createChecker(DEFAULT_COMPLIANCE_SETTINGS);

describe('issue #17 广告法 absolute claims (AD-LAW)', () => {
  it('every example of the pack warns, with the reason and a softer wording that passes', () => {
    for (const r of ADLAW_RULES)
      for (const text of r.examples) {
        const result = checker.check(text);
        const finding = result.findings.find((f) => f.rule === 'AD-LAW');
        assert.ok(finding, `${r.id}: ${text}`);
        assert.equal(finding.verdict, 'warn');
        assert.match(finding.reason['zh-CN'], /广告法/);
        assert.ok(result.suggestion, `${text}: a suggestion`);
        assert.equal(
          checker.check(result.suggestion).findings.some((f) => f.rule === 'AD-LAW'),
          false,
          `${text} → ${result.suggestion}`,
        );
      }
  });

  it('the claims the issue lists warn', () => {
    for (const text of ['全网最低价', '国家级品质', '史上最好用', '这款是最好的', '100%纯天然，绝对安全'])
      assert.equal(checker.check(text).verdict, 'warn', text);
  });

  it('neutral uses of the same words pass', () => {
    for (const text of [
      '第一时间给您发货',
      '最近的快递网点在您小区门口',
      '这是最后一件了',
      '最快明天到，具体以物流为准',
      '这是今年的最新款',
      '最大码是XXL',
      '最多可以选三件',
      '第一次购买可以领新人券',
      '您最好先量一下腰围再选尺码',
      '面料是100%纯棉的',
      '第二件半价',
      '最火的时候一天卖几百单，现在库存充足',
    ])
      assert.equal(checker.check(text).findings.filter((f) => f.rule === 'AD-LAW').length, 0, text);
  });
});
