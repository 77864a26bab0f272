import type { QuestionScorer, TextFeatures } from './scorer';

/** BOT-1: a knowledge-base entry: a standard question, similar questions, an answer, a category, a switch. */
export interface FaqEntry {
  id: string;
  question: string;
  similar: string[];
  answer: string;
  category: string;
  enabled: boolean;
}

/** One match: the entry, the question of it that matched best, and the similarity. */
export interface FaqMatch {
  entryId: string;
  matchedQuestion: string;
  score: number;
}

interface IndexedQuestion {
  entryId: string;
  text: string;
  features: TextFeatures;
}

/** Posting keys of a text: its words and character bigrams (unigrams are too common to narrow). */
function postingKeys(f: TextFeatures): string[] {
  const keys: string[] = [];
  for (const w of f.words.keys()) keys.push(`w:${w}`);
  for (const c of f.chars.keys()) if ([...c].length === 2) keys.push(`c:${c}`);
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
  private readonly postings = new Map<string, Set<number>>();
  private nextKey = 0;
  /** Scratch space for candidate weights, by question key (reset after each search). */
  private weights = new Float64Array(1024);

  constructor(private readonly scorer: QuestionScorer) {}

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
        let set = this.postings.get(p);
        if (!set) this.postings.set(p, (set = new Set()));
        set.add(key);
      }
      keys.push(key);
    }
    this.byEntry.set(entry.id, keys);
  }

  /** Removes an entry (no-op when absent). */
  remove(entryId: string): void {
    const keys = this.byEntry.get(entryId);
    if (!keys) return;
    for (const key of keys) {
      const q = this.questions.get(key)!;
      this.scorer.forget(q.features);
      for (const p of postingKeys(q.features)) {
        const set = this.postings.get(p);
        set?.delete(key);
        if (set?.size === 0) this.postings.delete(p);
      }
      this.questions.delete(key);
    }
    this.byEntry.delete(entryId);
  }

  /**
   * The best `limit` entries for a query, best first, each scored by its best-matching question.
   * Candidates are the questions sharing a word or character bigram with the query.
   */
  search(query: string, limit = 5): FaqMatch[] {
    const qf = this.scorer.features(query.slice(0, MAX_QUERY_CHARS));
    // Candidate generation: accumulate an IDF weight per question over the posting lists the query
    // shares, then score exactly only the best few. Keys on a large share of the questions
    // ("吗", "怎么") add little weight, and rare ones decide.
    const total = this.questions.size;
    const lists: [Set<number>, number][] = [];
    for (const p of postingKeys(qf)) {
      const list = this.postings.get(p);
      if (list) lists.push([list, Math.log(1 + total / list.size)]);
    }
    // The rarest keys first; very common ones are skipped once enough rare ones are in play.
    lists.sort((a, b) => a[0].size - b[0].size);
    if (this.weights.length < this.nextKey)
      this.weights = new Float64Array(Math.max(this.nextKey, this.weights.length * 2));
    const weights = this.weights;
    const touched: number[] = [];
    for (const [i, [list, w]] of lists.entries()) {
      if (i >= 3 && list.size > Math.max(COMMON_MIN, total * COMMON_SHARE)) break;
      for (const key of list) {
        if (weights[key] === 0) touched.push(key);
        weights[key] = weights[key]! + w;
      }
    }
    touched.sort((a, b) => weights[b]! - weights[a]!);
    const candidates = touched.slice(0, CANDIDATES);
    for (const key of touched) weights[key] = 0;
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

/** A query is cut to this length: a 10,000-character paste is matched on its start. */
const MAX_QUERY_CHARS = 500;
/** A key on more than this share of the questions is skipped once three rarer keys are in play… */
const COMMON_SHARE = 0.02;
/** …but a key on fewer questions than this is never skipped (small knowledge bases score everything). */
const COMMON_MIN = 200;
/** How many questions are scored exactly after candidate generation. */
const CANDIDATES = 64;
