import {
  DEFAULT_BOT_SETTINGS,
  FaqIndex,
  KeyedMutex,
  QuestionScorer,
  DEFAULT_WEIGHTS,
  SynonymMap,
  type BotSettings,
  type FaqEntry,
  type Logger,
  type ShopFaq,
  type ShopId,
} from '@xiaoer/core';
import type { PeerBus } from '../cluster/bus';
import type { Storage } from '../storage';
import { sharedCatalogue } from './catalogue';
import { jiebaSegmenter } from './jieba.segmenter';

/**
 * Each shop's FAQ index, built once from the database on first use and then kept up to date
 * entry by entry as the console edits it (no rebuild on an edit).
 */
export class FaqCache {
  private readonly shops = new Map<ShopId, Promise<ShopFaq & { entries: Map<string, FaqEntry> }>>();
  private readonly peerOrder = new KeyedMutex();

  constructor(
    private readonly storage: Storage,
    private readonly logger: Logger,
    /** Cluster mode: the other nodes hear of each edit and update their own copies. */
    private readonly peers?: PeerBus,
  ) {}

  /** Cluster mode: apply the other nodes' edits (entries are re-read from the database). */
  async listen(): Promise<void> {
    await this.peers?.subscribe('faq', (message) => {
      const m = message as { shopId: ShopId; upserted?: string[]; removed?: string; settings?: boolean };
      // One shop's notices apply in the order they came, so an older re-read never lands last.
      void this.peerOrder
        .run(m.shopId, () => this.applyPeer(m))
        .catch((error: unknown) =>
          this.logger.error('faq cache update from a peer failed', { shop: m.shopId, err: error }),
        );
    });
  }

  private async applyPeer(m: { shopId: ShopId; upserted?: string[]; removed?: string; settings?: boolean }) {
    if (!this.shops.has(m.shopId)) return;
    if (m.settings) {
      this.shops.delete(m.shopId); // settings and the shop's name are cheap to reload with the index
      return;
    }
    if (m.removed) await this.removedHere(m.shopId, m.removed);
    if (m.upserted?.length) {
      const wanted = new Set(m.upserted);
      const entries = (await this.storage.faq.listEntries(m.shopId)).filter((e) => wanted.has(e.id));
      await this.upsertedHere(m.shopId, entries);
    }
  }

  private tell(payload: { shopId: ShopId; upserted?: string[]; removed?: string; settings?: boolean }) {
    void this.peers
      ?.publish('faq', payload)
      .catch((error: unknown) =>
        this.logger.error('faq peer notice failed', { shop: payload.shopId, err: error }),
      );
  }

  /** The shop's FAQ, or undefined when its bot is off. */
  async faqFor(shopId: ShopId): Promise<ShopFaq | undefined> {
    const faq = await this.load(shopId);
    return faq.settings.enabled ? faq : undefined;
  }

  /** The index whatever the switch says (the console's "test the bot" box). */
  async indexFor(shopId: ShopId): Promise<ShopFaq> {
    return this.load(shopId);
  }

  private load(shopId: ShopId) {
    let faq = this.shops.get(shopId);
    if (!faq) {
      faq = (async () => {
        const [shop, settings, entries] = await Promise.all([
          this.storage.shops.findShop(shopId),
          this.storage.shops.findBotSettings(shopId),
          this.storage.faq.listEntries(shopId),
        ]);
        const synonyms = new SynonymMap();
        for (const group of settings?.synonyms ?? []) synonyms.addGroup(group);
        const index = new FaqIndex(
          new QuestionScorer(jiebaSegmenter(), DEFAULT_WEIGHTS, synonyms),
          sharedCatalogue(),
        );
        const map = new Map<string, FaqEntry>();
        for (const e of entries) {
          map.set(e.id, e);
          index.upsert(e);
        }
        return {
          settings: settings ?? { ...DEFAULT_BOT_SETTINGS, enabled: false },
          index,
          entries: map,
          shop: { name: shop?.name ?? '', serviceHours: shop?.serviceHours ?? '' },
        };
      })();
      this.shops.set(shopId, faq);
      faq.catch(() => this.shops.delete(shopId));
    }
    return faq;
  }

  /** After entries were saved: update them in the index (here and on the other nodes). */
  async upserted(shopId: ShopId, entries: readonly FaqEntry[]): Promise<void> {
    this.tell({ shopId, upserted: entries.map((e) => e.id) });
    await this.upsertedHere(shopId, entries);
  }

  private async upsertedHere(shopId: ShopId, entries: readonly FaqEntry[]): Promise<void> {
    if (!this.shops.has(shopId)) return;
    const faq = await this.load(shopId);
    for (const e of entries) {
      faq.entries.set(e.id, e);
      faq.index.upsert(e);
    }
  }

  /** After an entry was deleted. */
  async removed(shopId: ShopId, id: string): Promise<void> {
    this.tell({ shopId, removed: id });
    await this.removedHere(shopId, id);
  }

  private async removedHere(shopId: ShopId, id: string): Promise<void> {
    if (!this.shops.has(shopId)) return;
    const faq = await this.load(shopId);
    faq.entries.delete(id);
    faq.index.remove(id);
  }

  /** After the shop's settings or name changed; new synonyms rebuild the index (they change every entry's words). */
  async settingsChanged(
    shopId: ShopId,
    settings: BotSettings | null,
    shop?: { name: string; serviceHours: string },
  ): Promise<void> {
    this.tell({ shopId, settings: true });
    if (!this.shops.has(shopId)) return;
    const faq = await this.load(shopId);
    if (JSON.stringify(faq.settings.synonyms ?? []) !== JSON.stringify(settings?.synonyms ?? [])) {
      this.shops.delete(shopId);
      return;
    }
    faq.settings = settings ?? { ...DEFAULT_BOT_SETTINGS, enabled: false };
    if (shop) faq.shop = shop;
  }
}
