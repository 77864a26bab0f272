/**
 * A multinomial naive Bayes text classifier over sparse binary features (issue #15: which
 * catalogue intent a buyer's text reads as). Trains in one pass over the phrasings (milliseconds),
 * so every process builds it from the shipped catalogue instead of shipping weights. Pure.
 */
export class NaiveBayes {
  /**
   * Feature → its slot; the labels that saw feature `slot` are `labels[start[slot]..start[slot+1])`,
   * each with the evidence it gives, log((count + α) / α), at the same place in `logs`. Packed in
   * three typed arrays once trained: a search reads them for every feature of every message
   * without garbage (walking a Map's entries allocates a pair per label), and 42,000 features take
   * a quarter of the memory a Map per feature did.
   */
  private readonly slots = new Map<string, number>();
  private readonly start: Int32Array;
  private readonly labelsOf: Int32Array;
  private readonly logs: Float64Array;
  private readonly totals: number[];
  private readonly labelIndex = new Map<string, number>();

  constructor(
    examples: Iterable<{ features: readonly string[]; label: string }>,
    /** Additive (Lidstone) smoothing; chosen by cross-validation on the catalogue itself. */
    private readonly alpha = 0.1,
    /**
     * Naive Bayes counts every feature as independent evidence, so its posteriors are far surer
     * than it is (1.00 against 0.00 on a near tie): they are softened by this temperature. 1 is
     * the raw posterior; 2 was best on the development sets.
     */
    private readonly temperature = 2,
  ) {
    const totals: number[] = [];
    const counts = new Map<string, Map<number, number>>();
    for (const { features, label } of examples) {
      let k = this.labelIndex.get(label);
      if (k === undefined) {
        k = this.labelIndex.size;
        this.labelIndex.set(label, k);
        totals.push(0);
      }
      for (const f of new Set(features)) {
        let byLabel = counts.get(f);
        if (!byLabel) counts.set(f, (byLabel = new Map()));
        byLabel.set(k, (byLabel.get(k) ?? 0) + 1);
        totals[k]!++;
      }
    }
    this.totals = totals;
    const logAlpha = Math.log(alpha);
    let pairs = 0;
    for (const byLabel of counts.values()) pairs += byLabel.size;
    this.start = new Int32Array(counts.size + 1);
    this.labelsOf = new Int32Array(pairs);
    this.logs = new Float64Array(pairs);
    let at = 0;
    for (const [f, byLabel] of counts) {
      const slot = this.slots.size;
      this.slots.set(f, slot);
      this.start[slot] = at;
      for (const [k, count] of byLabel) {
        this.labelsOf[at] = k;
        this.logs[at++] = Math.log(count + alpha) - logAlpha;
      }
    }
    this.start[counts.size] = at;
  }

  get labels(): readonly string[] {
    return (this.labelList ??= [...this.labelIndex.keys()]);
  }
  private labelList: string[] | undefined;

  /**
   * The posterior of each label given the features (uniform prior), best first. Features never
   * seen in training carry no evidence; with none known the answer is empty.
   */
  classify(features: readonly string[], limit = 5): { label: string; p: number }[] {
    const labels = this.labels;
    // Reused between calls: a search classifies every message, and garbage is latency.
    const logp = (this.scratch ??= new Float64Array(labels.length));
    const logAlpha = Math.log(this.alpha);
    let known = 0;
    logp.fill(0);
    for (const f of new Set(features)) {
      const slot = this.slots.get(f);
      if (slot === undefined) continue;
      known++;
      // Evidence only for the labels that saw the feature (a feature's labels are few).
      for (let i = this.start[slot]!; i < this.start[slot + 1]!; i++)
        logp[this.labelsOf[i]!]! += this.logs[i]!;
    }
    if (known === 0) return [];
    // Every label also pays for each known feature as if it had not seen it.
    const vocabulary = this.slots.size;
    let max = -Infinity;
    for (let k = 0; k < labels.length; k++) {
      logp[k]! += known * (logAlpha - Math.log(this.totals[k]! + this.alpha * vocabulary));
      if (logp[k]! > max) max = logp[k]!;
    }
    let sum = 0;
    for (let k = 0; k < labels.length; k++) sum += logp[k] = Math.exp((logp[k]! - max) / this.temperature);
    // The best `limit`, kept in order as the labels go by (no object per label).
    const best: { label: string; p: number }[] = [];
    for (let k = 0; k < labels.length; k++) {
      const p = logp[k]! / sum;
      if (best.length === limit && p <= best[limit - 1]!.p) continue;
      let at = best.length;
      while (at > 0 && best[at - 1]!.p < p) at--;
      best.splice(at, 0, { label: labels[k]!, p });
      if (best.length > limit) best.pop();
    }
    return best;
  }

  private scratch: Float64Array | undefined;
}
