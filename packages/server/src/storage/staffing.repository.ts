import { emptyRota, type Rota, type ShopId } from '@xiaoer/core';
import type { Kysely } from 'kysely';
import type { Database } from './schema';

/** Issue #18: the staffing planner's rota and the history it reads (conversations that needed an agent). */
export class StaffingRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The shop's rota; all zeros (updatedAt null) when none was saved. */
  async findRota(shopId: ShopId): Promise<Rota> {
    const row = await this.db
      .selectFrom('staffing_rotas')
      .selectAll()
      .where('shop_id', '=', shopId)
      .executeTakeFirst();
    if (!row) return emptyRota();
    return {
      hours: JSON.parse(row.hours) as number[],
      updatedAt: Number(row.updated_at),
      updatedBy: row.updated_by,
    };
  }

  /** Replaces the shop's rota (validated by the caller). */
  async saveRota(shopId: ShopId, hours: readonly number[], by: string, at: number): Promise<Rota> {
    const values = { hours: JSON.stringify(hours), updated_at: at, updated_by: by };
    await this.db
      .insertInto('staffing_rotas')
      .values({ shop_id: shopId, ...values })
      .onConflict((oc) => oc.column('shop_id').doUpdateSet(values))
      .execute();
    return { hours: [...hours], updatedAt: at, updatedBy: by };
  }

  /**
   * When each conversation that needed an agent began, in [start, end): it was assigned to an
   * agent or queued for one at some point (a conversation the bot closed alone did not), and it
   * is not suspected spam (SPAM-1: no reply needed).
   */
  async humanArrivals(shopId: ShopId, start: number, end: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom('conversations')
      .select('created_at')
      .where('shop_id', '=', shopId)
      .where('created_at', '>=', start)
      .where('created_at', '<', end)
      .where('status', '!=', 'spam')
      .where((eb) =>
        eb.or([
          eb('assigned_at', 'is not', null),
          eb('queued_at', 'is not', null),
          eb('agent_id', 'is not', null),
        ]),
      )
      .execute();
    return rows.map((r) => Number(r.created_at));
  }

  /** Assignment and end of each human conversation that ended in [start, end). */
  async handleTimes(
    shopId: ShopId,
    start: number,
    end: number,
  ): Promise<{ assignedAt: number; endedAt: number }[]> {
    const rows = await this.db
      .selectFrom('conversations')
      .select(['assigned_at', 'ended_at'])
      .where('shop_id', '=', shopId)
      .where('ended_at', '>=', start)
      .where('ended_at', '<', end)
      .where('assigned_at', 'is not', null)
      .execute();
    return rows.map((r) => ({ assignedAt: Number(r.assigned_at), endedAt: Number(r.ended_at) }));
  }
}
