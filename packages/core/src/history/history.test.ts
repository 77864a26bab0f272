import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ComplianceLogEntry } from '../compliance/compliance.guard';
import { DomainError } from '../kernel';
import { dayBounds } from '../metrics/ledger';
import { DEFAULT_METRICS_SETTINGS } from '../metrics/metrics.types';
import { complianceBySeq, conversationFacts, conversationResponseTimes } from './history.facts';
import {
  decodeHistoryCursor,
  encodeHistoryCursor,
  escapeLike,
  normalizeHistoryFilter,
  snippetAround,
} from './history.filter';
import type { HistoryMessageFact } from './history.types';

const TZ = 'Asia/Shanghai';
const at = (local: string) => Date.parse(`2026-12-01T${local}+08:00`);
const fact = (
  seq: number,
  sender: HistoryMessageFact['sender'],
  time: string,
  extra: Partial<HistoryMessageFact> = {},
): HistoryMessageFact => ({
  seq,
  sender,
  senderId: sender === 'agent' ? 'a1' : null,
  kind: sender === 'system' ? 'system' : 'text',
  at: at(time),
  holding: false,
  ...extra,
});

/** Which field a thrown validation error names. */
function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof DomainError && e.code === 'validation_failed');
    return e.field;
  }
  assert.fail('expected a validation error');
}

describe('issue #18 history filter', () => {
  it('escapes the LIKE wildcards and the escape itself', () => {
    assert.equal(escapeLike('100%_a\\b'), '100\\%\\_a\\\\b');
    assert.equal(escapeLike('订单号'), '订单号');
  });

  it('turns the shop-local days into [since, until), to inclusive', () => {
    const f = normalizeHistoryFilter({ from: '2026-12-01', to: '2026-12-02', limit: 50 }, TZ);
    assert.equal(f.since, dayBounds('2026-12-01', TZ).start);
    assert.equal(f.until, dayBounds('2026-12-02', TZ).end);
    assert.equal(f.until! - f.since!, 2 * 86_400_000);
    assert.equal(new Date(f.since!).toISOString(), '2026-11-30T16:00:00.000Z');
  });

  it('a range ending before it begins names `to`; a forged cursor names `cursor`', () => {
    assert.equal(
      fieldOf(() => normalizeHistoryFilter({ from: '2026-12-02', to: '2026-12-01', limit: 5 }, TZ)),
      'to',
    );
    assert.equal(
      fieldOf(() => normalizeHistoryFilter({ cursor: 'abc', limit: 5 }, TZ)),
      'cursor',
    );
    assert.equal(
      fieldOf(() => decodeHistoryCursor("1.x' or 1=1")),
      'cursor',
    );
  });

  it('cursors round-trip', () => {
    const c = { createdAt: 1_790_000_000_123, id: '0b7c2f0e-1d1e-4b57-9a51-0e0c7c0f3a11' };
    assert.deepEqual(decodeHistoryCursor(encodeHistoryCursor(c)), c);
  });

  it('texts are lowered and searched in their JSON form after the text key', () => {
    const f = normalizeHistoryFilter({ text: 'Say "HI" 50%', limit: 500 }, TZ);
    // The body holds \" for a quote: its backslash is taken literally (\\) in the pattern.
    assert.equal(f.text!.pattern, '%"text":"%say \\\\"hi\\\\" 50\\%%');
    assert.equal(f.limit, 100, 'a page holds at most 100 rows');
    const o = normalizeHistoryFilter({ order: 'TB_2026', limit: 10 }, TZ);
    assert.equal(o.order!.pattern, '%tb\\_2026%');
    assert.equal(o.order!.number, 'TB_2026', 'the orders table is matched exactly');
  });

  it('ratings: scores deduplicated, `none` for the unrated', () => {
    const f = normalizeHistoryFilter({ rating: [2, 1, 2, 'none'], limit: 10 }, TZ);
    assert.deepEqual(f.ratings, [1, 2]);
    assert.equal(f.unrated, true);
    assert.equal(normalizeHistoryFilter({ rating: ['none'], limit: 10 }, TZ).ratings, undefined);
  });

  it('a snippet is cut around the match, any case', () => {
    const text = `${'前'.repeat(60)}Order TB123 到了吗${'后'.repeat(60)}`;
    const s = snippetAround(text, 'order tb123', 5);
    assert.equal(s, '…前前前前前Order TB123 到了吗后…');
    assert.equal(snippetAround('短句', 'x'), '短句');
  });
});

