import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TZDate } from '@date-fns/tz';
import { bucketOf, localMinutes, quantileFromBuckets, RESPONSE_BUCKETS_MS } from './ledger';
import {
  applyMessage,
  localDay,
  touchedDays,
  type BuyerDay,
  type ConversationTiming,
  type MetricMessage,
  type ResponseSample,
} from './ledger';
import { dayMetrics, replyRateAlert, type BuyerDayFacts, type ResponseBuckets } from './figures';
import { DEFAULT_METRICS_SETTINGS, validateMetricsSettings, type MetricsSettings } from './metrics.types';

const TZ = 'Asia/Shanghai';
const DAY = '2026-11-25';
/** A moment on the test day, local time "HH:MM[:SS]". */
const at = (hhmmss: string, day = DAY) =>
  Date.parse(`${day}T${hhmmss.length === 5 ? `${hhmmss}:00` : hhmmss}+08:00`);

/** Replays messages through the ledger as the server does, and returns what it would store. */
function replay(messages: MetricMessage[], settings: MetricsSettings = DEFAULT_METRICS_SETTINGS) {
  const rows = new Map<string, BuyerDay>();
  const timings = new Map<string, ConversationTiming>();
  const samples: ResponseSample[] = [];
  for (const m of [...messages].sort((a, b) => a.at - b.at)) {
    const touched = touchedDays(m, TZ).flatMap((d) => rows.get(`${d}|${m.buyerId}`) ?? []);
    const effect = applyMessage(m, touched, timings.get(m.conversationId), settings, TZ);
    for (const r of effect.buyerDays) rows.set(`${r.day}|${r.buyerId}`, r);
    timings.set(m.conversationId, effect.timing);
    if (effect.response) samples.push(effect.response);
  }
  return { rows: [...rows.values()], timings, samples };
}

function buckets(samples: ResponseSample[], day = DAY): ResponseBuckets[] {
  const out = new Map<string, ResponseBuckets>();
  for (const s of samples.filter((x) => x.day === day)) {
    const k = `${s.responder}|${s.first}`;
    const b = out.get(k) ?? {
      responder: s.responder,
      first: s.first,
      counts: new Array<number>(RESPONSE_BUCKETS_MS.length + 1).fill(0),
      sumMs: 0,
    };
    b.counts[bucketOf(s.ms)]!++;
    b.sumMs += s.ms;
    out.set(k, b);
  }
  return [...out.values()];
}

function figures(
  messages: MetricMessage[],
  opts: {
    now?: number;
    spam?: string[];
    after?: string[];
    paid?: Record<string, number>;
    settings?: MetricsSettings;
    agents?: Record<string, string>;
  } = {},
) {
  const settings = opts.settings ?? DEFAULT_METRICS_SETTINGS;
  const { rows, samples } = replay(messages, settings);
  const facts: BuyerDayFacts[] = rows
    .filter((r) => r.day === DAY)
    .map((r) => ({
      ...r,
      spam: opts.spam?.includes(r.buyerId) ?? false,
      segment: opts.after?.includes(r.buyerId) ? 'after' : 'pre',
      agentId: opts.agents?.[r.buyerId] ?? null,
      paidAt: opts.paid?.[r.buyerId] ?? null,
    }));
  return dayMetrics({
    date: DAY,
    timeZone: TZ,
    settings,
    now: opts.now ?? at('23:59:59'),
    rows: facts,
    responses: buckets(samples),
    ratings: [],
    reviews: [],
    agentNames: new Map([
      ['a1', '小美'],
      ['a2', '阿强'],
    ]),
  });
}

const buyer = (id: string, time: string, conversationId = `c-${id}`, day = DAY): MetricMessage => ({
  conversationId,
  buyerId: id,
  sender: 'buyer',
  agentId: null,
  at: at(time, day),
});
const agent = (
  id: string,
  time: string,
  agentId = 'a1',
  conversationId = `c-${id}`,
  day = DAY,
): MetricMessage => ({
  conversationId,
  buyerId: id,
  sender: 'agent',
  agentId,
  at: at(time, day),
});
const bot = (id: string, time: string): MetricMessage => ({
  conversationId: `c-${id}`,
  buyerId: id,
  sender: 'bot',
  agentId: null,
  at: at(time),
});

