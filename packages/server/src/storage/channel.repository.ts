import type { ConversationId, Message, MessageId, ShopId } from '@xiaoer/core';
import type { Kysely } from 'kysely';
import { toMessage } from './conversation.repository';
import type { Database } from './schema';

/** Issue #16: the platform messages a shop's channels brought in, by the platform's ids (dedupe). */
export class ChannelRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The message a platform message was stored as, if it was. */
  async find(shopId: ShopId, channel: string, platformMessageId: string): Promise<Message | undefined> {
    const row = await this.db
      .selectFrom('channel_messages as c')
      .innerJoin('messages as m', 'm.id', 'c.message_id')
      .selectAll('m')
      .where('c.shop_id', '=', shopId)
      .where('c.channel', '=', channel)
      .where('c.platform_message_id', '=', platformMessageId)
      .executeTakeFirst();
    return row && toMessage(row);
  }

  /** Records a platform message as stored (a second record of the same id is ignored). */
  async record(
    shopId: ShopId,
    channel: string,
    platformMessageId: string,
    stored: { conversationId: ConversationId; messageId: MessageId },
    now: number,
  ): Promise<void> {
    await this.db
      .insertInto('channel_messages')
      .values({
        shop_id: shopId,
        channel,
        platform_message_id: platformMessageId,
        conversation_id: stored.conversationId,
        message_id: stored.messageId,
        created_at: now,
      })
      .onConflict((oc) => oc.columns(['shop_id', 'channel', 'platform_message_id']).doNothing())
      .execute();
  }

  /** Forgets ids older than `before` (platforms retry for minutes, not months). */
  async prune(before: number): Promise<number> {
    const r = await this.db
      .deleteFrom('channel_messages')
      .where('created_at', '<', before)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
