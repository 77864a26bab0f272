/**
 * Reply metrics as the admin API sends them (MET-1 … MET-7), and how the UI writes them:
 * percentages, durations, the figures' definitions.
 */
import type { AgentRow, MetricDefinition, MetricsRangeDay } from '@xiaoer/protocol';
import { useEffect, useState } from 'react';
import { api } from './api';
import type { Dict, Lang } from './i18n';

/** A day's figures (GET /api/admin/metrics/day), the settings and the definitions, as the core has them. */
export type { DayMetrics, GroupRow, MetricDefinition, MetricsSettings } from '@xiaoer/protocol';

/** Pre-sales or after-sales: agents are ranked within their segment (MET-6). */
export type Segment = AgentRow['segment'];

/** One agent's row in the day's table. */
export type AgentMetrics = AgentRow;

/** GET /api/admin/metrics/range: one row a day. */
export type RangeDay = MetricsRangeDay;

/** MET-5: the reply rate projected from the buyers now waiting falls below the threshold. */
export type { MetricsAlert } from '@xiaoer/protocol';

/** The figures that carry a definition. */
export type MetricKey =
  | 'replyRate'
  | 'consultations'
  | 'inquiries'
  | 'firstResponse'
  | 'response'
  | 'conversion'
  | 'satisfaction'
  | 'quality'
  | 'score';

/** "72.5%", "100%"; "—" when there is nothing to divide. */
export function pct(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return '—';
  return `${Number((rate * 100).toFixed(1))}%`;
}

/** A duration as people say it: "0.8 秒", "12 秒", "3 分 5 秒" (or s / min). */
export function duration(ms: number | null | undefined, t: Dict): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 10_000) return `${Number((ms / 1000).toFixed(1))} ${t.seconds}`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} ${t.seconds}`;
  const m = Math.floor(s / 60);
  return s % 60 === 0 ? `${m} ${t.minutes}` : `${m} ${t.minutes} ${s % 60} ${t.seconds}`;
}

/** A histogram edge, short: "3s", "1分" / "1m". */
export function shortDuration(ms: number, t: Dict): string {
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(1))}${t.secondsShort}`;
  if (ms < 3_600_000) return `${Number((ms / 60_000).toFixed(1))}${t.minutesShort}`;
  return `${Number((ms / 3_600_000).toFixed(1))}${t.hoursShort}`;
}

/** Replaces {name} in a string. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? String(values[name]) : whole,
  );
}

/** YYYY-MM-DD plus `days` (calendar arithmetic, no time zone involved). */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/**
 * Each figure's definition in the UI language: the server's (which knows the shop's settings),
 * else the built-in one.
 */
export function useDefinitions(t: Dict, lang: Lang): (key: MetricKey) => { name: string; text: string } {
  const [served, setServed] = useState<MetricDefinition[]>([]);
  useEffect(() => {
    api('GET', '/api/admin/metrics/definitions')
      .then((r) => setServed(r.definitions ?? []))
      .catch(() => undefined); // the built-in words stand in
  }, []);
  return (key) => {
    const d = served.find((x) => x.key === key);
    const builtIn = t.metricDefs[key];
    return {
      name: d?.name?.[lang] || builtIn.name,
      text: d?.text?.[lang] || builtIn.text,
    };
  };
}