describe('MET-1 / MET-2 golden figures (Asia/Shanghai, window 08:00–23:00, 5 minutes)', () => {
  it('MET-2 a buyer at 07:59 or at 23:01 inquires but does not consult; 08:00 and 22:59 consult', () => {
    const f = figures([
      buyer('early', '07:59'),
      buyer('late', '23:01'),
      buyer('open', '08:00'),
      buyer('close', '22:59'),
    ]);
    assert.equal(f.shop.inquiries, 4);
    assert.equal(f.shop.consultations, 2);
    assert.deepEqual(
      f.byHour.filter((h) => h.consultations > 0).map((h) => h.hour),
      [8, 22],
    );
    assert.equal(f.byHour[7]!.inquiries, 1);
    assert.equal(f.byHour[23]!.inquiries, 1);
  });

  it('MET-1 a reply at 4:59 counts, at 5:01 it does not', () => {
    const f = figures([
      buyer('fast', '10:00:00'),
      agent('fast', '10:04:59'),
      buyer('slow', '10:00:00'),
      agent('slow', '10:05:01'),
    ]);
    assert.equal(f.shop.consultations, 2);
    assert.equal(f.shop.replied, 1);
    assert.equal(f.shop.replyRate, 0.5);
  });

  it('MET-1 a buyer who writes twice in a day is one consultation, timed from the first in-window message', () => {
    const f = figures([buyer('b', '07:30'), buyer('b', '09:00'), agent('b', '09:03'), buyer('b', '15:00')]);
    assert.equal(f.shop.inquiries, 1);
    assert.equal(f.shop.consultations, 1);
    assert.equal(f.shop.replied, 1, 'timed from 09:00, not 07:30');
  });

  it('SPAM-1 a suspected-spam buyer is excluded from every count', () => {
    const f = figures([buyer('ok', '10:00'), agent('ok', '10:01'), buyer('spam', '10:00')], {
      spam: ['spam'],
    });
    assert.equal(f.shop.consultations, 1);
    assert.equal(f.shop.inquiries, 1);
    assert.equal(f.shop.replyRate, 1);
  });

  it('MET-1 a message while the shop is offline counts: unanswered, it is pending for 5 minutes, then missed', () => {
    const messages = [buyer('night', '08:30')];
    const pending = figures(messages, { now: at('08:33') });
    assert.equal(pending.shop.consultations, 1);
    assert.equal(pending.shop.pending, 1);
    assert.equal(pending.shop.replyRate, null, 'nothing decided yet');
    const missed = figures(messages, { now: at('08:36') });
    assert.equal(missed.shop.pending, 0);
    assert.equal(missed.shop.replyRate, 0);
  });

  it('MET-1 a bot reply answers the consultation', () => {
    const f = figures([buyer('b', '12:00'), bot('b', '12:00:02')]);
    assert.equal(f.shop.replyRate, 1);
    assert.equal(f.shop.response.n, 1);
  });

  it('MET-1 issue #15 the bot’s holding line counts as the reply only when the shop says so (default, the platforms’ rule)', () => {
    const holding = { ...bot('b', '12:00:02'), holding: true };
    const messages = [buyer('b', '12:00'), holding, agent('b', '12:07')];
    const counted = figures(messages);
    assert.equal(counted.shop.replyRate, 1, 'default: automatic replies count');
    assert.equal(counted.shop.firstResponse.avgMs, 2_000);
    const strict = figures(messages, { settings: { ...DEFAULT_METRICS_SETTINGS, holdingLinesCount: false } });
    assert.equal(strict.shop.replyRate, 0, 'the person came after 7 minutes');
    assert.equal(strict.shop.firstResponse.avgMs, 7 * 60_000, 'timed to the real answer');
    assert.equal(strict.shop.response.n, 1);
    // A real bot answer counts either way.
    const answered = figures([buyer('b', '12:00'), bot('b', '12:00:02')], {
      settings: { ...DEFAULT_METRICS_SETTINGS, holdingLinesCount: false },
    });
    assert.equal(answered.shop.replyRate, 1);
  });

  it('MET-1 a consultation just before midnight answered just after is answered (window to 23:59)', () => {
    const settings = { ...DEFAULT_METRICS_SETTINGS, windowStart: '00:00', windowEnd: '23:59' };
    const { rows } = replay(
      [buyer('b', '23:58:30'), agent('b', '00:00:30', 'a1', 'c-b', '2026-11-26')],
      settings,
    );
    const row = rows.find((r) => r.day === DAY)!;
    assert.equal(row.repliedAt, at('00:00:30', '2026-11-26'));
    assert.equal(localDay(row.repliedAt!, TZ), '2026-11-26');
  });
});

