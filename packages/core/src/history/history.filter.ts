import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';
import { invalid } from '../kernel';
import { dayBounds } from '../metrics/ledger';
import { HISTORY_MAX_PAGE, type HistoryCursor, type HistoryFilter, type HistoryQuery } from './history.types';

/** A LIKE pattern's wildcards and its escape character taken literally (escape `\`). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * How a text sits inside a stored JSON body: bodies are JSON, so a quote or a backslash the
 * buyer typed is stored escaped (`\"`); the search looks for the same bytes.
 */
export function asInJson(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

/** The opaque cursor of a page that ends at this row. */
export function encodeHistoryCursor(c: HistoryCursor): string {
  return `${c.createdAt}.${c.id}`;
}

/** Reads a cursor back; a malformed one is a 400 naming `cursor`. */
export function decodeHistoryCursor(cursor: string): HistoryCursor {
  const m = /^(\d{1,16})\.([A-Za-z0-9_:-]{1,64})$/.exec(cursor);
  if (!m) throw invalid('cursor', 'not a cursor this API gave');
  return { createdAt: Number(m[1]), id: m[2]! };
}

/**
 * Issue #18: a supervisor's search as storage runs it. Days are the shop's (`to` inclusive), a
 * range that ends before it begins is 400 naming `to`; texts are lowered (case-insensitive) and
 * escaped for LIKE, in the form they take inside the stored JSON bodies.
 */
export function normalizeHistoryFilter(q: HistoryQuery, timeZone: string): HistoryFilter {
  if (q.from && q.to && q.to < q.from) throw invalid('to', 'must not be before from');
  const f: HistoryFilter = { limit: Math.min(Math.max(1, Math.floor(q.limit)), HISTORY_MAX_PAGE) };
  if (q.buyer) f.buyer = { exact: q.buyer, nickPattern: `%${escapeLike(q.buyer.toLowerCase())}%` };
  if (q.agent)
    f.agent = {
      id: q.agent,
      // A system line naming the agent (joined, transferred to): its body holds "agentId":"<id>".
      systemPattern: `%"agentid":"${escapeLike(asInJson(q.agent.toLowerCase()))}"%`,
    };
  if (q.text) {
    const needle = q.text.toLowerCase();
    // Inside a text body, after its "text" key: the key names themselves do not match.
    f.text = { needle, pattern: `%"text":"%${escapeLike(asInJson(needle))}%` };
  }
  if (q.order) f.order = { number: q.order, pattern: `%${escapeLike(asInJson(q.order.toLowerCase()))}%` };
  if (q.from) f.since = dayBounds(q.from, timeZone).start;
  if (q.to) f.until = dayBounds(q.to, timeZone).end;
  if (q.tag) f.tag = q.tag;
  if (q.rating && q.rating.length > 0) {
    const scores = [...new Set(q.rating.filter((r): r is number => r !== 'none'))].sort();
    if (scores.length > 0) f.ratings = scores;
    if (q.rating.includes('none')) f.unrated = true;
  }
  if (q.status) f.status = q.status;
  if (q.cursor) f.after = decodeHistoryCursor(q.cursor);
  return f;
}

/**
 * The part of a text around the first place `needle` occurs (any case), `radius` characters
 * either side, with … where it was cut; the text's start when the needle is not in it.
 */
export function snippetAround(text: string, needle: string | undefined, radius = 40): string {
  const at = needle ? text.toLowerCase().indexOf(needle.toLowerCase()) : -1;
  if (at < 0) return text.length > radius * 2 ? `${text.slice(0, radius * 2)}…` : text;
  const start = Math.max(0, at - radius);
  const end = Math.min(text.length, at + (needle?.length ?? 0) + radius);
  return `${start > 0 ? '…' : ''}${text.slice(start, end)}${end < text.length ? '…' : ''}`;
}

/** A moment as the shop's wall clock reads it, `YYYY-MM-DD HH:mm:ss` (what a spreadsheet shows). */
export function formatLocalTime(at: number, timeZone: string): string {
  return format(new TZDate(at, timeZone), 'yyyy-MM-dd HH:mm:ss');
}
