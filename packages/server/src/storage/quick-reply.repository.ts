import type { AgentId, QuickReply, QuickReplyId, ShopId } from '@xiaoer/core';
import type { Kysely, Selectable } from 'kysely';
import type { Database, QuickRepliesTable } from './schema';

function toQuickReply(row: Selectable<QuickRepliesTable>): QuickReply {
  return {
    id: row.id as QuickReplyId,
    shopId: row.shop_id as ShopId,
    ownerId: row.owner_id as AgentId | null,
    title: row.title,
    text: row.text,
    imageUrl: row.image_url,
    createdAt: Number(row.created_at),
  };
}

/** TEAM-3 quick replies. */
export class QuickReplyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The shop's shared replies and the agent's personal ones (all of them when agentId is null). */
  async listVisible(shopId: ShopId, agentId: AgentId | null): Promise<QuickReply[]> {
    let q = this.db.selectFrom('quick_replies').selectAll().where('shop_id', '=', shopId);
    if (agentId) q = q.where((eb) => eb.or([eb('owner_id', 'is', null), eb('owner_id', '=', agentId)]));
    const rows = await q.orderBy('created_at').execute();
    return rows.map(toQuickReply);
  }

  async findQuickReply(shopId: ShopId, id: QuickReplyId): Promise<QuickReply | undefined> {
    const row = await this.db
      .selectFrom('quick_replies')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toQuickReply(row);
  }

  async insertQuickReply(reply: QuickReply): Promise<void> {
    await this.db
      .insertInto('quick_replies')
      .values({
        id: reply.id,
        shop_id: reply.shopId,
        owner_id: reply.ownerId,
        title: reply.title,
        text: reply.text,
        image_url: reply.imageUrl,
        created_at: reply.createdAt,
      })
      .execute();
  }

  async updateQuickReply(
    shopId: ShopId,
    id: QuickReplyId,
    patch: Partial<Pick<QuickReply, 'title' | 'text' | 'imageUrl' | 'ownerId'>>,
  ): Promise<QuickReply | undefined> {
    const set: Partial<QuickRepliesTable> = {};
    if (patch.title !== undefined) set.title = patch.title;
    if (patch.text !== undefined) set.text = patch.text;
    if (patch.imageUrl !== undefined) set.image_url = patch.imageUrl;
    if (patch.ownerId !== undefined) set.owner_id = patch.ownerId;
    if (Object.keys(set).length > 0) {
      await this.db
        .updateTable('quick_replies')
        .set(set)
        .where('shop_id', '=', shopId)
        .where('id', '=', id)
        .execute();
    }
    return this.findQuickReply(shopId, id);
  }

  async deleteQuickReply(shopId: ShopId, id: QuickReplyId): Promise<boolean> {
    const res = await this.db
      .deleteFrom('quick_replies')
      .where('shop_id', '=', shopId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }
}
