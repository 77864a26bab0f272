import type { IntentCatalogue, IntentMatch } from './catalogue/intent-catalogue';
import type { QuestionScorer, TextFeatures } from './scorer';

/** BOT-1: a knowledge-base entry: a standard question, similar questions, an answer, a category, a switch. */
export interface FaqEntry {
  id: string;
  question: string;
  similar: string[];
  answer: string;
  category: string;
  enabled: boolean;
  /**
   * Issue #15: the catalogue intents this entry answers — its buyers' phrasings are understood as
   * this entry. Absent or null: suggested from the entry's own wording; [] links none.
   */
  intents?: string[] | null;
}

/** One match: the entry, the question of it that matched best, and the similarity. */
export interface FaqMatch {
  entryId: string;
  matchedQuestion: string;
  score: number;
  /** Issue #15: the catalogue intent through which the entry matched, when that beat its own wording. */
  viaIntent?: string;
}

/** What a buyer's text reads as: the shop's entries (best first) and the catalogue's intents. */
export interface Understanding {
  entries: FaqMatch[];
  intents: IntentMatch[];
}

interface IndexedQuestion {
  entryId: string;
  text: string;
  features: TextFeatures;
}

/** Posting keys of a text: its words, character bigrams and pinyin syllable pairs (unigrams are too common to narrow). */
function postingKeys(f: TextFeatures): string[] {
  const keys: string[] = [];
  for (const w of f.words.keys()) keys.push(`w:${w}`);
  // `chars` holds the 1- and 2-grams; the 2-grams are those that are not unigrams.
  for (const c of f.chars.keys()) if (!f.unigrams.has(c)) keys.push(`c:${c}`);
  // Pinyin syllable pairs: a homophone typo (发或) shares no character pair with 发货, but this.
  for (const p of f.pinyin.keys()) if (p.includes(' ')) keys.push(`p:${p}`);
  return keys;
}

/**
 * The shop's FAQ as a searchable index. Incremental (BOT-1 edits do not rebuild it): adding or
 * removing one entry touches only that entry's postings and the corpus statistics. Disabled
 * entries are not indexed.
 */
export class FaqIndex {
  private readonly questions = new Map<number, IndexedQuestion>();
  private readonly byEntry = new Map<string, number[]>();
  /**
   * Posting key → the questions that have it, in the order they were added (an array, not a Set:
   * the catalogue's 7,700 phrasings have 100,000 mostly short lists, and a Set costs several times
   * the bytes; removal, on an FAQ edit, is the rare operation).
   */
  private readonly postings = new Map<string, number[]>();
  private nextKey = 0;
  /** Scratch space for candidate weights, by question key (reset after each search). */
  private weights = new Float64Array(1024);
  /** Scratch space for the keys a search touched (garbage per search is latency: issue #20). */
  private touched = new Int32Array(1024);
  /** Issue #15: each entry's catalogue intents (explicit or suggested), and the reverse. */
  private readonly links = new Map<string, readonly string[]>();
  private readonly byIntent = new Map<string, Set<string>>();

  constructor(
    private readonly scorer: QuestionScorer,
    /** Issue #15: the shop-domain catalogue; without it the index matches the shop's wording only. */
    private readonly catalogue?: IntentCatalogue,
    /** How many questions are scored exactly after candidate generation. */
    private readonly candidates = CANDIDATES,
  ) {}

  /** The catalogue intents an entry is linked to (explicit, or suggested from its wording). */
  intentsOf(entryId: string): readonly string[] {
    return this.links.get(entryId) ?? [];
  }

  /** Number of indexed entries. */
  get size(): number {
    return this.byEntry.size;
  }

  /** Adds or replaces an entry. */
  upsert(entry: FaqEntry): void {
    this.remove(entry.id);
    if (!entry.enabled) return;
    const keys: number[] = [];
    for (const text of [entry.question, ...entry.similar]) {
      if (!text.trim()) continue;
      const features = this.scorer.features(text);
      const key = this.nextKey++;
      this.questions.set(key, { entryId: entry.id, text, features });
      this.scorer.learn(features);
      for (const p of postingKeys(features)) {
        const list = this.postings.get(p);
        if (list) list.push(key);
        else this.postings.set(p, [key]);
      }
      keys.push(key);
    }
    this.byEntry.set(entry.id, keys);
    const linked = entry.intents ?? this.catalogue?.suggest(entry) ?? [];
    if (this.catalogue && linked.length > 0) {
      this.links.set(entry.id, linked);
      for (const intent of linked) {
        let set = this.byIntent.get(intent);
        if (!set) this.byIntent.set(intent, (set = new Set()));
        set.add(entry.id);
      }
    }
  }

  /** Removes an entry (no-op when absent). */
  remove(entryId: string): void {
    const keys = this.byEntry.get(entryId);
    if (!keys) return;
    for (const key of keys) {
      const q = this.questions.get(key)!;
      this.scorer.forget(q.features);
      for (const p of postingKeys(q.features)) {
        const list = this.postings.get(p);
        const at = list?.indexOf(key) ?? -1;
        if (at >= 0) list!.splice(at, 1);
        if (list?.length === 0) this.postings.delete(p);
      }
      this.questions.delete(key);
    }
    this.byEntry.delete(entryId);
    for (const intent of this.links.get(entryId) ?? []) {
      const set = this.byIntent.get(intent);
      set?.delete(entryId);
      if (set?.size === 0) this.byIntent.delete(intent);
    }
    this.links.delete(entryId);
  }

  /**
   * The best `limit` entries for a buyer's text, best first (issue #15): each entry scored by the
   * better of its own wording (`searchWording`) and the catalogue intents it is linked to (a
   * buyer's phrasing of "when do you ship" finds the shop's shipping-time entry without the shop
   * writing that phrasing); when several entries share an intent, their own wording decides.
   */
  search(query: string, limit = 5): FaqMatch[] {
    return this.understand(query, limit).entries;
  }

