import {
  MAX_ALLOW_LIST,
  MAX_ALLOW_LIST_TEXT,
  MAX_ALLOWED_DOMAINS,
  MAX_CUSTOM_PHRASES,
  MAX_PHRASE_LENGTH,
} from '@xiaoer/protocol/limits';
import { invalid } from '../kernel';
import { normalize } from './normalize';

/** What the checker says about a message: block it, ask the agent to confirm, or let it go. */
export type Verdict = 'block' | 'warn' | 'pass';
/** The verdict of one finding (a finding that passes is no finding). */
export type FindingVerdict = Exclude<Verdict, 'pass'>;
/** Verdicts ordered by severity (the worst finding decides). */
export const VERDICT_RANK: Record<Verdict, number> = { pass: 0, warn: 1, block: 2 };

/** The compliance rules of SPEC.md (CMP-1 … CMP-7). */
export type ComplianceRuleId =
  | 'CMP-1'
  | 'CMP-2'
  | 'CMP-3'
  | 'CMP-4'
  | 'CMP-5'
  | 'CMP-6'
  | 'CMP-7'
  /** Issue #17: 广告法 absolute claims (a warning). */
  | 'AD-LAW';
/** Every compliance rule id. */
export const COMPLIANCE_RULE_IDS: readonly ComplianceRuleId[] = [
  'CMP-1',
  'CMP-2',
  'CMP-3',
  'CMP-4',
  'CMP-5',
  'CMP-6',
  'CMP-7',
  'AD-LAW',
];

/** Rule packs a shop switches on; `generic` always applies. */
export type PackId = 'taobao-tmall' | 'jd' | 'pinduoduo' | 'douyin-kuaishou' | 'generic';
/** Every rule pack id (what the console offers). */
export const PACK_IDS: readonly PackId[] = ['taobao-tmall', 'jd', 'pinduoduo', 'douyin-kuaishou', 'generic'];
/** The platform packs (every pack but generic). */
export type PlatformPackId = Exclude<PackId, 'generic'>;
/** The platform packs. */
export const PLATFORM_PACK_IDS: readonly PlatformPackId[] = [
  'taobao-tmall',
  'jd',
  'pinduoduo',
  'douyin-kuaishou',
];

/** A text in both interface languages. */
export interface LocalizedText {
  'zh-CN': string;
  en: string;
}

/** A range of UTF-16 code units in the original text: [start, end). */
export interface TextSpan {
  start: number;
  end: number;
}

/** One thing a rule found in a message. */
export interface Finding {
  rule: ComplianceRuleId;
  /** Stable id of the rule entry that matched, e.g. `cmp1.ask-me` (logged, and used in the console). */
  id: string;
  verdict: FindingVerdict;
  reason: LocalizedText;
  /** Where it matched, in the ORIGINAL text (UTF-16 offsets). */
  span: TextSpan;
  /** The original text of the span. */
  matched: string;
  /**
   * A polite text to put IN PLACE OF THE SPAN (not of the whole message); the whole message with
   * every rewrite applied is `CheckResult.suggestion`.
   */
  rewrite?: string;
  /**
   * What the rewrite replaces when it is more than the span: the whole clause around it, so the
   * suggestion reads as a sentence (issue #17).
   */
  rewriteSpan?: TextSpan;
  /**
   * `image_code`: found in the text of a QR code or barcode in an image (the span is in `code`);
   * `model`: found by the statistical layer (the span is the clause it read), not a listed phrase.
   */
  source?: 'image_code' | 'model';
  /** For a `model` finding: the calibrated probability the clause breaks the rule (0–1). */
  confidence?: number;
  /** The decoded text of that code. */
  code?: string;
}

/** The kinds of promise that can be checked against what happened (CMP-4). */
export type PromiseKind = 'carrier' | 'exchange' | 'ship-by' | 'refund';

/** A promise an agent made that can be checked later (recorded against the order, CMP-4). */
export interface CheckablePromise {
  kind: PromiseKind;
  /** What was promised: the carrier name, or the promise's own words. */
  detail: string;
  /** When it falls due (ms since the epoch), when the text says so relative to now. */
  dueAt?: number;
  span: TextSpan;
}

/** The outcome of checking one message. */
export interface CheckResult {
  /** The worst verdict among the findings (pass when there are none). */
  verdict: Verdict;
  findings: Finding[];
  /** Checkable promises in the message (each also gives a warn finding). */
  promises: CheckablePromise[];
  /** The whole message with every finding's rewrite put in place of its span, when any has one. */
  suggestion?: string;
  /**
   * Issue #17: what the shop's model said of a warning the statistical layer was unsure of, when
   * it was asked and answered (absent: not asked, or no usable answer; the local verdict stands).
   */
  secondOpinion?: 'block' | 'warn' | 'pass';
}

