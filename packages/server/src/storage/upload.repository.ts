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

  async findUpload(id: string) {
    return this.db
      .selectFrom('uploads')
      .select(['shop_id', 'content_type', 'size', 'data', 'uploaded_by'])
      .where('id', '=', id)
      .executeTakeFirst();
  }
}
