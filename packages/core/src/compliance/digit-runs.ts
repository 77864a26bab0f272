/**
 * Digit runs in the loose view: groups of digits split by spaces, dashes, dots or brackets, as
 * phone and card numbers are written ("138 1234 5678", "6222-0212-…", "①③⑧…", "一三八…").
 * Shared by CMP-3 (numbers that leave the platform) and CMP-7 (masking).
 */
import type { NormalizedText } from './normalize';

/** A group of consecutive digits (loose-view indices, end exclusive). */
export interface DigitGroup {
  digits: string;
  from: number;
  to: number;
}

/** Groups that follow each other with at most two separators between them. */
export interface DigitRun {
  groups: DigitGroup[];
  from: number;
  to: number;
}

const SEPARATORS = new Set(['-', '‐', '‑', '‒', '–', '—', '_', '.', '(', ')', '+', '·', '~', '/']);

function isDigit(t: string, i: number): boolean {
  const c = t.charCodeAt(i);
  return c >= 48 && c <= 57;
}

/** Every digit run of the loose text, in order. */
export function scanDigitRuns(loose: NormalizedText): DigitRun[] {
  const t = loose.text;
  const runs: DigitRun[] = [];
  let i = 0;
  while (i < t.length) {
    if (!isDigit(t, i)) {
      i++;
      continue;
    }
    const groups: DigitGroup[] = [];
    let g: DigitGroup = { digits: '', from: i, to: i };
    let k = i;
    while (k < t.length) {
      if (isDigit(t, k)) {
        // A space (dropped in the loose view, kept as a gap) splits groups too.
        if (g.digits && loose.gapBefore[k]) {
          groups.push(g);
          g = { digits: '', from: k, to: k };
        }
        g.digits += t[k];
        g.to = k + 1;
        k++;
      } else if (SEPARATORS.has(t[k]!)) {
        let s = k;
        while (s < t.length && s - k < 2 && SEPARATORS.has(t[s]!)) s++;
        if (s < t.length && isDigit(t, s)) {
          groups.push(g);
          g = { digits: '', from: s, to: s };
          k = s;
        } else break;
      } else break;
    }
    if (g.digits) groups.push(g);
    runs.push({ groups, from: i, to: k });
    i = Math.max(k, i + 1);
  }
  return runs;
}

/**
 * True when the groups may be one number written in parts: up to six parts of any size (a space
 * slipped in anywhere must not hide a phone number), or any number of one- or two-digit parts
 * (spelled out digit by digit).
 */
export function shapeOk(groups: readonly DigitGroup[]): boolean {
  return groups.length <= 6 || groups.every((g) => g.digits.length <= 2);
}

/** A candidate number: groups a..b of a run. */
export interface DigitWindow {
  a: number;
  b: number;
  digits: string;
}

/** Plausible windows of a run with minLen–maxLen digits, longest first. */
export function digitWindows(run: DigitRun, minLen: number, maxLen: number): DigitWindow[] {
  const windows: DigitWindow[] = [];
  const { groups } = run;
  if (groups.length > 60) return windows;
  for (let a = 0; a < groups.length; a++) {
    let digits = '';
    for (let b = a; b < groups.length; b++) {
      digits += groups[b]!.digits;
      if (digits.length > maxLen) break;
      if (digits.length >= minLen && shapeOk(groups.slice(a, b + 1))) windows.push({ a, b, digits });
    }
  }
  return windows.sort((x, y) => y.digits.length - x.digits.length);
}
