import type { FaqEntry, ShopId } from '@xiaoer/core';
import type { Kysely, Selectable } from 'kysely';
import type { Database, FaqEntriesTable } from './schema';

function toEntry(row: Selectable<FaqEntriesTable>): FaqEntry & { updatedAt: number } {
  return {
    id: row.id,
    question: row.question,
    similar: JSON.parse(row.similar) as string[],
    answer: row.answer,
    category: row.category,
    enabled: Number(row.enabled) === 1,
    intents: row.intents === null ? null : (JSON.parse(row.intents) as string[]),
    updatedAt: Number(row.updated_at),
  };
}

/** A shop's FAQ entries (BOT-1). */
export class FaqRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async listEntries(shopId: ShopId): Promise<(FaqEntry & { updatedAt: number })[]> {
    const rows = await this.db
      .selectFrom('faq_entries')
      .selectAll()
      .where('shop_id', '=', shopId)
      .orderBy('created_at')
      .execute();
    return rows.map(toEntry);
  }

  async findEntry(shopId: ShopId, id: string): Promise<FaqEntry | undefined> {
    const row = await this.db
      .selectFrom('faq_entries')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toEntry(row);
  }

  /** Inserts or replaces entries in one transaction: an import stores all of them or none. */
  async saveEntries(shopId: ShopId, entries: readonly FaqEntry[], at: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      for (const e of entries) {
        const values = {
          question: e.question,
          similar: JSON.stringify(e.similar),
          answer: e.answer,
          category: e.category,
          enabled: e.enabled ? 1 : 0,
          intents: e.intents ? JSON.stringify(e.intents) : null,
          updated_at: at,
        };
        const updated = await trx
          .updateTable('faq_entries')
          .set(values)
          .where('shop_id', '=', shopId)
          .where('id', '=', e.id)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) === 0) {
          await trx
            .insertInto('faq_entries')
            .values({ id: e.id, shop_id: shopId, created_at: at, ...values })
            .execute();
        }
      }
    });
  }

  async deleteEntry(shopId: ShopId, id: string): Promise<boolean> {
    const res = await this.db
      .deleteFrom('faq_entries')
      .where('shop_id', '=', shopId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }
}
