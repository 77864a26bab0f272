import {
  dayBounds,
  DomainError,
  isHoldingLine,
  previewOf,
  type AgentId,
  type AppendResult,
  type BuyerId,
  type Conversation,
  type ConversationId,
  type ConversationPatch,
  type ConversationStatus,
  type ConversationStore,
  type Message,
  type MessageDraft,
  type MessageId,
  type ShopId,
} from '@xiaoer/core';
import { CompiledQuery, type Kysely, type Selectable, type Transaction, type Updateable } from 'kysely';
import type SQLite from 'better-sqlite3';
import type { ConversationsTable, Database, MessagesTable } from './schema';
import { isUniqueViolation } from './db';
import { staleRollupsForConversation } from './metric-rollups';
import { conversationOut, messageOut } from '../integration/v1-out';
import { buyerExternalIdIn } from './order.repository';
import { anyListens, type OutboxFact, type WebhookRepository } from './webhook.repository';

/** Issue #15: what the shop's model wrote of a conversation for the agent who takes it. */
/** Issue #18: what an agent wrote for the next one on a transfer (agents only). */
export interface TransferNote {
  text: string;
  authorId: string;
  authorName: string;
  createdAt: number;
}

export interface ConversationSummary {
  text: string;
  /** The last message it covers. */
  uptoSeq: number;
  createdAt: number;
}

/** Maps a conversations row to the domain object. */
export function toConversation(row: Selectable<ConversationsTable>): Conversation {
  return {
    id: row.id as ConversationId,
    shopId: row.shop_id as ShopId,
    buyerId: row.buyer_id as BuyerId,
    status: row.status as ConversationStatus,
    agentId: row.agent_id as AgentId | null,
    lastSeq: Number(row.last_seq),
    createdAt: Number(row.created_at),
    assignedAt: row.assigned_at === null ? null : Number(row.assigned_at),
    endedAt: row.ended_at === null ? null : Number(row.ended_at),
    lastMessageAt: Number(row.last_message_at),
    lastMessagePreview: row.last_message_preview,
    waitingSince: row.waiting_since === null ? null : Number(row.waiting_since),
    agentUnread: Number(row.agent_unread),
    buyerUnread: Number(row.buyer_unread),
    agentReadSeq: Number(row.agent_read_seq),
    buyerReadSeq: Number(row.buyer_read_seq),
    botMisses: Number(row.bot_misses ?? 0),
    spamReason: row.spam_reason ?? null,
    reportedBy: (row.reported_by ?? null) as AgentId | null,
    assignReason: (row.assign_reason ?? null) as Conversation['assignReason'],
    queueGroup: row.queue_group ?? null,
    queuePriority: Number(row.queue_priority ?? 0) === 1,
    queuedAt: row.queued_at === null || row.queued_at === undefined ? null : Number(row.queued_at),
    channel: row.channel ?? null,
  };
}

/** Maps a messages row to the domain object. */
export function toMessage(row: Selectable<MessagesTable>): Message {
  return {
    id: row.id as MessageId,
    shopId: row.shop_id as ShopId,
    conversationId: row.conversation_id as ConversationId,
    seq: Number(row.seq),
    clientId: row.client_id,
    sender: row.sender as Message['sender'],
    senderId: row.sender_id,
    kind: row.kind,
    body: JSON.parse(row.body),
    createdAt: Number(row.created_at),
  } as Message;
}

/** The most appends one group commit takes. */
const MAX_BATCH = 256;

/**
 * The hottest statements, one text for both engines (`?` on SQLite, `$n` on PostgreSQL), written
 * out rather than built: building them was a tenth of the server's CPU per message. The row lock
 * the update takes serializes appends to one conversation (seq has no gaps or twins).
 */
