import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { ShopId } from '@xiaoer/core';
import type { Kysely } from 'kysely';
import type { Database } from './schema';

/** What a v1 API key may do. */
export const API_SCOPES = ['read', 'write'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/** A key as the console lists it (never the key itself: only its hash is kept). */
export interface ApiKeyInfo {
  id: string;
  shopId: ShopId;
  name: string;
  scopes: ApiScope[];
  /** The key's first characters, to tell keys apart. */
  prefix: string;
  createdAt: number;
  createdBy: string | null;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/** Keys are 32 random bytes: a plain SHA-256 of one is as good as a slow hash, and fast to look up. */
const hashOf = (key: string) => createHash('sha256').update(key).digest('hex');
/** A key's visible prefix: `xk_` and 6 characters. */
const PREFIX_LENGTH = 9;
/** A key's last use is written at most this often (a busy connector calls many times a second). */
const TOUCH_EVERY_MS = 60_000;

/** Issue #16: the shops' keys for the v1 API. */
export class ApiKeyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** A new key; the key itself is returned this once and never stored. */
  async create(
    shopId: ShopId,
    fields: { name: string; scopes: readonly ApiScope[]; createdBy: string | null },
    now: number,
  ): Promise<{ id: string; key: string; info: ApiKeyInfo }> {
    const key = `xk_${randomBytes(32).toString('base64url')}`;
    const id = randomUUID();
    const scopes = API_SCOPES.filter((s) => fields.scopes.includes(s));
    await this.db
      .insertInto('api_keys')
      .values({
        id,
        shop_id: shopId,
        name: fields.name,
        prefix: key.slice(0, PREFIX_LENGTH),
        key_hash: hashOf(key),
        scopes: scopes.join(','),
        created_at: now,
        created_by: fields.createdBy,
        last_used_at: null,
        revoked_at: null,
      })
      .execute();
    return {
      id,
      key,
      info: {
        id,
        shopId,
        name: fields.name,
        scopes,
        prefix: key.slice(0, PREFIX_LENGTH),
        createdAt: now,
        createdBy: fields.createdBy,
        lastUsedAt: null,
        revokedAt: null,
      },
    };
  }

  async list(shopId: ShopId): Promise<ApiKeyInfo[]> {
    const rows = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('shop_id', '=', shopId)
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map(toInfo);
  }

  /** Revokes a key of the shop; false when the shop has no such key. */
  async revoke(shopId: ShopId, id: string, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('api_keys')
      .set({ revoked_at: now })
      .where('shop_id', '=', shopId)
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) > 0) return true;
    const exists = await this.db
      .selectFrom('api_keys')
      .select('id')
      .where('shop_id', '=', shopId)
      .where('id', '=', id)
      .executeTakeFirst();
    return !!exists;
  }

  /** The live key behind `key`, or undefined (unknown or revoked); notes its use. */
  async authenticate(key: string, now: number): Promise<ApiKeyInfo | undefined> {
    const row = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('key_hash', '=', hashOf(key))
      .executeTakeFirst();
    if (!row || row.revoked_at !== null) return undefined;
    if (row.last_used_at === null || now - Number(row.last_used_at) > TOUCH_EVERY_MS)
      await this.db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', row.id).execute();
    return toInfo(row);
  }
}

function toInfo(row: Database['api_keys']): ApiKeyInfo {
  return {
    id: row.id,
    shopId: row.shop_id as ShopId,
    name: row.name,
    scopes: row.scopes.split(',').filter((s): s is ApiScope => (API_SCOPES as readonly string[]).includes(s)),
    prefix: row.prefix,
    createdAt: Number(row.created_at),
    createdBy: row.created_by,
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
  };
}
