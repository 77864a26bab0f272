/**
 * The compliance checker (CMP-1 … CMP-5): compiles a shop's settings once, then checks each
 * outgoing message in one pass per view. Pipeline:
 * 1. normalise the message into a flat view (lexicons) and a loose view (links, numbers);
 * 2. one Aho–Corasick scan of the flat view over every lexicon rule's anchors picks the few rules
 *    that can match; only their patterns run;
 * 3. links, e-mails and numbers (CMP-3) are found in the loose view;
 * 4. checkable promises (CMP-4) are returned for the order (warn findings too when the shop
 *    asks agents to confirm every promise: `confirmPromises`);
 * 5. the statistical layer (issue #17), when given, reads the line and its clauses for what the
 *    lexicons cannot list; a rule it reads that no lexicon finding already covers is a finding;
 * 6. warnings and the model's readings of a clause on the shop's allow list are dropped;
 * 7. the verdict is the worst finding; rewrites replace the clause they are in.
 * Linear in the message length; never throws on odd input (lone surrogates, mixed scripts).
 */
import { systemClock, type Clock } from '../kernel';
import { AhoCorasick } from './aho-corasick';
import { CMP1_RULES, CUSTOM_PHRASE_REASON, customPhraseAccept } from './cmp1-banned.rule';
import { CMP2_RULES } from './cmp2-insults.rule';
import { CMP3_RULES, allowedHosts, findLinks, findNumbers, platformRules } from './cmp3-off-platform.rule';
import { CMP4_RULES, canonicalGuarantees, findPromises, promiseFinding } from './cmp4-promises.rule';
import { CMP5_RULES } from './cmp5-invoices.rule';
import { ADLAW_RULES } from './adlaw.rule';
import { clauseSpans, type ComplianceReader } from './classifier';
import { MODEL_REASONS, MODEL_REWRITES } from './model.rule';
import {
  PLATFORM_PACK_IDS,
  VERDICT_RANK,
  type CheckContext,
  type CheckResult,
  type ComplianceRuleId,
  type ComplianceSettings,
  type Finding,
  type PackId,
  type PlatformPackId,
  type TextSpan,
} from './compliance.types';
import type { LexRule } from './lexicon';
import { canonical, normalize, originalSpan, type NormalizedText } from './normalize';

/** Every built-in lexicon rule (for the console's rule list and the tests). */
export const LEXICON_RULES: readonly LexRule[] = [
  ...CMP1_RULES,
  ...CMP2_RULES,
  ...CMP3_RULES,
  ...CMP4_RULES,
  ...CMP5_RULES,
  ...ADLAW_RULES,
];

/** Enough findings to block and explain; a flood of matches stops there (the text is still checked whole by the other detectors). */
const MAX_FINDINGS = 200;

interface Compiled {
  rules: LexRule[];
  patterns: RegExp[];
  automaton: AhoCorasick;
  /** Anchor index → rule indices. */
  anchorRules: number[][];
  allowed: string[];
}

/** A compiled checker. */
export interface ComplianceChecker {
  /** Checks one outgoing message. */
  check(text: string, ctx?: CheckContext): CheckResult;
  /** The settings it was compiled from. */
  readonly settings: ComplianceSettings;
}

