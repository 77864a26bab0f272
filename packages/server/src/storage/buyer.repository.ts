import { randomUUID } from 'node:crypto';
import type { Buyer, BuyerId, ShopId, UpsertOutcome } from '@xiaoer/core';
import type { Kysely, Selectable } from 'kysely';
import type { BuyersTable, Database } from './schema';
import { isUniqueViolation } from './db';
import { chunks } from './chunks';

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

  /** The shop's buyers among `ids`, read at once. */
  async findBuyers(shopId: ShopId, ids: readonly string[]): Promise<Map<string, Buyer>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('buyers')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('id', 'in', [...new Set(ids)])
      .execute();
    return new Map(rows.map((r) => [r.id, toBuyer(r)]));
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

  // ── issue #16: the shop's buyers, written through the v1 API by the shop's own ids ─────────

  /** Issue #21: a page of the shop's buyer ids after `after` (an audience walked in pages). */
  async idsPage(shopId: ShopId, after: string, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('buyers')
      .select('id')
      .where('shop_id', '=', shopId)
      .where('id', '>', after)
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  async findByExternalId(shopId: ShopId, externalId: string): Promise<Buyer | undefined> {
    const row = await this.db
      .selectFrom('buyers')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('external_id', '=', externalId)
      .executeTakeFirst();
    return row && toBuyer(row);
  }

  /** Creates or updates the shop's buyer `externalId` (nick, phone); the widget's stay as they are. */
  /** Which of `externalIds` the shop has as buyers already (an import's preview). */
  async existingExternalIds(shopId: ShopId, externalIds: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (const part of chunks(externalIds)) {
      const rows = await this.db
        .selectFrom('buyers')
        .select('external_id')
        .where('shop_id', '=', shopId)
        .where('external_id', 'in', part)
        .execute();
      for (const r of rows) if (r.external_id) found.add(r.external_id);
    }
    return found;
  }

  async upsertByExternalId(
    shopId: ShopId,
    externalId: string,
    fields: { nick: string; phone: string | null },
    now: number,
  ): Promise<UpsertOutcome> {
    const write = () =>
      this.db.transaction().execute(async (trx) => {
        const row = await trx
          .selectFrom('buyers')
          .selectAll()
          .where('shop_id', '=', shopId)
          .where('external_id', '=', externalId)
          .executeTakeFirst();
        if (!row) {
          await insertExternal(trx, shopId, externalId, fields, now);
          return 'created' as const;
        }
        if (row.nick === fields.nick && row.phone === fields.phone) return 'unchanged' as const;
        await trx
          .updateTable('buyers')
          .set({ nick: fields.nick, phone: fields.phone })
          .where('shop_id', '=', shopId)
          .where('id', '=', row.id)
          .execute();
        return 'updated' as const;
      });
    try {
      return await write();
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      return write();
    }
  }

  /** A page of the shop's own buyers (those with an external id), by external id after `after`. */
  async listExternalPage(shopId: ShopId, after: string | null, limit: number): Promise<Buyer[]> {
    let q = this.db
      .selectFrom('buyers')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('external_id', 'is not', null);
    if (after !== null) q = q.where('external_id', '>', after);
    const rows = await q.orderBy('external_id').limit(limit).execute();
    return rows.map(toBuyer);
  }
}

/**
 * Issue #16: the id of the shop's buyer `externalId` within a transaction, created when the shop
 * has not sent the buyer yet (an order often arrives first): nick 买家 + the id's last 4 characters
 * until the shop sends the buyer.
 */
export async function externalBuyerIn(
  trx: Kysely<Database>,
  shopId: ShopId,
  externalId: string,
  now: number,
  /** The name to give a buyer made here (default 买家 + the id's last 4 characters). */
  nick?: string,
): Promise<BuyerId> {
  const row = await trx
    .selectFrom('buyers')
    .select('id')
    .where('shop_id', '=', shopId)
    .where('external_id', '=', externalId)
    .executeTakeFirst();
  if (row) return row.id as BuyerId;
  return insertExternal(
    trx,
    shopId,
    externalId,
    { nick: nick ?? `买家${externalId.slice(-4)}`, phone: null },
    now,
  );
}

async function insertExternal(
  trx: Kysely<Database>,
  shopId: ShopId,
  externalId: string,
  fields: { nick: string; phone: string | null },
  now: number,
): Promise<BuyerId> {
  const id = randomUUID() as BuyerId;
  await trx
    .insertInto('buyers')
    .values({
      id,
      shop_id: shopId,
      external_id: externalId,
      visitor_id: null,
      nick: fields.nick,
      phone: fields.phone,
      created_at: now,
      last_seen_at: now,
    })
    .execute();
  return id;
}
