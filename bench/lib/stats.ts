import { readFileSync } from 'node:fs';

/** The q-quantile (0..1) of a list of numbers, nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

/** Resident memory of a process in MB, from /proc (Linux). */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

/** Formats a number with a fixed count of decimals. */
export const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

/** Prints a table of rows: label, ours, baseline, ratio and a note. */
export function printTable(
  title: string,
  rows: { label: string; ours: string; baseline: string; ratio: string; note?: string }[],
) {
  console.log(`\n## ${title}`);
  const header = ['figure', 'xiaoer', 'baseline (same run)', 'ratio', 'note'];
  const table = [header, ...rows.map((r) => [r.label, r.ours, r.baseline, r.ratio, r.note ?? ''])];
  const widths = header.map((_, i) => Math.max(...table.map((row) => [...row[i]!].length)));
  for (const [i, row] of table.entries()) {
    console.log(`| ${row.map((cell, j) => cell + ' '.repeat(widths[j]! - [...cell].length)).join(' | ')} |`);
    if (i === 0) console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  }
}