function compile(rules: LexRule[], allowed: string[]): Compiled {
  const anchors: string[] = [];
  const anchorRules: number[][] = [];
  const index = new Map<string, number>();
  rules.forEach((rule, r) => {
    for (const raw of rule.anchors) {
      const a = canonical(raw);
      if (!a) continue;
      let k = index.get(a);
      if (k === undefined) {
        k = anchors.length;
        index.set(a, k);
        anchors.push(a);
        anchorRules.push([]);
      }
      if (!anchorRules[k]!.includes(r)) anchorRules[k]!.push(r);
    }
  });
  const patterns = rules.map(
    (r) =>
      new RegExp(r.pattern.source, r.pattern.flags.includes('g') ? r.pattern.flags : `${r.pattern.flags}g`),
  );
  return { rules, patterns, automaton: new AhoCorasick(anchors), anchorRules, allowed };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function isActive(rule: LexRule, packs: ReadonlySet<PackId>): boolean {
  return rule.packs.some((p) => packs.has(p));
}

/** Texts longer than this get per-finding rewrites but no whole-message suggestion. */
const MAX_SUGGESTION_INPUT = 2_000;

/** Where a clause ends (or starts, looking back). */
const CLAUSE_MARK = /[，。！？；,!?;\n\r~～…]/;

/** The clause around a span: from after the last clause mark before it to the next one after. */
export function clauseAround(text: string, span: TextSpan): TextSpan {
  let start = span.start;
  while (start > 0 && !CLAUSE_MARK.test(text[start - 1]!)) start--;
  let end = span.end;
  while (end < text.length && !CLAUSE_MARK.test(text[end]!)) end++;
  while (start < span.start && /\s/.test(text[start]!)) start++;
  while (end > span.end && /\s/.test(text[end - 1]!)) end--;
  return { start, end };
}

const overlaps = (a: TextSpan, b: TextSpan) => a.start < b.end && b.start < a.end;

/** Most of a text the statistical layer reads (a long paste is still checked whole by the lexicons). */
const MAX_MODEL_INPUT = 4_000;

/**
 * Compiles a checker for a shop's settings (validate them first with validateComplianceSettings).
 * The clock dates promises when a check gives no `now`; the reader, when given, is the
 * statistical layer (issue #17).
 */
export function createChecker(
  settings: ComplianceSettings,
  clock: Clock = systemClock,
  reader?: ComplianceReader,
): ComplianceChecker {
  const allowList = new Set((settings.allowList ?? []).map((t) => canonical(t)).filter(Boolean));
  const packs = new Set<PackId>(['generic', ...settings.platforms]);
  const shopPlatforms = new Set(PLATFORM_PACK_IDS.filter((p) => packs.has(p)));
  const guarantees = canonicalGuarantees(settings.guarantees);

  const custom: LexRule[] = settings.customPhrases.map((c, i) => {
    const phrase = canonical(c.phrase);
    return {
      id: `cmp1.custom.${i}`,
      rule: 'CMP-1',
      verdict: c.verdict,
      packs: ['generic'],
      anchors: [phrase],
      pattern: new RegExp(escapeRegExp(phrase)),
      accept: customPhraseAccept,
      reason: c.reason ? { 'zh-CN': c.reason, en: c.reason } : CUSTOM_PHRASE_REASON,
      examples: [c.phrase],
    };
  });
  const base = [...LEXICON_RULES.filter((r) => isActive(r, packs)), ...custom];

  // The conversation's platform (ctx.platform) decides which platform names and domains are own.
  const byPlatform = new Map<string, Compiled>();
  const compiledFor = (platform: PlatformPackId | undefined): Compiled => {
    const key = platform ?? '*';
    let c = byPlatform.get(key);
    if (!c) {
      const own = platform ? new Set([platform]) : shopPlatforms;
      const strict = platform ? platform === 'pinduoduo' : own.size === 1 && own.has('pinduoduo');
      c = compile([...base, ...platformRules(own, strict)], allowedHosts(settings.allowedDomains, own));
      byPlatform.set(key, c);
    }
    return c;
  };
  compiledFor(undefined);

  const input = (text: unknown): string => (typeof text === 'string' ? text : String(text ?? ''));
  const checkOnce = (text: string, ctx: CheckContext): CheckResult => {
    {
      const input = typeof text === 'string' ? text : String(text ?? '');
      const c = compiledFor(ctx.platform);
      const flat = normalize(input, 'flat');
      const loose = normalize(input, 'loose');
      const findings: Finding[] = [];

      // Which rules can match at all.
      const triggered = new Uint8Array(c.rules.length);
      c.automaton.scan(flat.text, (anchor) => {
        for (const r of c.anchorRules[anchor]!) triggered[r] = 1;
      });
      for (let r = 0; r < c.rules.length; r++) {
        if (!triggered[r]) continue;
        matchRule(c.rules[r]!, c.patterns[r]!, flat, input, guarantees, findings);
        if (findings.length > MAX_FINDINGS) break;
      }

      // Words in quotes inside a longer message are more often reported than said ("同事那句
      // “爱买不买”是不对的"): a phrase's block on them asks the agent to confirm instead.
      let quotes: QuoteRegions | undefined;
      for (const f of findings)
        if (
          f.verdict === 'block' &&
          QUOTABLE.has(f.rule) &&
          quotedAside(input, f.span, (quotes ??= quoteRegions(input)))
        )
          f.verdict = 'warn';

      const links = findLinks(loose, input, c.allowed);
      findings.push(...links.findings);
      findings.push(...findNumbers(loose, input, ctx, links.spans));

      // A sentence rewrite replaces the clause it is in, so the suggestion still reads (issue #17).
      for (const f of findings)
        if (f.rewrite !== undefined && f.rewriteSpan === undefined)
          f.rewriteSpan = clauseAround(input, f.span);

      const promises = findPromises(flat, input, ctx.now ?? clock.now(), ctx.tz ?? 'Asia/Shanghai');

      if (reader && ctx.voice !== 'buyer') {
        // Links on the shop's own domains and numbers the lexicons let pass (an order number, a
        // tracking number): theirs to judge, and judged harmless. Found only when the model reads
        // CMP-3 at all (most texts it does not).
        let passedSpans: TextSpan[] | undefined;
        const passedByLexicons = (): TextSpan[] => {
          if (passedSpans) return passedSpans;
          const passed = (sp: TextSpan) => !findings.some((f) => f.rule === 'CMP-3' && overlaps(f.span, sp));
          passedSpans = [
            ...links.spans.filter(passed),
            ...[...input.matchAll(/\d[\d\s-]{3,}\d/g)]
              .map((m) => ({ start: m.index, end: m.index + m[0].length }))
              .filter((sp) => passed(sp) && !links.spans.some((l) => overlaps(l, sp))),
          ].sort((a, b) => b.start - a.start);
          return passedSpans;
        };
        for (const j of reader.judge(
          input.length > MAX_MODEL_INPUT ? input.slice(0, MAX_MODEL_INPUT) : input,
        )) {
          const covered = findings.some(
            (f) =>
              f.rule === j.rule &&
              VERDICT_RANK[f.verdict] >= VERDICT_RANK[j.verdict] &&
              overlaps(f.span, j.span),
          );
          if (covered) continue;
          // A checkable promise ("明天上午十点前给您发货") is the shop's to keep: recorded on the
          // order and checked, not an over-promise by its sound. The model learnt 明天一定到 (a
          // carrier's arrival) as CMP-4 and reads a ship-by promise the same.
          if (j.rule === 'CMP-4' && promises.some((p) => overlaps(p.span, j.span))) {
            // Read again without the promises' clauses: what is left may over-promise by itself
            // ("这款面霜保证一周祛斑，明天给您发出").
            const rest = clauseSpans(input.slice(j.span.start, j.span.end))
              .map((c) => ({ start: c.start + j.span.start, end: c.end + j.span.start }))
              .filter((c) => !promises.some((p) => overlaps(p.span, c)))
              .map((c) => input.slice(c.start, c.end))
              .join('，');
            if (!reader.judge(rest).some((r) => r.rule === 'CMP-4' && r.verdict === j.verdict)) continue;
          }
          // The model reads every link and number alike ("网址", "#") and may take 店铺首页
          // https://… or 订单号 4000… for off-platform: read again without what the lexicons passed.
          if (j.rule === 'CMP-3' && passedByLexicons().some((sp) => overlaps(sp, j.span))) {
            // The part read, without them (from the end backwards, so earlier offsets still hold).
            let rest = input.slice(j.span.start, j.span.end);
            for (const sp of passedByLexicons()) {
              const from = Math.max(sp.start, j.span.start) - j.span.start;
              const to = Math.min(sp.end, j.span.end) - j.span.start;
              if (from < to) rest = rest.slice(0, from) + rest.slice(to);
            }
            if (!reader.judge(rest).some((r) => r.rule === 'CMP-3' && r.verdict === j.verdict)) continue;
          }
          const rewrite = MODEL_REWRITES[j.rule];
          // A hedged statement ("一般不会起球", "应该明天能到") informs rather than guarantees: the
          // model's CMP-4 block of a hedged clause is a warning, unless it asserts certainty too.
          const verdict =
            j.rule === 'CMP-4' && j.verdict === 'block' && hedged(input.slice(j.span.start, j.span.end))
              ? 'warn'
              : j.verdict;
          findings.push({
            rule: j.rule,
            id: `model.${j.rule.toLowerCase()}`,
            verdict,
            reason: MODEL_REASONS[j.rule],
            span: j.span,
            matched: input.slice(j.span.start, j.span.end),
            source: 'model',
            confidence: Math.round(j.p * 1000) / 1000,
            ...(rewrite !== undefined ? { rewrite, rewriteSpan: j.span } : {}),
          });
        }
      }

      // A promise inside a blocked over-promise is reported once, as the block. Otherwise a
      // checkable promise is recorded against the order; it asks the agent to confirm only when
      // the shop wants every promise confirmed (confirmPromises).
      if (settings.confirmPromises)
        for (const p of promises)
          if (
            !findings.some(
              (f) => f.rule === 'CMP-4' && f.span.start < p.span.end && p.span.start < f.span.end,
            )
          )
            findings.push(promiseFinding(p, input));

      // The shop's allow list (its supervisors' "this is fine"): a warning, or the model's reading,
      // of a clause (or a whole message) on it is dropped. A listed phrase's block stays.
      const kept =
        allowList.size === 0
          ? findings
          : findings.filter(
              (f) =>
                (f.verdict === 'block' && f.source !== 'model') ||
                !(
                  allowList.has(canonical(input)) ||
                  allowList.has(canonical(input.slice(...spanOf(clauseAround(input, f.span))))) ||
                  everyClauseListed(input.slice(f.span.start, f.span.end), allowList)
                ),
            );

      return result(dedupe(kept), promises, input);
    }
  };

  return {
    settings,
    check(text: string, ctx: CheckContext = {}): CheckResult {
      const r = checkOnce(text, ctx);
      // A suggestion is offered only when it would pass itself: one the agent sends in one
      // click must not be blocked in turn. Past 2,000 characters the whole-message suggestion is
      // left out (each finding still has its rewrite), so a long paste is checked once.
      // Nor may it keep what it rewrote: a warning of a rule it rewrote that is still there.
      if (r.suggestion !== undefined) {
        const again = input(text).length > MAX_SUGGESTION_INPUT ? undefined : checkOnce(r.suggestion, ctx);
        const rewritten = new Set(r.findings.filter((f) => f.rewrite !== undefined).map((f) => f.rule));
        if (!again || again.verdict === 'block' || again.findings.some((f) => rewritten.has(f.rule)))
          delete r.suggestion;
      }
      return r;
    },
  };
}

function matchRule(
  rule: LexRule,
  re: RegExp,
  flat: NormalizedText,
  original: string,
  guarantees: ReadonlySet<string>,
  out: Finding[],
): void {
  re.lastIndex = 0;
  let count = 0;
  for (let m = re.exec(flat.text); m; m = re.exec(flat.text)) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    const end = m.index + m[0].length;
    if (rule.accept && !rule.accept({ norm: flat, index: m.index, end, match: m, guarantees })) {
      // Rejected here: look again from the next character (a later start may be accepted).
      re.lastIndex = m.index + 1;
      continue;
    }
    const span = originalSpan(flat, m.index, end);
    const finding: Finding = {
      rule: rule.rule,
      id: rule.id,
      verdict: rule.verdict,
      reason: rule.reason,
      span,
      matched: original.slice(span.start, span.end),
    };
    if (rule.rewrite) finding.rewrite = rule.rewrite;
    else if (rule.rewriteOf) {
      // A word for a word: only the span is replaced.
      finding.rewrite = rule.rewriteOf(m[0]);
      finding.rewriteSpan = span;
    }
    out.push(finding);
    if (++count >= 20) return;
  }
}

