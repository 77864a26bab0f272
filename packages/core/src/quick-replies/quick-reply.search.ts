import { pinyin } from 'pinyin-pro';
import type { QuickReply } from './quick-reply.types';

/** The keys a quick reply is found by: its title and text, lower-cased, and the pinyin initials and syllables of the title. */
export function searchKeysOf(reply: Pick<QuickReply, 'title' | 'text'>): string[] {
  const title = reply.title.toLowerCase();
  const initials = pinyin(reply.title, { pattern: 'first', toneType: 'none', type: 'array' })
    .join('')
    .toLowerCase();
  const full = pinyin(reply.title, { toneType: 'none', type: 'array' }).join('').toLowerCase();
  return [title, reply.text.toLowerCase(), initials, full];
}

/**
 * TEAM-3: quick replies matching what the agent typed after "/": a substring of the title or
 * text, or the title's pinyin initials ("fh" finds 发货时间) or full pinyin. Title matches rank
 * first, then prefix matches, then personal before shared.
 */
export function searchQuickReplies<T extends QuickReply>(
  replies: readonly T[],
  query: string,
  limit = 10,
): T[] {
  const q = query.trim().toLowerCase();
  if (q.length === 0) return replies.slice(0, limit);
  const scored: { reply: T; score: number }[] = [];
  for (const reply of replies) {
    const [title, text, initials, full] = searchKeysOf(reply) as [string, string, string, string];
    let score = 0;
    if (title.startsWith(q) || initials.startsWith(q) || full.startsWith(q)) score = 4;
    else if (title.includes(q)) score = 3;
    else if (initials.includes(q) || full.includes(q)) score = 2;
    else if (text.includes(q)) score = 1;
    if (score > 0) scored.push({ reply, score: score + (reply.ownerId ? 0.5 : 0) });
  }
  scored.sort((a, b) => b.score - a.score || a.reply.title.localeCompare(b.reply.title, 'zh-CN'));
  return scored.slice(0, limit).map((s) => s.reply);
}
