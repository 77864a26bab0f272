import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QuestionScorer } from './scorer';

/** Splits on spaces: the scorer's arithmetic is under test, not jieba's. */
const spaces = { cut: (t: string) => t.split(/\s+/) };

describe('QuestionScorer memoized norms (BOT-1)', () => {
  it('a text scored as the question side, then as the query side, scores as it would fresh', () => {
    const scorer = new QuestionScorer(spaces);
    const texts = ['什么 时候 发货', '几 天 能 发货', '怎么 退款', '能 开 发票 吗'];
    for (const t of texts) scorer.learn(scorer.features(t));
    const a = scorer.features('几 天 发货');
    const b = scorer.features('什么 时候 发货');
    // b is first read as a question (stats only), then as a query (its weighted terms too).
    const ab = scorer.similarity(a, b);
    const ba = scorer.similarity(b, a);
    assert.ok(ab > 0);
    assert.ok(Math.abs(ab - ba) < 1e-12, `${ab} vs ${ba}`);
    assert.equal(ba, scorer.similarity(scorer.features('什么 时候 发货'), scorer.features('几 天 发货')));
  });

  it('after the corpus changes, memoized norms are recomputed: the score equals a scorer that learned the same texts', () => {
    const scorer = new QuestionScorer(spaces);
    const q = scorer.features('几 天 能 发货');
    const d = scorer.features('什么 时候 发货');
    scorer.learn(d);
    const before = scorer.similarity(q, d);
    // Many texts with 发货 make it common: its IDF falls, and so must the score.
    const more = ['发货 快 吗', '发货 地址', '今天 发货 吗', '发货 慢'];
    for (const t of more) scorer.learn(scorer.features(t));
    const after = scorer.similarity(q, d);
    const fresh = new QuestionScorer(spaces);
    for (const t of ['什么 时候 发货', ...more]) fresh.learn(fresh.features(t));
    assert.equal(after, fresh.similarity(fresh.features('几 天 能 发货'), fresh.features('什么 时候 发货')));
    assert.notEqual(after, before);
  });
});
