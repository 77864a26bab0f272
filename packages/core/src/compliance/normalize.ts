/**
 * Canonical forms of a message for the compliance rules, each with a map back to the original
 * text, so a rule matches "你 问 我，我 問 誰" like "你问我我问谁" and still reports where in the
 * original it matched. Pure; no I/O.
 *
 * Traditional → simplified: the character tables of opencc-js (TSCharacters plus the Taiwan and
 * Hong Kong variant tables), applied one character at a time so offsets stay exact. Phrase-level
 * conversion is not needed to match a lexicon and would break the one-to-one offset map.
 */
import { from as openccFrom, to as openccTo } from 'opencc-js/preset/t2cn';
import type { TextSpan } from './compliance.types';

/** A canonical text with, for each of its UTF-16 units, the original span it came from. */
export interface NormalizedText {
  text: string;
  /** Original start offset of each unit of `text`. */
  start: number[];
  /** Original end offset (exclusive) of each unit of `text`. */
  end: number[];
  /**
   * 1 where a clause break (punctuation, a symbol or emoji, a line break) was removed just before
   * `text[i]`; index `text.length` stands for the end of the text and is always 1.
   */
  breakBefore: Uint8Array;
  /** 1 where anything (space, punctuation) was removed just before `text[i]`. */
  gapBefore: Uint8Array;
}

/**
 * - `flat`: letters and digits only (for lexicons): NFKC, lower case, zero-width characters and
 *   combining marks dropped, spaces/punctuation/symbols/emoji dropped, traditional → simplified,
 *   look-alike letters folded to Latin.
 * - `loose`: like flat but punctuation and symbols are kept (spaces still dropped), 。 reads as
 *   a dot and Chinese digits read as ASCII digits (for links and numbers).
 */
export type NormalizeMode = 'flat' | 'loose';

// Cyrillic, Greek and other letters that look like Latin ones (lower case; applied after lowering).
const HOMOGLYPHS: Record<string, string> = {
  а: 'a',
  в: 'b',
  г: 'r',
  е: 'e',
  ё: 'e',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  п: 'n',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  ш: 'w',
  ѕ: 's',
  і: 'i',
  ї: 'i',
  ј: 'j',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  һ: 'h',
  ӏ: 'l',
  ү: 'y',
  ѡ: 'w',
  α: 'a',
  β: 'b',
  γ: 'y',
  ε: 'e',
  ζ: 'z',
  η: 'n',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  σ: 'o',
  τ: 't',
  υ: 'u',
  χ: 'x',
  ω: 'w',
  ı: 'i',
  ɑ: 'a',
  ɡ: 'g',
  ʏ: 'y',
  ɪ: 'i',
  ʟ: 'l',
  ɴ: 'n',
  ʀ: 'r',
  ꜱ: 's',
  ᴀ: 'a',
  ʙ: 'b',
  ᴄ: 'c',
  ᴅ: 'd',
  ᴇ: 'e',
  ᴊ: 'j',
  ᴋ: 'k',
  ᴍ: 'm',
  ᴏ: 'o',
  ᴘ: 'p',
  ᴛ: 't',
  ᴜ: 'u',
  ᴠ: 'v',
  ᴡ: 'w',
  ᴢ: 'z',
  օ: 'o',
  ս: 'u',
  հ: 'h',
  ց: 'g',
};

// Chinese numerals read digit by digit (phone numbers are read out this way); loose mode only.
const CN_DIGITS: Record<string, string> = {
  〇: '0',
  零: '0',
  一: '1',
  壹: '1',
  幺: '1',
  二: '2',
  贰: '2',
  三: '3',
  叁: '3',
  四: '4',
  肆: '4',
  五: '5',
  伍: '5',
  六: '6',
  陆: '6',
  七: '7',
  柒: '7',
  八: '8',
  捌: '8',
  九: '9',
  玖: '9',
};

type DictLike = string | readonly (readonly [string, string])[];

function* dictEntries(dict: DictLike): Generator<[string, string]> {
  if (typeof dict === 'string') {
    for (const entry of dict.split('|')) {
      const [from, to] = entry.split(' ');
      if (from && to) yield [from, to];
    }
  } else for (const [from, to] of dict) yield [from, to];
}

function singleCharMap(groups: readonly (readonly DictLike[])[] | undefined): Map<string, string> {
  const map = new Map<string, string>();
  for (const group of groups ?? [])
    for (const dict of group)
      for (const [from, to] of dictEntries(dict))
        if ([...from].length === 1 && [...to].length === 1 && !map.has(from)) map.set(from, to);
  return map;
}

// Characters OpenCC keeps (they are also simplified) but that are only ever variants in shop chat.
const T2S_EXTRA: Record<string, string> = { 妳: '你', 祢: '你', 儍: '傻' };

let t2s: Map<string, string> | undefined;

/** Traditional → simplified for one character (itself when it has no simplified form). */
export function toSimplifiedChar(ch: string): string {
  if (!t2s) {
    const ts = singleCharMap(openccTo.cn);
    const variants = singleCharMap([...(openccFrom.tw ?? []), ...(openccFrom.hk ?? [])]);
    t2s = new Map(ts);
    // A regional variant (裡, 著 …) goes to the standard traditional form first, then to simplified;
    // a variant whose standard form has no simplified entry is left alone (么 stays 么).
    for (const [v, std] of variants) {
      if (ts.has(v)) continue;
      const s = ts.get(std);
      if (s) t2s.set(v, s);
    }
    for (const [k, v] of Object.entries(T2S_EXTRA)) t2s.set(k, v);
  }
  return t2s.get(ch) ?? ch;
}

