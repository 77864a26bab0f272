import {
  DEFAULT_AFTERSALES_SETTINGS,
  isCaseOpen,
  type AftersalesCase,
  type AftersalesSettings,
  type AftersalesWorkflow,
  type ShopId,
} from '@xiaoer/core';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Engine } from './db';
import type { AftersalesCasesTable, Database } from './schema';

/** Issue #19: the shop's after-sales settings with the workflow's own (connector wait, alerts). */
export interface ShopAftersalesSettings extends AftersalesSettings {
  /** Minutes the connector has to confirm a step before it counts as failed. */
  stepTimeoutMinutes: number;
  /** Hours before a deadline that its holder and the supervisors are alerted (0: none). */
  alertHours: number;
}
export const DEFAULT_SHOP_AFTERSALES_SETTINGS: ShopAftersalesSettings = {
  ...DEFAULT_AFTERSALES_SETTINGS,
  couponScopes: [...DEFAULT_AFTERSALES_SETTINGS.couponScopes],
  stepTimeoutMinutes: 60,
  alertHours: 6,
};

/** A stored case: the engine's case and what the server keeps beside it. */
export interface CaseRecord {
  shopId: ShopId;
  buyerId: string;
  conversationId: string | null;
  externalId: string | null;
  case: AftersalesCase;
  /** The decision waiting for (or last carried out by) the shop's connector. */
  workflow: AftersalesWorkflow | null;
  evidence: { id: string; url: string }[];
  version: number;
  updatedAt: number;
  finishedAt: number | null;
  rating: number | null;
  /** AS-4: the shop's claim against the carrier (after the buyer was made whole). */
  claim?: CarrierClaim | null;
}

/** AS-4: compensate first, chase the carrier after. */
export interface CarrierClaim {
  carrier: string;
  trackingNo: string | null;
  amountCents: number | null;
  note: string | null;
  openedAt: number;
  openedBy: string;
  status: 'open' | 'settled';
  recoveredCents: number | null;
  settledAt: number | null;
}

const toRecord = (r: Selectable<AftersalesCasesTable>): CaseRecord => {
  const data = JSON.parse(r.data) as Pick<CaseRecord, 'case' | 'workflow' | 'evidence' | 'claim'>;
  return {
    shopId: r.shop_id as ShopId,
    buyerId: r.buyer_id,
    conversationId: r.conversation_id,
    externalId: r.external_id,
    case: data.case,
    workflow: data.workflow ?? null,
    evidence: data.evidence ?? [],
    claim: data.claim ?? null,
    version: Number(r.version),
    updatedAt: Number(r.updated_at),
    finishedAt: r.finished_at === null ? null : Number(r.finished_at),
    rating: r.rating === null ? null : Number(r.rating),
  };
};

const toRow = (rec: CaseRecord) => {
  const c = rec.case;
  return {
    id: c.id,
    shop_id: rec.shopId,
    external_id: rec.externalId,
    order_id: c.orderId,
    buyer_id: rec.buyerId,
    conversation_id: rec.conversationId,
    kind: c.kind,
    purpose: c.purpose,
    status: c.status,
    open: isCaseOpen(c) ? 1 : null,
    holder: c.holder,
    urgent: c.urgent ? 1 : 0,
    due_at: c.deadline?.at ?? null,
    due_kind: c.deadline?.kind ?? null,
    flagged: c.flagged,
    reason: c.reason,
    opened_by: c.openedBy,
    opened_at: c.openedAt,
    finished_at: rec.finishedAt,
    updated_at: rec.updatedAt,
    version: rec.version,
    rating: rec.rating,
    data: JSON.stringify({
      case: c,
      workflow: rec.workflow,
      evidence: rec.evidence,
      claim: rec.claim ?? null,
    }),
  };
};

export type CaseView = 'open' | 'mine' | 'all';

/**
 * Issue #19: after-sales cases. Writes go through `insertIn` / `updateIn` inside the caller's
 * transaction (the case, its timer and its webhook events commit together); an update expects the
 * version it read, so two writers never both win.
 */
