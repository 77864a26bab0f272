const NONE = -1;

/**
 * RT-2: agents with room, bucketed by load, each agent known by a small integer (its slot). The
 * least-loaded agent is the head of the lowest non-empty bucket; an agent entering a bucket goes
 * to its tail, so agents with equal loads take turns (round robin) without scanning every agent.
 * Buckets are intrusive doubly linked lists in typed arrays: moving an agent allocates nothing,
 * and the head is found without walking past removed entries.
 */
export class LoadBuckets {
  private next: Int32Array;
  private prev: Int32Array;
  /** Each slot's load, NONE when out of the pool. */
  private level: Int32Array;
  private head: Int32Array;
  private tail: Int32Array;
  /** No occupied bucket lies below it. */
  private min = 0;
  private count = 0;

  constructor(slots = 16, loads = 8) {
    this.next = new Int32Array(slots);
    this.prev = new Int32Array(slots);
    this.level = new Int32Array(slots).fill(NONE);
    this.head = new Int32Array(loads).fill(NONE);
    this.tail = new Int32Array(loads).fill(NONE);
  }

  /** Agents in the pool. */
  get size(): number {
    return this.count;
  }

  /** Whether a slot is in the pool. */
  has(slot: number): boolean {
    return slot < this.level.length && this.level[slot]! !== NONE;
  }

  /** A slot's load in the pool, or NONE (−1). */
  loadOf(slot: number): number {
    return slot < this.level.length ? this.level[slot]! : NONE;
  }

  /** Puts a slot at a load: at the end of that load's turn order when its load changes. */
  set(slot: number, load: number): void {
    if (slot >= this.level.length) this.growSlots(slot + 1);
    const current = this.level[slot]!;
    if (current === load) return; // keeps its turn
    if (current !== NONE) this.unlink(slot, current);
    else this.count++;
    if (load >= this.head.length) this.growLoads(load + 1);
    const last = this.tail[load]!;
    this.prev[slot] = last;
    this.next[slot] = NONE;
    if (last === NONE) this.head[load] = slot;
    else this.next[last] = slot;
    this.tail[load] = slot;
    this.level[slot] = load;
    if (load < this.min) this.min = load;
  }

  /** Takes a slot out of the pool. */
  delete(slot: number): void {
    if (slot >= this.level.length) return;
    const current = this.level[slot]!;
    if (current === NONE) return;
    this.unlink(slot, current);
    this.level[slot] = NONE;
    this.count--;
  }

  /** The least-loaded slot whose turn it is, or NONE (−1). */
  first(): number {
    if (this.count === 0) return NONE;
    const head = this.head;
    let min = this.min;
    while (head[min] === NONE) min++; // count > 0: an occupied bucket lies at or above min
    this.min = min;
    return head[min]!;
  }

  private unlink(slot: number, load: number): void {
    const before = this.prev[slot]!;
    const after = this.next[slot]!;
    if (before === NONE) this.head[load] = after;
    else this.next[before] = after;
    if (after === NONE) this.tail[load] = before;
    else this.prev[after] = before;
  }

  private growSlots(needed: number): void {
    const size = Math.max(needed, this.level.length * 2);
    const grow = (from: Int32Array, fill: number) => {
      const to = new Int32Array(size).fill(fill);
      to.set(from);
      return to;
    };
    this.next = grow(this.next, NONE);
    this.prev = grow(this.prev, NONE);
    this.level = grow(this.level, NONE);
  }

  private growLoads(needed: number): void {
    const size = Math.max(needed, this.head.length * 2);
    const grow = (from: Int32Array) => {
      const to = new Int32Array(size).fill(NONE);
      to.set(from);
      return to;
    };
    this.head = grow(this.head);
    this.tail = grow(this.tail);
  }
}

/**
 * RT-2: a pool of agents with room, bucketed by load, keyed by agent id (LoadBuckets underneath).
 * The least-loaded agent is the first of the lowest non-empty bucket; an agent entering a bucket
 * goes to its end, so agents with equal loads take turns (round robin).
 */
export class LoadPool {
  private readonly buckets = new LoadBuckets();
  private readonly slots = new Map<string, number>();
  private readonly ids: string[] = [];

  get size(): number {
    return this.buckets.size;
  }

  has(agentId: string): boolean {
    const slot = this.slots.get(agentId);
    return slot !== undefined && this.buckets.has(slot);
  }

  /** Puts an agent at a load: at the end of that load's turn order when its load changes. */
  set(agentId: string, load: number): void {
    let slot = this.slots.get(agentId);
    if (slot === undefined) {
      slot = this.ids.push(agentId) - 1;
      this.slots.set(agentId, slot);
    }
    this.buckets.set(slot, load);
  }

  delete(agentId: string): void {
    const slot = this.slots.get(agentId);
    if (slot !== undefined) this.buckets.delete(slot);
  }

  /** The least-loaded agent whose turn it is, and its load. */
  first(): { agentId: string; load: number } | undefined {
    const slot = this.buckets.first();
    return slot === NONE ? undefined : { agentId: this.ids[slot]!, load: this.buckets.loadOf(slot) };
  }
}
