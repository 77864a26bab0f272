/**
 * `npx xiaoer compliance check | eval` (README "CLI"): the compliance checker of the core run from
 * the command line. Pure apart from reading the files it is given, so the tests call it directly;
 * cli.ts only prints what it returns and exits with its code.
 *
 *   compliance check [--platform P]... [--lexicons-only] <text | ->
 *                                                   one JSON object: the CheckResult
 *   compliance eval --cases <file.jsonl> [--platform P]... [--lexicons-only]
 *                                                   one JSON object: the scores and the mistakes
 *
 * Both check with the lexicons and the statistical layer (issue #17), as the server does;
 * `--lexicons-only` leaves the layer out (what the guard was before it).
 *
 * Settings: the demo shop's (own domain xiaoer.dev, shop name 小二家居旗舰店, no custom phrases,
 * no guarantees, every checkable promise confirmed) with every platform pack on unless `--platform`
 * names the packs; `generic` always applies. They are the settings tests/scenarios/compliance-dev-set.test.ts scores the dev set
 * with, so `eval` prints the same figures.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  createChecker,
  systemClock,
  evaluateCompliance,
  PACK_IDS,
  PLATFORM_PACK_IDS,
  parseComplianceCases,
  validateComplianceSettings,
  type CheckResult,
  type ComplianceCase,
  type ComplianceEvalReport,
  type ComplianceMistake,
  type ComplianceSettings,
  type PackId,
} from '@xiaoer/core';
import { complianceModel } from './model';

/** The packs used when `--platform` is not given: generic and every platform pack. */
export const DEFAULT_CLI_PACKS: readonly PackId[] = ['generic', ...PLATFORM_PACK_IDS];

/** The demo shop's own domain and name: allowed in links and not "another shop" (CMP-3). */
export const CLI_ALLOWED_DOMAINS: readonly string[] = ['xiaoer.dev'];
export const CLI_SHOP_NAMES: readonly string[] = ['小二家居旗舰店'];

/** Bad input: the message names the file, line or flag; the command exits with code 2. */
export class ComplianceCliError extends Error {}

/** What a command prints and the exit code it ends with. */
export interface CliOutcome {
  code: 0 | 2;
  /** One JSON object (pretty-printed), or empty on an error. */
  stdout: string;
  /** The error, or empty. */
  stderr: string;
}

/** What `compliance eval` prints: the core's report, with the packs, and each mistake's finding ids as `findings`. */
export type ComplianceEvalOutput = Omit<ComplianceEvalReport, 'mistakes'> & {
  /** The packs the cases were checked with. */
  platforms: PackId[];
  /** The statistical layer it checked with (the lines it was trained on), or null with --lexicons-only. */
  model: { lines: number } | null;
  mistakes: (Omit<ComplianceMistake, 'found'> & { findings: string[] })[];
};

/**
 * Reads `--platform` values: pack ids, repeatable, in any order; none gives DEFAULT_CLI_PACKS.
 * Returns the packs that apply (generic always does) in a fixed order. Throws naming an unknown one.
 */
export function parsePlatforms(values: readonly string[] | undefined): PackId[] {
  if (!values || values.length === 0) return [...DEFAULT_CLI_PACKS];
  const given = new Set<string>(['generic']);
  for (const raw of values) {
    const v = raw.trim().toLowerCase();
    if (!(PACK_IDS as readonly string[]).includes(v))
      throw new ComplianceCliError(`--platform: unknown platform "${raw}" (one of ${PACK_IDS.join(', ')})`);
    given.add(v);
  }
  return DEFAULT_CLI_PACKS.filter((p) => given.has(p));
}

/** The settings the CLI checks with: the demo shop's, with these packs on. */
export function cliSettings(packs: readonly PackId[] = DEFAULT_CLI_PACKS): ComplianceSettings {
  return validateComplianceSettings({
    platforms: packs.filter((p) => p !== 'generic'),
    customPhrases: [],
    allowedDomains: [...CLI_ALLOWED_DOMAINS],
    shopNames: [...CLI_SHOP_NAMES],
    // Every checkable promise confirmed (CMP-4): `check` shows each as a warning, and `eval`
    // scores the dev set in the mode its warn labels were written for.
    confirmPromises: true,
  });
}

/** The CLI's checker: its settings, with the statistical layer unless `lexiconsOnly`. */
export function cliChecker(packs: readonly PackId[] = DEFAULT_CLI_PACKS, lexiconsOnly = false) {
  return createChecker(cliSettings(packs), systemClock, lexiconsOnly ? undefined : complianceModel().reader);
}

