import { pinyin } from 'pinyin-pro';

/**
 * Text normalization and features for the FAQ matcher (BOT-1): pure functions, no I/O.
 * Segmentation into words comes in through the Segmenter port (jieba in the server).
 */

/** Splits text into words; the server supplies jieba with the shop-domain dictionary. */
export interface Segmenter {
  cut(text: string): string[];
}

const PUNCT = /[\s\p{P}\p{S}]+/gu;

/**
 * Folds what buyers type into one form: full-width to half-width, lower case, and punctuation,
 * symbols and spaces removed (so "发货？" and "发货" match).
 */
export function normalizeText(text: string): string {
  let out = '';
  for (const ch of text.normalize('NFKC')) out += ch;
  return out.toLowerCase().replace(PUNCT, '');
}

/** Character n-grams of a normalized string (n = 1 gives the characters). */
export function charNgrams(text: string, n: number): string[] {
  const chars = [...text];
  const grams: string[] = [];
  for (let i = 0; i + n <= chars.length; i++) grams.push(chars.slice(i, i + n).join(''));
  return grams;
}

/** Counts of each item. */
export function countTerms(terms: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of terms) counts.set(t, (counts.get(t) ?? 0) + 1);
  return counts;
}

/**
 * The toneless pinyin syllables of a normalized text, one per Chinese character; a run of Latin
 * letters or digits stays one token. Buyers' homophone typos (发或 for 发货, 退宽 for 退款, 敏敢 for
 * 敏感) read the same here (issue #15).
 */
export function pinyinSyllables(norm: string): string[] {
  if (!norm) return [];
  return pinyin(norm, { toneType: 'none', type: 'array', nonZh: 'consecutive', v: true })
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