/** What the checker knows of the conversation a message goes to. */
export interface CheckContext {
  /** The buyer's own order numbers: never taken for a phone or bank-card number (CMP-3). */
  orderIds?: readonly string[];
  /** Other numbers that may be repeated to this buyer (their tracking numbers, …). */
  knownNumbers?: readonly string[];
  /** For promise due dates (CMP-4): defaults to the checker's clock. */
  now?: number;
  /** IANA time zone for promise due dates; default Asia/Shanghai. */
  tz?: string;
  /**
   * The platform this conversation is on: only its names and domains count as the shop's own
   * (CMP-3). Without it, every platform pack the shop has switched on does.
   */
  platform?: PlatformPackId;
  /**
   * Whose words the text is. A buyer's (an FAQ question the bot offers back: "您是不是想问…") is
   * read by the lexicons only: the statistical layer (issue #17) learnt what agents say, and a
   * buyer's "你们店的logo是谁设计的" is no agent's contempt.
   */
  voice?: 'shop' | 'buyer';
}

/** A phrase a shop adds to its own banned list (CMP-1). */
export interface CustomPhrase {
  phrase: string;
  verdict: FindingVerdict;
  /** Shown to the agent; a default reason is used when empty. */
  reason?: string;
}

/** Frequency caps and quiet hours for proactive messages (CMP-6). */
export interface ProactiveSettings {
  /** Most proactive messages to one buyer in any 24 hours (0: none). */
  maxPerDay: number;
  /** Most proactive messages to one buyer in any 7 days. */
  maxPerWeek: number;
  /** Quiet hours, local "HH:MM"; equal start and end switch them off. */
  quietStart: string;
  quietEnd: string;
}

/** CMP-6 defaults: one proactive message a day, three a week, quiet 22:00–08:00. */
export const DEFAULT_PROACTIVE_SETTINGS: ProactiveSettings = {
  maxPerDay: 1,
  maxPerWeek: 3,
  quietStart: '22:00',
  quietEnd: '08:00',
};

/** A shop's compliance settings: packs, its own phrases and its allow-lists. */
export interface ComplianceSettings {
  /** Platform packs switched on; `generic` applies whether listed or not. */
  platforms: PackId[];
  customPhrases: CustomPhrase[];
  /** The shop's own domains; links to them (and subdomains) pass CMP-3. */
  allowedDomains: string[];
  /** The shop's own names, so naming the shop itself is not "another shop" (CMP-3). */
  shopNames?: string[];
  /** Guarantees the shop really offers (e.g. 假一赔十, 终身保修): saying them passes CMP-4. */
  guarantees?: string[];
  /**
   * CMP-4: ask the agent to confirm every checkable promise (ship-by, carrier, exchange, refund)
   * before it goes. Off by default: promises are recorded against the order and shown to the
   * next agent, and only over-promises warn or block.
   */
  confirmPromises?: boolean;
  /**
   * CMP-4 (issue #19): how many hours before a promise falls due the supervisor is told it is not
   * kept yet, while it is still avoidable (1–72; default 4).
   */
  promiseLeadHours?: number;
  proactive?: ProactiveSettings;
  /**
   * Issue #17: texts the shop's supervisors judged fine (a warning an agent disputed, a block
   * that was wrong): a warning on such a clause or message, or the statistical layer's reading of
   * it, is dropped. A listed phrase's block is not (edit the rule pack instead).
   */
  allowList?: string[];
}

/** A new shop's settings: the generic pack only. */
export const DEFAULT_COMPLIANCE_SETTINGS: ComplianceSettings = {
  platforms: ['generic'],
  customPhrases: [],
  allowedDomains: [],
  shopNames: [],
  guarantees: [],
  proactive: DEFAULT_PROACTIVE_SETTINGS,
};

const HOST = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}$/;
const HHMM = /^(?:[01]\d|2[0-3]):[0-5]\d$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function list(input: Record<string, unknown>, field: string, max: number, required: boolean): unknown[] {
  const value = input[field];
  if (value === undefined && !required) return [];
  if (!Array.isArray(value)) throw invalid(field, 'must be a list');
  if (value.length > max) throw invalid(field, `at most ${max} entries`);
  return value;
}

function shortStrings(input: Record<string, unknown>, field: string, max: number, maxLen: number): string[] {
  const out: string[] = [];
  const seen = new Map<string, number>();
  for (const [i, v] of list(input, field, max, false).entries()) {
    if (typeof v !== 'string' || !v.trim()) throw invalid(`${field}[${i}]`, 'must be a non-empty text');
    const s = v.trim();
    if (s.length > maxLen) throw invalid(`${field}[${i}]`, `must be at most ${maxLen} characters`);
    const key = normalize(s).text;
    if (!key) throw invalid(`${field}[${i}]`, 'must contain letters or digits');
    const j = seen.get(key);
    if (j !== undefined) throw invalid(`${field}[${i}]`, `duplicate of ${field}[${j}]`);
    seen.set(key, i);
    out.push(s);
  }
  return out;
}

