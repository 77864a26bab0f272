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
    this.index = new FaqIndex(this.scorer, undefined, PHRASINGS_SCORED);
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
      this.classifier.classify(classifierFeatures(features), CANDIDATES).map(({ label, p }) => [label, p]),
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
   * `search`, on the whole text and on each of its clauses: a rambling message ("买的防晒今天收到
   * 看了下日期 离过期就剩几个月了 …") asks its question in one clause, which the whole text's words
   * dilute, and one message may ask two things ("能机洗吗 会缩水吗"). A clause's reading counts a
   * little less than the whole's.
   */
  read(text: string, limit = 5): IntentMatch[] {
    const whole = this.search(text, limit);
    if ((whole[0]?.score ?? 0) >= CLAUSES_UNLESS) return whole;
    const clauses = text
      .slice(0, MAX_QUERY_CHARS)
      .split(CLAUSE_BREAK)
      .filter((c) => [...c].length >= MIN_CLAUSE_CHARS);
    if (clauses.length < 2) return whole;
    const best = new Map(whole.map((m) => [m.intentId, m.score]));
    for (const clause of clauses.slice(0, MAX_CLAUSES))
      for (const m of this.search(clause, 3))
        best.set(m.intentId, Math.max(best.get(m.intentId) ?? 0, m.score * CLAUSE_WEIGHT));
    return [...best]
      .map(([intentId, score]) => ({ intentId, score }))
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
    // Each text votes for the intents it reads as: the standard question with the most weight,
    // each similar question with less, so one odd similar question does not decide alone.
    const votes = new Map<string, { sum: number; max: number }>();
    for (const [i, text] of [entry.question, ...entry.similar].entries()) {
      if (!text.trim()) continue;
      const weight = i === 0 ? 1 : SIMILAR_VOTE;
      for (const m of this.read(text, 3)) {
        if (NOT_LINKED.has(this.byId.get(m.intentId)?.family ?? '')) continue;
        const v = votes.get(m.intentId) ?? { sum: 0, max: 0 };
        v.sum += m.score * weight;
        v.max = Math.max(v.max, m.score);
        votes.set(m.intentId, v);
      }
    }
    const ranked = [...votes].filter(([, v]) => v.max >= LINK_THRESHOLD).sort((a, b) => b[1].sum - a[1].sum);
    const [top, second] = ranked;
    if (!top) return [];
    // An entry that reads as two intents about as much answers both (保质期 and 开封后多久).
    return second && second[1].sum >= top[1].sum * SECOND_LINK_SHARE ? [top[0], second[0]] : [top[0]];
  }
}

/** A similar question's vote, against the standard question's 1. */
const SIMILAR_VOTE = 0.7;
/** A second intent is linked too when its votes reach this share of the first's. */
const SECOND_LINK_SHARE = 0.75;
const NOT_LINKED = new Set(['handoff', 'smalltalk']);
/** What ends a clause in a buyer's message: spaces and punctuation, Chinese or not. */
const CLAUSE_BREAK = /[\s,，。.!！?？~～;；、]+/u;
/** Shorter pieces ("亲", "哈") are no clause of their own. */
const MIN_CLAUSE_CHARS = 3;
/** At most this many clauses are read one by one (a long paste is read whole). */
const MAX_CLAUSES = 4;
/** A clause's intent counts this much of the whole text's (chosen on the development sets). */
const CLAUSE_WEIGHT = 0.9;
/** A text whose whole reading is this clear is not read clause by clause. */
const CLAUSES_UNLESS = 0.75;
/**
 * How much of a phrasing's similarity hangs on the classifier agreeing: a text close to one
 * phrasing of an intent that the intent's other phrasings do not back up keeps 1 − this share.
 * The classifier alone cannot say "none of these" (its posteriors sum to 1), the similarity can.
 */
const POSTERIOR_SHARE = 0.6;
/**
 * Phrasings scored exactly per search (a shop's index scores 64 questions): the best phrasings of
 * the few intents in play are among the first 32 candidates — the same answers on the
 * development sets at half the cost.
 */
const PHRASINGS_SCORED = 32;
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
