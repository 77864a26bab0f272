/**
 * bench/compliance: the compliance checker (CMP-1 … CMP-5 and AD-LAW, lexicons and the statistical
 * layer of issue #17, every platform pack on, the settings of `xiaoer compliance eval`) over a mix
 * of real-looking agent messages, beside a plain substring scan over the CMP-1 banned list in the
 * same run; then on the labelled sets beside the lexicons alone (the guard before issue #17): our
 * dev set and second set (tuned against since they were written, so not independent) and the two
 * held-out sets written for issue #17 by helpers who never saw the rules or the corpus (never
 * tuned on).
 *
 * The mix: clean material — the demo FAQ answers, the demo quick replies, the dev set's pass
 * texts and sentences of the seed texts in ../shared/seeds (read from there at run time, never
 * copied into the repo; skipped with a note when absent) — and a share of the dev set's
 * rule-breaking lines.
 *
 * Then QR codes and barcodes in images (CMP-3, issue #14): the reader on photo-sized JPEGs beside
 * decoding the same JPEG to pixels.
 *
 * Env: BENCH_COMPLIANCE_MESSAGES (10000), BENCH_COMPLIANCE_BAD_SHARE (0.1), XIAOER_SEEDS,
 * BENCH_IMAGE_RUNS (12).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LEXICON_RULES, type ShopId } from '@xiaoer/core';
import {
  cliChecker,
  evaluateCases,
  parseCasesFile,
} from '../../packages/server/src/compliance/compliance-cli';
import { complianceModel } from '../../packages/server/src/compliance/model';
import { mulberry32, seedDemoShop } from '../../packages/server/src/demo/demo-shop';
import { openStorage } from '../../packages/server/src/storage';
import jpeg from 'jpeg-js';
import { ImageCodeReader } from '../../packages/server/src/compliance/image-codes';
import { jpg, photo, photoWithQr } from '../../tests/support/images';
import { fmt, printTable, quantile } from '../lib/stats';

const root = fileURLToPath(new URL('../..', import.meta.url));
const DEMO = join(root, 'packages/server/src/demo');
const SEEDS = process.env.XIAOER_SEEDS ?? join(root, '..', 'shared', 'seeds');
const MESSAGES = Number(process.env.BENCH_COMPLIANCE_MESSAGES ?? 10_000);
const BAD_SHARE = Number(process.env.BENCH_COMPLIANCE_BAD_SHARE ?? 0.1);
const LONG = 5_000;
const IMAGE_RUNS = Number(process.env.BENCH_IMAGE_RUNS ?? 12);

/**
 * The baseline: the CMP-1 banned list (the phrases of the lexicon's CMP-1 entries, their trailing
 * punctuation cut) scanned with String.includes, every phrase on every message.
 */
function bannedList(): string[] {
  const phrases = LEXICON_RULES.filter((r) => r.rule === 'CMP-1')
    .flatMap((r) => r.examples)
    .map((p) => p.replace(/[\s。.？?！!，,…～~]+$/u, '').trim())
    .filter((p) => p.length >= 2);
  return [...new Set(phrases)];
}

function substringScan(list: readonly string[]) {
  return (text: string): string[] => {
    const hits: string[] = [];
    for (const p of list) if (text.includes(p)) hits.push(p);
    return hits;
  };
}

