/**
 * Scores a checker on labelled cases (`{"text", "expect", "rule"}` lines of a dev set): block
 * recall and precision, false blocks on pass cases, per-rule recall, and the mistakes. Pure: the
 * caller parses the file.
 */
import type { ComplianceChecker } from './checker';
import type { ComplianceRuleId, Verdict } from './compliance.types';

/** One labelled case. */
export interface ComplianceCase {
  text: string;
  expect: Verdict;
  rule: ComplianceRuleId | null;
}

/** A case the checker got wrong. */
export interface ComplianceMistake {
  text: string;
  expect: Verdict;
  rule: ComplianceRuleId | null;
  got: Verdict;
  /** The ids of what the checker found. */
  found: string[];
}

/** The scores of a checker on a set of cases. */
export interface ComplianceEvalReport {
  cases: number;
  /** Share of block cases blocked. */
  blockRecall: number;
  /** Share of blocked cases that were block cases. */
  blockPrecision: number;
  /** Share of pass cases blocked. */
  falseBlockRate: number;
  /** Share of warn cases warned (not blocked, not passed). */
  warnRecall: number;
  /** Share of cases whose verdict is exactly the expected one. */
  accuracy: number;
  /** Per rule: share of its block/warn cases that got the expected verdict from that rule. */
  perRule: { rule: ComplianceRuleId; recall: number; n: number }[];
  mistakes: ComplianceMistake[];
}

const round = (x: number) => Math.round(x * 1000) / 1000;
const share = (a: number, b: number) => (b === 0 ? 1 : round(a / b));

/** Checks every case and scores the results. */
export function evaluateCompliance(
  checker: ComplianceChecker,
  cases: readonly ComplianceCase[],
): ComplianceEvalReport {
  let blockCases = 0;
  let blockHits = 0;
  let blocked = 0;
  let passCases = 0;
  let falseBlocks = 0;
  let warnCases = 0;
  let warnHits = 0;
  let exact = 0;
  const perRule = new Map<ComplianceRuleId, { hit: number; n: number }>();
  const mistakes: ComplianceMistake[] = [];
  for (const c of cases) {
    const res = checker.check(c.text);
    const got = res.verdict;
    if (got === 'block') blocked++;
    if (c.expect === 'block') {
      blockCases++;
      if (got === 'block') blockHits++;
    } else if (c.expect === 'pass') {
      passCases++;
      if (got === 'block') falseBlocks++;
    } else {
      warnCases++;
      if (got === 'warn') warnHits++;
    }
    if (got === c.expect) exact++;
    if (c.rule && c.expect !== 'pass') {
      const r = perRule.get(c.rule) ?? { hit: 0, n: 0 };
      r.n++;
      if (got === c.expect && res.findings.some((f) => f.rule === c.rule && f.verdict === c.expect)) r.hit++;
      perRule.set(c.rule, r);
    }
    if (got !== c.expect)
      mistakes.push({
        text: c.text,
        expect: c.expect,
        rule: c.rule,
        got,
        found: res.findings.map((f) => f.id),
      });
  }
  return {
    cases: cases.length,
    blockRecall: share(blockHits, blockCases),
    blockPrecision: share(blockHits, blocked),
    falseBlockRate: share(falseBlocks, passCases),
    warnRecall: share(warnHits, warnCases),
    accuracy: share(exact, cases.length),
    perRule: [...perRule.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([rule, { hit, n }]) => ({ rule, recall: share(hit, n), n })),
    mistakes,
  };
}

/** Parses dev-set lines; throws naming the line of a malformed one. */
export function parseComplianceCases(jsonl: string): ComplianceCase[] {
  const out: ComplianceCase[] = [];
  for (const [i, line] of jsonl.split('\n').entries()) {
    if (!line.trim()) continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      throw new Error(`line ${i + 1}: not JSON`);
    }
    const c = v as Partial<ComplianceCase>;
    if (typeof c.text !== 'string') throw new Error(`line ${i + 1}: text must be a string`);
    if (c.expect !== 'block' && c.expect !== 'warn' && c.expect !== 'pass')
      throw new Error(`line ${i + 1}: expect must be block, warn or pass`);
    if (c.rule !== null && c.rule !== undefined && !/^(?:CMP-[1-7]|AD-LAW)$/.test(c.rule))
      throw new Error(`line ${i + 1}: rule must be CMP-1 … CMP-7, AD-LAW or null`);
    out.push({ text: c.text, expect: c.expect, rule: c.rule ?? null });
  }
  return out;
}
