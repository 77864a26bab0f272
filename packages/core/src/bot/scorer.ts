import { DocumentFrequencies } from './similarity';
import type { SynonymMap } from './synonyms';
import { charNgrams, countTerms, normalizeText, pinyinSyllables, type Segmenter } from './text';

/** What the scorer keeps of a text: its characters, character n-grams and words, counted. */
export interface TextFeatures {
  /** Characters (1-grams), counted. */
  unigrams: Map<string, number>;
  /** Character 1- and 2-grams, counted. */
  chars: Map<string, number>;
  /** Words (after synonyms), counted. */
  words: Map<string, number>;
  /** Pinyin syllable 1- and 2-grams (homophone typos match here), counted. */
  pinyin: Map<string, number>;
  /** Whether the text says "not" (不/没/别/无/未/非…), A-not-A questions (能不能) aside. */
  negated: boolean;
  length: number;
  /**
   * Norms under the corpus statistics of one moment (a memo kept by the scorer), in place: the
   * norms of each view, the characters' IDF sum and the corpus version they were computed at + 1.
   * A typed array written over rather than an object per recomputation: after an FAQ edit every
   * question's norms go stale, and a search re-reads its candidates' without making garbage.
   */
  stats?: Float64Array;
  /** The query side's weighted terms, memoized at one corpus version (see `QueryTerms`). */
  terms?: QueryTerms;
}

const UNIGRAMS = 0;
const CHARS = 1;
const WORDS = 2;
const PINYIN = 3;
/** Sum of the IDFs of the distinct characters (the Dice denominator's share). */
const CHAR_IDF = 4;
/** The corpus version + 1 the stats were computed at (0: never). */
const AT = 5;

/**
 * Each view's terms with count × IDF² (and the characters' IDF): a query scored against many
 * questions looks its own IDFs up once, not once per question. Kept only for a text read as the
 * query side; the question side needs only its stats.
 */
interface QueryTerms {
  version: number;
  unigrams: Weighted;
  /** The 2-grams of `chars` (its unigrams are `unigrams`). */
  bigrams: Weighted;
  words: Weighted;
  pinyin: Weighted;
}

/** Terms, each with its count × IDF² and its IDF. */
interface Weighted {
  terms: string[];
  w2: number[];
  idf: number[];
}

/**
 * How much each kind of evidence counts. Chosen on the validation splits only (BQ, LCQMC, STS-B
 * `valid`; `.tmp`-style sweeps, see bench/bot); the test splits are only reported.
 */
export interface ScorerWeights {
  /** TF-IDF cosine of the characters. */
  unigrams: number;
  /** TF-IDF cosine of character 1+2-grams (word order, a little). */
  grams: number;
  /** TF-IDF cosine of the words. */
  words: number;
  /** IDF-weighted Dice overlap of the two character sets (rare characters decide). */
  dice: number;
  /** TF-IDF cosine of the pinyin syllable 1+2-grams (issue #15: 发或 reads as 发货). */
  pinyin: number;
  /** Share of the score lost when one text negates and the other does not. */
  negation: number;
}

export const DEFAULT_WEIGHTS: ScorerWeights = {
  unigrams: 1,
  grams: 0.5,
  words: 1,
  dice: 1,
  pinyin: 0.5,
  negation: 0.3,
};

const NEGATION = /[不没别勿未无非]/u;
const A_NOT_A = /(.)[不没]\1/gu;

/** Whether a normalized text negates (能不能, 有没有 and 是不是 ask; they do not negate). */
export function negates(norm: string): boolean {
  return NEGATION.test(norm.replace(A_NOT_A, ''));
}

/**
 * BOT-1: the similarity of two questions from character, character n-gram and word evidence,
 * each IDF weighted over the corpus the scorer has seen, damped when one question negates and
 * the other does not. Pure; words come from the Segmenter.
 */
export class QuestionScorer {
  private readonly charDf = new DocumentFrequencies();
  private readonly wordDf = new DocumentFrequencies();
  private readonly pinyinDf = new DocumentFrequencies();
  private readonly total: number;
  /** Bumped whenever the corpus statistics change, so memoized norms are recomputed. */
  private version = 0;

  constructor(
    private readonly segmenter: Segmenter,
    private readonly weights: ScorerWeights = DEFAULT_WEIGHTS,
    /** Words of one group count as the same word (BOT-1 synonyms). */
    private readonly synonyms?: SynonymMap,
  ) {
    this.total = weights.unigrams + weights.grams + weights.words + weights.dice + weights.pinyin;
  }

  /** The features of a text (does not change the corpus statistics). */
  features(text: string): TextFeatures {
    const norm = normalizeText(text);
    const words = this.segmenter
      .cut(text.normalize('NFKC').toLowerCase())
      .map((w) => normalizeText(w))
      .filter((w) => w.length > 0)
      .map((w) => this.synonyms?.canon(w) ?? w);
    const unigrams = charNgrams(norm, 1);
    const syllables = this.weights.pinyin ? pinyinSyllables(norm) : [];
    const pinyinGrams = [...syllables];
    for (let i = 0; i + 1 < syllables.length; i++) pinyinGrams.push(`${syllables[i]} ${syllables[i + 1]}`);
    return {
      unigrams: countTerms(unigrams),
      chars: countTerms([...unigrams, ...charNgrams(norm, 2)]),
      words: countTerms(words),
      pinyin: countTerms(pinyinGrams),
      negated: negates(norm),
      length: unigrams.length,
      // Made with the features, so an indexed question's memo lives where it does.
      stats: new Float64Array(AT + 1),
    };
  }