/** The demo shop's quick replies, as the seed writes them (through a throwaway SQLite database). */
async function quickReplies(): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'xiaoer-bench-compliance-'));
  const storage = await openStorage(`sqlite:${join(dir, 'bench.db')}`);
  try {
    await seedDemoShop(storage, Date.now(), { bot: false });
    return (await storage.quickReplies.listVisible('shop-demo' as ShopId, null)).map((q) => q.text);
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Sentences of the seed texts (4–300 characters), or undefined when the folder is absent. */
function seedSentences(): string[] | undefined {
  if (!existsSync(SEEDS)) return undefined;
  const out: string[] = [];
  for (const name of readdirSync(SEEDS).sort()) {
    if (!name.endsWith('.txt')) continue;
    for (const s of readFileSync(join(SEEDS, name), 'utf8').split(/[。！？!?；;\n]+|\.\s+/u)) {
      const t = s.replace(/\s+/gu, ' ').trim();
      if (t.length >= 4 && t.length <= 300) out.push(t);
    }
  }
  return out;
}

/** Times fn over the messages: throughput without per-call timers, then per-call latencies (µs). */
function measure(messages: readonly string[], fn: (text: string) => unknown) {
  for (let i = 0; i < Math.min(2000, messages.length); i++) fn(messages[i]!); // warm-up
  // Throughput: the median of three passes over the whole mix.
  const passes: number[] = [];
  for (let pass = 0; pass < 3; pass++) {
    const t0 = performance.now();
    for (const m of messages) fn(m);
    passes.push((performance.now() - t0) / 1000);
  }
  const seconds = quantile(passes, 0.5);
  const times = new Array<number>(messages.length);
  for (let i = 0; i < messages.length; i++) {
    const s = performance.now();
    fn(messages[i]!);
    times[i] = (performance.now() - s) * 1000; // µs
  }
  return { perSecond: messages.length / seconds, p50: quantile(times, 0.5), p99: quantile(times, 0.99) };
}

/** The median time (µs) of fn on one text over a few runs. */
function medianOf(text: string, fn: (text: string) => unknown, runs = 200): number {
  for (let i = 0; i < 20; i++) fn(text);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    fn(text);
    times.push((performance.now() - s) * 1000);
  }
  return quantile(times, 0.5);
}

/** One message of exactly `length` characters made of the given texts, in turn. */
function longMessage(parts: readonly string[], length = LONG): string {
  let s = '';
  for (let i = 0; s.length < length; i++) s += parts[i % parts.length]! + (i % 3 === 2 ? '\n' : ' ');
  return s.slice(0, length);
}

const ratio = (a: number, b: number) => (b > 0 && Number.isFinite(a / b) ? `${fmt(a / b, 2)}×` : '');
const pct = (x: number) => `${fmt(x * 100, 1)} %`;

