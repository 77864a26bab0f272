import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dayMetrics, type BuyerDayFacts, type ResponseBuckets } from './figures';
import { dayBounds, RESPONSE_BUCKETS_MS } from './ledger';
import { DEFAULT_METRICS_SETTINGS } from './metrics.types';
import { dayClosesAt, dayCounts, daySpan, rollupBasis, trendDay } from './trend';

const TZ = 'Asia/Shanghai';
const DAY = '2026-11-25';
const at = (hhmm: string, day = DAY) => Date.parse(`${day}T${hhmm}:00+08:00`);

/** A small seeded random source, so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Buyer-day facts and response buckets of one day, drawn at random. */
function drawDay(rand: () => number): { rows: BuyerDayFacts[]; responses: ResponseBuckets[] } {
  const start = at('00:00');
  const rows: BuyerDayFacts[] = Array.from({ length: 80 }, (_, i) => {
    const firstAt = start + Math.floor(rand() * 86_400_000);
    const windowAt = rand() < 0.8 ? firstAt + Math.floor(rand() * 600_000) : null;
    const repliedAt = windowAt !== null && rand() < 0.8 ? windowAt + Math.floor(rand() * 900_000) : null;
    return {
      day: DAY,
      buyerId: `b${i}`,
      conversationId: `c${i}`,
      firstAt,
      windowAt,
      repliedAt,
      repliedBy: repliedAt === null ? null : 'a1',
      spam: rand() < 0.1,
      segment: rand() < 0.3 ? 'after' : 'pre',
      agentId: 'a1',
      paidAt: rand() < 0.25 ? firstAt + 3_600_000 : null,
    };
  });
  const responses: ResponseBuckets[] = ['a1', 'a2', 'bot'].flatMap((responder) =>
    [true, false].map((first) => ({
      responder,
      first,
      counts: Array.from({ length: RESPONSE_BUCKETS_MS.length + 1 }, () => Math.floor(rand() * 4)),
      sumMs: Math.floor(rand() * 5_000_000),
    })),
  );
  return { rows, responses };
}

describe('issue #20: the trend row from a day’s counts', () => {
  it('MET-1 … MET-4 the counts make the same row as the day figures, before and after the day closes', () => {
    const rand = random(20261125);
    for (let n = 0; n < 20; n++) {
      const { rows, responses } = drawDay(rand);
      // During the day (pending consultations), the next morning, and once closed.
      for (const now of [at('12:00'), at('09:00', '2026-11-26'), at('00:00', '2026-11-29')]) {
        const f = dayMetrics({
          date: DAY,
          timeZone: TZ,
          settings: DEFAULT_METRICS_SETTINGS,
          now,
          rows,
          responses,
          ratings: [],
          reviews: [],
          agentNames: new Map(),
        });
        const span = daySpan(DAY, DEFAULT_METRICS_SETTINGS, TZ);
        assert.deepEqual(
          trendDay(DAY, dayCounts(rows, responses, DEFAULT_METRICS_SETTINGS, now), now < span.attributionEnd),
          {
            date: DAY,
            consultations: f.shop.consultations,
            inquiries: f.shop.inquiries,
            replyRate: f.shop.replyRate,
            avgResponseMs: f.shop.response.avgMs,
            conversionRate: f.shop.conversion.rate,
            provisional: f.shop.conversion.provisional,
          },
        );
      }
    }
  });

  it('MET-3 a day closes when its conversion is final; MET-1 not before its last consultation is decided', () => {
    const span = daySpan(DAY, DEFAULT_METRICS_SETTINGS, TZ);
    assert.equal(span.start, at('00:00'));
    assert.equal(span.end, dayBounds('2026-11-26', TZ).start);
    assert.equal(dayClosesAt(span, DEFAULT_METRICS_SETTINGS), at('00:00', '2026-11-28'));
    // One attribution day and 60 reply minutes: a consultation at 23:58 is decided at 00:58.
    const settings = {
      ...DEFAULT_METRICS_SETTINGS,
      windowEnd: '23:59',
      attributionDays: 1,
      replyMinutes: 60,
    };
    const closes = dayClosesAt(daySpan(DAY, settings, TZ), settings);
    assert.equal(closes, at('01:00', '2026-11-26'));
    const late: BuyerDayFacts = {
      day: DAY,
      buyerId: 'b',
      conversationId: 'c',
      firstAt: at('23:58'),
      windowAt: at('23:58'),
      repliedAt: null,
      repliedBy: null,
      spam: false,
      segment: 'pre',
      agentId: null,
      paidAt: null,
    };
    assert.equal(dayCounts([late], [], settings, at('00:00', '2026-11-26')).pending, 1);
    assert.equal(dayCounts([late], [], settings, closes).pending, 0);
  });

  it('the basis changes with what the counts depend on, not with the score weights', () => {
    const base = rollupBasis(DEFAULT_METRICS_SETTINGS, TZ);
    assert.notEqual(rollupBasis(DEFAULT_METRICS_SETTINGS, 'Europe/Berlin'), base);
    for (const change of [
      { replyMinutes: 10 },
      { attributionDays: 5 },
      { windowStart: '09:00' },
      { windowEnd: '22:00' },
      { holdingLinesCount: false },
    ])
      assert.notEqual(
        rollupBasis({ ...DEFAULT_METRICS_SETTINGS, ...change }, TZ),
        base,
        JSON.stringify(change),
      );
    assert.equal(
      rollupBasis(
        {
          ...DEFAULT_METRICS_SETTINGS,
          threshold: 0.5,
          weights: { ...DEFAULT_METRICS_SETTINGS.weights, quality: 0 },
        },
        TZ,
      ),
      base,
    );
  });
});
