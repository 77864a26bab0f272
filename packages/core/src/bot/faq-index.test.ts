import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FaqIndex, type FaqEntry } from './faq-index';
import { QuestionScorer } from './scorer';

/** Splits on spaces: the index's logic is under test, not jieba's. */
const spaces = { cut: (t: string) => t.split(/\s+/) };

const entry = (id: string, question: string, similar: string[] = [], enabled = true): FaqEntry => ({
  id,
  question,
  similar,
  answer: `答案 ${id}`,
  category: '售前',
  enabled,
});

describe('FAQ index (BOT-1)', () => {
  it('finds the entry whose standard or similar question matches best', () => {
    const index = new FaqIndex(new QuestionScorer(spaces));
    index.upsert(entry('ship', '什么 时候 发货', ['几 天 发货', '发货 时间']));
    index.upsert(entry('refund', '怎么 退款', ['退款 流程']));
    index.upsert(entry('invoice', '能 开 发票 吗'));
    const [top] = index.search('几 天 能 发货');
    assert.equal(top?.entryId, 'ship');
    assert.equal(top?.matchedQuestion, '几 天 发货');
    assert.equal(index.search('退款 流程 是 什么')[0]?.entryId, 'refund');
  });

  it('is incremental: an edit replaces the entry, a removal forgets it, disabled entries are not found', () => {
    const index = new FaqIndex(new QuestionScorer(spaces));
    index.upsert(entry('a', '怎么 退款'));
    index.upsert(entry('b', '包邮 吗'));
    index.upsert(entry('a', '能 换货 吗'));
    assert.notEqual(index.search('怎么 退款')[0]?.entryId, 'a');
    assert.equal(index.search('换货')[0]?.entryId, 'a');
    index.remove('b');
    assert.ok(!index.search('包邮 吗').some((m) => m.entryId === 'b'));
    index.upsert(entry('c', '运费 多少', [], false));
    assert.equal(index.search('运费 多少').length, 0);
    assert.equal(index.size, 1);
  });

  it('answers nothing for empty or unrelated text and survives a huge paste', () => {
    const index = new FaqIndex(new QuestionScorer(spaces));
    index.upsert(entry('a', '什么 时候 发货'));
    assert.deepEqual(index.search(''), []);
    assert.deepEqual(index.search('🙂🙂'), []);
    assert.ok(index.search('发货 '.repeat(5000)).length <= 1);
  });

  it('after edits, scores exactly as an index built from the final entries (stale norms are recomputed, postings follow)', () => {
    const texts = [
      '什么 时候 发货',
      '几 天 发货',
      '怎么 退款',
      '退款 流程',
      '能 开 发票 吗',
      '包邮 吗',
      '运费 多少',
      '发票 抬头 怎么 改',
    ];
    const final = [
      entry('ship', texts[0]!, [texts[1]!]),
      entry('invoice', texts[4]!, [texts[7]!]),
      entry('fee', texts[6]!, [texts[5]!]),
    ];
    const edited = new FaqIndex(new QuestionScorer(spaces));
    edited.upsert(entry('refund', texts[2]!, [texts[3]!]));
    edited.upsert(final[0]!);
    edited.upsert(entry('invoice', '发票'));
    // Scored once, so every question holds memoized norms that the edits below make stale.
    for (const q of texts) edited.search(q);
    edited.remove('refund');
    edited.upsert(final[1]!);
    edited.upsert(final[2]!);
    const fresh = new FaqIndex(new QuestionScorer(spaces));
    for (const e of final) fresh.upsert(e);
    for (const q of [...texts, '发货 退款 发票', '运费'])
      assert.deepEqual(edited.search(q), fresh.search(q), q);
  });

  it('scores only the best candidates, in the order a full sort by weight gives (ties: the earlier question)', () => {
    // Eight questions share the query's only key with the same weight: a two-candidate index
    // scores the first two added, as a stable sort of all eight puts them first.
    const entries = Array.from({ length: 8 }, (_, i) => entry(`e${8 - i}`, `发货 ${'啊'.repeat(8 - i)}`));
    const two = new FaqIndex(new QuestionScorer(spaces), undefined, 2);
    for (const e of entries) two.upsert(e);
    assert.deepEqual(
      two.search('发货').map((m) => m.entryId),
      ['e7', 'e8'],
    );
    // With room for all, every entry is scored and the closest (shortest) wins.
    const all = new FaqIndex(new QuestionScorer(spaces), undefined, 64);
    for (const e of entries) all.upsert(e);
    assert.equal(all.search('发货', 8).length, 8);
    assert.equal(all.search('发货')[0]?.entryId, 'e1');
  });
});