describe('MET-3 / MET-4 / MET-6', () => {
  it('MET-4 first response and average response per buyer turn, with p50/p90', () => {
    const f = figures([
      buyer('b', '10:00:00'),
      agent('b', '10:00:30'), // first response 30 s
      buyer('b', '10:01:00'),
      buyer('b', '10:01:10'), // the same turn
      agent('b', '10:01:40'), // 40 s from the turn's first message
    ]);
    assert.equal(f.shop.firstResponse.avgMs, 30_000);
    assert.equal(f.shop.firstResponse.n, 1);
    assert.equal(f.shop.response.avgMs, 35_000);
    assert.equal(f.shop.response.n, 2);
    const p50 = f.shop.response.p50Ms!;
    assert.ok(p50 >= 30_000 && p50 <= 45_000, `p50 ${p50} lies in the 30–45 s bucket`);
    assert.equal(f.agents[0]!.avgResponseMs, 35_000);
    assert.equal(f.agents[0]!.firstResponseMs, 30_000);
  });

  it('MET-3 conversion: paid within the attribution window converts; provisional until day D + 3', () => {
    const messages = [
      buyer('buys', '10:00'),
      agent('buys', '10:01'),
      buyer('looks', '11:00'),
      agent('looks', '11:01'),
    ];
    const paid = { buys: at('20:00', '2026-11-27') };
    const early = figures(messages, { paid, now: at('12:00', '2026-11-27') });
    assert.equal(early.shop.conversion.rate, 0.5);
    assert.equal(early.shop.conversion.provisional, true);
    const final = figures(messages, { paid, now: at('00:00:01', '2026-11-28') });
    assert.equal(final.shop.conversion.provisional, false);
  });

  it('MET-6 agents are scored and ranked apart for pre-sales and after-sales', () => {
    const f = figures(
      [
        buyer('p1', '10:00'),
        agent('p1', '10:00:10', 'a1'),
        buyer('p2', '10:00'),
        agent('p2', '10:04', 'a2'),
        buyer('s1', '10:00'),
        agent('s1', '10:01', 'a2'),
      ],
      { after: ['s1'], paid: { p1: at('12:00') } },
    );
    const pre = f.agents.filter((r) => r.segment === 'pre');
    const after = f.agents.filter((r) => r.segment === 'after');
    assert.deepEqual(
      pre.map((r) => [r.name, r.rank]),
      [
        ['小美', 1],
        ['阿强', 2],
      ],
    );
    assert.deepEqual(
      after.map((r) => [r.name, r.rank]),
      [['阿强', 1]],
    );
    assert.ok(pre[0]!.score! > pre[1]!.score!);
  });

  it('MET-4 / MET-1 per group: the members’ consultations and replies, an agent in two groups in both', () => {
    const { rows, samples } = replay([
      buyer('x', '10:00'),
      agent('x', '10:01', 'a1'),
      buyer('y', '10:00'),
      agent('y', '10:07', 'a2'),
      buyer('z', '10:00'),
      bot('z', '10:00:05'),
    ]);
    const f = dayMetrics({
      date: DAY,
      timeZone: TZ,
      settings: DEFAULT_METRICS_SETTINGS,
      now: at('23:00'),
      rows: rows.map((r) => ({ ...r, spam: false, segment: 'pre' as const, agentId: null, paidAt: null })),
      responses: buckets(samples),
      ratings: [],
      reviews: [],
      agentNames: new Map(),
      groups: [
        { id: 'all', name: '全部客服', agentIds: ['a1', 'a2'] },
        { id: 'fast', name: '售前组', agentIds: ['a1'] },
      ],
    });
    assert.deepEqual(
      f.groups.map((g) => [g.groupId, g.consultations, g.replied, g.replyRate, g.avgResponseMs]),
      [
        ['all', 2, 1, 0.5, 240_000],
        ['fast', 1, 1, 1, 60_000],
      ],
    );
    assert.equal(f.shop.consultations, 3, 'the bot’s consultation counts for the shop, not for a group');
  });

  it('MET-5 the alert names the waiting buyers when missing them would sink the rate below the threshold', () => {
    const { rows } = replay([
      buyer('done', '10:00'),
      agent('done', '10:01'),
      buyer('w1', '10:02'),
      buyer('w2', '10:03'),
    ]);
    const facts = rows.map((r) => ({
      ...r,
      spam: false,
      segment: 'pre' as const,
      agentId: null,
      paidAt: null,
    }));
    const alert = replyRateAlert(DAY, facts, DEFAULT_METRICS_SETTINGS, at('10:05'));
    assert.ok(alert);
    assert.equal(alert.projectedRate, 0.3333);
    assert.deepEqual(
      alert.atRisk.map((r) => [r.buyerId, r.secondsLeft]),
      [
        ['w1', 120],
        ['w2', 180],
      ],
    );
    // Answered in time, nothing is at risk any more.
    assert.equal(replyRateAlert(DAY, facts.slice(0, 1), DEFAULT_METRICS_SETTINGS, at('10:05')), null);
  });
});

