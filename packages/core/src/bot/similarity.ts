import { charNgrams, countTerms, normalizeText } from './text';

/** Document frequencies over a corpus, for IDF weights. */
export class DocumentFrequencies {
  private readonly df = new Map<string, number>();
  private docs = 0;

  /** Adds one document's distinct terms. */
  add(terms: Iterable<string>): void {
    this.docs++;
    for (const t of new Set(terms)) this.df.set(t, (this.df.get(t) ?? 0) + 1);
  }

  /** Removes one document's distinct terms (incremental index edits). */
  remove(terms: Iterable<string>): void {
    this.docs = Math.max(0, this.docs - 1);
    for (const t of new Set(terms)) {
      const n = (this.df.get(t) ?? 0) - 1;
      if (n <= 0) this.df.delete(t);
      else this.df.set(t, n);
    }
  }

  /** Smoothed IDF: ln((N + 1) / (df + 1)) + 1. */
  idf(term: string): number {
    return Math.log((this.docs + 1) / ((this.df.get(term) ?? 0) + 1)) + 1;
  }
}

/** Cosine of two TF-IDF vectors built from term counts. */
export function tfidfCosine(
  a: Map<string, number>,
  b: Map<string, number>,
  idf: (t: string) => number,
): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (const [t, c] of a) {
    const w = c * idf(t);
    na += w * w;
    const cb = b.get(t);
    if (cb !== undefined) dot += w * cb * idf(t);
  }
  for (const [t, c] of b) {
    const w = c * idf(t);
    nb += w * w;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** Baseline: Jaccard similarity of the two texts' character sets. */
export function charJaccard(a: string, b: string): number {
  const x = new Set(normalizeText(a));
  const y = new Set(normalizeText(b));
  if (x.size === 0 && y.size === 0) return 0;
  let inter = 0;
  for (const c of x) if (y.has(c)) inter++;
  return inter / (x.size + y.size - inter);
}

/** Character 1- and 2-grams of a text, normalized. */
export function charUniBigrams(text: string): string[] {
  const norm = normalizeText(text);
  return [...charNgrams(norm, 1), ...charNgrams(norm, 2)];
}

/** Baseline: TF-IDF cosine over character 1+2-grams. */
export function charTfidfSimilarity(a: string, b: string, df: DocumentFrequencies): number {
  return tfidfCosine(countTerms(charUniBigrams(a)), countTerms(charUniBigrams(b)), (t) => df.idf(t));
}