/** Drops a finding whose span lies inside another of the same rule. */
function dedupe(findings: Finding[]): Finding[] {
  findings.sort(
    (a, b) =>
      a.span.start - b.span.start ||
      b.span.end - a.span.end ||
      VERDICT_RANK[b.verdict] - VERDICT_RANK[a.verdict],
  );
  const out: Finding[] = [];
  for (const f of findings) {
    const inside = out.some(
      (g) =>
        g.rule === f.rule &&
        g.span.start <= f.span.start &&
        f.span.end <= g.span.end &&
        VERDICT_RANK[g.verdict] >= VERDICT_RANK[f.verdict],
    );
    if (!inside) out.push(f);
  }
  return out;
}

function result(findings: Finding[], promises: CheckResult['promises'], text: string): CheckResult {
  let verdict: CheckResult['verdict'] = 'pass';
  for (const f of findings) if (VERDICT_RANK[f.verdict] > VERDICT_RANK[verdict]) verdict = f.verdict;
  const out: CheckResult = { verdict, findings, promises };
  // A contact id, number or link (CMP-3) has nothing polite to say instead: it is dropped.
  const edits = findings
    .map((f) =>
      f.rewrite !== undefined
        ? {
            span: f.rewrite === '' ? dropped(text, f.rewriteSpan ?? f.span) : (f.rewriteSpan ?? f.span),
            text: f.rewrite,
          }
        : f.rule === 'CMP-3' && f.verdict === 'block'
          ? { span: f.span, text: '' }
          : undefined,
    )
    .filter((e) => e !== undefined)
    .sort((a, b) => a.span.start - b.span.start || b.span.end - a.span.end);
  // A block with nothing to put in its place would still block: no suggestion then (and no
  // second check of it).
  const fixable = findings.every(
    (f) => f.verdict !== 'block' || f.rewrite !== undefined || f.rule === 'CMP-3',
  );
  if (fixable && findings.some((f) => f.rewrite !== undefined)) {
    // Left to right; an edit overlapping one already applied is merged into it (its text dropped,
    // the first rewrite kept), so no part of either span survives.
    let s = '';
    let at = 0;
    let last: string | undefined;
    for (const e of edits) {
      // Overlapping, or the same rewrite again right after the last one: one rewrite for both.
      const adjacentTwin = e.text === last && /^[\s\p{P}]*$/u.test(text.slice(at, e.span.start));
      if (e.span.start < at || adjacentTwin) {
        at = Math.max(at, e.span.end);
        continue;
      }
      last = e.text;
      s += text.slice(at, e.span.start) + e.text;
      at = e.span.end;
    }
    const suggestion = (s + text.slice(at))
      .replace(/[ \t\u3000]{2,}/g, ' ')
      .trim()
      // A clause dropped at either end leaves its neighbour's comma behind.
      .replace(/^[\s，,、；;。.!！?？~～…]+/u, '')
      .replace(/[\s，,、；;]+$/u, '');
    // Nothing left to say (the whole message was one insult): no suggestion.
    if (/[\p{L}\p{N}]/u.test(suggestion)) out.suggestion = suggestion;
  }
  return out;
}