describe('metrics building blocks', () => {
  it('local day and minutes agree with @date-fns/tz in zones with DST and odd offsets', () => {
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (const zone of ['Asia/Shanghai', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu']) {
      for (let i = 0; i < 3000; i++) {
        const t = Date.UTC(2025, 0, 1) + Math.floor(rand() * 2 * 365 * 86_400_000);
        const d = new TZDate(t, zone);
        const day = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
        assert.equal(localDay(t, zone), day, `${zone} ${new Date(t).toISOString()}`);
        assert.equal(
          localMinutes(t, zone),
          d.getHours() * 60 + d.getMinutes(),
          `${zone} ${new Date(t).toISOString()}`,
        );
      }
    }
  });

  it('reads quantiles from buckets by interpolation', () => {
    const counts = new Array<number>(RESPONSE_BUCKETS_MS.length + 1).fill(0);
    counts[bucketOf(2_500)] = 10; // all in 2–3 s
    assert.equal(quantileFromBuckets(counts, 0.5), 2_500);
    assert.equal(quantileFromBuckets(counts, 1), 3_000);
    assert.equal(quantileFromBuckets(new Array(counts.length).fill(0), 0.5), null);
    assert.equal(bucketOf(10 * 3_600_000), RESPONSE_BUCKETS_MS.length);
  });

  it('validates holdingLinesCount (absent: the default, as settings saved before it)', () => {
    const { holdingLinesCount: _h, ...before } = DEFAULT_METRICS_SETTINGS;
    assert.equal(validateMetricsSettings(before).holdingLinesCount, true);
    assert.equal(validateMetricsSettings({ ...before, holdingLinesCount: false }).holdingLinesCount, false);
    assert.throws(
      () => validateMetricsSettings({ ...before, holdingLinesCount: 'no' }),
      (e: { field?: string }) => e.field === 'holdingLinesCount',
    );
  });

  it('validates settings naming the field', () => {
    assert.deepEqual(validateMetricsSettings(DEFAULT_METRICS_SETTINGS), DEFAULT_METRICS_SETTINGS);
    const bad = (patch: object, field: string) =>
      assert.throws(
        () => validateMetricsSettings({ ...DEFAULT_METRICS_SETTINGS, ...patch }),
        (e: { field?: string }) => e.field === field,
      );
    bad({ windowStart: '8:00' }, 'windowStart');
    bad({ windowEnd: '07:00' }, 'windowEnd');
    bad({ replyMinutes: 0 }, 'replyMinutes');
    bad({ threshold: 1.5 }, 'threshold');
    bad({ weights: { ...DEFAULT_METRICS_SETTINGS.weights, quality: -1 } }, 'weights.quality');
    bad(
      { weights: { conversion: 0, responseTime: 0, replyRate: 0, satisfaction: 0, quality: 0 } },
      'weights',
    );
  });
});