describe('issue #18 MET-4 per conversation', () => {
  it('first and average response times from the turns, as the ledger counts them', () => {
    const times = conversationResponseTimes(
      [
        fact(1, 'buyer', '10:00:00'),
        fact(2, 'buyer', '10:00:20'),
        fact(3, 'system', '10:00:30'),
        fact(4, 'agent', '10:01:00'),
        fact(5, 'agent', '10:01:30'),
        fact(6, 'buyer', '10:05:00'),
        fact(7, 'bot', '10:05:03'),
        fact(8, 'buyer', '10:06:00'),
      ],
      DEFAULT_METRICS_SETTINGS,
      TZ,
    );
    // Turn 1 from its first message (10:00:00) to 10:01:00; turn 2 10:05:00 → 10:05:03.
    assert.deepEqual(
      times.turns.map((t) => [t.ms, t.responder, t.first]),
      [
        [60_000, 'a1', true],
        [3_000, 'bot', false],
      ],
    );
    assert.equal(times.firstResponseMs, 60_000);
    assert.equal(times.avgResponseMs, 31_500);
    assert.equal(times.turns[0]!.askedAt, at('10:00:00'));
    assert.equal(times.waitingSince, at('10:06:00'), 'the last turn still waits');
  });

  it('a holding line ends a turn only when the settings count it (issue #15)', () => {
    const msgs = [
      fact(1, 'buyer', '10:00:00'),
      fact(2, 'bot', '10:00:01', { holding: true }),
      fact(3, 'agent', '10:02:00'),
    ];
    assert.equal(conversationResponseTimes(msgs, DEFAULT_METRICS_SETTINGS, TZ).firstResponseMs, 1_000);
    const people = { ...DEFAULT_METRICS_SETTINGS, holdingLinesCount: false };
    assert.equal(conversationResponseTimes(msgs, people, TZ).firstResponseMs, 120_000);
  });

  it('no buyer message, no figure', () => {
    const t = conversationResponseTimes([fact(1, 'agent', '10:00:00')], DEFAULT_METRICS_SETTINGS, TZ);
    assert.equal(t.firstResponseMs, null);
    assert.equal(t.avgResponseMs, null);
  });
});

describe('issue #18 conversation facts and tags', () => {
  const opts = { compliance: false, settings: DEFAULT_METRICS_SETTINGS, timeZone: TZ };

  it('agents in the order they came, the holder last; transferred (RT-10) from its system line', () => {
    const f = conversationFacts(
      { status: 'assigned', agentId: 'a2', spamReason: null },
      [
        fact(1, 'buyer', '10:00:00'),
        fact(2, 'system', '10:00:01', { systemCode: 'agent_joined', systemAgentId: 'a1' }),
        fact(3, 'agent', '10:00:30'),
        fact(4, 'system', '10:01:00', { systemCode: 'conversation_transferred', systemAgentId: 'a2' }),
        fact(5, 'agent', '10:02:00', { senderId: 'a3' }),
      ],
      opts,
    );
    assert.deepEqual(f.agentIds, ['a1', 'a3', 'a2']);
    assert.deepEqual(f.tags, ['transferred']);
    assert.equal(f.messageCount, 3, 'system lines are not messages');
  });

  it('bot alone, spam (SPAM-1), compliance (CMP) tags', () => {
    const bot = conversationFacts(
      { status: 'ended', agentId: null, spamReason: null },
      [fact(1, 'buyer', '10:00:00'), fact(2, 'bot', '10:00:01')],
      opts,
    );
    assert.deepEqual(bot.tags, ['bot']);
    const spam = conversationFacts(
      { status: 'ended', agentId: null, spamReason: 'ads' },
      [fact(1, 'buyer', '10:00:00')],
      { ...opts, compliance: true },
    );
    assert.deepEqual(spam.tags, ['spam', 'compliance']);
  });

  it('a confirmed warning goes on the agent message it let through; a block stays apart', () => {
    const entry = (id: string, action: ComplianceLogEntry['action'], text: string, createdAt: number) =>
      ({
        id,
        action,
        text,
        createdAt,
        agentId: 'a1',
        verdict: 'warn',
        rules: ['CMP-4'],
      }) as unknown as ComplianceLogEntry;
    const msgs = [
      { seq: 1, sender: 'buyer', senderId: null, text: '包退吗', at: at('10:00:00') },
      { seq: 2, sender: 'agent', senderId: 'a1', text: '包退', at: at('10:00:05') },
      { seq: 3, sender: 'agent', senderId: 'a1', text: '包退', at: at('10:03:00') },
    ];
    const out = complianceBySeq(msgs, [
      entry('w2', 'confirmed', '包退', at('10:02:59')),
      entry('b1', 'blocked', '加我微信', at('10:01:00')),
      entry('w1', 'confirmed', '包退', at('10:00:05')),
    ]);
    assert.deepEqual([...out.entries()].map(([seq, o]) => [seq, o.id]).sort(), [
      [2, 'w1'],
      [3, 'w2'],
    ]);
  });
});
