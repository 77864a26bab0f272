/**
 * CMP-6 harassment: frequency caps and quiet hours for proactive messages to a buyer (Pinduoduo
 * forbids "频繁联系用户"; seed 001). Pure: the caller passes the times of the proactive messages
 * already sent to this buyer. Caps count rolling windows (any 24 hours, any 7 days), so sending
 * at 23:59 and again at 00:01 does not slip past a daily cap.
 */
import { TZDate } from '@date-fns/tz';
import { addDays, setHours, setMinutes, startOfMinute } from 'date-fns';
import { DAY } from '../kernel';
import {
  validateProactiveSettings,
  type CheckResult,
  type Finding,
  type ProactiveSettings,
} from './compliance.types';
import { reason } from './lexicon';

/** What a proactive-message check needs. */
export interface ProactiveCheckInput {
  /** When earlier proactive messages went to this buyer (ms since the epoch). */
  sentTimestamps: readonly number[];
  now: number;
  /** IANA time zone of the shop; default Asia/Shanghai. */
  tz?: string;
  settings: ProactiveSettings;
}

/** The verdict on sending one more proactive message now. */
export interface ProactiveResult extends CheckResult {
  /** The earliest time the message may go, when it may not go now. */
  nextAllowedAt?: number;
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

function quietAt(t: number, zone: string, s: ProactiveSettings): boolean {
  const start = minutesOf(s.quietStart);
  const end = minutesOf(s.quietEnd);
  if (start === end) return false;
  const local = new TZDate(t, zone);
  const min = local.getHours() * 60 + local.getMinutes();
  return start < end ? min >= start && min < end : min >= start || min < end;
}

/** The next end of quiet hours after t. */
function quietEndAfter(t: number, zone: string, s: ProactiveSettings): number {
  const end = minutesOf(s.quietEnd);
  const local = startOfMinute(new TZDate(t, zone));
  let candidate = setMinutes(setHours(local, Math.floor(end / 60)), end % 60);
  if (candidate.getTime() <= t) candidate = addDays(candidate, 1);
  return candidate.getTime();
}

function finding(id: string, zh: string, en: string): Finding {
  return {
    rule: 'CMP-6',
    id,
    verdict: 'block',
    reason: reason(zh, en),
    span: { start: 0, end: 0 },
    matched: '',
  };
}

/**
 * May one more proactive message go to this buyer now? Blocks in quiet hours and over the daily
 * or weekly cap, and says when it may go. Throws a field-named validation error for bad settings.
 */
export function checkProactive(input: ProactiveCheckInput): ProactiveResult {
  const s = validateProactiveSettings(input.settings, 'settings');
  const zone = input.tz ?? 'Asia/Shanghai';
  const { now } = input;
  const sent = input.sentTimestamps.filter((t) => Number.isFinite(t) && t <= now).sort((a, b) => a - b);
  const findings: Finding[] = [];
  let next = now;

  const caps: [number, number, string, string, string][] = [
    [
      DAY,
      s.maxPerDay,
      'cmp6.daily-cap',
      `24 小时内已主动联系 ${s.maxPerDay} 次，达到上限`,
      `Already ${s.maxPerDay} proactive messages in 24 hours`,
    ],
    [
      7 * DAY,
      s.maxPerWeek,
      'cmp6.weekly-cap',
      `7 天内已主动联系 ${s.maxPerWeek} 次，达到上限`,
      `Already ${s.maxPerWeek} proactive messages in 7 days`,
    ],
  ];
  for (const [window, cap, id, zh, en] of caps) {
    const inWindow = sent.filter((t) => t > now - window);
    if (inWindow.length < cap) continue;
    findings.push(
      finding(
        id,
        `${zh}：频繁联系顾客属于骚扰（拼多多客服规则禁止）。`,
        `${en}: frequent contact is harassment.`,
      ),
    );
    // Allowed again once enough of them have left the window (never, with a cap of 0).
    const freeing = inWindow[inWindow.length - cap];
    next = cap === 0 || freeing === undefined ? Infinity : Math.max(next, freeing + window);
  }
  if (quietAt(now, zone, s))
    findings.push(
      finding(
        'cmp6.quiet-hours',
        `免打扰时段（${s.quietStart}–${s.quietEnd}）不主动发消息。`,
        `Quiet hours (${s.quietStart}–${s.quietEnd}): no proactive messages.`,
      ),
    );
  if (findings.length === 0) return { verdict: 'pass', findings, promises: [] };
  if (Number.isFinite(next) && quietAt(next, zone, s)) next = quietEndAfter(next, zone, s);
  const result: ProactiveResult = { verdict: 'block', findings, promises: [] };
  if (Number.isFinite(next)) result.nextAllowedAt = next;
  return result;
}