  /** The entries (as `search`) and the catalogue intents a buyer's text reads as. */
  understand(query: string, limit = 5): Understanding {
    const wording = this.searchWording(query, Math.max(limit, 10));
    if (!this.catalogue) return { entries: wording.slice(0, limit), intents: [] };
    const intents = this.catalogue.read(query, 5);
    // Ranked on the uncapped score: two entries both past 1 are still told apart by their wording.
    const best = new Map(wording.map((m) => [m.entryId, { match: m, rank: m.score }]));
    const own = new Map(wording.map((m) => [m.entryId, m.score]));
    for (const intent of intents)
      for (const entryId of this.byIntent.get(intent.intentId) ?? []) {
        const lexical = own.get(entryId) ?? 0;
        const score = Math.max(intent.score * INTENT_SCALE, lexical) + SHARED_INTENT_TIEBREAK * lexical;
        const current = best.get(entryId);
        if (!current || score > current.rank)
          best.set(entryId, {
            rank: score,
            match: {
              entryId,
              matchedQuestion: current?.match.matchedQuestion ?? this.questionOf(entryId),
              score: Math.min(1, score),
              viaIntent: intent.intentId,
            },
          });
      }
    const entries = [...best.values()]
      .sort((a, b) => b.rank - a.rank)
      .slice(0, limit)
      .map((b) => b.match);
    return { entries, intents };
  }

  /** An entry's standard question (its first indexed text). */
  private questionOf(entryId: string): string {
    const [key] = this.byEntry.get(entryId) ?? [];
    return key === undefined ? '' : (this.questions.get(key)?.text ?? '');
  }

  /**
   * The best `limit` entries for a query by the shop's own wording, best first, each scored by its
   * best-matching question. Candidates are the questions sharing a posting key with the query.
   */
  searchWording(query: string, limit = 5): FaqMatch[] {
    return this.searchFeatures(this.scorer.features(query.slice(0, MAX_QUERY_CHARS)), limit);
  }

  /** `searchWording` for a query whose features are already computed (by this index's scorer). */
  searchFeatures(qf: TextFeatures, limit = 5): FaqMatch[] {
    // Candidate generation: accumulate an IDF weight per question over the posting lists the query
    // shares, then score exactly only the best few. Keys on a large share of the questions
    // ("吗", "怎么") add little weight, and rare ones decide.
    const total = this.questions.size;
    const lists: [number[], number][] = [];
    for (const p of postingKeys(qf)) {
      const list = this.postings.get(p);
      if (list) lists.push([list, Math.log(1 + total / list.length)]);
    }
    // The rarest keys first; very common ones are skipped once enough rare ones are in play.
    lists.sort((a, b) => a[0].length - b[0].length);
    if (this.weights.length < this.nextKey)
      this.weights = new Float64Array(Math.max(this.nextKey, this.weights.length * 2));
    const weights = this.weights;
    if (this.touched.length < this.nextKey)
      this.touched = new Int32Array(Math.max(this.nextKey, this.touched.length * 2));
    const touched = this.touched;
    let n = 0;
    for (let i = 0; i < lists.length; i++) {
      const [list, w] = lists[i]!;
      if (i >= 3 && list.length > Math.max(COMMON_MIN, total * COMMON_SHARE)) break;
      for (const key of list) {
        if (weights[key] === 0) touched[n++] = key;
        weights[key] = weights[key]! + w;
      }
    }
    const candidates = topByWeight(touched, n, weights, this.candidates);
    for (let i = 0; i < n; i++) weights[touched[i]!] = 0;
    const best = new Map<string, FaqMatch>();
    for (const key of candidates) {
      const q = this.questions.get(key)!;
      const score = this.scorer.similarity(qf, q.features);
      const current = best.get(q.entryId);
      if (!current || score > current.score)
        best.set(q.entryId, { entryId: q.entryId, matchedQuestion: q.text, score });
    }
    return [...best.values()].sort((a, b) => b.score - a.score).slice(0, limit);
  }
}

/**
 * The `limit` keys of `keys[0..n)` with the highest weight, best first (ties: the earlier key
 * first, as a stable sort of all of them would give) — a bounded insertion, so a search that
 * touches thousands of questions neither sorts nor copies them all.
 */
function topByWeight(keys: Int32Array, n: number, weights: Float64Array, limit: number): number[] {
  const top: number[] = [];
  for (let i = 0; i < n; i++) {
    const key = keys[i]!;
    const w = weights[key]!;
    if (top.length === limit && w <= weights[top[limit - 1]!]!) continue;
    let at = top.length;
    while (at > 0 && weights[top[at - 1]!]! < w) at--;
    top.splice(at, 0, key);
    if (top.length > limit) top.pop();
  }
  return top;
}

/** A query is cut to this length: a 10,000-character paste is matched on its start. */
export const MAX_QUERY_CHARS = 500;
/** A key on more than this share of the questions is skipped once three rarer keys are in play… */
const COMMON_SHARE = 0.02;
/** …but a key on fewer questions than this is never skipped (small knowledge bases score everything). */
const COMMON_MIN = 200;
/** How many questions are scored exactly after candidate generation. */
const CANDIDATES = 64;
/** Entries sharing an intent are told apart by their own wording's share in their score. */
const SHARED_INTENT_TIEBREAK = 0.3;
/**
 * A catalogue intent's score is on its own scale (similarity to one of many phrasings, weighed by
 * the classifier); this puts it on the shop wording's. Chosen on the development sets (demo FAQ,
 * bench/bot/dev), never on the held-out ones.
 */
const INTENT_SCALE = 1.3;
