import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  calibrate,
  calibratedReader,
  canonical,
  LineClassifier,
  silentLogger,
  type Calibration,
  type ComplianceReader,
  type CorpusLine,
  type Logger,
} from '@xiaoer/core';
import { jiebaSegmenter } from '../bot/jieba.segmenter';

const CORPUS = new URL('./corpus/', import.meta.url);

/** Issue #17: the labelled training corpus (`corpus/*.jsonl`), as shipped. */
export function readComplianceCorpus(): CorpusLine[] {
  const out: CorpusLine[] = [];
  for (const name of readdirSync(CORPUS)
    .filter((n) => n.endsWith('.jsonl'))
    .sort())
    for (const line of readFileSync(new URL(name, CORPUS), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const v = JSON.parse(line) as CorpusLine;
      out.push({ text: v.text, label: v.label, rule: v.rule });
    }
  return out;
}

/**
 * Short "warn" lines are left out of training: the writers marked curt replies as borderline
 * ("请稍等", "好的收到", "正在处理中", "已反馈") as a person reading the whole chat would, but the
 * guard reads one message and agents send these all day — trained on, they made "您好，请稍等" a
 * CMP-1 block. Longer warn lines, and every block and pass line, are kept.
 */
function trainable(line: CorpusLine): boolean {
  return line.label !== 'warn' || line.rule === 'AD-LAW' || canonical(line.text).length > 7;
}

/** FNV-1a of a text: which fifth of the corpus a line falls in, the same on every machine. */
function fifthOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0) % 5;
}

/** How the statistical layer is trained and read (the defaults are what ships). */
export interface ModelOptions {
  epochs?: number;
  rate?: number;
  l2?: number;
  cleanWeight?: number;
  /** Read each clause of a line too, not only the whole line. */
  clauses?: boolean;
  falseBlock?: number;
  falseWarn?: number;
  minBlock?: number;
  minWarn?: number;
}

export const MODEL_DEFAULTS: Required<ModelOptions> = {
  epochs: 6,
  rate: 0.1,
  l2: 1e-6,
  cleanWeight: 1,
  clauses: true,
  falseBlock: 0.002,
  falseWarn: 0.02,
  minBlock: 0.8,
  minWarn: 0.6,
};

/** A trained, calibrated statistical layer. */
export interface ComplianceModel {
  reader: ComplianceReader;
  classifier: LineClassifier;
  calibration: Calibration;
  /** Lines it was trained on. */
  lines: number;
}

/**
 * Trains the layer: a fifth of the corpus is held aside to calibrate a model trained on the
 * rest (so the thresholds come from lines it has not seen), then the shipped model is trained on
 * all of it and read with those thresholds.
 */
export function trainComplianceModel(
  all: readonly CorpusLine[],
  options: ModelOptions = {},
): ComplianceModel {
  const o = { ...MODEL_DEFAULTS, ...options };
  const lines = all.filter(trainable);
  // Words as well as characters: jieba, as the bot segments (5-fold cross-writer check on the
  // corpus: 0.82 → 0.85 of the blocks read at the same 1.5 % of clean lines blocked).
  const train = {
    epochs: o.epochs,
    rate: o.rate,
    l2: o.l2,
    cleanWeight: o.cleanWeight,
    segmenter: jiebaSegmenter(),
  };
  const aside = lines.filter((l) => fifthOf(l.text) === 0);
  const rest = lines.filter((l) => fifthOf(l.text) !== 0);
  const calibration = calibrate(LineClassifier.train(rest, train), aside, {
    falseBlock: o.falseBlock,
    falseWarn: o.falseWarn,
    minBlock: o.minBlock,
    minWarn: o.minWarn,
  });
  const classifier = LineClassifier.train(lines, train);
  return {
    reader: calibratedReader(classifier, calibration, { clauses: o.clauses }),
    classifier,
    calibration,
    lines: lines.length,
  };
}

let trained: ComplianceModel | undefined;

/** Bump whenever training or the features change: a kept model of another version is not read. */
const MODEL_VERSION = 4;

/**
 * The shipped layer, trained on the corpus once per process — or read back from the copy the
 * first process on this machine kept in the temp folder (training takes seconds; every server and
 * test process needs it). The copy is named by a hash of the corpus, the options and the version,
 * so a changed corpus is trained again; an unreadable copy is ignored and trained over. A copy
 * that cannot be kept is told to `logger` (the next process trains again; nothing else is lost).
 */
export function complianceModel(logger: Pick<Logger, 'warn'> = silentLogger): ComplianceModel {
  if (trained) return trained;
  const lines = readComplianceCorpus();
  const key = createHash('sha256')
    .update(JSON.stringify({ v: MODEL_VERSION, o: MODEL_DEFAULTS, lines }))
    .digest('hex')
    .slice(0, 24);
  const file = join(tmpdir(), `xiaoer-compliance-${key}`);
  try {
    const kept = JSON.parse(readFileSync(`${file}.json`, 'utf8')) as { calibration: Calibration };
    const bytes = readFileSync(`${file}.bin`);
    const classifier = LineClassifier.fromArray(
      new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)),
      jiebaSegmenter(),
    );
    trained = {
      reader: calibratedReader(classifier, kept.calibration, { clauses: MODEL_DEFAULTS.clauses }),
      classifier,
      calibration: kept.calibration,
      lines: lines.length,
    };
    return trained;
  } catch {
    // None kept yet (or not readable): train.
  }
  trained = trainComplianceModel(lines);
  try {
    // Written under a process-unique name and renamed: a reader never sees half a file.
    const tmp = `${file}.${process.pid}`;
    writeFileSync(`${tmp}.bin`, Buffer.from(trained.classifier.toArray().buffer));
    writeFileSync(`${tmp}.json`, JSON.stringify({ calibration: trained.calibration }));
    renameSync(`${tmp}.bin`, `${file}.bin`);
    renameSync(`${tmp}.json`, `${file}.json`);
  } catch (error) {
    logger.warn(`compliance model not kept in ${tmpdir()}`, { reason: (error as Error).message });
  }
  return trained;
}
