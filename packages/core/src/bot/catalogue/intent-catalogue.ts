import { FaqIndex, MAX_QUERY_CHARS } from '../faq-index';
import { QuestionScorer, DEFAULT_WEIGHTS, type TextFeatures } from '../scorer';
import { SynonymMap } from '../synonyms';
import type { Segmenter } from '../text';
import { CATALOGUE } from './intents';
import { NaiveBayes } from './naive-bayes';
import type { CatalogueIntent } from './types';

/** One intent a text reads as, and how closely. */
export interface IntentMatch {
  intentId: string;
  score: number;
}

/** At or above this, an FAQ entry's own wording is linked to the intent it reads as. */
export const LINK_THRESHOLD = 0.45;

/**
 * The shop-domain catalogue as a searchable index (issue #15): a buyer's text → the intents it
 * reads as, over every phrasing of every intent. One per process, shared by every shop (its
 * statistics are the catalogue's, not a shop's). Pure; words come from the Segmenter.
 */
export class IntentCatalogue {
  private readonly scorer: QuestionScorer;
  private readonly index: FaqIndex;
  private readonly classifier: NaiveBayes;
  private readonly byId: ReadonlyMap<string, CatalogueIntent>;

  constructor(segmenter: Segmenter, intents: readonly CatalogueIntent[] = CATALOGUE) {
    this.scorer = new QuestionScorer(segmenter, DEFAULT_WEIGHTS, new SynonymMap());
    this.index = new FaqIndex(this.scorer);
    this.byId = new Map(intents.map((i) => [i.id, i]));
    this.classifier = new NaiveBayes(
      intents.flatMap((i) =>
        [i.label, ...i.phrasings].map((text) => ({
          features: classifierFeatures(this.scorer.features(text)),
          label: i.id,
        })),
      ),
    );
    for (const intent of intents)
      this.index.upsert({
        id: intent.id,
        question: intent.label,
        similar: [...intent.phrasings],
        answer: '',
        category: intent.family,
        enabled: true,
      });
  }

  /** Every intent, in catalogue order. */
  get intents(): readonly CatalogueIntent[] {
    return [...this.byId.values()];
  }

  intent(id: string): CatalogueIntent | undefined {
    return this.byId.get(id);
  }

  /**
   * The intents a buyer's text reads as, best first, from two views: how close the text is to the
   * intent's nearest phrasing (similarity, which also says how sure), weighed by how likely the
   * intent is given all its phrasings' words (naive Bayes posterior, which generalizes better:
   * 0.69 top-1 on held-out catalogue phrasings against 0.61 for the nearest phrasing).
   */
  search(text: string, limit = 5): IntentMatch[] {
    // One segmentation for both views (jieba and pinyin are most of a search's time).
    const features = this.scorer.features(text.slice(0, MAX_QUERY_CHARS));
    const posterior = new Map(
      this.classifier
        .classify(classifierFeatures(features), CANDIDATES)
        .map(({ label, p }) => [label, p]),
    );
    return this.index
      .searchFeatures(features, CANDIDATES)
      .map((m) => ({
        intentId: m.entryId,
        score: m.score * (1 - POSTERIOR_SHARE + POSTERIOR_SHARE * (posterior.get(m.entryId) ?? 0)),
      }))
      .sort((a, b) => b.score - a.score)
      .slice(0, limit);
  }

  /**
   * The intents a shop's FAQ entry answers, read from its own wording (question and similar
   * questions): the intent its texts read as most, when it reads so clearly enough. Suggested on
   * create and import; the shop may change it. Handoff and small talk are never linked (the bot
   * handles those itself).
   */
  suggest(entry: { question: string; similar: readonly string[] }): string[] {
    const best = new Map<string, number>();
    for (const [i, text] of [entry.question, ...entry.similar].entries()) {
      if (!text.trim()) continue;
      // The standard question is the entry's own word; a similar question counts a little less.
      const weight = i === 0 ? 1 : 0.9;
      for (const m of this.search(text, 3)) {
        if (NOT_LINKED.has(this.byId.get(m.intentId)?.family ?? '')) continue;
        best.set(m.intentId, Math.max(best.get(m.intentId) ?? 0, m.score * weight));
      }
    }
    const [top] = [...best].sort((a, b) => b[1] - a[1]);
    return top && top[1] >= LINK_THRESHOLD ? [top[0]] : [];
  }
}

const NOT_LINKED = new Set(['handoff', 'smalltalk']);
/**
 * How much of a phrasing's similarity hangs on the classifier agreeing: a text close to one
 * phrasing of an intent that the intent's other phrasings do not back up keeps 1 − this share.
 * The classifier alone cannot say "none of these" (its posteriors sum to 1), the similarity can.
 */
const POSTERIOR_SHARE = 0.6;
/** How many intents each view offers before they are combined. */
const CANDIDATES = 10;

/** The classifier's features: characters and their pairs, words, pinyin syllable pairs. */
function classifierFeatures(f: TextFeatures): string[] {
  const out: string[] = [];
  for (const c of f.chars.keys()) out.push(`c${c}`);
  for (const w of f.words.keys()) out.push(`w${w}`);
  for (const p of f.pinyin.keys()) if (p.includes(' ')) out.push(`p${p}`);
  return out;
}
