import {
  CATALOGUE,
  decide,
  DEFAULT_BOT_SETTINGS,
  DEFAULT_WEIGHTS,
  FaqIndex,
  QuestionScorer,
  SynonymMap,
  type FaqEntry,
} from '@xiaoer/core';
import { z } from '@xiaoer/protocol';
import { sharedCatalogue } from './catalogue';
import { jiebaSegmenter } from './jieba.segmenter';

const CATALOGUE_IDS = new Set(CATALOGUE.map((i) => i.id));

/** Issue #15: an FAQ entry's catalogue intents — ids of the shipped catalogue, at most 5. */
export const intentIdsSchema = z
  .array(z.string().trim().min(1).max(80))
  .max(5)
  .superRefine((ids, ctx) => {
    for (const [i, id] of ids.entries())
      if (!CATALOGUE_IDS.has(id))
        ctx.addIssue({ code: 'custom', path: [i], message: `"${id}" is not an intent of the catalogue` });
  });

/** The knowledge-base file format (import, export and `xiaoer bot eval`). */
export const kbFileSchema = z.array(
  z.object({
    id: z.string().trim().min(1).max(64),
    question: z.string().trim().min(1).max(200),
    similar: z.array(z.string().trim().min(1).max(200)).max(200).default([]),
    answer: z.string().trim().min(1).max(2000),
    category: z.string().trim().max(40).default(''),
    enabled: z.boolean().default(true),
    // Issue #15 (optional): the catalogue intents the entry answers; absent or null: suggested.
    intents: intentIdsSchema.nullable().optional(),
  }),
);

/** One evaluation query: an entry id, "handoff", or null (outside the FAQ: the bot must not answer). */
export const evalQuerySchema = z.object({ text: z.string(), expect: z.string().nullable() });

/** What `xiaoer bot eval` prints. */
export interface EvalReport {
  entries: number;
  queries: number;
  top1Accuracy: number;
  handoffRecall: number;
  falseAnswerRate: number;
  /** Issue #15: share of the answerable queries the bot asked about ("您是想问") instead of answering… */
  clarifyRate: number;
  /** …and of those, the share whose right entry was among the choices. */
  clarifyHitRate: number;
  p50Ms: number;
  p99Ms: number;
  threshold: number;
  mistakes: {
    text: string;
    expect: string | null;
    got: string | null;
    score: number | null;
    /** Issue #15: the entries offered, when the bot asked which (`got` is then null). */
    choices?: string[];
  }[];
}

/** Runs the bot's decision over labelled queries, as a fresh conversation would see them. */
export function evaluateBot(
  kb: FaqEntry[],
  queries: z.infer<typeof evalQuerySchema>[],
  threshold = DEFAULT_BOT_SETTINGS.answerThreshold,
  /** Benchmarks only: `wordingOnly` matches the shop's own wording, without the catalogue (the baseline). */
  options: { wordingOnly?: boolean } = {},
): EvalReport {
  const settings = { ...DEFAULT_BOT_SETTINGS, answerThreshold: threshold };
  const index = new FaqIndex(
    new QuestionScorer(jiebaSegmenter(), DEFAULT_WEIGHTS, new SynonymMap()),
    options.wordingOnly ? undefined : sharedCatalogue(),
  );
  const entries = new Map(kb.map((e) => [e.id, e]));
  for (const e of kb) index.upsert(e);
  const times: number[] = [];
  const mistakes: EvalReport['mistakes'] = [];
  let entryQ = 0;
  let entryHit = 0;
  let handoffQ = 0;
  let handoffHit = 0;
  let nullQ = 0;
  let falseAnswers = 0;
  let clarified = 0;
  let clarifiedRight = 0;
  for (const q of queries) {
    const t0 = performance.now();
    const d = decide({ text: q.text, settings, index, entries, orders: [], misses: 0 });
    times.push(performance.now() - t0);
    const got = d.kind === 'answer' ? d.entry.id : d.kind === 'handoff' ? 'handoff' : null;
    const score = d.kind === 'answer' ? d.match.score : (index.search(q.text, 1)[0]?.score ?? null);
    if (q.expect === null) {
      nullQ++;
      if (got !== null && got !== 'handoff') falseAnswers++;
    } else if (q.expect === 'handoff') {
      handoffQ++;
      if (got === 'handoff') handoffHit++;
    } else {
      entryQ++;
      if (got === q.expect) entryHit++;
    }
    const choices = d.kind === 'clarify' ? d.choices.map((c) => c.entryId) : undefined;
    if (choices && q.expect !== null && q.expect !== 'handoff') {
      clarified++;
      if (choices.includes(q.expect)) clarifiedRight++;
    }
    const ok = q.expect === null ? got === null || got === 'handoff' : got === q.expect;
    if (!ok)
      mistakes.push({
        text: q.text,
        expect: q.expect,
        got,
        score: score === null ? null : round(score),
        ...(choices ? { choices } : {}),
      });
  }
  times.sort((a, b) => a - b);
  const at = (p: number) =>
    times[Math.min(times.length - 1, Math.max(0, Math.ceil(p * times.length) - 1))] ?? 0;
  return {
    entries: kb.length,
    queries: queries.length,
    top1Accuracy: round(entryQ ? entryHit / entryQ : 0),
    handoffRecall: round(handoffQ ? handoffHit / handoffQ : 0),
    falseAnswerRate: round(nullQ ? falseAnswers / nullQ : 0),
    clarifyRate: round(entryQ ? clarified / entryQ : 0),
    clarifyHitRate: round(clarified ? clarifiedRight / clarified : 0),
    p50Ms: round(at(0.5)),
    p99Ms: round(at(0.99)),
    threshold,
    mistakes,
  };
}

const round = (n: number) => Math.round(n * 1000) / 1000;