/** How one code point folds: its output in each mode and what dropping it means. */
interface Fold {
  flat: string;
  loose: string;
  /** When flat is empty: 1 invisible (no gap), 2 space (gap), 3 punctuation or symbol (gap and break). */
  drop: 0 | 1 | 2 | 3;
}

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const MARK = /\p{M}/u;
const SPACE = /[\s\p{Z}]/u;
const FORMAT = /\p{Cf}/u;
// Invisible characters that are not format characters: soft hyphen, grapheme joiner, Hangul and
// Mongolian fillers, variation selectors.
const INVISIBLE_EXTRA = new Set([
  0x00ad, 0x034f, 0x115f, 0x1160, 0x17b4, 0x17b5, 0x180b, 0x180c, 0x180d, 0x180e, 0x180f, 0x3164, 0xffa0,
]);
const isInvisible = (ch: string): boolean => {
  const cp = ch.codePointAt(0) ?? 0;
  return (
    FORMAT.test(ch) ||
    INVISIBLE_EXTRA.has(cp) ||
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    (cp >= 0xe0100 && cp <= 0xe01ef)
  );
};

const foldCache = new Map<number, Fold>();

function foldChar(ch: string): string {
  const lower = HOMOGLYPHS[ch] ?? ch;
  return lower.length === 1 && lower.charCodeAt(0) >= 0x3400 ? toSimplifiedChar(lower) : lower;
}

function computeFold(cp: number, ch: string): Fold {
  if (isInvisible(ch) || MARK.test(ch) || (cp >= 0xe0000 && cp <= 0xe007f))
    return { flat: '', loose: '', drop: 1 };
  if (SPACE.test(ch)) return { flat: '', loose: '', drop: 2 };
  let flat = '';
  let loose = '';
  for (const c of ch.normalize('NFKC').toLowerCase()) {
    if (MARK.test(c) || isInvisible(c)) continue;
    const f = foldChar(c);
    if (LETTER_OR_DIGIT.test(f)) {
      flat += f;
      loose += CN_DIGITS[f] ?? f;
    } else if (!SPACE.test(f)) loose += f === '。' ? '.' : f;
  }
  return { flat, loose, drop: flat ? 0 : loose ? 3 : 2 };
}

function getFold(cp: number, ch: string): Fold {
  let f = foldCache.get(cp);
  if (!f) {
    f = computeFold(cp, ch);
    foldCache.set(cp, f);
  }
  return f;
}

/**
 * Maps text to a canonical form with an offset map back to the original. Never throws: lone
 * surrogates and unassigned code points count as symbols.
 */
export function normalize(text: string, mode: NormalizeMode = 'flat'): NormalizedText {
  let out = '';
  const start: number[] = [];
  const end: number[] = [];
  const breaks: number[] = [];
  const gaps: number[] = [];
  let pendingBreak = 0;
  let pendingGap = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const cp = text.codePointAt(i) as number;
    const len = cp > 0xffff ? 2 : 1;
    let piece: string;
    let drop: number;
    if (cp < 0x80) {
      // ASCII fast path.
      if ((cp >= 0x61 && cp <= 0x7a) || (cp >= 0x30 && cp <= 0x39)) {
        piece = text[i] as string;
        drop = 0;
      } else if (cp >= 0x41 && cp <= 0x5a) {
        piece = String.fromCharCode(cp + 32);
        drop = 0;
      } else if (cp === 0x20 || cp === 0x09) {
        piece = '';
        drop = 2;
      } else if (cp < 0x20 || mode === 'flat') {
        piece = '';
        drop = 3;
      } else {
        piece = text[i] as string;
        drop = 0;
      }
    } else if (cp >= 0x4e00 && cp <= 0x9fff && mode === 'flat') {
      // CJK fast path: NFKC leaves these alone.
      piece = toSimplifiedChar(text[i] as string);
      drop = 0;
    } else {
      const f = getFold(cp, text.slice(i, i + len));
      piece = mode === 'flat' ? f.flat : f.loose;
      drop = piece ? 0 : f.drop;
    }
    if (piece) {
      for (let k = 0; k < piece.length; k++) {
        start.push(i);
        end.push(i + len);
        breaks.push(k === 0 ? pendingBreak : 0);
        gaps.push(k === 0 ? pendingGap : 0);
      }
      out += piece;
      pendingBreak = 0;
      pendingGap = 0;
    } else if (drop === 3) {
      pendingBreak = 1;
      pendingGap = 1;
    } else if (drop === 2) pendingGap = 1;
    i += len;
  }
  const breakBefore = new Uint8Array(out.length + 1);
  const gapBefore = new Uint8Array(out.length + 1);
  breakBefore.set(breaks);
  gapBefore.set(gaps);
  breakBefore[out.length] = 1;
  gapBefore[out.length] = 1;
  return { text: out, start, end, breakBefore, gapBefore };
}

/** The original span of the canonical range [from, to). */
export function originalSpan(norm: NormalizedText, from: number, to: number): TextSpan {
  if (norm.text.length === 0) return { start: 0, end: 0 };
  const a = Math.max(0, Math.min(from, norm.text.length - 1));
  const b = Math.max(a, Math.min(to, norm.text.length) - 1);
  return { start: norm.start[a] as number, end: norm.end[b] as number };
}

/** The canonical (flat) form of a phrase, as the lexicons store it. */
export function canonical(text: string): string {
  return normalize(text, 'flat').text;
}
