/**
 * The shape of a lexicon rule (CMP-1, -2, -3, -4, -5) and the context helpers its `accept` uses.
 * Every pattern runs on the flat canonical text (letters and digits only, simplified, lower case):
 * write patterns in that alphabet, without punctuation or spaces.
 */
import type { ComplianceRuleId, FindingVerdict, LocalizedText, PackId } from './compliance.types';
import type { NormalizedText } from './normalize';

/** What an `accept` check sees of a match. */
export interface MatchContext {
  norm: NormalizedText;
  /** Flat-text range of the match. */
  index: number;
  end: number;
  match: RegExpExecArray;
  /** The shop's guarantees, canonical (CMP-4). */
  guarantees: ReadonlySet<string>;
}

/** One entry of a lexicon: literal anchors, a pattern and a context check. */
export interface LexRule {
  /** Stable id: `cmp<n>.<name>`. */
  id: string;
  rule: ComplianceRuleId;
  verdict: FindingVerdict;
  /** Packs it belongs to: the rule applies when any of them is on (`generic` always is). */
  packs: readonly PackId[];
  /** Literal strings (canonical) one of which occurs wherever the pattern matches. */
  anchors: readonly string[];
  /** Pattern on the flat text (no flags needed: compiled with `g`). */
  pattern: RegExp;
  /** Extra context check; the match counts only when it returns true. */
  accept?: (m: MatchContext) => boolean;
  reason: LocalizedText;
  /** Replaces the matched span (see Finding.rewrite). */
  rewrite?: string;
  /** The rewrite made from what matched (flat text), when one wording does not fit every match. */
  rewriteOf?: (matched: string) => string;
  /** Texts it must match (checked by the tests, and documentation for the console). */
  examples: readonly string[];
}

/** Sentence-final particles that may follow a phrase before the clause ends. */
export const PARTICLES = '啊呀呢吧哦哈啦嘛了的呐喔噢哟么哇咯滴亲嗷';

/** Words that turn what follows into a warning or a refusal of the thing ("请勿私下转账"). */
export const NEGATIONS = [
  '不要',
  '请勿',
  '切勿',
  '勿',
  '别',
  '不会',
  '谨防',
  '不能',
  '禁止',
  '严禁',
  '不用',
  '不得',
  '不可',
  '不允许',
  '拒绝',
  '小心',
  '警惕',
  '防止',
  '避免',
  '不支持',
  '无需',
  '不需要',
  '不存在',
  '冒充',
  '如有人',
  '如果有人',
  '若有人',
  '有人让',
  '有人要求',
  '自称',
];

/** Words around a phrase that make it a warning to the buyer ("请直接举报"), not an invitation. */
export const WARNING_WORDS =
  /举报|诈骗|谨防|冒充|上当|受骗|被骗|骗局|不是我们官方|非官方|不是我们的人|不是我们放的|挂掉|挂断|别理|不要理|千万别|假冒|山寨/;

/** Words that set a scene of someone else's doing anywhere earlier in the clause ("如果有人…让您加QQ"). */
const SCENE = /如果有人|若有人|要是有人|有人让|有人要求|有人给您|冒充|自称|以.{1,6}名义/;

const bounds = new WeakMap<NormalizedText, { starts: Int32Array; ends: Int32Array }>();

/** Clause start and end for every position, computed once per text (keeps the helpers O(1)). */
function clauseBounds(norm: NormalizedText): { starts: Int32Array; ends: Int32Array } {
  let b = bounds.get(norm);
  if (!b) {
    const n = norm.text.length;
    const starts = new Int32Array(n + 1);
    const ends = new Int32Array(n + 1);
    for (let i = 0, s = 0; i <= n; i++) {
      if (norm.breakBefore[i]) s = i;
      starts[i] = s;
    }
    for (let i = n, e = n; i >= 0; i--) {
      ends[i] = e;
      if (norm.breakBefore[i] && i > 0) e = i;
    }
    ends[n] = n;
    b = { starts, ends };
    bounds.set(norm, b);
  }
  return b;
}

