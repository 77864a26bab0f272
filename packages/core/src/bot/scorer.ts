import { DocumentFrequencies, tfidfCosine } from './similarity';
import type { SynonymMap } from './synonyms';
import { charNgrams, countTerms, normalizeText, type Segmenter } from './text';

/** What the scorer keeps of a text: its character n-grams and its words, counted. */
export interface TextFeatures {
  chars: Map<string, number>;
  words: Map<string, number>;
  length: number;
}

/** How much each kind of evidence counts (tuned on the validation splits only). */
export interface ScorerWeights {
  /** Weight of character 1+2-gram TF-IDF cosine; words get 1 − this. */
  chars: number;
}

export const DEFAULT_WEIGHTS: ScorerWeights = { chars: 0.5 };

/**
 * BOT-1: the similarity of two questions from character n-gram and word evidence, each
 * TF-IDF weighted over the corpus the scorer has seen. Pure; words come from the Segmenter.
 */
export class QuestionScorer {
  private readonly charDf = new DocumentFrequencies();
  private readonly wordDf = new DocumentFrequencies();

  constructor(
    private readonly segmenter: Segmenter,
    private readonly weights: ScorerWeights = DEFAULT_WEIGHTS,
    /** Words of one group count as the same word (BOT-1 synonyms). */
    private readonly synonyms?: SynonymMap,
  ) {}

  /** The features of a text (does not change the corpus statistics). */
  features(text: string): TextFeatures {
    const norm = normalizeText(text);
    const words = this.segmenter
      .cut(text.normalize('NFKC').toLowerCase())
      .map((w) => normalizeText(w))
      .filter((w) => w.length > 0)
      .map((w) => this.synonyms?.canon(w) ?? w);
    return {
      chars: countTerms([...charNgrams(norm, 1), ...charNgrams(norm, 2)]),
      words: countTerms(words),
      length: [...norm].length,
    };
  }

  /** Counts a text into the corpus statistics (IDF). */
  learn(f: TextFeatures): void {
    this.charDf.add(f.chars.keys());
    this.wordDf.add(f.words.keys());
  }

  /** Takes a text back out of the corpus statistics. */
  forget(f: TextFeatures): void {
    this.charDf.remove(f.chars.keys());
    this.wordDf.remove(f.words.keys());
  }

  /** Similarity in [0, 1]. */
  similarity(a: TextFeatures, b: TextFeatures): number {
    if (a.length === 0 || b.length === 0) return 0;
    const c = tfidfCosine(a.chars, b.chars, (t) => this.charDf.idf(t));
    const w = tfidfCosine(a.words, b.words, (t) => this.wordDf.idf(t));
    return this.weights.chars * c + (1 - this.weights.chars) * w;
  }
}
