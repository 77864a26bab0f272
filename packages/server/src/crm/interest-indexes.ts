import { buildInterestIndex, type InterestIndex, type Segmenter, type ShopId } from '@xiaoer/core';
import { jiebaSegmenter } from '../bot/jieba.segmenter';
import type { Storage } from '../storage';

/**
 * CRM-1: each shop's catalogue indexed by the words that name its products (see
 * `buildInterestIndex`), kept for the shops looked at lately and rebuilt when the catalogue
 * changes (a product written or removed moves its version). Per process: each node keeps its own.
 */
export class InterestIndexes {
  private readonly cache = new Map<string, { version: string; index: InterestIndex }>();

  constructor(
    private readonly storage: Storage,
    readonly segmenter: Segmenter = jiebaSegmenter(),
    /** Shops kept (the least recently used one is dropped first). */
    private readonly max = 20,
  ) {}

  async of(shopId: ShopId): Promise<InterestIndex> {
    const version = await this.storage.orders.productsVersion(shopId);
    const hit = this.cache.get(shopId);
    this.cache.delete(shopId);
    if (hit && hit.version === version) {
      this.cache.set(shopId, hit);
      return hit.index;
    }
    const products = await this.storage.orders.listProducts(shopId);
    const index = buildInterestIndex(
      products.map((p) => ({ id: p.id, title: p.title })),
      this.segmenter,
    );
    this.cache.set(shopId, { version, index });
    if (this.cache.size > this.max) this.cache.delete(this.cache.keys().next().value!);
    return index;
  }
}