/** Checks the proactive-message settings (CMP-6); throws a field-named validation error. */
export function validateProactiveSettings(input: unknown, field = 'proactive'): ProactiveSettings {
  if (!isRecord(input)) throw invalid(field, 'must be an object');
  const { maxPerDay, maxPerWeek, quietStart, quietEnd } = input;
  if (typeof maxPerDay !== 'number' || !Number.isInteger(maxPerDay) || maxPerDay < 0 || maxPerDay > 20)
    throw invalid(`${field}.maxPerDay`, 'must be a whole number 0–20');
  if (typeof maxPerWeek !== 'number' || !Number.isInteger(maxPerWeek) || maxPerWeek < 0 || maxPerWeek > 100)
    throw invalid(`${field}.maxPerWeek`, 'must be a whole number 0–100');
  if (maxPerWeek < maxPerDay) throw invalid(`${field}.maxPerWeek`, 'must not be below maxPerDay');
  if (typeof quietStart !== 'string' || !HHMM.test(quietStart))
    throw invalid(`${field}.quietStart`, 'must be a time HH:MM (00:00–23:59)');
  if (typeof quietEnd !== 'string' || !HHMM.test(quietEnd))
    throw invalid(`${field}.quietEnd`, 'must be a time HH:MM (00:00–23:59)');
  return { maxPerDay, maxPerWeek, quietStart, quietEnd };
}

/**
 * Checks a compliance-settings edit from the console; throws a field-named validation error for
 * the first problem, so a bad edit is rejected whole. Returns a clean copy (trimmed phrases,
 * lower-case domains, packs without duplicates).
 */
export function validateComplianceSettings(input: unknown): ComplianceSettings {
  if (!isRecord(input)) throw invalid('settings', 'must be an object');

  const platforms: PackId[] = [];
  for (const [i, p] of list(input, 'platforms', PACK_IDS.length, true).entries()) {
    if (typeof p !== 'string' || !(PACK_IDS as readonly string[]).includes(p))
      throw invalid(`platforms[${i}]`, `unknown pack ${String(p)} (one of ${PACK_IDS.join(', ')})`);
    if (platforms.includes(p as PackId)) throw invalid(`platforms[${i}]`, `duplicate pack ${p}`);
    platforms.push(p as PackId);
  }

  const customPhrases: CustomPhrase[] = [];
  const seen = new Map<string, number>();
  for (const [i, entry] of list(input, 'customPhrases', MAX_CUSTOM_PHRASES, true).entries()) {
    const at = `customPhrases[${i}]`;
    if (!isRecord(entry)) throw invalid(at, 'must be an object');
    const { phrase, verdict, reason } = entry;
    if (typeof phrase !== 'string' || !phrase.trim()) throw invalid(`${at}.phrase`, 'must not be empty');
    const text = phrase.trim();
    if (text.length > MAX_PHRASE_LENGTH)
      throw invalid(`${at}.phrase`, `must be at most ${MAX_PHRASE_LENGTH} characters`);
    const key = normalize(text).text;
    if (key.length < 2) throw invalid(`${at}.phrase`, 'must have at least 2 letters or characters');
    const j = seen.get(key);
    if (j !== undefined)
      throw invalid(`${at}.phrase`, `duplicate of customPhrases[${j}] (same once normalised)`);
    seen.set(key, i);
    if (verdict !== 'block' && verdict !== 'warn') throw invalid(`${at}.verdict`, 'must be block or warn');
    if (reason !== undefined && (typeof reason !== 'string' || reason.length > 200))
      throw invalid(`${at}.reason`, 'must be a text of at most 200 characters');
    const out: CustomPhrase = { phrase: text, verdict };
    if (typeof reason === 'string' && reason.trim()) out.reason = reason.trim();
    customPhrases.push(out);
  }

  const allowedDomains: string[] = [];
  for (const [i, d] of list(input, 'allowedDomains', MAX_ALLOWED_DOMAINS, true).entries()) {
    if (typeof d !== 'string') throw invalid(`allowedDomains[${i}]`, 'must be a domain name');
    const host = d.trim().toLowerCase().replace(/\.$/, '');
    if (!HOST.test(host))
      throw invalid(
        `allowedDomains[${i}]`,
        `${d} is not a domain name (like shop.example.com, no scheme or path)`,
      );
    if (allowedDomains.includes(host)) throw invalid(`allowedDomains[${i}]`, `duplicate domain ${host}`);
    allowedDomains.push(host);
  }

  const settings: ComplianceSettings = {
    platforms,
    customPhrases,
    allowedDomains,
    shopNames: shortStrings(input, 'shopNames', 20, 40),
    guarantees: shortStrings(input, 'guarantees', 20, 30),
  };
  if (input.confirmPromises !== undefined) {
    if (typeof input.confirmPromises !== 'boolean') throw invalid('confirmPromises', 'must be true or false');
    settings.confirmPromises = input.confirmPromises;
  }
  if (input.promiseLeadHours !== undefined) {
    const h = input.promiseLeadHours;
    if (typeof h !== 'number' || !Number.isInteger(h) || h < 1 || h > 72)
      throw invalid('promiseLeadHours', 'must be a whole number of hours from 1 to 72');
    settings.promiseLeadHours = h;
  }
  if (input.proactive !== undefined) settings.proactive = validateProactiveSettings(input.proactive);
  if (input.allowList !== undefined)
    settings.allowList = shortStrings(input, 'allowList', MAX_ALLOW_LIST, MAX_ALLOW_LIST_TEXT);
  return settings;
}