function appendUpdate(ph: (n: number) => string): string {
  return `update conversations set
    last_seq = last_seq + 1,
    last_message_at = case when ${ph(1)} = 1 then last_message_at else ${ph(2)} end,
    last_message_preview = case when ${ph(3)} = 1 then last_message_preview else ${ph(4)} end,
    agent_unread = agent_unread + ${ph(5)},
    buyer_unread = buyer_unread + ${ph(6)},
    waiting_since = case when ${ph(7)} = 1 then coalesce(waiting_since, ${ph(8)})
                         when ${ph(9)} = 1 then null else waiting_since end
    where shop_id = ${ph(10)} and id = ${ph(11)} and open = 1
    returning *`;
}
const MESSAGE_INSERT = (ph: (n: number) => string) =>
  `insert into messages (id, shop_id, conversation_id, seq, client_id, sender, sender_id, kind, body, created_at)
   values (${Array.from({ length: 10 }, (_, i) => ph(i + 1)).join(', ')})`;
const pg = (n: number) => `$${n}`;
const q = () => '?';
const APPEND_SQL = {
  postgres: { update: appendUpdate(pg), insert: MESSAGE_INSERT(pg) },
  sqlite: { update: appendUpdate(q), insert: MESSAGE_INSERT(q) },
};

/** The update's parameters, in the order of its placeholders. */
function appendUpdateParams(
  shopId: string,
  conversationId: string,
  draft: MessageDraft,
  at: number,
): unknown[] {
  const fromBuyer = draft.sender === 'buyer' ? 1 : 0;
  const fromShop = draft.sender === 'agent' || draft.sender === 'bot';
  // Issue #15: the bot's "请稍候" is no answer: the buyer's wait goes on in the workbench.
  const answer = fromShop && !isHoldingLine(draft) ? 1 : 0;
  // The list shows what people said: the lines telling the buyer who took them or that they wait
  // (BOT-3) keep the last preview; an end or a transfer is news, and shows.
  const notice = draft.kind === 'system' && !/^conversation_/.test(draft.body.code) ? 1 : 0;
  return [
    notice,
    at,
    notice,
    previewOf(draft),
    fromBuyer,
    fromShop ? 1 : 0,
    fromBuyer,
    at,
    answer,
    shopId,
    conversationId,
  ];
}

function messageInsertParams(m: Message): unknown[] {
  return [
    m.id,
    m.shopId,
    m.conversationId,
    m.seq,
    m.clientId,
    m.sender,
    m.senderId,
    m.kind,
    JSON.stringify(m.body),
    m.createdAt,
  ];
}

const conversationEnded = () =>
  new DomainError('conversation_ended', 'the conversation has ended or does not exist', 'conversationId');

/** The group commit's statements on the SQLite connection, prepared once. */
interface AppendStatements {
  update: SQLite.Statement;
  insert: SQLite.Statement;
  /** The shop's live webhook endpoints' events. */
  hooks: SQLite.Statement;
}

