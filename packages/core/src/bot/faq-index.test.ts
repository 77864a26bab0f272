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
});
