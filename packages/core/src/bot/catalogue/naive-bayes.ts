/**
 * A multinomial naive Bayes text classifier over sparse binary features (issue #15: which
 * catalogue intent a buyer's text reads as). Trains in one pass over the phrasings (milliseconds),
 * so every process builds it from the shipped catalogue instead of shipping weights. Pure.
 */
export class NaiveBayes {
  /** Feature → label index → count. */
  private readonly counts = new Map<string, Map<number, number>>();
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
    for (const { features, label } of examples) {
      let k = this.labelIndex.get(label);
      if (k === undefined) {
        k = this.labelIndex.size;
        this.labelIndex.set(label, k);
        totals.push(0);
      }
      for (const f of new Set(features)) {
        let byLabel = this.counts.get(f);
        if (!byLabel) this.counts.set(f, (byLabel = new Map()));
        byLabel.set(k, (byLabel.get(k) ?? 0) + 1);
        totals[k]!++;
      }
    }
    this.totals = totals;
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
    const known = [...new Set(features)].filter((f) => this.counts.has(f));
    if (known.length === 0) return [];
    const vocabulary = this.counts.size;
    const labels = this.labels;
    const logAlpha = Math.log(this.alpha);
    // Every label starts as if it had seen none of the features; each feature then adds its
    // evidence only to the labels that saw it (a feature's labels are few, the labels many).
    const logp = labels.map(
      (_, k) => known.length * (logAlpha - Math.log(this.totals[k]! + this.alpha * vocabulary)),
    );
    for (const f of known)
      for (const [k, count] of this.counts.get(f)!) logp[k]! += Math.log(count + this.alpha) - logAlpha;
    const max = Math.max(...logp);
    const e = logp.map((v) => Math.exp((v - max) / this.temperature));
    const sum = e.reduce((a, b) => a + b, 0);
    return e
      .map((v, k) => ({ label: labels[k]!, p: v / sum }))
      .sort((a, b) => b.p - a.p)
      .slice(0, limit);
  }
}
