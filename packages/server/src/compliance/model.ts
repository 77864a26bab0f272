import { readdirSync, readFileSync } from 'node:fs';
import { LineClassifier, type CorpusLine } from '@xiaoer/core';

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

let trained: LineClassifier | undefined;

/** The classifier trained on the corpus, once per process. */
export function complianceModel(): LineClassifier {
  trained ??= LineClassifier.train(readComplianceCorpus());
  return trained;
}
