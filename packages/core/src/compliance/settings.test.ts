import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '../kernel';
import { validateComplianceSettings, validateProactiveSettings } from './compliance.types';

const ok = {
  platforms: ['taobao-tmall', 'jd'],
  customPhrases: [{ phrase: ' 亲爱的 ', verdict: 'warn' }],
  allowedDomains: ['Shop.Example.com'],
};

function fails(input: unknown, field: string) {
  assert.throws(
    () => validateComplianceSettings(input),
    (e: unknown) => e instanceof DomainError && e.code === 'validation_failed' && e.field === field,
    `expected a validation error naming ${field}`,
  );
}

describe('compliance settings (rule-pack edits)', () => {
  it('accepts a good edit and returns a clean copy', () => {
    const s = validateComplianceSettings(ok);
    assert.deepEqual(s.platforms, ['taobao-tmall', 'jd']);
    assert.deepEqual(s.customPhrases, [{ phrase: '亲爱的', verdict: 'warn' }]);
    assert.deepEqual(s.allowedDomains, ['shop.example.com']);
    assert.deepEqual(s.shopNames, []);
  });

  it('names the field of an unknown or repeated pack', () => {
    fails({ ...ok, platforms: ['taobao-tmall', 'amazon'] }, 'platforms[1]');
    fails({ ...ok, platforms: ['jd', 'jd'] }, 'platforms[1]');
    fails({ ...ok, platforms: 'jd' }, 'platforms');
  });

  it('names the field of an empty, too long, duplicate or bad phrase', () => {
    fails({ ...ok, customPhrases: [{ phrase: '  ', verdict: 'block' }] }, 'customPhrases[0].phrase');
    fails(
      { ...ok, customPhrases: [{ phrase: '好'.repeat(51), verdict: 'block' }] },
      'customPhrases[0].phrase',
    );
    fails({ ...ok, customPhrases: [{ phrase: '！！！', verdict: 'block' }] }, 'customPhrases[0].phrase');
    // Duplicates once normalised: spacing, width and traditional forms do not make a new phrase.
    fails(
      {
        ...ok,
        customPhrases: [
          { phrase: '加微', verdict: 'block' },
          { phrase: '加 微', verdict: 'warn' },
        ],
      },
      'customPhrases[1].phrase',
    );
    fails(
      {
        ...ok,
        customPhrases: [
          { phrase: '發票', verdict: 'block' },
          { phrase: '发票', verdict: 'block' },
        ],
      },
      'customPhrases[1].phrase',
    );
    fails({ ...ok, customPhrases: [{ phrase: '亲爱的', verdict: 'maybe' }] }, 'customPhrases[0].verdict');
    fails(
      { ...ok, customPhrases: [{ phrase: '亲爱的', verdict: 'warn', reason: 'x'.repeat(201) }] },
      'customPhrases[0].reason',
    );
    fails({ ...ok, customPhrases: ['亲爱的'] }, 'customPhrases[0]');
  });

  it('names the field of a bad or repeated domain', () => {
    fails({ ...ok, allowedDomains: ['https://shop.example.com'] }, 'allowedDomains[0]');
    fails({ ...ok, allowedDomains: ['shop.example.com/path'] }, 'allowedDomains[0]');
    fails({ ...ok, allowedDomains: ['localhost'] }, 'allowedDomains[0]');
    fails({ ...ok, allowedDomains: ['-bad.com'] }, 'allowedDomains[0]');
    fails({ ...ok, allowedDomains: ['a.com', 'A.com'] }, 'allowedDomains[1]');
  });

  it('names the field of bad shop names, guarantees and proactive settings', () => {
    fails({ ...ok, shopNames: [''] }, 'shopNames[0]');
    fails({ ...ok, guarantees: ['假一赔十', '假一赔十'] }, 'guarantees[1]');
    fails(
      { ...ok, proactive: { maxPerDay: 1.5, maxPerWeek: 3, quietStart: '22:00', quietEnd: '08:00' } },
      'proactive.maxPerDay',
    );
    fails(
      { ...ok, proactive: { maxPerDay: 3, maxPerWeek: 2, quietStart: '22:00', quietEnd: '08:00' } },
      'proactive.maxPerWeek',
    );
    fails(
      { ...ok, proactive: { maxPerDay: 1, maxPerWeek: 3, quietStart: '24:00', quietEnd: '08:00' } },
      'proactive.quietStart',
    );
    fails(
      { ...ok, proactive: { maxPerDay: 1, maxPerWeek: 3, quietStart: '22:00', quietEnd: '8:00' } },
      'proactive.quietEnd',
    );
    fails(null, 'settings');
    assert.deepEqual(
      validateProactiveSettings({ maxPerDay: 0, maxPerWeek: 0, quietStart: '00:00', quietEnd: '00:00' }),
      {
        maxPerDay: 0,
        maxPerWeek: 0,
        quietStart: '00:00',
        quietEnd: '00:00',
      },
    );
  });
});
