import { MINUTE } from '../kernel';
import { normalizeText } from './text';

/** Why a buyer looks like spam (SPAM-1). */
export type SpamReason = 'repeated' | 'links' | 'blocked';

/** A buyer message as the spam check sees it. */
export interface SpamSample {
  text: string;
  at: number;
  /**
   * `text` normalized, memoized here by `judgeSpam` the first time it compares it: a buyer's
   * samples are kept and judged again with each new message, and are normalized once each.
   */
  norm?: string;
}

const URL_RE = /(https?:\/\/|www\.)[^\s]+|\b[a-z0-9-]+\.(com|cn|net|top|xyz|cc|vip|shop)\b/gi;

/** How many links a text carries. */
export function countLinks(text: string): number {
  // Every link has a dot; most chat lines have none, and skip the regex.
  if (!text.includes('.')) return 0;
  return text.match(URL_RE)?.length ?? 0;
}

/**
 * SPAM-1: judges a buyer from their latest messages (oldest first, the new one last): the same
 * text three times in a row within ten minutes, three or more links within a minute, or a buyer
 * on the shop's block list. Real buyers who paste one advert are not spam (they are answered and
 * can be reported). Pure but for the `norm` memo on the samples.
 */
export function judgeSpam(input: { recent: readonly SpamSample[]; blocked: boolean }): SpamReason | null {
  if (input.blocked) return 'blocked';
  const recent = input.recent;
  const last = recent.at(-1);
  if (!last) return null;
  const tail = recent.slice(-3);
  // Cheap test first: the raw texts must already be near-equal in length to be the same line.
  if (
    tail.length === 3 &&
    last.at - tail[0]!.at <= 10 * MINUTE &&
    tail.every((m) => Math.abs(m.text.length - last.text.length) <= 4)
  ) {
    const norm = normOf(last);
    if (norm.length > 0 && tail.every((m) => normOf(m) === norm)) return 'repeated';
  }
  const lastMinute = recent.filter((m) => last.at - m.at <= MINUTE);
  if (lastMinute.reduce((n, m) => n + countLinks(m.text), 0) >= 3) return 'links';
  return null;
}

function normOf(sample: SpamSample): string {
  return (sample.norm ??= normalizeText(sample.text));
}