  /** Counts a text into the corpus statistics (IDF). */
  learn(f: TextFeatures): void {
    this.version++;
    this.charDf.add(f.chars.keys());
    this.wordDf.add(f.words.keys());
    this.pinyinDf.add(f.pinyin.keys());
  }

  /** Takes a text back out of the corpus statistics. */
  forget(f: TextFeatures): void {
    this.version++;
    this.charDf.remove(f.chars.keys());
    this.wordDf.remove(f.words.keys());
    this.pinyinDf.remove(f.pinyin.keys());
  }

  /**
   * Similarity in [0, 1]: the weighted mean of the TF-IDF cosines of characters, character
   * 1+2-grams and words and the IDF-weighted Dice overlap of the characters, damped by the
   * negation weight when exactly one of the two negates. The same as computing each with
   * `tfidfCosine`, but each side's norms are memoized until the corpus changes, so matching a
   * query against many questions looks up IDFs only for the terms they share.
   */
  similarity(a: TextFeatures, b: TextFeatures): number {
    if (a.length === 0 || b.length === 0 || this.total === 0) return 0;
    const w = this.weights;
    const ta = this.queryTerms(a);
    const na = a.stats!;
    const nb = this.stats(b);
    // The query side's weights come from its memoized terms; only the other side is looked up.
    let uniDot = 0;
    let sharedIdf = 0;
    for (let i = 0; i < ta.unigrams.terms.length; i++) {
      const cb = b.unigrams.get(ta.unigrams.terms[i]!);
      if (cb === undefined) continue;
      uniDot += ta.unigrams.w2[i]! * cb;
      sharedIdf += ta.unigrams.idf[i]!;
    }
    let charDot = uniDot;
    if (w.grams) charDot += dot(ta.bigrams, b.chars);
    const wordDot = w.words ? dot(ta.words, b.words) : 0;
    const pinyinDot = w.pinyin ? dot(ta.pinyin, b.pinyin) : 0;
    let score =
      w.unigrams * cos(uniDot, na[UNIGRAMS]!, nb[UNIGRAMS]!) +
      w.grams * cos(charDot, na[CHARS]!, nb[CHARS]!) +
      w.words * cos(wordDot, na[WORDS]!, nb[WORDS]!) +
      w.pinyin * cos(pinyinDot, na[PINYIN]!, nb[PINYIN]!);
    const idfAll = na[CHAR_IDF]! + nb[CHAR_IDF]!;
    if (idfAll > 0) score += (w.dice * 2 * sharedIdf) / idfAll;
    score /= this.total;
    return a.negated === b.negated ? score : score * (1 - w.negation);
  }

  /** A text's norms under the current corpus statistics, memoized in place on the features. */
  private stats(f: TextFeatures): Float64Array {
    const memo = (f.stats ??= new Float64Array(AT + 1));
    if (memo[AT] !== this.version + 1) this.weigh(f, memo, undefined);
    return memo;
  }

  /** The query side's weighted terms (and its stats), memoized on the features. */
  private queryTerms(f: TextFeatures): QueryTerms {
    if (f.terms?.version === this.version && f.stats?.[AT] === this.version + 1) return f.terms;
    const terms: QueryTerms = {
      version: this.version,
      unigrams: weighted(),
      bigrams: weighted(),
      words: weighted(),
      pinyin: weighted(),
    };
    this.weigh(f, (f.stats ??= new Float64Array(AT + 1)), terms);
    f.terms = terms;
    return terms;
  }

  /** Computes a text's stats into `into`, and its weighted terms into `terms` when given. */
  private weigh(f: TextFeatures, into: Float64Array, terms: QueryTerms | undefined): void {
    let unigrams = 0;
    let chars = 0;
    let charIdf = 0;
    for (const [t, c] of f.chars) {
      const idf = this.charDf.idf(t);
      const x = c * idf;
      chars += x * x;
      const unigram = f.unigrams.has(t);
      if (unigram) {
        unigrams += x * x;
        charIdf += idf;
      }
      if (terms) push(unigram ? terms.unigrams : terms.bigrams, t, x * idf, idf);
    }
    let words = 0;
    for (const [t, c] of f.words) {
      const idf = this.wordDf.idf(t);
      const x = c * idf;
      words += x * x;
      if (terms) push(terms.words, t, x * idf, idf);
    }
    let pinyin = 0;
    for (const [t, c] of f.pinyin) {
      const idf = this.pinyinDf.idf(t);
      const x = c * idf;
      pinyin += x * x;
      if (terms) push(terms.pinyin, t, x * idf, idf);
    }
    into[UNIGRAMS] = Math.sqrt(unigrams);
    into[CHARS] = Math.sqrt(chars);
    into[WORDS] = Math.sqrt(words);
    into[PINYIN] = Math.sqrt(pinyin);
    into[CHAR_IDF] = charIdf;
    into[AT] = this.version + 1;
  }
}

/** A cosine from its dot product and the two norms (0 when either side is empty). */
function cos(dot: number, x: number, y: number): number {
  return x === 0 || y === 0 ? 0 : dot / (x * y);
}

const weighted = (): Weighted => ({ terms: [], w2: [], idf: [] });

function push(into: Weighted, term: string, w2: number, idf: number): void {
  into.terms.push(term);
  into.w2.push(w2);
  into.idf.push(idf);
}

/** Σ over the query's terms of count × IDF² × the other side's count. */
function dot(a: Weighted, b: ReadonlyMap<string, number>): number {
  let sum = 0;
  for (let i = 0; i < a.terms.length; i++) {
    const cb = b.get(a.terms[i]!);
    if (cb !== undefined) sum += a.w2[i]! * cb;
  }
  return sum;
}
