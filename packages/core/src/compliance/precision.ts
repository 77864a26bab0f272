/**
 * Issue #17, agents' feedback: how often each rule was right, from the supervisor's log. Agents
 * say "this is fine" by sending a warned message anyway (confirmed); supervisors say it by
 * reviewing an entry correct or wrong. Precision is what the reviews say: correct / reviewed.
 */
import type { ComplianceLogEntry } from './compliance.guard';
import { COMPLIANCE_RULE_IDS, type ComplianceRuleId } from './compliance.types';

/** One rule's figures over a window of the log. */
export interface RulePrecision {
  rule: ComplianceRuleId;
  /** Entries the rule stopped (blocked, or a proactive message refused): not sent. */
  blocked: number;
  /** Warnings of the rule the agent sent anyway: the agent's "this is fine". */
  confirmed: number;
  reviewedCorrect: number;
  reviewedWrong: number;
  /** correct / (correct + wrong); null when no entry of the rule was reviewed. */
  precision: number | null;
  /** Entries the rule counted on where its finding came from the statistical layer. */
  byModel: number;
}

/** The report reads at most this many entries of its window, the newest (it says when it stopped). */
export const PRECISION_MAX_ENTRIES = 5_000;
/** The report's window when none is given: the last 30 days. */
export const PRECISION_DEFAULT_DAYS = 30;

/** The rules always reported (even with nothing logged), in this order; others follow. */
export const PRECISION_RULES: readonly ComplianceRuleId[] = [
  'CMP-1',
  'CMP-2',
  'CMP-3',
  'CMP-4',
  'CMP-5',
  'AD-LAW',
];

type Counted = Pick<ComplianceLogEntry, 'action' | 'verdict' | 'rules' | 'findings' | 'review'>;

/**
 * The rules an entry counts for: those with a finding of the entry's verdict (the rule that
 * blocked it, or the warning the agent overrode). A warning beside a block did not stop the
 * message, so a review of the block says nothing of it. Entries with no such finding (written
 * before findings carried verdicts) count for every rule they name.
 */
function decidingRules(e: Counted): ComplianceRuleId[] {
  const deciding = e.findings.filter((f) => f.verdict === e.verdict).map((f) => f.rule);
  return [...new Set(deciding.length > 0 ? deciding : e.rules)];
}

const order = (rule: string): number => {
  const i = COMPLIANCE_RULE_IDS.indexOf(rule as ComplianceRuleId);
  return i < 0 ? COMPLIANCE_RULE_IDS.length : i;
};

/**
 * Per rule over the given log entries: blocked, confirmed, reviews, precision and how many came
 * from the model. CMP-1 … CMP-5 and AD-LAW are always listed; any other rule present follows.
 */
export function rulePrecision(entries: readonly Counted[]): RulePrecision[] {
  const byRule = new Map<ComplianceRuleId, RulePrecision>();
  const row = (rule: ComplianceRuleId): RulePrecision => {
    let r = byRule.get(rule);
    if (!r) {
      r = {
        rule,
        blocked: 0,
        confirmed: 0,
        reviewedCorrect: 0,
        reviewedWrong: 0,
        precision: null,
        byModel: 0,
      };
      byRule.set(rule, r);
    }
    return r;
  };
  for (const rule of PRECISION_RULES) row(rule);
  for (const e of entries)
    for (const rule of decidingRules(e)) {
      const r = row(rule);
      if (e.action === 'confirmed') r.confirmed++;
      else r.blocked++;
      if (e.review === 'correct') r.reviewedCorrect++;
      else if (e.review === 'wrong') r.reviewedWrong++;
      if (e.findings.some((f) => f.rule === rule && f.verdict === e.verdict && f.source === 'model'))
        r.byModel++;
    }
  for (const r of byRule.values()) {
    const reviewed = r.reviewedCorrect + r.reviewedWrong;
    r.precision = reviewed > 0 ? r.reviewedCorrect / reviewed : null;
  }
  return [...byRule.values()].sort((a, b) => order(a.rule) - order(b.rule) || a.rule.localeCompare(b.rule));
}
