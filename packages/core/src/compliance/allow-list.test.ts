import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../kernel';
import { addToAllowList, flaggedClauses, mergeAllowList } from './allow-list';
import { createChecker } from './checker';
import { MAX_ALLOW_LIST } from '@xiaoer/protocol/limits';
import { DEFAULT_COMPLIANCE_SETTINGS, validateComplianceSettings, type Finding } from './compliance.types';

const finding = (span: Finding['span'], extra: Partial<Finding> = {}): Finding => ({
  rule: 'AD-LAW',
  id: 'adlaw.x',
  verdict: 'warn',
  reason: { 'zh-CN': '', en: '' },
  span,
  matched: '',
  ...extra,
});

describe('the allow list from a supervisor’s review (issue #17)', () => {
  it('takes the clause around each finding, once each by canonical form', () => {
    const text = '亲，这款是全网最低价！放心买～这款是全网最低价';
    const at = (s: string, from = 0) => ({
      start: text.indexOf(s, from),
      end: text.indexOf(s, from) + s.length,
    });
    assert.deepEqual(
      flaggedClauses({
        text,
        findings: [finding(at('全网最低')), finding(at('全网最低', 12)), finding(at('放心'))],
      }),
      ['这款是全网最低价', '放心买'],
    );
  });

  it('takes a model finding’s clause as it matched, and an image code’s from the code', () => {
    assert.deepEqual(
      flaggedClauses({
        text: '[图片二维码] weixin://abc',
        findings: [
          finding({ start: 0, end: 4 }, { source: 'model', matched: ' 保证有效 ' }),
          finding({ start: 0, end: 6 }, { source: 'image_code', code: 'weixin://abc' }),
        ],
      }),
      ['保证有效', 'weixin://abc'],
    );
  });

  it('skips what cannot go on the list: no letters, too long, a span outside the text', () => {
    const long = '好'.repeat(201);
    assert.deepEqual(
      flaggedClauses({
        text: `……，${long}`,
        findings: [
          finding({ start: 0, end: 1 }),
          finding({ start: 3, end: 4 }),
          finding({ start: 0, end: 999 }),
        ],
      }),
      [],
    );
  });

  it('adds only what is new, keeps the list’s own spelling, and stops at the maximum', () => {
    assert.deepEqual(addToAllowList(['全网最低价'], ['全网 最低价', '史上最强']), {
      allowList: ['全网最低价', '史上最强'],
      added: ['史上最强'],
      leftOut: [],
    });
    const full = Array.from({ length: MAX_ALLOW_LIST - 1 }, (_, i) => `句子${i}`);
    const r = addToAllowList(full, ['甲', '句子3', '乙']);
    assert.equal(r.allowList.length, MAX_ALLOW_LIST);
    assert.deepEqual(r.added, ['甲']);
    assert.deepEqual(r.leftOut, ['乙'], 'already listed is not left out');
    // What it makes is a list the settings accept.
    validateComplianceSettings({ ...DEFAULT_COMPLIANCE_SETTINGS, allowList: r.allowList });
  });

  it('what it adds is what the checker then lets pass (a warning), and not a listed block', () => {
    const text = '亲，这款是全网最低价';
    const before = createChecker(DEFAULT_COMPLIANCE_SETTINGS, new FakeClock()).check(text);
    assert.equal(before.verdict, 'warn');
    const { allowList } = addToAllowList([], flaggedClauses({ text, findings: before.findings }));
    const after = createChecker({ ...DEFAULT_COMPLIANCE_SETTINGS, allowList }, new FakeClock());
    assert.equal(after.check(text).verdict, 'pass');

    const banned = '你问我，我问谁？';
    const blocked = createChecker(DEFAULT_COMPLIANCE_SETTINGS, new FakeClock()).check(banned);
    const listed = addToAllowList([], flaggedClauses({ text: banned, findings: blocked.findings }));
    assert.ok(listed.added.length > 0);
    const still = createChecker({ ...DEFAULT_COMPLIANCE_SETTINGS, allowList: listed.allowList });
    assert.equal(still.check(banned).verdict, 'block');
  });

  it('applies a form’s edit to the list as it is now: what a review added meanwhile stays', () => {
    // The form loaded [甲, 乙], removed 乙 and added 丙; a review added 丁 meanwhile.
    assert.deepEqual(mergeAllowList(['甲', '乙', '丁'], ['甲', '乙'], ['甲', '丙']), {
      allowList: ['甲', '丁', '丙'],
      leftOut: [],
    });
    // Compared by canonical form; an edit that changes nothing leaves the current list as it is.
    assert.deepEqual(mergeAllowList(['全网最低价', '丁'], ['全网 最低价'], ['全网最低价']).allowList, [
      '全网最低价',
      '丁',
    ]);
    // Removing what a review has removed already is no error; a full list leaves out the new.
    assert.deepEqual(mergeAllowList(['丁'], ['甲'], []).allowList, ['丁']);
    const full = Array.from({ length: MAX_ALLOW_LIST }, (_, i) => `句子${i}`);
    assert.deepEqual(mergeAllowList(full, [], ['新的']).leftOut, ['新的']);
  });
});
