import {
  DEFAULT_COMPLIANCE_SETTINGS,
  type AgentId,
  type BuyerId,
  type ComplianceLogEntry,
  type ComplianceSettings,
  type ComplianceStore,
  type ConversationId,
  type PromiseReason,
  type PromiseStatus,
  type RecordedPromise,
  type ShopId,
  type StoredPromise,
} from '@xiaoer/core';
import type { Kysely, Selectable } from 'kysely';
import type { ComplianceLogTable, Database, OrderPromisesTable } from './schema';

/** A page of the compliance log, newest first. */
export interface ComplianceLogQuery {
  agentId?: string;
  action?: ComplianceLogEntry['action'];
  since?: number;
  until?: number;
  limit: number;
}

/** The stored settings over the defaults (a shop that never saved any has the defaults). */
function settingsOf(json: string | null): ComplianceSettings {
  return json
    ? { ...DEFAULT_COMPLIANCE_SETTINGS, ...(JSON.parse(json) as Partial<ComplianceSettings>) }
    : DEFAULT_COMPLIANCE_SETTINGS;
}

/** A log row as the core's entry; review fields only once reviewed. */
export function toLogEntry(r: Selectable<ComplianceLogTable>): ComplianceLogEntry {
  return {
    id: r.id,
    shopId: r.shop_id as ShopId,
    agentId: r.agent_id as AgentId,
    conversationId: r.conversation_id as ConversationId | null,
    buyerId: r.buyer_id as BuyerId | null,
    action: r.action as ComplianceLogEntry['action'],
    verdict: r.verdict as ComplianceLogEntry['verdict'],
    rules: JSON.parse(r.rules) as ComplianceLogEntry['rules'],
    findings: JSON.parse(r.findings) as ComplianceLogEntry['findings'],
    text: r.text,
    createdAt: Number(r.created_at),
    ...(r.review === 'correct' || r.review === 'wrong' ? { review: r.review } : {}),
    ...(r.reviewed_by !== null ? { reviewedBy: r.reviewed_by as AgentId } : {}),
    // pg returns bigint as a string.
    ...(r.reviewed_at !== null ? { reviewedAt: Number(r.reviewed_at) } : {}),
  };
}

/** A promise row as the core's stored promise (pg returns bigint as a string). */
function toStoredPromise(r: Selectable<OrderPromisesTable>): StoredPromise {
  const num = (v: number | null) => (v === null ? null : Number(v));
  return {
    id: r.id,
    shopId: r.shop_id as ShopId,
    buyerId: r.buyer_id as BuyerId,
    orderId: r.order_id,
    conversationId: r.conversation_id as ConversationId,
    agentId: r.agent_id as AgentId,
    messageSeq: Number(r.message_seq),
    kind: r.kind as RecordedPromise['kind'],
    detail: r.detail,
    ...(r.due_at !== null ? { dueAt: Number(r.due_at) } : {}),
    createdAt: Number(r.created_at),
    status: r.status as PromiseStatus,
    reason: r.reason as PromiseReason | null,
    checkedAt: num(r.checked_at),
    atRiskAt: num(r.at_risk_at),
    settledAt: num(r.settled_at),
  };
}

/** Issue #19: the supervisor's list of a shop's promises. */
export interface PromiseListQuery {
  /** Made at or after this time. */
  since: number;
  status?: PromiseStatus;
  agentId?: string;
  limit: number;
}

