const SHARDS = 16;

/**
 * A Map from ids to values, split over 16 Maps by the id's last character. Why: V8 keeps a Map's
 * table in one array, and past about 4,096 entries that array is a large object, so each rehash
 * (on growth, or as deletions pile up) costs about a millisecond; split, each table stays small
 * up to some 65,000 ids (issue #20: a shop with thousands of open conversations, the simulator's
 * memory of every buyer).
 */
export class IdMap<V> {
  private readonly shards: Map<string, V>[] = Array.from({ length: SHARDS }, () => new Map<string, V>());

  /** The value for an id, if any. */
  get(id: string): V | undefined {
    return this.shardOf(id).get(id);
  }

  /** Whether an id has a value. */
  has(id: string): boolean {
    return this.shardOf(id).has(id);
  }

  /** Sets an id's value. */
  set(id: string, value: V): void {
    this.shardOf(id).set(id, value);
  }

  /** Removes an id. */
  delete(id: string): void {
    this.shardOf(id).delete(id);
  }

  private shardOf(id: string): Map<string, V> {
    // The last character varies most between ids (counters, UUIDs); the empty id goes to shard 0.
    return this.shards[(id.charCodeAt(id.length - 1) | 0) & (SHARDS - 1)]!;
  }
}