export class AftersalesRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly engine: Engine,
  ) {}

  get kysely(): Kysely<Database> {
    return this.db;
  }

  async settings(shopId: ShopId): Promise<ShopAftersalesSettings> {
    const row = await this.db
      .selectFrom('shops')
      .select('aftersales_settings')
      .where('id', '=', shopId)
      .executeTakeFirst();
    if (!row?.aftersales_settings) return DEFAULT_SHOP_AFTERSALES_SETTINGS;
    return {
      ...DEFAULT_SHOP_AFTERSALES_SETTINGS,
      ...(JSON.parse(row.aftersales_settings) as Partial<ShopAftersalesSettings>),
    };
  }

  async saveSettings(shopId: ShopId, settings: ShopAftersalesSettings): Promise<void> {
    await this.db
      .updateTable('shops')
      .set({ aftersales_settings: JSON.stringify(settings) })
      .where('id', '=', shopId)
      .execute();
  }

  async find(shopId: ShopId, id: string, trx: Kysely<Database> = this.db): Promise<CaseRecord | undefined> {
    let q = trx.selectFrom('aftersales_cases').selectAll().where('shop_id', '=', shopId).where('id', '=', id);
    // In a write, the row is locked until the transaction ends (PostgreSQL; SQLite writes serially).
    if (trx !== this.db && this.engine === 'postgres') q = q.forUpdate();
    const r = await q.executeTakeFirst();
    return r && toRecord(r);
  }

  /**
   * Serializes the writes to one order's cases (PostgreSQL; SQLite writes one at a time): what one
   * case refunds is counted by the next, so two at once never pass what the order paid. Taken after
   * the case's row lock, and never two orders in one transaction, so locks cannot cycle.
   */
  async lockOrder(trx: Kysely<Database>, shopId: ShopId, orderId: string): Promise<void> {
    if (this.engine !== 'postgres') return;
    await sql`select pg_advisory_xact_lock(hashtext(${`aftersales:${shopId}:${orderId}`}))`.execute(trx);
  }

  async findByExternal(shopId: ShopId, externalId: string): Promise<CaseRecord | undefined> {
    const r = await this.db
      .selectFrom('aftersales_cases')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('external_id', '=', externalId)
      .executeTakeFirst();
    return r && toRecord(r);
  }

  /** Every case of an order (AS-1: one open per purpose; refunds add up across them). */
  async listForOrder(
    shopId: ShopId,
    orderId: string,
    trx: Kysely<Database> = this.db,
  ): Promise<CaseRecord[]> {
    const rows = await trx
      .selectFrom('aftersales_cases')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('order_id', '=', orderId)
      .orderBy('opened_at')
      .execute();
    return rows.map(toRecord);
  }

  async list(
    shopId: ShopId,
    filter: {
      view: CaseView;
      agentId?: string;
      buyerId?: string;
      orderId?: string;
      limit: number;
      before?: number;
      /** With `before`: the last case of the previous page (cases opened in the same ms). */
      beforeId?: string;
    },
  ): Promise<CaseRecord[]> {
    let q = this.db.selectFrom('aftersales_cases').selectAll().where('shop_id', '=', shopId);
    if (filter.view !== 'all') q = q.where('open', '=', 1);
    if (filter.view === 'mine') q = q.where('holder', '=', filter.agentId ?? '');
    if (filter.buyerId) q = q.where('buyer_id', '=', filter.buyerId);
    if (filter.orderId) q = q.where('order_id', '=', filter.orderId);
    const { before, beforeId } = filter;
    if (before !== undefined)
      q =
        beforeId === undefined
          ? q.where('opened_at', '<', before)
          : q.where((w) =>
              w.or([
                w('opened_at', '<', before),
                w.and([w('opened_at', '=', before), w('id', '<', beforeId)]),
              ]),
            );
    // Open cases: the most pressing first (urgent, then the nearest deadline); all: newest first.
    q =
      filter.view === 'all'
        ? q.orderBy('opened_at', 'desc').orderBy('id', 'desc')
        : q.orderBy('urgent', 'desc').orderBy('due_at').orderBy('opened_at');
    const rows = await q.limit(filter.limit).execute();
    return rows.map(toRecord);
  }

  /** Cases opened since `since` (AS-3's 30-day view). */
  async listOpenedSince(shopId: ShopId, since: number): Promise<CaseRecord[]> {
    const rows = await this.db
      .selectFrom('aftersales_cases')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('opened_at', '>=', since)
      .orderBy('opened_at')
      .execute();
    return rows.map(toRecord);
  }

  async insertIn(trx: Kysely<Database>, rec: CaseRecord): Promise<void> {
    await trx.insertInto('aftersales_cases').values(toRow(rec)).execute();
  }

  /** Writes `rec` if the stored version is still `rec.version - 1`; false when another write won. */
  async updateIn(trx: Kysely<Database>, rec: CaseRecord): Promise<boolean> {
    const { id: _id, shop_id: _shop, ...row } = toRow(rec);
    const r = await trx
      .updateTable('aftersales_cases')
      .set(row)
      .where('shop_id', '=', rec.shopId)
      .where('id', '=', rec.case.id)
      .where('version', '=', rec.version - 1)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
}