/** Compliance settings, the supervisor's log, recorded promises and proactive sends (CMP-1 … CMP-6). */
export class ComplianceRepository implements ComplianceStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly ids: () => string,
  ) {}

  async complianceSettings(shopId: ShopId): Promise<ComplianceSettings> {
    const row = await this.db
      .selectFrom('shops')
      .select('compliance_settings')
      .where('id', '=', shopId)
      .executeTakeFirst();
    return settingsOf(row?.compliance_settings ?? null);
  }

  async saveComplianceSettings(shopId: ShopId, settings: ComplianceSettings): Promise<void> {
    await this.db
      .updateTable('shops')
      .set({ compliance_settings: JSON.stringify(settings) })
      .where('id', '=', shopId)
      .execute();
  }

  async appendLog(e: ComplianceLogEntry): Promise<void> {
    await this.db
      .insertInto('compliance_log')
      .values({
        id: e.id,
        shop_id: e.shopId,
        agent_id: e.agentId,
        conversation_id: e.conversationId,
        buyer_id: e.buyerId,
        action: e.action,
        verdict: e.verdict,
        rules: JSON.stringify(e.rules),
        findings: JSON.stringify(e.findings),
        text: e.text,
        created_at: e.createdAt,
      })
      .execute();
  }

  /**
   * Issue #17: changes the settings from what they are now, with no other change slipping in
   * between (two supervisors adding to the allow list at once both land). Returns what was saved.
   */
  async updateComplianceSettings(
    shopId: ShopId,
    change: (settings: ComplianceSettings) => ComplianceSettings,
  ): Promise<ComplianceSettings> {
    return this.db.transaction().execute(async (trx) => {
      // Writing the row first takes its lock (PostgreSQL) or the database's (SQLite) before the read.
      await trx
        .updateTable('shops')
        .set((eb) => ({ compliance_settings: eb.ref('compliance_settings') }))
        .where('id', '=', shopId)
        .execute();
      const row = await trx
        .selectFrom('shops')
        .select('compliance_settings')
        .where('id', '=', shopId)
        .executeTakeFirst();
      const next = change(settingsOf(row?.compliance_settings ?? null));
      await trx
        .updateTable('shops')
        .set({ compliance_settings: JSON.stringify(next) })
        .where('id', '=', shopId)
        .execute();
      return next;
    });
  }

  async listLog(shopId: ShopId, q: ComplianceLogQuery): Promise<ComplianceLogEntry[]> {
    let query = this.db.selectFrom('compliance_log').selectAll().where('shop_id', '=', shopId);
    if (q.agentId) query = query.where('agent_id', '=', q.agentId);
    if (q.action) query = query.where('action', '=', q.action);
    if (q.since !== undefined) query = query.where('created_at', '>=', q.since);
    if (q.until !== undefined) query = query.where('created_at', '<', q.until);
    const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit).execute();
    return rows.map(toLogEntry);
  }

  /** One entry of the shop's log; undefined for an unknown id or another shop's entry (TEAM-4). */
  async findLogEntry(shopId: ShopId, id: string): Promise<ComplianceLogEntry | undefined> {
    const row = await this.db
      .selectFrom('compliance_log')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toLogEntry(row) : undefined;
  }

  /** Issue #17: a supervisor's review of an entry (a second one replaces the first). */
  async reviewLogEntry(
    shopId: ShopId,
    id: string,
    review: { review: 'correct' | 'wrong'; by: AgentId; at: number },
  ): Promise<ComplianceLogEntry | undefined> {
    await this.db
      .updateTable('compliance_log')
      .set({ review: review.review, reviewed_by: review.by, reviewed_at: review.at })
      .where('shop_id', '=', shopId)
      .where('id', '=', id)
      .execute();
    return this.findLogEntry(shopId, id);
  }

  async recordPromises(promises: RecordedPromise[]): Promise<void> {
    if (promises.length === 0) return;
    await this.db
      .insertInto('order_promises')
      .values(
        promises.map((p) => ({
          id: p.id,
          shop_id: p.shopId,
          buyer_id: p.buyerId,
          order_id: p.orderId,
          conversation_id: p.conversationId,
          agent_id: p.agentId,
          message_seq: p.messageSeq,
          kind: p.kind,
          detail: p.detail,
          due_at: p.dueAt ?? null,
          created_at: p.createdAt,
        })),
      )
      .execute();
  }

  /** CMP-4: the promises made to a buyer, newest first (shown to the next agent), with their checks. */
  async listPromises(shopId: ShopId, buyerId: BuyerId, limit = 50): Promise<StoredPromise[]> {
    const rows = await this.db
      .selectFrom('order_promises')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('buyer_id', '=', buyerId)
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toStoredPromise);
  }

  /** Issue #19: one promise of the shop; undefined for an unknown id or another shop's (TEAM-4). */
  async findPromise(shopId: ShopId, id: string): Promise<StoredPromise | undefined> {
    const row = await this.db
      .selectFrom('order_promises')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toStoredPromise(row) : undefined;
  }

  /** Issue #19: an order's promises not settled yet (pending or at risk), to check when it is written. */
  async listOpenPromisesOfOrder(shopId: ShopId, orderId: string): Promise<StoredPromise[]> {
    const rows = await this.db
      .selectFrom('order_promises')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('order_id', '=', orderId)
      .where('status', 'in', ['pending', 'at-risk'])
      .orderBy('created_at')
      .execute();
    return rows.map(toStoredPromise);
  }

  /** Issue #19: every shop's promises not settled yet, oldest first, a page at a time (re-armed at boot). */
  async listOpenPromises(afterId: string | null, limit: number): Promise<StoredPromise[]> {
    let q = this.db.selectFrom('order_promises').selectAll().where('status', 'in', ['pending', 'at-risk']);
    if (afterId !== null) q = q.where('id', '>', afterId);
    const rows = await q.orderBy('id').limit(limit).execute();
    return rows.map(toStoredPromise);
  }

  /**
   * Issue #19: records a check's outcome only if the promise still has the status `from` (two
   * checks at once — a timer and an order write — change it once; the loser is told false).
   */
  async settlePromise(
    shopId: ShopId,
    id: string,
    from: PromiseStatus,
    to: {
      status: PromiseStatus;
      reason: PromiseReason;
      checkedAt: number;
      atRiskAt?: number;
      settledAt?: number;
    },
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('order_promises')
      .set({
        status: to.status,
        reason: to.reason,
        checked_at: to.checkedAt,
        ...(to.atRiskAt !== undefined ? { at_risk_at: to.atRiskAt } : {}),
        ...(to.settledAt !== undefined ? { settled_at: to.settledAt } : {}),
      })
      .where('shop_id', '=', shopId)
      .where('id', '=', id)
      .where('status', '=', from)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Issue #19: a shop's promises made since a time, with the buyer's nick, newest first. */
  async listShopPromises(
    shopId: ShopId,
    q: PromiseListQuery,
  ): Promise<(StoredPromise & { buyerNick: string | null })[]> {
    let query = this.db
      .selectFrom('order_promises as p')
      .leftJoin('buyers as b', (j) => j.onRef('b.id', '=', 'p.buyer_id').onRef('b.shop_id', '=', 'p.shop_id'))
      .selectAll('p')
      .select('b.nick as buyer_nick')
      .where('p.shop_id', '=', shopId)
      .where('p.created_at', '>=', q.since);
    if (q.status) query = query.where('p.status', '=', q.status);
    if (q.agentId) query = query.where('p.agent_id', '=', q.agentId);
    const rows = await query.orderBy('p.created_at', 'desc').orderBy('p.id', 'desc').limit(q.limit).execute();
    return rows.map((r) => ({ ...toStoredPromise(r), buyerNick: r.buyer_nick ?? null }));
  }

  /** Issue #19: how many promises each agent made since a time, by status ("counted per agent"). */
  async countShopPromises(
    shopId: ShopId,
    since: number,
  ): Promise<{ agentId: string; status: PromiseStatus; count: number }[]> {
    const rows = await this.db
      .selectFrom('order_promises')
      .select(['agent_id', 'status', (eb) => eb.fn.countAll().as('n')])
      .where('shop_id', '=', shopId)
      .where('created_at', '>=', since)
      .groupBy(['agent_id', 'status'])
      .execute();
    return rows.map((r) => ({ agentId: r.agent_id, status: r.status as PromiseStatus, count: Number(r.n) }));
  }

  async proactiveSentSince(shopId: ShopId, buyerId: BuyerId, since: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom('proactive_messages')
      .select('sent_at')
      .where('shop_id', '=', shopId)
      .where('buyer_id', '=', buyerId)
      .where('sent_at', '>', since)
      .execute();
    return rows.map((r) => Number(r.sent_at));
  }

  async recordProactive(
    shopId: ShopId,
    buyerId: BuyerId,
    agentId: AgentId,
    conversationId: ConversationId,
    at: number,
  ): Promise<void> {
    await this.db
      .insertInto('proactive_messages')
      .values({
        id: this.ids(),
        shop_id: shopId,
        buyer_id: buyerId,
        agent_id: agentId,
        conversation_id: conversationId,
        sent_at: at,
      })
      .execute();
  }
}