/** The flat-text index where the clause holding position i starts. */
export function clauseStart(norm: NormalizedText, i: number): number {
  return clauseBounds(norm).starts[Math.max(0, Math.min(i, norm.text.length))]!;
}

/** The flat-text index where the clause holding position i ends (exclusive). */
export function clauseEnd(norm: NormalizedText, i: number): number {
  const n = norm.text.length;
  if (i >= n) return n;
  return clauseBounds(norm).ends[Math.max(0, i)]!;
}

/** The part of the match's clause before the match. */
export function before(m: MatchContext): string {
  return m.norm.text.slice(clauseStart(m.norm, m.index), m.index);
}

/** The part of the match's clause after the match. */
export function after(m: MatchContext): string {
  if (m.norm.breakBefore[m.end]) return '';
  return m.norm.text.slice(m.end, clauseEnd(m.norm, m.end));
}

/** The clause after the match's clause ('' at the end of the text). */
export function nextClause(m: MatchContext): string {
  const end = m.norm.breakBefore[m.end] ? m.end : clauseEnd(m.norm, m.end);
  if (end >= m.norm.text.length) return '';
  return m.norm.text.slice(end, clauseEnd(m.norm, end));
}

/** True when only particles follow the match in its clause. */
export function endsClause(m: MatchContext, particles = PARTICLES): boolean {
  for (const ch of after(m)) if (!particles.includes(ch)) return false;
  return true;
}

/** True when nothing but lead-ins (any of `leadIns`, in any order) and particles comes before the match in its clause. */
export function startsClause(m: MatchContext, leadIns: readonly string[] = []): boolean {
  let b = before(m);
  for (let guard = 0; b && guard < 8; guard++) {
    if (PARTICLES.includes(b[0]!)) {
      b = b.slice(1);
      continue;
    }
    const lead = leadIns.find((l) => b.startsWith(l));
    if (!lead) return false;
    b = b.slice(lead.length);
  }
  return b === '';
}

/** True when a negation or warning word comes before the match in its clause (within `window` characters). */
export function negated(m: MatchContext, words: readonly string[] = NEGATIONS, window = 10): boolean {
  const whole = before(m);
  const b = whole.slice(-window);
  if (words.some((w) => b.includes(w))) return true;
  // With the default words: what the shop says it has none of ("没有其他店铺", "没有任何私人收款码",
  // "没法私下交易"), and a scene of someone else's doing however long the clause before it.
  return (
    words === NEGATIONS &&
    (/(?:没有任何|没有|没法|没|无)$/.test(whole) || /没有任何|没法|不敢/.test(b) || SCENE.test(whole))
  );
}

/** True when the match's clause or the next one warns the buyer (against fraud, to report). */
export function warns(m: MatchContext): boolean {
  const t = m.norm.text;
  const from = clauseStart(m.norm, m.index);
  const to = clauseEnd(m.norm, clauseEnd(m.norm, m.end));
  return WARNING_WORDS.test(t.slice(from, to));
}

/** For Latin words: true when the match is not glued to other Latin letters or digits. */
export function latinBounded(m: MatchContext): boolean {
  const t = m.norm.text;
  const alnum = (c: string | undefined) => c !== undefined && /[a-z0-9]/.test(c);
  const first = t[m.index];
  const last = t[m.end - 1];
  const leftOk = !alnum(first) || m.norm.gapBefore[m.index] === 1 || !alnum(t[m.index - 1]);
  const rightOk = !alnum(last) || m.norm.gapBefore[m.end] === 1 || !alnum(t[m.end]);
  return leftOk && rightOk;
}

/** Shorthand for a reason in both languages. */
export function reason(zh: string, en: string): LocalizedText {
  return { 'zh-CN': zh, en };
}
