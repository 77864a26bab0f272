import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findInvalidText, isInvalidText } from './text';

describe('invalid text at the edge (issue #14)', () => {
  it('finds NUL and lone surrogates, and lets every real character through', () => {
    for (const bad of ['\u0000', 'a\u0000b', '\ud800', 'x\udc00', '\udc00\ud800', '😀'.slice(0, 1)])
      assert.equal(isInvalidText(bad), true, JSON.stringify(bad));
    for (const good of ['', '你好', '😀', 'a😀b', '\u0001\t\n', '\uffff', 'Ω'])
      assert.equal(isInvalidText(good), false, JSON.stringify(good));
  });

  it('names the field of the first bad string, keys included', () => {
    assert.equal(findInvalidText({ kind: 'text', body: { text: 'hi\u0000' } }), 'body.text');
    assert.equal(findInvalidText({ similar: ['ok', 'bad\ud800'] }), 'similar.1');
    assert.equal(findInvalidText([{ id: 'a' }, { id: '\udfff' }]), '1.id');
    assert.equal(findInvalidText({ ['k\u0000']: 1 }), 'k\u0000');
    assert.equal(findInvalidText('\u0000', 'csv'), 'csv');
    assert.equal(findInvalidText({ a: 1, b: null, c: [true, '好'] }), undefined);
  });
});