const spanOf = (s: TextSpan): [number, number] => [s.start, s.end];

/**
 * A span the model read whole ("好的亲，一看你就是来找事的"): allowed when each of its clauses
 * with something to say (four characters or more) is on the list.
 */
function everyClauseListed(text: string, allowList: ReadonlySet<string>): boolean {
  const clauses = clauseSpans(text)
    .map((c) => canonical(text.slice(c.start, c.end)))
    .filter((c) => c.length >= 4);
  return clauses.length > 0 && clauses.every((c) => allowList.has(c));
}

/** A clause to drop, with the marks and spaces after it (so no ",," is left). */
function dropped(text: string, span: TextSpan): TextSpan {
  let end = span.end;
  while (end < text.length && /[\s，,、；;。.!！?？~～…]/u.test(text[end]!)) end++;
  return { start: span.start, end };
}

/** Words that hedge a statement, and words that assert certainty despite a hedge (CMP-4). */
const HEDGES =
  /应该|一般|通常|基本|大概|估计|可能|大部分|大多数|多数人|理论上|快的话|差不多|正常情况|正常使用|好像|也许|或许|预计|不一定/;
const DISCLAIMED =
  /(?:不敢|不能|无法|没法|不|没办法)(?:跟您|跟你|给您|给你|向您|和您)?(?:保证|打包票|肯定)[^，。！？；,.!?;\s]*|保证不了/g;
