/**
 * A small Aho–Corasick automaton over UTF-16 units: finds every occurrence of many literal
 * strings in one pass, linear in the text. The compliance checker uses it to find which rules
 * can match at all before running their (few) regular expressions.
 */
export class AhoCorasick {
  private readonly next: Map<number, number>[] = [new Map()];
  private readonly fail: number[] = [0];
  /** Pattern ids ending at each node, including those reached through failure links. */
  private readonly out: number[][] = [[]];

  constructor(patterns: readonly string[]) {
    for (const [id, p] of patterns.entries()) {
      if (!p) continue;
      let node = 0;
      for (let i = 0; i < p.length; i++) {
        const c = p.charCodeAt(i);
        let to = this.next[node]!.get(c);
        if (to === undefined) {
          to = this.next.length;
          this.next.push(new Map());
          this.fail.push(0);
          this.out.push([]);
          this.next[node]!.set(c, to);
        }
        node = to;
      }
      this.out[node]!.push(id);
    }
    // Breadth-first: failure links, and outputs merged along them.
    const queue: number[] = [];
    for (const to of this.next[0]!.values()) queue.push(to);
    for (let q = 0; q < queue.length; q++) {
      const node = queue[q]!;
      for (const [c, to] of this.next[node]!) {
        let f = this.fail[node]!;
        while (f !== 0 && !this.next[f]!.has(c)) f = this.fail[f]!;
        const target = this.next[f]!.get(c);
        this.fail[to] = target !== undefined && target !== to ? target : 0;
        const inherited = this.out[this.fail[to]!]!;
        if (inherited.length) this.out[to] = [...this.out[to]!, ...inherited];
        queue.push(to);
      }
    }
  }

  /** Calls onMatch(patternId, endIndex) for every occurrence in text (end exclusive). */
  scan(text: string, onMatch: (id: number, end: number) => void): void {
    let node = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      let to = this.next[node]!.get(c);
      while (to === undefined && node !== 0) {
        node = this.fail[node]!;
        to = this.next[node]!.get(c);
      }
      node = to ?? 0;
      const hits = this.out[node]!;
      for (let k = 0; k < hits.length; k++) onMatch(hits[k]!, i + 1);
    }
  }
}