/** Runs the compliance benchmark and prints its tables. */
export async function run(): Promise<void> {
  const dev = parseCasesFile(
    'compliance-dev.jsonl',
    readFileSync(join(DEMO, 'compliance-dev.jsonl'), 'utf8'),
  );
  const holdout = parseCasesFile(
    'compliance-holdout.jsonl',
    readFileSync(join(DEMO, 'compliance-holdout.jsonl'), 'utf8'),
  );
  // Issue #17: written by helpers who never saw the rules; never tuned on.
  const heldOut = (name: string) =>
    parseCasesFile(name, readFileSync(new URL(`./holdout/${name}`, import.meta.url), 'utf8'));
  const apparel = heldOut('apparel-beauty.jsonl');
  const appliance = heldOut('appliance-food.jsonl');
  const faq = (JSON.parse(readFileSync(join(DEMO, 'demo-faq.json'), 'utf8')) as { answer: string }[]).map(
    (e) => e.answer,
  );
  let replies: string[] = [];
  let repliesNote = '';
  try {
    replies = await quickReplies();
  } catch (error) {
    repliesNote = `quick replies skipped (seeding the demo shop failed: ${(error as Error).message})`;
  }
  const seeds = seedSentences();
  const shop = [...faq, ...replies, ...dev.filter((c) => c.expect === 'pass').map((c) => c.text)];
  const bad = dev.filter((c) => c.expect !== 'pass').map((c) => c.text);

  // The mix: BAD_SHARE rule-breaking lines; the rest half shop material, half seed sentences.
  const rand = mulberry32(20261111);
  const pick = (list: readonly string[]) => list[Math.floor(rand() * list.length)]!;
  const messages: string[] = [];
  for (let i = 0; i < MESSAGES; i++) {
    const r = rand();
    if (r < BAD_SHARE) messages.push(pick(bad));
    else if (seeds && seeds.length > 0 && r < BAD_SHARE + (1 - BAD_SHARE) / 2) messages.push(pick(seeds));
    else messages.push(pick(shop));
  }

  const t0 = performance.now();
  const model = complianceModel();
  const trainMs = performance.now() - t0;
  const checker = cliChecker();
  const lexicons = cliChecker(undefined, true);
  const list = bannedList();
  const scan = substringScan(list);
  const check = (text: string) => checker.check(text);

  const ours = measure(messages, check);
  const lexOnly = measure(messages, (text: string) => lexicons.check(text));
  const base = measure(messages, scan);

  let blocked = 0;
  let warned = 0;
  let flagged = 0;
  for (const m of messages) {
    const v = checker.check(m).verdict;
    if (v === 'block') blocked++;
    else if (v === 'warn') warned++;
    if (scan(m).length > 0) flagged++;
  }

  const cleanParts = seeds && seeds.length > 0 ? [...shop, ...seeds.slice(0, 200)] : shop;
  const cleanLong = longMessage(cleanParts);
  // Linear in the length: 4× the text should take about 4× the time (was a timed unit test).
  const cleanLonger = longMessage(cleanParts, 4 * LONG);
  const growthOurs = medianOf(cleanLonger, check, 50) / medianOf(cleanLong, check, 50);
  const growthBase = medianOf(cleanLonger, scan, 50) / medianOf(cleanLong, scan, 50);
  const badLong = longMessage(bad);
  const longOurs = medianOf(cleanLong, check);
  const longBase = medianOf(cleanLong, scan);
  const badLongOurs = medianOf(badLong, check);
  const badLongBase = medianOf(badLong, scan);

  const mix = [
    `${faq.length} FAQ answers`,
    `${replies.length} quick replies`,
    `${dev.length - bad.length} dev-set pass texts`,
    seeds ? `${seeds.length} seed sentences` : 'no seed texts',
    `${bad.length} rule-breaking dev lines (${fmt(BAD_SHARE * 100, 0)} %)`,
  ].join(', ');
  console.log(`mix drawn from: ${mix}`);
  if (!seeds)
    console.log(
      `note: seed texts skipped — no folder at ${SEEDS} (they live in ../shared/seeds and are never copied here)`,
    );
  if (repliesNote) console.log(`note: ${repliesNote}`);

  printTable(
    `compliance: ${MESSAGES.toLocaleString('en')} messages, every pack on; baseline: String.includes over the ${list.length} CMP-1 phrases`,
    [
      {
        label: 'checks / s',
        ours: fmt(ours.perSecond, 0),
        baseline: fmt(base.perSecond, 0),
        ratio: ratio(ours.perSecond, base.perSecond),
      },
      {
        label: 'p50 per check (µs)',
        ours: fmt(ours.p50, 1),
        baseline: fmt(base.p50, 1),
        ratio: ratio(ours.p50, base.p50),
      },
      {
        label: 'p99 per check (µs)',
        ours: fmt(ours.p99, 1),
        baseline: fmt(base.p99, 1),
        ratio: ratio(ours.p99, base.p99),
        note: `target < 1,000 µs (1 ms): ${ours.p99 < 1000 ? 'met' : 'MISSED'}`,
      },
      {
        label: 'p99 per check, lexicons alone (µs)',
        ours: fmt(lexOnly.p99, 1),
        baseline: fmt(base.p99, 1),
        ratio: ratio(lexOnly.p99, base.p99),
        note: 'the guard before issue #17',
      },
      {
        label: 'loading the statistical layer (ms)',
        ours: fmt(trainMs, 0),
        baseline: '',
        ratio: '',
        note: `${model.lines.toLocaleString('en')} corpus lines; trained once per machine and corpus (two models, a few seconds), then read back from the temp folder`,
      },
      {
        label: `${LONG.toLocaleString('en')}-char clean message (µs)`,
        ours: fmt(longOurs, 0),
        baseline: fmt(longBase, 0),
        ratio: ratio(longOurs, longBase),
        note: 'median of 200',
      },
      {
        label: `${(4 * LONG).toLocaleString('en')}-char ÷ ${LONG.toLocaleString('en')}-char clean message time`,
        ours: fmt(growthOurs, 2),
        baseline: fmt(growthBase, 2),
        ratio: ratio(growthOurs, growthBase),
        note: 'linear ≈ 4; medians of 50',
      },
      {
        label: `${LONG.toLocaleString('en')}-char rule-breaking message (µs)`,
        ours: fmt(badLongOurs, 0),
        baseline: fmt(badLongBase, 0),
        ratio: ratio(badLongOurs, badLongBase),
        note: 'median of 200; dev-set block/warn lines back to back',
      },
      {
        label: 'mix blocked / warned',
        ours: `${pct(blocked / MESSAGES)} / ${pct(warned / MESSAGES)}`,
        baseline: `${pct(flagged / MESSAGES)} hit`,
        ratio: '',
        note: 'seed sentences quote the banned phrases they list',
      },
    ],
  );

  const rows: { label: string; ours: string; baseline: string; ratio: string; note?: string }[] = [];
  for (const [name, cases] of [
    [`dev set (${dev.length})`, dev],
    [`second set (${holdout.length})`, holdout],
    [`held-out apparel-beauty (${apparel.length})`, apparel],
    [`held-out appliance-food (${appliance.length})`, appliance],
  ] as const) {
    const o = evaluateCases(cases);
    const b = evaluateCases(cases, undefined, true);
    const met = o.blockRecall >= 0.95 && o.falseBlockRate <= 0.02;
    const rules = (e: typeof o) => e.perRule.map((r) => `${r.rule} ${fmt(r.recall, 2)}`).join(' · ');
    rows.push(
      {
        label: `${name}: block recall`,
        ours: fmt(o.blockRecall, 3),
        baseline: fmt(b.blockRecall, 3),
        ratio: ratio(o.blockRecall, b.blockRecall),
        note: 'target ≥ 0.95',
      },
      {
        label: `${name}: block precision`,
        ours: fmt(o.blockPrecision, 3),
        baseline: fmt(b.blockPrecision, 3),
        ratio: '',
      },
      {
        label: `${name}: false blocks on pass`,
        ours: pct(o.falseBlockRate),
        baseline: pct(b.falseBlockRate),
        ratio: '',
        note: `target ≤ 2 %: ${met ? 'both targets met' : 'MISSED'}`,
      },
      {
        label: `${name}: warn recall`,
        ours: fmt(o.warnRecall, 3),
        baseline: fmt(b.warnRecall, 3),
        ratio: '',
        note: 'target ≥ 0.9',
      },
      { label: `${name}: per rule`, ours: rules(o), baseline: '', ratio: '', note: 'every rule ≥ 0.9' },
      { label: `${name}: per rule, lexicons alone`, ours: rules(b), baseline: '', ratio: '', note: '' },
    );
  }
  printTable(
    'compliance: labelled sets (the settings of `xiaoer compliance eval`); baseline: the lexicons alone (`--lexicons-only`)',
    rows,
  );
  await imageCodes();
}

