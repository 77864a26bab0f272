import type { Shop, ShopId } from '@xiaoer/core';
import type { Kysely, Selectable } from 'kysely';
import type { Database, ShopsTable } from './schema';

/** A shop with its signing secret (never sent to clients). */
export type ShopWithSecret = Shop & { secret: string };

function toShop(row: Selectable<ShopsTable>): ShopWithSecret {
  return {
    id: row.id as ShopId,
    slug: row.slug,
    name: row.name,
    timeZone: row.time_zone,
    serviceHours: row.service_hours,
    createdAt: Number(row.created_at),
    secret: row.secret,
  };
}

/** Strips the secret for presenting. */
export function publicShop({ secret: _secret, ...shop }: ShopWithSecret): Shop {
  return shop;
}

/** Shops. */
export class ShopRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async findShop(id: ShopId): Promise<ShopWithSecret | undefined> {
    const row = await this.db.selectFrom('shops').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toShop(row);
  }

  async findShopBySlug(slug: string): Promise<ShopWithSecret | undefined> {
    const row = await this.db.selectFrom('shops').selectAll().where('slug', '=', slug).executeTakeFirst();
    return row && toShop(row);
  }

  async insertShop(shop: ShopWithSecret): Promise<void> {
    await this.db
      .insertInto('shops')
      .values({
        id: shop.id,
        slug: shop.slug,
        name: shop.name,
        secret: shop.secret,
        time_zone: shop.timeZone,
        service_hours: shop.serviceHours,
        created_at: shop.createdAt,
      })
      .execute();
  }

  async updateShop(
    id: ShopId,
    patch: Partial<Pick<Shop, 'name' | 'serviceHours' | 'timeZone'>>,
  ): Promise<ShopWithSecret> {
    const set: Partial<ShopsTable> = {};
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.serviceHours !== undefined) set.service_hours = patch.serviceHours;
    if (patch.timeZone !== undefined) set.time_zone = patch.timeZone;
    if (Object.keys(set).length > 0)
      await this.db.updateTable('shops').set(set).where('id', '=', id).execute();
    const shop = await this.findShop(id);
    if (!shop) throw new Error(`shop ${id} vanished`);
    return shop;
  }
}
