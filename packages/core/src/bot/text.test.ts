import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { charJaccard, DocumentFrequencies, tfidfCosine } from './similarity';
import { DEFAULT_WEIGHTS, negates, QuestionScorer } from './scorer';
import { SynonymMap } from './synonyms';
import { charNgrams, countTerms, normalizeText } from './text';

/** A stand-in segmenter that splits on spaces: the scorer's logic, not jieba's, is under test. */
const spaces = { cut: (t: string) => t.split(/\s+/) };

describe('matcher text features (BOT-1)', () => {
  it('folds full-width forms, case, punctuation and spaces', () => {
    assert.equal(normalizeText('发货？ ＡＢＣ，Hello!'), '发货abchello');
    assert.equal(normalizeText('   '), '');
  });

  it('makes character n-grams and counts', () => {
    assert.deepEqual(charNgrams('发货快', 2), ['发货', '货快']);
    assert.deepEqual(
      [...countTerms(['a', 'b', 'a'])],
      [
        ['a', 2],
        ['b', 1],
      ],
    );
  });

  it('document frequencies go up and down with incremental edits', () => {
    const df = new DocumentFrequencies();
    df.add(['发', '货']);
    df.add(['发']);
    const before = df.idf('货');
    df.remove(['发', '货']);
    assert.ok(df.idf('货') > before, 'a rarer term weighs more');
  });

  it('cosine is 1 for the same text and 0 for disjoint ones; Jaccard likewise', () => {
    const a = countTerms(['发', '货']);
    assert.ok(Math.abs(tfidfCosine(a, a, () => 1) - 1) < 1e-9);
    assert.equal(
      tfidfCosine(a, countTerms(['退']), () => 1),
      0,
    );
    assert.equal(charJaccard('发货', '发货!'), 1);
    assert.equal(charJaccard('发货', '退款'), 0);
  });

  it('ranks a paraphrase above an unrelated question', () => {
    const scorer = new QuestionScorer(spaces);
    const texts = ['什么 时候 发货', '几时 发货', '怎么 退款', '发票 怎么 开'];
    const f = texts.map((t) => scorer.features(t));
    for (const x of f) scorer.learn(x);
    assert.ok(scorer.similarity(f[0]!, f[1]!) > scorer.similarity(f[0]!, f[2]!));
    assert.equal(scorer.similarity(f[0]!, scorer.features('')), 0);
  });
});

describe('scorer evidence (BOT-1)', () => {
  const texts = ['什么 时候 发货', '几时 发货 呀', '怎么 退款', '发票 怎么 开', '不 发货 吗', '😀 发货'];

  /** The formula written out plainly, over DF tables kept beside the scorer. */
  function reference(scorer: QuestionScorer, known: string[], x: string, y: string): number {
    const charDf = new DocumentFrequencies();
    const wordDf = new DocumentFrequencies();
    const pinyinDf = new DocumentFrequencies();
    for (const t of known) {
      const f = scorer.features(t);
      charDf.add(f.chars.keys());
      wordDf.add(f.words.keys());
      pinyinDf.add(f.pinyin.keys());
    }
    const [a, b] = [scorer.features(x), scorer.features(y)];
    const idf = (t: string) => charDf.idf(t);
    let shared = 0;
    let all = 0;
    for (const t of a.unigrams.keys()) {
      all += idf(t);
      if (b.unigrams.has(t)) shared += idf(t);
    }
    for (const t of b.unigrams.keys()) all += idf(t);
    const w = DEFAULT_WEIGHTS;
    const score =
      (w.unigrams * tfidfCosine(a.unigrams, b.unigrams, idf) +
        w.grams * tfidfCosine(a.chars, b.chars, idf) +
        w.words * tfidfCosine(a.words, b.words, (t) => wordDf.idf(t)) +
        w.pinyin * tfidfCosine(a.pinyin, b.pinyin, (t) => pinyinDf.idf(t)) +
        (w.dice * 2 * shared) / all) /
      (w.unigrams + w.grams + w.words + w.dice + w.pinyin);
    return a.negated === b.negated ? score : score * (1 - w.negation);
  }

  it('computes the documented formula, and keeps computing it as the corpus changes', () => {
    const scorer = new QuestionScorer(spaces);
    const known: string[] = [];
    const memo = texts.map((t) => scorer.features(t));
    for (const [i, t] of texts.entries()) {
      scorer.learn(scorer.features(t));
      known.push(t);
      for (const j of [0, 1, 4, 5]) {
        const got = scorer.similarity(memo[j]!, memo[i]!);
        const want = reference(scorer, known, texts[j]!, t);
        assert.ok(Math.abs(got - want) < 1e-9, `${texts[j]} ~ ${t}: ${got} vs ${want}`);
      }
    }
  });

  it('damps a match when exactly one side negates; A-not-A questions do not negate', () => {
    assert.equal(negates('不能退款'), true);
    assert.equal(negates('没收到货'), true);
    assert.equal(negates('能不能退款'), false);
    assert.equal(negates('有没有货'), false);
    // The same corpus scored with and without the damping: only the pair where exactly one side
    // negates loses the negation weight's share.
    const damped = new QuestionScorer(spaces);
    const plain = new QuestionScorer(spaces, { ...DEFAULT_WEIGHTS, negation: 0 });
    for (const s of [damped, plain])
      for (const t of ['能 退款 吗', '不能 退款 吗', '能不能 退款']) s.learn(s.features(t));
    const sim = (s: QuestionScorer, x: string, y: string) => s.similarity(s.features(x), s.features(y));
    const negated = sim(damped, '能 退款 吗', '不能 退款 吗');
    assert.ok(
      Math.abs(negated - sim(plain, '能 退款 吗', '不能 退款 吗') * (1 - DEFAULT_WEIGHTS.negation)) < 1e-9,
    );
    assert.ok(negated > 0);
    assert.equal(sim(damped, '能 退款 吗', '能不能 退款'), sim(plain, '能 退款 吗', '能不能 退款'));
  });
});

describe('synonyms (BOT-1)', () => {
  it('reads words of one group as the same word, shipped groups and a shop’s own', () => {
    const synonyms = new SynonymMap();
    assert.equal(synonyms.canon('邮费'), '运费');
    synonyms.addGroup(['回收', '循环利用']);
    const scorer = new QuestionScorer(spaces, DEFAULT_WEIGHTS, synonyms);
    const plain = new QuestionScorer(spaces);
    const a = '包装 可以 回收 吗';
    const b = '包装 能 循环利用 吗';
    for (const s of [scorer, plain]) for (const t of [a, b, '发票 怎么 开']) s.learn(s.features(t));
    assert.ok(
      scorer.similarity(scorer.features(a), scorer.features(b)) >
        plain.similarity(plain.features(a), plain.features(b)),
    );
  });
});
