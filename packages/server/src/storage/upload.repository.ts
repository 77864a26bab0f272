import type { Kysely } from 'kysely';
import type { Database } from './schema';

/** Uploaded images, kept in the database so every node of a cluster can serve them. */
export class UploadRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insertUpload(u: {
    id: string;
    shopId: string;
    contentType: string;
    data: Buffer;
    uploadedBy: string;
    createdAt: number;
  }) {
    await this.db
      .insertInto('uploads')
      .values({
        id: u.id,
        shop_id: u.shopId,
        content_type: u.contentType,
        size: u.data.length,
        data: u.data,
        uploaded_by: u.uploadedBy,
        created_at: u.createdAt,
      })
      .execute();
  }

  /** Issue #14: bytes `uploadedBy` (e.g. `buyer:<id>`) uploaded since `since`. */
  async bytesSince(uploadedBy: string, since: number): Promise<number> {
    const row = await this.db
      .selectFrom('uploads')
      .select((eb) => eb.fn.sum<string | number | null>('size').as('bytes'))
      .where('uploaded_by', '=', uploadedBy)
      .where('created_at', '>', since)
      .executeTakeFirst();
    return Number(row?.bytes ?? 0);
  }

  /** Issue #14: bytes of uploads the shop keeps. */
  async shopBytes(shopId: string): Promise<number> {
    const row = await this.db
      .selectFrom('uploads')
      .select((eb) => eb.fn.sum<string | number | null>('size').as('bytes'))
      .where('shop_id', '=', shopId)
      .executeTakeFirst();
    return Number(row?.bytes ?? 0);
  }

  /**
   * Issue #14: whether anything of the shop uses the upload — a message (an image, or a card
   * carrying its url), a quick reply or a product. A message using it is written after it (an hour
   * of slack for clocks of several nodes), which keeps the search to the shop's recent messages.
   */
  private async isReferenced(u: { id: string; shop_id: string; created_at: number }): Promise<boolean> {
    const url = `/uploads/${u.id}`;
    const [message, reply, product, evidence] = await Promise.all([
      this.db
        .selectFrom('messages')
        .select('id')
        .where('shop_id', '=', u.shop_id)
        .where('created_at', '>=', Number(u.created_at) - 3_600_000)
        .where('body', 'like', `%${url}%`)
        .limit(1)
        .executeTakeFirst(),
      this.db
        .selectFrom('quick_replies')
        .select('id')
        .where('shop_id', '=', u.shop_id)
        .where('image_url', '=', url)
        .limit(1)
        .executeTakeFirst(),
      this.db
        .selectFrom('products')
        .select('id')
        .where('shop_id', '=', u.shop_id)
        .where('image_url', '=', url)
        .limit(1)
        .executeTakeFirst(),
      // Issue #19: a photo a buyer or agent attached to an after-sales case (AS-7: kept with it).
      this.db
        .selectFrom('aftersales_cases')
        .select('id')
        .where('shop_id', '=', u.shop_id)
        .where('updated_at', '>=', Number(u.created_at) - 3_600_000)
        .where('data', 'like', `%${url}"%`)
        .limit(1)
        .executeTakeFirst(),
    ]);
    return message !== undefined || reply !== undefined || product !== undefined || evidence !== undefined;
  }

  /**
   * Issue #14: removes the uploads made before `cutoff` that nothing uses (orphans: an image
   * uploaded and never sent, or refused); one in use is marked kept and not looked at again.
   */
  async sweepOrphans(cutoff: number, now: number, batch = 200): Promise<{ removed: number; kept: number }> {
    let removed = 0;
    let kept = 0;
    for (;;) {
      const candidates = await this.db
        .selectFrom('uploads')
        .select(['id', 'shop_id', 'created_at'])
        .where('kept_at', 'is', null)
        .where('created_at', '<', cutoff)
        .orderBy('created_at')
        .limit(batch)
        .execute();
      for (const u of candidates) {
        if (await this.isReferenced(u)) {
          await this.db.updateTable('uploads').set({ kept_at: now }).where('id', '=', u.id).execute();
          kept++;
        } else {
          await this.db.deleteFrom('uploads').where('id', '=', u.id).where('kept_at', 'is', null).execute();
          removed++;
        }
      }
      if (candidates.length < batch) return { removed, kept };
    }
  }

  async findUpload(id: string) {
    return this.db
      .selectFrom('uploads')
      .select(['shop_id', 'content_type', 'size', 'data', 'uploaded_by'])
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /** The shop an upload belongs to (without its bytes), or undefined. */
  async shopOf(id: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('uploads').select('shop_id').where('id', '=', id).executeTakeFirst();
    return row?.shop_id;
  }
}
