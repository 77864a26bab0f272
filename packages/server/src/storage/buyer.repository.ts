import type { Buyer, BuyerId, ShopId } from '@xiaoer/core';
import type { Kysely, Selectable } from 'kysely';
import type { BuyersTable, Database } from './schema';
import { isUniqueViolation } from './db';

function toBuyer(row: Selectable<BuyersTable>): Buyer {
  return {
    id: row.id as BuyerId,
    shopId: row.shop_id as ShopId,
    externalId: row.external_id,
    visitorId: row.visitor_id,
    nick: row.nick,
    phone: row.phone,
    createdAt: Number(row.created_at),
    lastSeenAt: Number(row.last_seen_at),
  };
}

/** Buyers. */
export class BuyerRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async findBuyer(shopId: ShopId, id: BuyerId): Promise<Buyer | undefined> {
    const row = await this.db
      .selectFrom('buyers')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toBuyer(row);
  }

  /** Issue #14: the buyer and its token generation (a token of another generation is revoked). */
  async findBuyerForToken(
    shopId: ShopId,
    id: BuyerId,
  ): Promise<{ buyer: Buyer; tokenGen: number } | undefined> {
    const row = await this.db
      .selectFrom('buyers')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && { buyer: toBuyer(row), tokenGen: Number(row.token_gen) };
  }

  /** Issue #14: revokes every token the buyer holds (the next session is a new one); false if unknown. */
  async revokeTokens(shopId: ShopId, id: BuyerId): Promise<boolean> {
    const r = await this.db
      .updateTable('buyers')
      .set((eb) => ({ token_gen: eb('token_gen', '+', 1) }))
      .where('shop_id', '=', shopId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** The shop a buyer belongs to (an agent of several shops acts in its buyer's, TEAM-4). */
  async findBuyerShop(id: BuyerId): Promise<ShopId | undefined> {
    const row = await this.db.selectFrom('buyers').select('shop_id').where('id', '=', id).executeTakeFirst();
    return row?.shop_id as ShopId | undefined;
  }

  async insertBuyer(buyer: Buyer): Promise<void> {
    await this.db
      .insertInto('buyers')
      .values({
        id: buyer.id,
        shop_id: buyer.shopId,
        external_id: buyer.externalId,
        visitor_id: buyer.visitorId,
        nick: buyer.nick,
        phone: buyer.phone,
        created_at: buyer.createdAt,
        last_seen_at: buyer.lastSeenAt,
      })
      .execute();
  }

  /** The buyer with this key, created from `make` when missing (safe when two requests race). */
  async findOrCreate(
    shopId: ShopId,
    key: { externalId: string } | { visitorId: string },
    make: () => Buyer,
  ): Promise<Buyer> {
    const find = () => {
      let q = this.db.selectFrom('buyers').selectAll().where('shop_id', '=', shopId);
      q =
        'externalId' in key
          ? q.where('external_id', '=', key.externalId)
          : q.where('visitor_id', '=', key.visitorId);
      return q.executeTakeFirst();
    };
    const row = await find();
    if (row) return toBuyer(row);
    const buyer = make();
    try {
      await this.insertBuyer(buyer);
      return buyer;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const again = await find();
      if (!again) throw error;
      return toBuyer(again);
    }
  }

  async touch(shopId: ShopId, id: BuyerId, at: number): Promise<void> {
    await this.db
      .updateTable('buyers')
      .set({ last_seen_at: at })
      .where('shop_id', '=', shopId)
      .where('id', '=', id)
      .execute();
  }

  async listBuyers(shopId: ShopId, limit: number): Promise<Buyer[]> {
    const rows = await this.db
      .selectFrom('buyers')
      .selectAll()
      .where('shop_id', '=', shopId)
      .orderBy('created_at')
      .limit(limit)
      .execute();
    return rows.map(toBuyer);
  }
}
