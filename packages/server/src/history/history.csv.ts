import { formatLocalTime, type HistoryRow, type HistoryTag } from '@xiaoer/core';
import { stringify as stringifyCsv } from 'csv-stringify/sync';

/** The languages the export's headers and labels come in. */
export type CsvLang = 'zh' | 'en';

const HEADERS: Record<CsvLang, string[]> = {
  zh: [
    '会话ID',
    '买家',
    '买家编号',
    '客服',
    '开始时间',
    '结束时间',
    '状态',
    '渠道',
    '标签',
    '评分',
    '评价',
    '首次响应（秒）',
    '平均响应（秒）',
    '消息数',
    '内容',
  ],
  en: [
    'conversation_id',
    'buyer',
    'buyer_external_id',
    'agents',
    'started_at',
    'ended_at',
    'status',
    'channel',
    'tags',
    'rating',
    'rating_comment',
    'first_response_s',
    'avg_response_s',
    'messages',
    'text',
  ],
};

const STATUS: Record<CsvLang, Record<HistoryRow['status'], string>> = {
  zh: { bot: '机器人接待', queued: '排队中', assigned: '接待中', spam: '疑似骚扰', ended: '已结束' },
  en: { bot: 'bot', queued: 'queued', assigned: 'assigned', spam: 'spam', ended: 'ended' },
};
const TAGS: Record<CsvLang, Record<HistoryTag, string>> = {
  zh: { spam: '疑似骚扰', bot: '仅机器人', transferred: '转接过', compliance: '合规记录' },
  en: { spam: 'spam', bot: 'bot only', transferred: 'transferred', compliance: 'compliance' },
};

/** Seconds with one decimal, rounded half up (61,050 ms → 61.1). */
const seconds = (ms: number | null) => (ms === null ? '' : (Math.round(ms / 100) / 10).toFixed(1));

/**
 * Issue #18: the history as CSV — UTF-8 with a BOM (so Excel reads the Chinese), times on the
 * shop's clock, response times in seconds, the matched text (or the last message) per row. A cell
 * a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first) is prefixed with `'`,
 * as the shop's other exports do (issue #14).
 */
export function historyCsv(rows: readonly HistoryRow[], timeZone: string, lang: CsvLang = 'zh'): string {
  const time = (at: number | null) => (at === null ? '' : formatLocalTime(at, timeZone));
  const body = rows.map((r) => [
    r.conversationId,
    r.buyer.nick,
    r.buyer.externalId ?? '',
    r.agents.map((a) => a.name).join(lang === 'zh' ? '、' : ', '),
    time(r.startedAt),
    time(r.endedAt),
    STATUS[lang][r.status] ?? r.status,
    r.channel ?? (lang === 'zh' ? '网页' : 'widget'),
    r.tags.map((t) => TAGS[lang][t]).join(lang === 'zh' ? '、' : ', '),
    r.rating?.score ?? '',
    r.rating?.comment ?? '',
    seconds(r.firstResponseMs),
    seconds(r.avgResponseMs),
    r.messageCount,
    r.match?.snippet ?? r.preview,
  ]);
  return stringifyCsv([HEADERS[lang], ...body], { bom: true, escape_formulas: true });
}