/** Checks one message with the CLI's settings. */
export function checkMessage(
  text: string,
  packs: readonly PackId[] = DEFAULT_CLI_PACKS,
  lexiconsOnly = false,
): CheckResult {
  return cliChecker(packs, lexiconsOnly).check(text);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Parses a cases file (`{"text", "expect": "block" | "warn" | "pass", "rule": "CMP-n" | null}` per
 * line; blank lines skipped). Throws `<file>: line N: …` for the first bad line.
 */
export function parseCasesFile(file: string, content: string): ComplianceCase[] {
  const jsonl = content.replace(/^\uFEFF/, '');
  // The core parser names the field; first make sure each line is a JSON object at all.
  for (const [i, line] of jsonl.split('\n').entries()) {
    if (!line.trim()) continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      throw new ComplianceCliError(
        `${file}: line ${i + 1}: not JSON (expected {"text": "...", "expect": "block" | "warn" | "pass", "rule": "CMP-n" | null})`,
      );
    }
    if (!isRecord(v))
      throw new ComplianceCliError(
        `${file}: line ${i + 1}: expected an object {"text", "expect", "rule"}, got ${Array.isArray(v) ? 'a list' : JSON.stringify(v)}`,
      );
  }
  let cases: ComplianceCase[];
  try {
    cases = parseComplianceCases(jsonl);
  } catch (error) {
    throw new ComplianceCliError(`${file}: ${(error as Error).message}`);
  }
  if (cases.length === 0) throw new ComplianceCliError(`${file}: no cases (one JSON object per line)`);
  return cases;
}

/** Scores the checker (CLI settings) on labelled cases. */
export function evaluateCases(
  cases: readonly ComplianceCase[],
  packs: readonly PackId[] = DEFAULT_CLI_PACKS,
  lexiconsOnly = false,
): ComplianceEvalOutput {
  const report = evaluateCompliance(cliChecker(packs, lexiconsOnly), cases);
  return {
    platforms: [...packs],
    model: lexiconsOnly ? null : { lines: complianceModel().lines },
    cases: report.cases,
    blockRecall: report.blockRecall,
    blockPrecision: report.blockPrecision,
    falseBlockRate: report.falseBlockRate,
    warnRecall: report.warnRecall,
    accuracy: report.accuracy,
    perRule: report.perRule,
    mistakes: report.mistakes.map((m) => ({
      text: m.text,
      expect: m.expect,
      got: m.got,
      rule: m.rule,
      findings: m.found,
    })),
  };
}

/** The flags of both commands (parseArgs is strict: an unknown flag is bad input). */
function options(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      options: {
        platform: { type: 'string', multiple: true },
        cases: { type: 'string' },
        'lexicons-only': { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new ComplianceCliError((error as Error).message);
  }
}

const USAGE = `usage:
  npx xiaoer compliance check [--platform <pack>]... [--lexicons-only] "<text>"   (or - to read the text from stdin)
  npx xiaoer compliance eval --cases <file.jsonl> [--platform <pack>]... [--lexicons-only]
packs: ${PACK_IDS.join(', ')}; default: all of them`;

function run(args: string[], readStdin: () => string): string {
  const [sub, ...rest] = args;
  if (sub === 'check') {
    const { values, positionals } = options(rest);
    if (values.cases !== undefined)
      throw new ComplianceCliError('compliance check takes no --cases (see eval)');
    const packs = parsePlatforms(values.platform);
    if (positionals.length === 0)
      throw new ComplianceCliError(`compliance check needs the text to check (or - for stdin)\n\n${USAGE}`);
    if (positionals.length > 1)
      throw new ComplianceCliError(
        `compliance check takes one text, got ${positionals.length}: put the message in quotes`,
      );
    let text = positionals[0]!;
    if (text === '-') {
      try {
        text = readStdin()
          .replace(/^\uFEFF/, '')
          .replace(/\r?\n$/, '');
      } catch (error) {
        throw new ComplianceCliError(`stdin: ${(error as Error).message}`);
      }
    }
    return JSON.stringify(checkMessage(text, packs, values['lexicons-only'] === true), null, 2);
  }
  if (sub === 'eval') {
    const { values, positionals } = options(rest);
    if (positionals.length > 0)
      throw new ComplianceCliError(`compliance eval: unexpected argument "${positionals[0]}"\n\n${USAGE}`);
    const packs = parsePlatforms(values.platform);
    if (!values.cases) throw new ComplianceCliError(`compliance eval needs --cases <file.jsonl>\n\n${USAGE}`);
    let content: string;
    try {
      content = readFileSync(values.cases, 'utf8');
    } catch (error) {
      throw new ComplianceCliError(`${values.cases}: ${(error as Error).message}`);
    }
    return JSON.stringify(
      evaluateCases(parseCasesFile(values.cases, content), packs, values['lexicons-only'] === true),
      null,
      2,
    );
  }
  throw new ComplianceCliError(`unknown compliance command: ${sub ?? ''}\n\n${USAGE}`);
}

/**
 * Runs `compliance <check | eval> …` (the arguments after `compliance`). Bad input gives code 2
 * and a message naming the flag, file or line; anything else is a bug and is thrown.
 */
export function runComplianceCli(
  args: string[],
  readStdin: () => string = () => readFileSync(0, 'utf8'),
): CliOutcome {
  try {
    return { code: 0, stdout: run(args, readStdin), stderr: '' };
  } catch (error) {
    if (!(error instanceof ComplianceCliError)) throw error;
    return { code: 2, stdout: '', stderr: error.message };
  }
}
