/**
 * Issue #17, agents' feedback: a supervisor who judges a logged block or warning wrong may put
 * what it flagged on the shop's allow list, so the same words are not flagged again. The list is
 * matched clause by clause (the checker's `clauseAround`), so what is added is the clause each
 * finding sat in, exactly as the checker will cut it from the next message.
 */
import { clauseAround } from './checker';
import type { ComplianceLogEntry } from './compliance.guard';
import { MAX_ALLOW_LIST, MAX_ALLOW_LIST_TEXT } from '@xiaoer/protocol/limits';
import type { Finding } from './compliance.types';
import { canonical } from './normalize';

/** The clause a finding sat in: the model's own clause, else the clause around its span. */
function clauseOf(text: string, f: Finding): string {
  // A model finding's span is the clause it read; an image code's span is in the code's text.
  if (f.source === 'model') return f.matched.trim();
  const source = f.source === 'image_code' && f.code !== undefined ? f.code : text;
  const { start, end } = f.span;
  if (start < 0 || end > source.length || end <= start) return '';
  const clause = clauseAround(source, f.span);
  return source.slice(clause.start, clause.end).trim();
}

/**
 * The clauses an entry's findings flagged, in order, once each (by the canonical form the
 * settings are checked with); none that could not go on the list (empty once normalised, or
 * longer than an allow-list text may be).
 */
export function flaggedClauses(entry: Pick<ComplianceLogEntry, 'text' | 'findings'>): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const f of entry.findings) {
    const clause = clauseOf(entry.text, f);
    const key = canonical(clause);
    if (!key || clause.length > MAX_ALLOW_LIST_TEXT || seen.has(key)) continue;
    seen.add(key);
    out.push(clause);
  }
  return out;
}

/**
 * The allow list with `texts` added: one entry per canonical form (what validateComplianceSettings
 * insists on), the list's own entries first, none past MAX_ALLOW_LIST. `added` is what was new
 * and fitted; `leftOut` what was new but did not fit (the list is full).
 */
export function addToAllowList(
  list: readonly string[],
  texts: readonly string[],
): { allowList: string[]; added: string[]; leftOut: string[] } {
  const allowList = [...list];
  const seen = new Set(list.map((s) => canonical(s)));
  const added: string[] = [];
  const leftOut: string[] = [];
  for (const raw of texts) {
    const text = raw.trim();
    const key = canonical(text);
    if (!key || text.length > MAX_ALLOW_LIST_TEXT || seen.has(key)) continue;
    seen.add(key);
    if (allowList.length >= MAX_ALLOW_LIST) {
      leftOut.push(text);
      continue;
    }
    allowList.push(text);
    added.push(text);
  }
  return { allowList, added, leftOut };
}

/**
 * A form's edit of the allow list applied to the list as it is now, not as the form loaded it: a
 * supervisor's review may have added sentences while the settings form stood open, and a save
 * from that form must not drop them. What the form removed (in `was`, not in `wanted`) goes; what
 * it added (in `wanted`, not in `was`) comes; everything else is the current list's. Compared by
 * canonical form. `leftOut` is what the form added that did not fit (the list is full).
 */
export function mergeAllowList(
  current: readonly string[],
  was: readonly string[],
  wanted: readonly string[],
): { allowList: string[]; leftOut: string[] } {
  const wantedKeys = new Set(wanted.map((s) => canonical(s)));
  const wasKeys = new Set(was.map((s) => canonical(s)));
  const removed = new Set([...wasKeys].filter((k) => !wantedKeys.has(k)));
  const kept = current.filter((s) => !removed.has(canonical(s)));
  const { allowList, leftOut } = addToAllowList(
    kept,
    wanted.filter((s) => !wasKeys.has(canonical(s))),
  );
  return { allowList, leftOut };
}