const CERTAIN =
  /保证|肯定|绝对|一定|百分百|百分之百|100%|保准|打包票|包票|必须|包退|包赔|包换|包好|包治|赔您|赔你/;

/**
 * True when a text hedges and asserts nothing certain ("一般不会起球" — not "一般都保证不坏"); a
 * disclaimed guarantee ("我不敢跟您保证明天一定到") is a hedge, not a certainty.
 */
export function hedged(text: string): boolean {
  const rest = text.replace(DISCLAIMED, '');
  return (rest !== text || HEDGES.test(rest)) && !CERTAIN.test(rest);
}

/** The rules whose phrases may be quoted rather than said: a link or a number is never downgraded. */
const QUOTABLE: ReadonlySet<ComplianceRuleId> = new Set(['CMP-1', 'CMP-2', 'CMP-3']);
const QUOTE_PAIRS: Record<string, string> = { '“': '”', '「': '」', '『': '』', '‘': '’', '"': '"' };
const CLOSERS = new Map(Object.entries(QUOTE_PAIRS).map(([open, close]) => [close, open]));
const LETTER = /[\p{L}\p{N}]/u;

/** A text's quotations (each pair of marks, by kind) and a running count of its letters. */
export interface QuoteRegions {
  regions: { open: number; close: number }[];
  /** letters[i]: how many letters or digits come before position i. */
  letters: Int32Array;
}

/** Finds a text's quotations in one pass (a mark of one kind pairs with the next closing one). */
export function quoteRegions(text: string): QuoteRegions {
  const regions: { open: number; close: number }[] = [];
  const pending = new Map<string, number>();
  const letters = new Int32Array(text.length + 1);
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    letters[i + 1] = letters[i]! + (LETTER.test(ch) ? 1 : 0);
    const opener = CLOSERS.get(ch);
    if (opener !== undefined && pending.has(opener)) {
      regions.push({ open: pending.get(opener)!, close: i });
      pending.delete(opener);
    } else if (QUOTE_PAIRS[ch] !== undefined) pending.set(ch, i);
  }
  return { regions, letters };
}

/**
 * True when the span sits inside one pair of quotation marks and the message has words of its
 * own outside them (two letters or more): a quotation, not the whole message in quotes.
 */
export function quotedAside(
  text: string,
  span: { start: number; end: number },
  quotes: QuoteRegions = quoteRegions(text),
): boolean {
  const total = quotes.letters[text.length]!;
  return quotes.regions.some(
    (r) =>
      r.open < span.start &&
      span.end <= r.close &&
      total - (quotes.letters[r.close + 1]! - quotes.letters[r.open]!) >= 2,
  );
}
