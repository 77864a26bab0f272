/**
 * RT-2: a pool of agents with room, bucketed by load. The least-loaded agent is the first of the
 * lowest non-empty bucket; an agent entering a bucket goes to its end, so agents with equal loads
 * take turns (round robin) without scanning every agent.
 */
export class LoadPool {
  private readonly buckets: Map<string, true>[] = [];
  private readonly level = new Map<string, number>();
  private min = 0;

  get size(): number {
    return this.level.size;
  }

  has(agentId: string): boolean {
    return this.level.has(agentId);
  }

  /** Puts an agent at a load: at the end of that load's turn order when its load changes. */
  set(agentId: string, load: number): void {
    if (this.level.get(agentId) === load) return; // keeps its turn
    this.delete(agentId);
    let bucket = this.buckets[load];
    if (!bucket) {
      for (let i = this.buckets.length; i <= load; i++) this.buckets.push(new Map());
      bucket = this.buckets[load]!;
    }
    bucket.set(agentId, true);
    this.level.set(agentId, load);
    if (load < this.min) this.min = load;
  }

  delete(agentId: string): void {
    const load = this.level.get(agentId);
    if (load === undefined) return;
    this.buckets[load]!.delete(agentId);
    this.level.delete(agentId);
  }

  /** The least-loaded agent whose turn it is, and its load. */
  first(): { agentId: string; load: number } | undefined {
    if (this.level.size === 0) return undefined;
    while (this.min < this.buckets.length && this.buckets[this.min]!.size === 0) this.min++;
    const bucket = this.buckets[this.min];
    if (!bucket) return undefined;
    for (const agentId of bucket.keys()) return { agentId, load: this.min };
    return undefined;
  }
}
