/**
 * Runs tasks one at a time per key (one node). Routing decisions for a shop go through it so
 * caps hold when many buyers arrive at once; the cluster issue swaps in a distributed lock.
 */
export class KeyedMutex {
  private tails = new Map<string, Promise<unknown>>();

  /** Runs fn after every earlier task of the same key has settled. */
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(fn, fn);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await result;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
