import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError, HOUR, DAY } from '../kernel';
import { checkProactive } from './cmp6-proactive.rule';
import { DEFAULT_PROACTIVE_SETTINGS } from './compliance.types';

// 10:00 in Shanghai.
const NOW = Date.UTC(2026, 10, 11, 2, 0);
const settings = { ...DEFAULT_PROACTIVE_SETTINGS, maxPerDay: 1, maxPerWeek: 3 };

describe('CMP-6 proactive messages', () => {
  it('CMP-6 passes a first message in the day', () => {
    assert.equal(checkProactive({ sentTimestamps: [], now: NOW, settings }).verdict, 'pass');
    assert.equal(checkProactive({ sentTimestamps: [NOW - 25 * HOUR], now: NOW, settings }).verdict, 'pass');
  });

  it('CMP-6 blocks over the daily cap (a rolling 24 hours) and says when it may go', () => {
    const r = checkProactive({ sentTimestamps: [NOW - 2 * HOUR], now: NOW, settings });
    assert.equal(r.verdict, 'block');
    assert.deepEqual(
      r.findings.map((f) => f.id),
      ['cmp6.daily-cap'],
    );
    assert.equal(r.nextAllowedAt, NOW + 22 * HOUR);
  });

  it('CMP-6 blocks over the weekly cap', () => {
    const sent = [NOW - 2 * DAY, NOW - 3 * DAY, NOW - 5 * DAY];
    const r = checkProactive({ sentTimestamps: sent, now: NOW, settings });
    assert.deepEqual(
      r.findings.map((f) => f.id),
      ['cmp6.weekly-cap'],
    );
    assert.equal(r.nextAllowedAt, NOW + 2 * DAY);
  });

  it('CMP-6 blocks in quiet hours (22:00–08:00 local) and moves the next time to their end', () => {
    const late = Date.UTC(2026, 10, 11, 15, 30); // 23:30 Shanghai
    const r = checkProactive({ sentTimestamps: [], now: late, settings });
    assert.deepEqual(
      r.findings.map((f) => f.id),
      ['cmp6.quiet-hours'],
    );
    assert.equal(r.nextAllowedAt, Date.UTC(2026, 10, 12, 0, 0)); // 08:00 Shanghai
    const early = Date.UTC(2026, 10, 10, 23, 0); // 07:00 Shanghai
    assert.equal(checkProactive({ sentTimestamps: [], now: early, settings }).verdict, 'block');
    assert.equal(
      checkProactive({ sentTimestamps: [], now: early, tz: 'America/New_York', settings }).verdict,
      'pass',
    );
    // Equal start and end switch quiet hours off.
    const off = { ...settings, quietStart: '00:00', quietEnd: '00:00' };
    assert.equal(checkProactive({ sentTimestamps: [], now: late, settings: off }).verdict, 'pass');
  });

  it('CMP-6 a cap of 0 never allows, and bad settings name the field', () => {
    const r = checkProactive({
      sentTimestamps: [],
      now: NOW,
      settings: { ...settings, maxPerDay: 0, maxPerWeek: 0 },
    });
    assert.equal(r.verdict, 'block');
    assert.equal(r.nextAllowedAt, undefined);
    assert.throws(
      () => checkProactive({ sentTimestamps: [], now: NOW, settings: { ...settings, quietEnd: '25:00' } }),
      (e: unknown) => e instanceof DomainError && e.field === 'settings.quietEnd',
    );
  });
});
