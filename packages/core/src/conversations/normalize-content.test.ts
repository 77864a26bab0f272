import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '../kernel';
import { normalizeContent, previewOf } from './conversation.service';
import { MAX_TEXT_LENGTH } from '@xiaoer/protocol/limits';

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof DomainError);
    return error.field;
  }
  assert.fail('expected a DomainError');
}

describe('message content checks', () => {
  it('trims text and rejects empty or oversized text, naming body.text', () => {
    assert.deepEqual(normalizeContent({ kind: 'text', body: { text: '  你好 ' } }), {
      kind: 'text',
      body: { text: '你好' },
    });
    assert.equal(
      fieldOf(() => normalizeContent({ kind: 'text', body: { text: ' \n ' } })),
      'body.text',
    );
    assert.equal(
      fieldOf(() => normalizeContent({ kind: 'text', body: { text: 'a'.repeat(MAX_TEXT_LENGTH + 1) } })),
      'body.text',
    );
    assert.equal(
      normalizeContent({ kind: 'text', body: { text: 'a'.repeat(MAX_TEXT_LENGTH) } }).kind,
      'text',
    );
  });

  it('accepts only our own uploads as images', () => {
    assert.equal(normalizeContent({ kind: 'image', body: { url: '/uploads/0b0c-11' } }).kind, 'image');
    for (const url of ['https://evil.example/x.png', 'javascript:alert(1)', '/uploads/../etc/passwd', '']) {
      assert.equal(
        fieldOf(() => normalizeContent({ kind: 'image', body: { url } })),
        'body.url',
      );
    }
  });

  it('previews cards and images with a tag, text by its start', () => {
    assert.equal(previewOf({ kind: 'image', body: { url: '/uploads/a' } }), '[图片]');
    assert.equal(previewOf({ kind: 'text', body: { text: 'x'.repeat(100) } }).length, 80);
  });
});