/**
 * CMP-3 for images (issue #14): the time to find the QR codes and barcodes in one photo-sized
 * JPEG (1080×1080, quality 85) through the server's reader (header check, worker thread, zxing-wasm
 * decoding the JPEG and searching it), with a payment QR code in it and without; the baseline
 * decodes the same JPEG to pixels with jpeg-js (pure JavaScript) on the main thread.
 */
async function imageCodes(): Promise<void> {
  const runs = IMAGE_RUNS;
  const withQr = photoWithQr('wxp://f2f0Qm4bXkz9TRcYl0aJ3sH8', 'jpeg');
  const without = jpg(photo(1080, 1080, 7));
  const reader = new ImageCodeReader();
  const time = async (fn: () => unknown): Promise<number[]> => {
    await fn(); // warm-up (the thread starts and compiles the wasm once)
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const s = performance.now();
      await fn();
      times.push(performance.now() - s);
    }
    return times;
  };
  try {
    const found = await reader.read(withQr);
    const none = await reader.read(without);
    const rows = [];
    for (const [label, bytes, result] of [
      ['1080×1080 JPEG with a QR code', withQr, found],
      ['1080×1080 JPEG without a code', without, none],
    ] as const) {
      const ours = await time(() => reader.read(bytes));
      const base = await time(() => jpeg.decode(bytes, { useTArray: true }));
      const sees = result.ok ? `${result.texts.length} code(s) found` : `unreadable (${result.reason})`;
      for (const q of [0.5, 0.99] as const)
        rows.push({
          label: `${label}: p${q * 100} (ms)`,
          ours: fmt(quantile(ours, q), 1),
          baseline: fmt(quantile(base, q), 1),
          ratio: ratio(quantile(ours, q), quantile(base, q)),
          note: q === 0.5 ? `${sees}; ${fmt(bytes.length / 1024, 0)} KB` : '',
        });
    }
    printTable(
      `compliance: QR codes and barcodes in an image, ${runs} runs each; baseline: jpeg-js decoding the same JPEG to pixels`,
      rows,
    );
  } finally {
    await reader.close();
  }
}