interface PendingAppend {
  shopId: ShopId;
  conversationId: ConversationId;
  draft: MessageDraft;
  at: number;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

/** ConversationStore on Kysely: the same queries on SQLite and PostgreSQL. */
export class KyselyConversationStore implements ConversationStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly newId: () => string,
    /** Issue #16: conversation and message events for the shop's webhooks, written with the fact. */
    private readonly outbox?: WebhookRepository,
    /**
     * Issue #20: on SQLite, the connection itself. A group commit with no webhook to feed is written
     * through it synchronously — one hop of the event loop per batch, not a few per statement.
     */
    private readonly sqlite?: SQLite.Database,
  ) {
    this.appendSql = sqlite ? APPEND_SQL.sqlite : APPEND_SQL.postgres;
  }

  /** The append's SQL texts for this engine (the store is given the connection only on SQLite). */
  private readonly appendSql: { update: string; insert: string };

  /** Queues a conversation's event (and its message's) in the fact's transaction. */
  private async event(
    trx: Kysely<Database>,
    type: OutboxFact['type'],
    conversation: Conversation,
    at: number,
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    await this.outbox?.enqueueIn(trx, {
      shopId: conversation.shopId,
      type,
      orderKey: `conversation:${conversation.id}`,
      at,
      data: async (t) => ({
        conversation: conversationOut(conversation, await buyerExternalIdIn(t, conversation.buyerId)),
        ...extra,
      }),
    });
  }

  async findOpenByBuyer(shopId: ShopId, buyerId: BuyerId): Promise<Conversation | undefined> {
    const row = await this.db
      .selectFrom('conversations')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('buyer_id', '=', buyerId)
      .where('open', '=', 1)
      .executeTakeFirst();
    return row && toConversation(row);
  }

  async createOrGetOpen(c: Conversation): Promise<Conversation> {
    try {
      await this.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('conversations')
          .values({
            id: c.id,
            shop_id: c.shopId,
            buyer_id: c.buyerId,
            status: c.status,
            open: c.status === 'ended' ? null : 1,
            agent_id: c.agentId,
            last_seq: c.lastSeq,
            created_at: c.createdAt,
            assigned_at: c.assignedAt,
            ended_at: c.endedAt,
            last_message_at: c.lastMessageAt,
            last_message_preview: c.lastMessagePreview,
            waiting_since: c.waitingSince,
            agent_unread: c.agentUnread,
            buyer_unread: c.buyerUnread,
            agent_read_seq: c.agentReadSeq,
            buyer_read_seq: c.buyerReadSeq,
            bot_misses: c.botMisses,
            spam_reason: c.spamReason,
            reported_by: c.reportedBy,
            assign_reason: c.assignReason,
            queue_group: c.queueGroup,
            queue_priority: c.queuePriority ? 1 : 0,
            queued_at: c.queuedAt,
            channel: c.channel,
          })
          .execute();
        await this.event(trx, 'conversation.created', c, c.createdAt);
        if (c.status === 'assigned') await this.event(trx, 'conversation.assigned', c, c.createdAt);
      });
      return c;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const existing = await this.findOpenByBuyer(c.shopId, c.buyerId);
      if (!existing) throw error;
      return existing;
    }
  }

  async findConversation(shopId: ShopId, id: ConversationId): Promise<Conversation | undefined> {
    const row = await this.db
      .selectFrom('conversations')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toConversation(row);
  }

  async updateConversation(
    shopId: ShopId,
    id: ConversationId,
    patch: ConversationPatch,
  ): Promise<Conversation> {
    const set: Updateable<ConversationsTable> = {};
    if (patch.status !== undefined) {
      set.status = patch.status;
      set.open = patch.status === 'ended' ? null : 1;
    }
    if (patch.agentId !== undefined) set.agent_id = patch.agentId;
    if (patch.assignedAt !== undefined) set.assigned_at = patch.assignedAt;
    if (patch.endedAt !== undefined) set.ended_at = patch.endedAt;
    if (patch.waitingSince !== undefined) set.waiting_since = patch.waitingSince;
    if (patch.agentUnread !== undefined) set.agent_unread = patch.agentUnread;
    if (patch.buyerUnread !== undefined) set.buyer_unread = patch.buyerUnread;
    if (patch.agentReadSeq !== undefined) set.agent_read_seq = patch.agentReadSeq;
    if (patch.buyerReadSeq !== undefined) set.buyer_read_seq = patch.buyerReadSeq;
    if (patch.botMisses !== undefined) set.bot_misses = patch.botMisses;
    if (patch.spamReason !== undefined) set.spam_reason = patch.spamReason;
    if (patch.reportedBy !== undefined) set.reported_by = patch.reportedBy;
    if (patch.assignReason !== undefined) set.assign_reason = patch.assignReason;
    if (patch.queueGroup !== undefined) set.queue_group = patch.queueGroup;
    if (patch.queuePriority !== undefined) set.queue_priority = patch.queuePriority ? 1 : 0;
    if (patch.queuedAt !== undefined) set.queued_at = patch.queuedAt;
    if (patch.channel !== undefined) set.channel = patch.channel;
    const update = (db: Kysely<Database>) =>
      db
        .updateTable('conversations')
        .set(set)
        .where('shop_id', '=', shopId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
    const assigning = patch.status === 'assigned' || (patch.agentId !== undefined && patch.agentId !== null);
    const ending = patch.status === 'ended';
    // Issue #20 (SPAM-1): set aside or released, it counts differently on the days it spans.
    const spamChanged = patch.spamReason !== undefined || patch.status === 'spam';
    const stale = async (c: Conversation) => {
      if (spamChanged) await staleRollupsForConversation(this.db, shopId, c.createdAt, c.lastMessageAt);
      return c;
    };
    if (!this.outbox || (!assigning && !ending)) {
      const row = await update(this.db);
      if (!row) throw new Error(`conversation ${id} vanished`);
      return stale(toConversation(row));
    }
    // An assignment or an end is news for the shop's webhooks: told in the same transaction, and
    // only when it is news (the same agent kept by a rebalance is not a new assignment).
    const updated = await this.db.transaction().execute(async (trx) => {
      const before = await trx
        .selectFrom('conversations')
        .select(['agent_id', 'status'])
        .where('shop_id', '=', shopId)
        .where('id', '=', id)
        .executeTakeFirst();
      const row = await update(trx);
      if (!row || !before) throw new Error(`conversation ${id} vanished`);
      const after = toConversation(row);
      const at = after.endedAt ?? after.assignedAt ?? after.lastMessageAt;
      if (ending && before.status !== 'ended') await this.event(trx, 'conversation.ended', after, at);
      else if (
        after.status === 'assigned' &&
        after.agentId !== null &&
        (before.status !== 'assigned' || before.agent_id !== after.agentId)
      )
        await this.event(trx, 'conversation.assigned', after, after.assignedAt ?? at, {
          previousAgentId: before.agent_id,
        });
      return after;
    });
    return stale(updated);
  }

  /**
   * Group commit: appends that arrive while a write is under way (or in the same I/O turn) are
   * stored in one transaction, so a busy shop pays one commit for many messages. Each caller still
   * gets its result only after the commit (store-then-ack). A batch that fails (a retried client id,
   * say) is written again one message at a time, so one bad append never fails its neighbours.
   */
  appendMessage(
    shopId: ShopId,
    conversationId: ConversationId,
    draft: MessageDraft,
    at: number,
  ): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.pending.push({ shopId, conversationId, draft, at, resolve, reject });
      if (!this.draining && !this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          void this.drain();
        });
      }
    });
  }

  private pending: PendingAppend[] = [];
  private draining = false;
  private scheduled = false;

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, MAX_BATCH);
        if (batch.length === 1 && !this.sqlite) {
          await this.settle(batch[0]!);
          continue;
        }
        try {
          const results = await this.appendBatch(batch);
          batch.forEach((p, i) => p.resolve(results[i]!));
        } catch {
          for (const p of batch) await this.settle(p);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  /** A batch of appends in one transaction: every one is stored, or none. */
  private async appendBatch(batch: readonly PendingAppend[]): Promise<AppendResult[]> {
    const sqlite = this.sqlite;
    if (sqlite) {
      // The connection is Kysely's too: holding it keeps every other query out until the commit.
      const results = await this.db.connection().execute(async () => {
        const s = (this.statements ??= {
          update: sqlite.prepare(APPEND_SQL.sqlite.update),
          insert: sqlite.prepare(APPEND_SQL.sqlite.insert),
          hooks: sqlite.prepare('select events from webhooks where shop_id = ? and deleted_at is null'),
        });
        // A shop whose webhooks take message events has them queued with the fact (WebhookRepository
        // .listens, read here synchronously): Kysely's path.
        for (const shopId of new Set(batch.map((p) => p.shopId)))
          if (this.outbox && anyListens(s.hooks.all(shopId) as { events: string }[], 'message.created'))
            return undefined;
        return sqlite.transaction(() => batch.map((p) => this.appendSqlite(s, p)))();
      });
      if (results) return results;
    }
    return this.db.transaction().execute(async (trx) => {
      const out: AppendResult[] = [];
      for (const p of batch) out.push(await this.appendIn(trx, p.shopId, p.conversationId, p.draft, p.at));
      return out;
    });
  }

  private statements: AppendStatements | undefined;

  /** appendIn on the SQLite connection, synchronously (inside its transaction). */
  private appendSqlite(s: AppendStatements, p: PendingAppend): AppendResult {
    const row = s.update.get(appendUpdateParams(p.shopId, p.conversationId, p.draft, p.at)) as
      Selectable<ConversationsTable> | undefined;
    if (!row) throw conversationEnded();
    const conversation = toConversation(row);
    const message = this.newMessage(p.shopId, p.conversationId, p.draft, conversation.lastSeq, p.at);
    s.insert.run(messageInsertParams(message));
    return { message, conversation, duplicate: false };
  }

  private newMessage(
    shopId: ShopId,
    conversationId: ConversationId,
    draft: MessageDraft,
    seq: number,
    at: number,
  ): Message {
    return { ...draft, id: this.newId() as MessageId, shopId, conversationId, seq, createdAt: at } as Message;
  }

  /** Writes one append in its own transaction and settles its promise. */
  private async settle(p: PendingAppend): Promise<void> {
    try {
      p.resolve(await this.appendOne(p.shopId, p.conversationId, p.draft, p.at));
    } catch (error) {
      p.reject(error);
    }
  }

  private async appendOne(
    shopId: ShopId,
    conversationId: ConversationId,
    draft: MessageDraft,
    at: number,
  ): Promise<AppendResult> {
    try {
      return await this.db
        .transaction()
        .execute((trx) => this.appendIn(trx, shopId, conversationId, draft, at));
    } catch (error) {
      // A retried client id (or two retries racing): return the message stored first.
      if (!isUniqueViolation(error)) throw error;
      const existing = await this.findByClientId(this.db, shopId, conversationId, draft.clientId);
      const conversation = await this.findConversation(shopId, conversationId);
      if (!existing || !conversation) throw error;
      return { message: existing, conversation, duplicate: true };
    }
  }

  private async appendIn(
    trx: Transaction<Database>,
    shopId: ShopId,
    conversationId: ConversationId,
    draft: MessageDraft,
    at: number,
  ): Promise<AppendResult> {
    // No look-up first: a retried client id fails the unique key, the transaction rolls back
    // (seq and counters with it) and appendMessage returns the stored message.
    const { rows } = await trx.executeQuery(
      CompiledQuery.raw(this.appendSql.update, appendUpdateParams(shopId, conversationId, draft, at)),
    );
    const row = rows[0] as Selectable<ConversationsTable> | undefined;
    // Missing, another shop's, or ended: nothing is appended to a closed conversation.
    if (!row) throw conversationEnded();
    const conversation = toConversation(row);
    const message = this.newMessage(shopId, conversationId, draft, conversation.lastSeq, at);
    await trx.executeQuery(CompiledQuery.raw(this.appendSql.insert, messageInsertParams(message)));
    await this.event(trx, 'message.created', conversation, at, { message: messageOut(message) });
    return { message, conversation, duplicate: false };
  }

  private async findByClientId(
    db: Kysely<Database>,
    shopId: ShopId,
    conversationId: ConversationId,
    clientId: string,
  ): Promise<Message | undefined> {
    const row = await db
      .selectFrom('messages')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .where('client_id', '=', clientId)
      .where('shop_id', '=', shopId)
      .executeTakeFirst();
    return row && toMessage(row);
  }

  async listMessages(
    shopId: ShopId,
    conversationId: ConversationId,
    afterSeq: number,
    limit: number,
  ): Promise<Message[]> {
    const rows = await this.db
      .selectFrom('messages')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('conversation_id', '=', conversationId)
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map(toMessage);
  }

  /**
   * CRM-1: what the buyer wrote lately — the latest `limit` of their text messages and product
   * cards in their last 10 conversations since `since`, oldest first (the tags and interests
   * gathered beside the chat read them).
   */
  async buyerTexts(
    shopId: ShopId,
    buyerId: BuyerId,
    since: number,
    limit: number,
  ): Promise<{ text: string; at: number; productId?: string }[]> {
    const conversations = await this.db
      .selectFrom('conversations')
      .select('id')
      .where('shop_id', '=', shopId)
      .where('buyer_id', '=', buyerId)
      .where('last_message_at', '>=', since)
      .orderBy('last_message_at', 'desc')
      .limit(10)
      .execute();
    if (conversations.length === 0) return [];
    const rows = await this.db
      .selectFrom('messages')
      .select(['body', 'kind', 'created_at'])
      .where('shop_id', '=', shopId)
      .where(
        'conversation_id',
        'in',
        conversations.map((c) => c.id),
      )
      .where('sender', '=', 'buyer')
      .where('kind', 'in', ['text', 'product_card'])
      .where('created_at', '>=', since)
      .orderBy('created_at', 'desc')
      .orderBy('seq', 'desc') // (two at the same millisecond: in the order they were written)
      .limit(limit)
      .execute();
    return rows.reverse().flatMap((r) => {
      const body = JSON.parse(r.body) as { text?: unknown; title?: unknown; productId?: unknown };
      const at = Number(r.created_at);
      if (r.kind === 'product_card')
        return typeof body.productId === 'string' && typeof body.title === 'string'
          ? [{ text: body.title, at, productId: body.productId }]
          : [];
      return typeof body.text === 'string' ? [{ text: body.text, at }] : [];
    });
  }

  /** Issue #15: the model's summary for agents, replacing an older one of the conversation. */
  async saveSummary(
    shopId: ShopId,
    conversationId: ConversationId,
    summary: ConversationSummary,
  ): Promise<void> {
    const values = { text: summary.text, upto_seq: summary.uptoSeq, created_at: summary.createdAt };
    await this.db
      .insertInto('conversation_summaries')
      .values({ shop_id: shopId, conversation_id: conversationId, ...values })
      .onConflict((oc) => oc.columns(['shop_id', 'conversation_id']).doUpdateSet(values))
      .execute();
  }

  async findSummary(
    shopId: ShopId,
    conversationId: ConversationId,
  ): Promise<ConversationSummary | undefined> {
    const row = await this.db
      .selectFrom('conversation_summaries')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('conversation_id', '=', conversationId)
      .executeTakeFirst();
    return row && { text: row.text, uptoSeq: Number(row.upto_seq), createdAt: Number(row.created_at) };
  }

  /** Issue #18: the note for the next agent left on a transfer, replacing an older one. */
  async saveNote(shopId: ShopId, conversationId: ConversationId, note: TransferNote): Promise<void> {
    const values = {
      text: note.text,
      author_id: note.authorId,
      author_name: note.authorName,
      created_at: note.createdAt,
    };
    await this.db
      .insertInto('conversation_notes')
      .values({ shop_id: shopId, conversation_id: conversationId, ...values })
      .onConflict((oc) => oc.columns(['shop_id', 'conversation_id']).doUpdateSet(values))
      .execute();
  }

  async findNote(shopId: ShopId, conversationId: ConversationId): Promise<TransferNote | undefined> {
    const row = await this.db
      .selectFrom('conversation_notes')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('conversation_id', '=', conversationId)
      .executeTakeFirst();
    return (
      row && {
        text: row.text,
        authorId: row.author_id,
        authorName: row.author_name,
        createdAt: Number(row.created_at),
      }
    );
  }

  async countAssignedByAgent(shopId: ShopId): Promise<Map<AgentId, number>> {
    const rows = await this.db
      .selectFrom('conversations')
      .select(['agent_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('shop_id', '=', shopId)
      .where('status', '=', 'assigned')
      .where('agent_id', 'is not', null)
      .groupBy('agent_id')
      .execute();
    return new Map(rows.map((r) => [r.agent_id as AgentId, Number(r.n)]));
  }

  /** The shop a conversation belongs to (an agent of several shops acts in its conversation's, TEAM-4). */
  /**
   * Issue #14: whether the agent may read one of the buyer's conversations, as the list shows them
   * to agents: one they hold (or held, ended), or one with the bot or judged spam.
   */
  async agentSeesBuyer(shopId: ShopId, buyerId: BuyerId, agentId: AgentId): Promise<boolean> {
    const row = await this.db
      .selectFrom('conversations')
      .select('id')
      .where('shop_id', '=', shopId)
      .where('buyer_id', '=', buyerId)
      .where((eb) =>
        eb.or([eb('agent_id', '=', agentId), eb('status', '=', 'bot'), eb('status', '=', 'spam')]),
      )
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Issue #14: whether an image message of one of the buyer's conversations shows this upload. */
  async buyerWasShown(shopId: ShopId, buyerId: BuyerId, url: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('messages')
      .innerJoin('conversations', 'conversations.id', 'messages.conversation_id')
      .select('messages.id')
      .where('conversations.shop_id', '=', shopId)
      .where('conversations.buyer_id', '=', buyerId)
      .where('messages.kind', '=', 'image')
      .where('messages.body', '=', JSON.stringify({ url }))
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async findConversationShop(id: ConversationId): Promise<ShopId | undefined> {
    const row = await this.db
      .selectFrom('conversations')
      .select('shop_id')
      .where('id', '=', id)
      .executeTakeFirst();
    return row?.shop_id as ShopId | undefined;
  }

  async listByStatus(shopId: ShopId, status: ConversationStatus, limit: number): Promise<Conversation[]> {
    const rows = await this.db
      .selectFrom('conversations')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('status', '=', status)
      .orderBy('created_at')
      .limit(limit)
      .execute();
    return rows.map(toConversation);
  }

  /**
   * MET-7: a random sample of the conversations that ended on a local day, up to `perAgent` for
   * each agent, with the buyer's nick and how many messages each has.
   */
  async sampleEnded(
    shopId: ShopId,
    day: string,
    timeZone: string,
    perAgent: number,
  ): Promise<{ conversationId: string; agentId: string; buyerNick: string; messages: number }[]> {
    const { start, end } = dayBounds(day, timeZone);
    const rows = await this.db
      .selectFrom('conversations')
      .innerJoin('buyers', 'buyers.id', 'conversations.buyer_id')
      .select([
        'conversations.id as id',
        'conversations.agent_id as agent_id',
        'conversations.last_seq as last_seq',
        'buyers.nick as nick',
      ])
      .where('conversations.shop_id', '=', shopId)
      .where('conversations.status', '=', 'ended')
      .where('conversations.agent_id', 'is not', null)
      .where('conversations.ended_at', '>=', start)
      .where('conversations.ended_at', '<', end)
      .execute();
    const byAgent = new Map<string, typeof rows>();
    for (const r of rows) byAgent.set(r.agent_id!, [...(byAgent.get(r.agent_id!) ?? []), r]);
    const out: { conversationId: string; agentId: string; buyerNick: string; messages: number }[] = [];
    for (const [agentId, list] of byAgent) {
      // Fisher–Yates, then the first few: every ended conversation is as likely to be picked.
      for (let i = list.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [list[i], list[j]] = [list[j]!, list[i]!];
      }
      for (const r of list.slice(0, perAgent))
        out.push({ conversationId: r.id, agentId, buyerNick: r.nick, messages: Number(r.last_seq) });
    }
    return out;
  }

  /** The conversations an agent's list shows: its own open ones (admins: every open one), newest activity first. */
  async listForAgent(
    shopId: ShopId,
    agentId: AgentId,
    options: { status: ConversationStatus | 'open'; all: boolean; limit: number },
  ): Promise<(Conversation & { buyerNick: string })[]> {
    let q = this.db
      .selectFrom('conversations')
      .innerJoin('buyers', 'buyers.id', 'conversations.buyer_id')
      .selectAll('conversations')
      .select('buyers.nick as buyer_nick')
      .where('conversations.shop_id', '=', shopId);
    q =
      options.status === 'open'
        ? q.where('conversations.open', '=', 1)
        : q.where('conversations.status', '=', options.status);
    // Agents see their own conversations, the bot's (to take one over) and suspected spam; admins all.
    if (!options.all) {
      q = q.where((eb) =>
        eb.or([
          eb('conversations.agent_id', '=', agentId),
          eb('conversations.status', '=', 'bot'),
          eb('conversations.status', '=', 'spam'),
        ]),
      );
    }
    const rows = await q.orderBy('conversations.last_message_at', 'desc').limit(options.limit).execute();
    return rows.map((r) => ({ ...toConversation(r), buyerNick: r.buyer_nick }));
  }
}
