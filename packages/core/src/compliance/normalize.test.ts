import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonical, normalize, originalSpan, toSimplifiedChar } from './normalize';

describe('compliance normalisation', () => {
  it('CMP-1 folds spaces, punctuation, full-width, case and zero-width characters away', () => {
    assert.equal(canonical('你 问 我，我 问 谁？'), '你问我我问谁');
    assert.equal(canonical('你问我.我问谁'), '你问我我问谁');
    assert.equal(canonical('ＱＱ：１２３'), 'qq123');
    assert.equal(canonical('你\u200b问\u200c我\u200d我\u2060问\ufeff谁\u00ad'), '你问我我问谁');
    assert.equal(canonical('😀你🙂问我！！我问谁～'), '你问我我问谁');
  });

  it('CMP-1 maps traditional characters to simplified (opencc-js character tables)', () => {
    assert.equal(canonical('妳問我，我問誰'), '你问我我问谁');
    assert.equal(canonical('這是規定，沒辦法'), '这是规定没办法');
    assert.equal(canonical('發票要另加稅點'), '发票要另加税点');
    // Regional variants go through their standard form; simplified text is left alone.
    assert.equal(toSimplifiedChar('裡'), '里');
    assert.equal(canonical('什么么'), '什么么');
  });

  it('CMP-2 folds Cyrillic and Greek look-alikes and combining marks to Latin', () => {
    assert.equal(canonical('ѕb'), 'sb');
    assert.equal(canonical('vх'), 'vx');
    assert.equal(canonical('ΑΒС'), 'abc');
    assert.equal(canonical('s\u0308b'), 'sb');
  });

  it('CMP-3 reads circled, full-width and Chinese digits as digits in the loose view', () => {
    assert.equal(normalize('①③⑧', 'loose').text, '138');
    assert.equal(normalize('壹叁捌 一三九〇', 'loose').text, '1381390');
    assert.equal(normalize('abc。com', 'loose').text, 'abc.com');
    // The flat view keeps Chinese numerals as words ("一定" is no number).
    assert.equal(canonical('一定'), '一定');
  });

  it('maps every canonical character back to its span in the original text', () => {
    const text = '亲，你 问 我，我 問 誰？好的';
    const n = normalize(text);
    const i = n.text.indexOf('你问我我问谁');
    const span = originalSpan(n, i, i + 6);
    assert.equal(text.slice(span.start, span.end), '你 问 我，我 問 誰');
    const wide = 'ｓｂ买家';
    const w = normalize(wide);
    assert.deepEqual(originalSpan(w, 0, 2), { start: 0, end: 2 });
    // An expansion (㎏ → kg) maps both letters to the one original character.
    const kg = normalize('5㎏');
    assert.equal(kg.text, '5kg');
    assert.deepEqual(originalSpan(kg, 1, 3), { start: 1, end: 2 });
  });

  it('marks clause breaks where punctuation was removed, not where spaces were', () => {
    const n = normalize('这是规则。说明 页');
    assert.equal(n.text, '这是规则说明页');
    assert.equal(n.breakBefore[4], 1);
    assert.equal(n.breakBefore[6], 0);
    assert.equal(n.gapBefore[6], 1);
    assert.equal(n.breakBefore[n.text.length], 1);
  });

  it('never throws: lone surrogates, astral characters, control characters, huge text', () => {
    assert.equal(canonical('\uD800a\uDC00b\u0000c𝟏'), 'abc1');
    assert.doesNotThrow(() => normalize('\uDFFF'.repeat(1000), 'loose'));
    const long = '你好，亲'.repeat(50_000);
    assert.equal(normalize(long).text.length, 150_000);
  });
});
