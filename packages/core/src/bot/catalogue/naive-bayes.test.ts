import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { NaiveBayes } from './naive-bayes';

/** The posterior by the textbook formula (uniform prior, Lidstone smoothing, tempered), every label. */
function reference(
  examples: { features: string[]; label: string }[],
  features: string[],
  alpha: number,
  temperature: number,
): Map<string, number> {
  const labels = [...new Set(examples.map((e) => e.label))];
  const counts = new Map<string, Map<string, number>>();
  const totals = new Map<string, number>();
  for (const e of examples)
    for (const f of new Set(e.features)) {
      const byLabel = counts.get(f) ?? new Map<string, number>();
      byLabel.set(e.label, (byLabel.get(e.label) ?? 0) + 1);
      counts.set(f, byLabel);
      totals.set(e.label, (totals.get(e.label) ?? 0) + 1);
    }
  const known = [...new Set(features)].filter((f) => counts.has(f));
  const logp = labels.map((l) =>
    known.reduce(
      (sum, f) =>
        sum + Math.log(((counts.get(f)!.get(l) ?? 0) + alpha) / ((totals.get(l) ?? 0) + alpha * counts.size)),
      0,
    ),
  );
  const max = Math.max(...logp);
  const w = logp.map((x) => Math.exp((x - max) / temperature));
  const sum = w.reduce((a, b) => a + b, 0);
  return new Map(labels.map((l, i) => [l, w[i]! / sum]));
}

describe('NaiveBayes (issue #15)', () => {
  it('gives the textbook tempered posterior for every label, best first', () => {
    const feature = fc.constantFrom<string>('a', 'b', 'c', 'd', 'e', 'f');
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ features: fc.array(feature, { maxLength: 5 }), label: fc.constantFrom('x', 'y', 'z') }),
          { minLength: 1, maxLength: 20 },
        ),
        fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'unseen'), { maxLength: 6 }),
        (examples, query: string[]) => {
          const nb = new NaiveBayes(examples, 0.1, 2);
          const got = nb.classify(query, 10);
          const expected = reference(examples, query, 0.1, 2);
          if (!query.some((f) => examples.some((e) => e.features.includes(f)))) {
            assert.deepEqual(got, []);
            return;
          }
          assert.equal(got.length, expected.size);
          for (let i = 1; i < got.length; i++) assert.ok(got[i - 1]!.p >= got[i]!.p);
          for (const { label, p } of got)
            assert.ok(Math.abs(p - expected.get(label)!) < 1e-9, `${label}: ${p}`);
        },
      ),
    );
  });
});
