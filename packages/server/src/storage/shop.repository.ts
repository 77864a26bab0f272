import {
  DEFAULT_BOT_SETTINGS,
  DEFAULT_MODEL_SETTINGS,
  type ModelSettings,
  DEFAULT_ROUTING_SETTINGS,
  type BotSettings,
  type RoutingSettings,
  type Shop,
  type ShopId,
} from '@xiaoer/core';
import type { Kysely, Selectable, Updateable } from 'kysely';
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
    orgId: row.org_id ?? '',
    isDemo: Number(row.is_demo) === 1,
    welcomeMessage: row.welcome_message,
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

  /** Inserts the shop, and its organisation (named after the shop) when that is new. */
  async insertShop(shop: ShopWithSecret): Promise<void> {
    await this.db
      .insertInto('organisations')
      .values({ id: shop.orgId, name: shop.name, owner_id: null, created_at: shop.createdAt })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
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
        org_id: shop.orgId,
        is_demo: shop.isDemo ? 1 : 0,
        welcome_message: shop.welcomeMessage,
      })
      .execute();
  }

  /** Every shop, by slug (the CLI's `shop list`, the setup check). */
  async listShops(): Promise<ShopWithSecret[]> {
    const rows = await this.db.selectFrom('shops').selectAll().orderBy('slug').execute();
    return rows.map(toShop);
  }

  /** Whether any shop other than the demo exists (first-run setup; demo mode's default). */
  async hasRealShop(): Promise<boolean> {
    const row = await this.db.selectFrom('shops').select('id').where('is_demo', '=', 0).executeTakeFirst();
    return row !== undefined;
  }

  /** The demo's shops (issue #13: closed, with their accounts and widget, while demo mode is off). */
  async listDemoShopIds(): Promise<ShopId[]> {
    const rows = await this.db.selectFrom('shops').select('id').where('is_demo', '=', 1).execute();
    return rows.map((r) => r.id as ShopId);
  }

  /** The shop's bot settings (null: the bot is off for this shop). */
  async findBotSettings(id: ShopId): Promise<BotSettings | null> {
    const row = await this.db
      .selectFrom('shops')
      .select('bot_settings')
      .where('id', '=', id)
      .executeTakeFirst();
    return row?.bot_settings
      ? { ...DEFAULT_BOT_SETTINGS, ...(JSON.parse(row.bot_settings) as Partial<BotSettings>) }
      : null;
  }

  async saveBotSettings(id: ShopId, settings: BotSettings | null): Promise<void> {
    await this.db
      .updateTable('shops')
      .set({ bot_settings: settings ? JSON.stringify(settings) : null })
      .where('id', '=', id)
      .execute();
  }

  /** Issue #15: the shop's model provider settings (the defaults, off, when never set). */
  async findModelSettings(id: ShopId): Promise<ModelSettings> {
    const row = await this.db
      .selectFrom('shops')
      .select('model_settings')
      .where('id', '=', id)
      .executeTakeFirst();
    return row?.model_settings
      ? { ...DEFAULT_MODEL_SETTINGS, ...(JSON.parse(row.model_settings) as Partial<ModelSettings>) }
      : DEFAULT_MODEL_SETTINGS;
  }

  async saveModelSettings(id: ShopId, settings: ModelSettings): Promise<void> {
    await this.db
      .updateTable('shops')
      .set({ model_settings: JSON.stringify(settings) })
      .where('id', '=', id)
      .execute();
  }

  /** Every shop's id (boot-time housekeeping). */
  async listShopIds(): Promise<ShopId[]> {
    const rows = await this.db.selectFrom('shops').select('id').execute();
    return rows.map((r) => r.id as ShopId);
  }

  /** The shop's routing settings (RT-1 … RT-9), defaults filled in. */
  async findRoutingSettings(id: ShopId): Promise<RoutingSettings> {
    const row = await this.db
      .selectFrom('shops')
      .select('routing_settings')
      .where('id', '=', id)
      .executeTakeFirst();
    return row?.routing_settings
      ? { ...DEFAULT_ROUTING_SETTINGS, ...(JSON.parse(row.routing_settings) as Partial<RoutingSettings>) }
      : DEFAULT_ROUTING_SETTINGS;
  }

  async saveRoutingSettings(id: ShopId, settings: RoutingSettings): Promise<void> {
    await this.db
      .updateTable('shops')
      .set({ routing_settings: JSON.stringify(settings) })
      .where('id', '=', id)
      .execute();
  }

  async updateShop(
    id: ShopId,
    patch: Partial<Pick<Shop, 'name' | 'serviceHours' | 'timeZone' | 'welcomeMessage'>>,
  ): Promise<ShopWithSecret> {
    const set: Updateable<ShopsTable> = {};
    if (patch.welcomeMessage !== undefined) set.welcome_message = patch.welcomeMessage;
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
