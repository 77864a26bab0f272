import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { Db, Engine } from './db';

/** Migrations in code, one set for both engines; `engine` picks the few types that differ. */
function migrations(engine: Engine): Record<string, Migration> {
  const binary = engine === 'postgres' ? 'bytea' : 'blob';
  return {
    '0001_conversation_loop': {
      // Migrations see the schema as it was then, not today's Database type.
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('shops')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('slug', 'text', (c) => c.notNull().unique())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('secret', 'text', (c) => c.notNull())
          .addColumn('time_zone', 'text', (c) => c.notNull())
          .addColumn('service_hours', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('agents')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('shop_id', 'text', (c) => c.notNull().references('shops.id'))
          .addColumn('email', 'text', (c) => c.notNull().unique())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('password_hash', 'text', (c) => c.notNull())
          .addColumn('role', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('max_concurrent', 'integer', (c) => c.notNull())
          .addColumn('takes_routing', 'integer', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('agents_shop').on('agents').column('shop_id').execute();
        await db.schema
          .createTable('sessions')
          .addColumn('token_hash', 'text', (c) => c.primaryKey())
          .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id'))
          .addColumn('shop_id', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('buyers')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('shop_id', 'text', (c) => c.notNull().references('shops.id'))
          .addColumn('external_id', 'text')
          .addColumn('visitor_id', 'text')
          .addColumn('nick', 'text', (c) => c.notNull())
          .addColumn('phone', 'text')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
          .addUniqueConstraint('buyers_external', ['shop_id', 'external_id'])
          .addUniqueConstraint('buyers_visitor', ['shop_id', 'visitor_id'])
          .execute();
        await db.schema
          .createTable('products')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('shop_id', 'text', (c) => c.notNull().references('shops.id'))
          .addColumn('title', 'text', (c) => c.notNull())
          .addColumn('price_cents', 'integer', (c) => c.notNull())
          .addColumn('image_url', 'text')
          .execute();
        await db.schema
          .createTable('orders')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('shop_id', 'text', (c) => c.notNull().references('shops.id'))
          .addColumn('buyer_id', 'text', (c) => c.notNull().references('buyers.id'))
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('total_cents', 'integer', (c) => c.notNull())
          .addColumn('carrier', 'text')
          .addColumn('tracking_no', 'text')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('paid_at', 'bigint')
          .addColumn('shipped_at', 'bigint')
          .addColumn('items', 'text', (c) => c.notNull())
          .addColumn('logistics', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('orders_buyer')
          .on('orders')
          .columns(['shop_id', 'buyer_id', 'created_at'])
          .execute();
        await db.schema
          .createTable('conversations')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('shop_id', 'text', (c) => c.notNull().references('shops.id'))
          .addColumn('buyer_id', 'text', (c) => c.notNull().references('buyers.id'))
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('open', 'integer')
          .addColumn('agent_id', 'text')
          .addColumn('last_seq', 'integer', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('assigned_at', 'bigint')
          .addColumn('ended_at', 'bigint')
          .addColumn('last_message_at', 'bigint', (c) => c.notNull())
          .addColumn('last_message_preview', 'text', (c) => c.notNull())
          .addColumn('waiting_since', 'bigint')
          .addColumn('agent_unread', 'integer', (c) => c.notNull())
          .addColumn('buyer_unread', 'integer', (c) => c.notNull())
          .addColumn('agent_read_seq', 'integer', (c) => c.notNull())
          .addColumn('buyer_read_seq', 'integer', (c) => c.notNull())
          // NULLs are distinct, so a buyer has any number of ended conversations and one open one.
          .addUniqueConstraint('conversations_one_open', ['shop_id', 'buyer_id', 'open'])
          .execute();
        await db.schema
          .createIndex('conversations_status')
          .on('conversations')
          .columns(['shop_id', 'status', 'created_at'])
          .execute();
        await db.schema
          .createIndex('conversations_agent')
          .on('conversations')
          .columns(['shop_id', 'agent_id', 'status'])
          .execute();
        await db.schema
          .createTable('messages')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('shop_id', 'text', (c) => c.notNull())
          .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id'))
          .addColumn('seq', 'integer', (c) => c.notNull())
          .addColumn('client_id', 'text', (c) => c.notNull())
          .addColumn('sender', 'text', (c) => c.notNull())
          .addColumn('sender_id', 'text')
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('body', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addUniqueConstraint('messages_seq', ['conversation_id', 'seq'])
          .addUniqueConstraint('messages_client_id', ['conversation_id', 'client_id'])
          .execute();
        await db.schema
          .createTable('quick_replies')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('shop_id', 'text', (c) => c.notNull().references('shops.id'))
          .addColumn('owner_id', 'text')
          .addColumn('title', 'text', (c) => c.notNull())
          .addColumn('text', 'text', (c) => c.notNull())
          .addColumn('image_url', 'text')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('uploads')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('shop_id', 'text', (c) => c.notNull())
          .addColumn('content_type', 'text', (c) => c.notNull())
          .addColumn('size', 'integer', (c) => c.notNull())
          .addColumn('data', sql.raw(binary), (c) => c.notNull())
          .addColumn('uploaded_by', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('kv')
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('value', 'text', (c) => c.notNull())
          .execute();
      },
    },
    '0002_bot': {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('faq_entries')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('shop_id', 'text', (c) => c.notNull().references('shops.id'))
          .addColumn('question', 'text', (c) => c.notNull())
          .addColumn('similar', 'text', (c) => c.notNull())
          .addColumn('answer', 'text', (c) => c.notNull())
          .addColumn('category', 'text', (c) => c.notNull())
          .addColumn('enabled', 'integer', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('faq_entries_shop').on('faq_entries').column('shop_id').execute();
        await db.schema.alterTable('shops').addColumn('bot_settings', 'text').execute();
        await db.schema
          .alterTable('conversations')
          .addColumn('bot_misses', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
      },
    },
    '0003_spam': {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      async up(db: Kysely<any>) {
        await db.schema.alterTable('conversations').addColumn('spam_reason', 'text').execute();
      },
    },
    '0004_routing': {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      async up(db: Kysely<any>) {
        for (const [name, type] of [
          ['assign_reason', 'text'],
          ['queue_group', 'text'],
          ['queued_at', 'bigint'],
        ] as const)
          await db.schema.alterTable('conversations').addColumn(name, type).execute();
        await db.schema
          .alterTable('conversations')
          .addColumn('queue_priority', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
        await db.schema.alterTable('shops').addColumn('routing_settings', 'text').execute();
        // RT-1 looks up a buyer's latest conversation with an agent; RT-9 the shop's recent ends.
        await db.schema
          .createIndex('conversations_buyer_recent')
          .on('conversations')
          .columns(['shop_id', 'buyer_id', 'last_message_at'])
          .execute();
        await db.schema
          .createIndex('conversations_ended')
          .on('conversations')
          .columns(['shop_id', 'ended_at'])
          .execute();
      },
    },
    '0005_compliance': {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      async up(db: Kysely<any>) {
        await db.schema.alterTable('shops').addColumn('compliance_settings', 'text').execute();
        // Every block, confirmed warning and proactive refusal, per agent (CMP-1 … CMP-6).
        await db.schema
          .createTable('compliance_log')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('shop_id', 'text', (c) => c.notNull().references('shops.id'))
          .addColumn('agent_id', 'text', (c) => c.notNull())
          .addColumn('conversation_id', 'text')
          .addColumn('buyer_id', 'text')
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('verdict', 'text', (c) => c.notNull())
          .addColumn('rules', 'text', (c) => c.notNull())
          .addColumn('findings', 'text', (c) => c.notNull())
          .addColumn('text', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('compliance_log_shop_time')
          .on('compliance_log')
          .columns(['shop_id', 'created_at'])
          .execute();
        // CMP-4: promises that can be checked, recorded against the buyer's order.
        await db.schema
          .createTable('order_promises')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('shop_id', 'text', (c) => c.notNull().references('shops.id'))
          .addColumn('buyer_id', 'text', (c) => c.notNull())
          .addColumn('order_id', 'text')
          .addColumn('conversation_id', 'text', (c) => c.notNull())
          .addColumn('agent_id', 'text', (c) => c.notNull())
          .addColumn('message_seq', 'integer', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('detail', 'text', (c) => c.notNull())
          .addColumn('due_at', 'bigint')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('order_promises_buyer')
          .on('order_promises')
          .columns(['shop_id', 'buyer_id', 'created_at'])
          .execute();
        // CMP-6: proactive messages sent to a buyer, for the frequency caps.
        await db.schema
          .createTable('proactive_messages')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('shop_id', 'text', (c) => c.notNull().references('shops.id'))
          .addColumn('buyer_id', 'text', (c) => c.notNull())
          .addColumn('agent_id', 'text', (c) => c.notNull())
          .addColumn('conversation_id', 'text', (c) => c.notNull())
          .addColumn('sent_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('proactive_messages_buyer')
          .on('proactive_messages')
          .columns(['shop_id', 'buyer_id', 'sent_at'])
          .execute();
      },
    },
    '0006_metrics': {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      async up(db: Kysely<any>) {
        await db.schema.alterTable('shops').addColumn('metrics_settings', 'text').execute();
        // MET-1/MET-2: one row per buyer and local day (the day's roll-up of their messages).
        await db.schema
          .createTable('metric_buyer_days')
          .addColumn('shop_id', 'text', (c) => c.notNull())
          .addColumn('day', 'text', (c) => c.notNull())
          .addColumn('buyer_id', 'text', (c) => c.notNull())
          .addColumn('conversation_id', 'text', (c) => c.notNull())
          .addColumn('first_at', 'bigint', (c) => c.notNull())
          .addColumn('window_at', 'bigint')
          .addColumn('replied_at', 'bigint')
          .addColumn('replied_by', 'text')
          .addPrimaryKeyConstraint('metric_buyer_days_pk', ['shop_id', 'day', 'buyer_id'])
          .execute();
        // MET-4: where each conversation's response timing stands (pruned with the raw events).
        await db.schema
          .createTable('metric_timings')
          .addColumn('conversation_id', 'text', (c) => c.primaryKey())
          .addColumn('shop_id', 'text', (c) => c.notNull())
          .addColumn('first_buyer_at', 'bigint')
          .addColumn('first_reply_at', 'bigint')
          .addColumn('waiting_since', 'bigint')
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();
        // MET-4: response times per day, responder and bucket.
        await db.schema
          .createTable('metric_responses')
          .addColumn('shop_id', 'text', (c) => c.notNull())
          .addColumn('day', 'text', (c) => c.notNull())
          .addColumn('responder', 'text', (c) => c.notNull())
          .addColumn('first', 'integer', (c) => c.notNull())
          .addColumn('bucket', 'integer', (c) => c.notNull())
          .addColumn('count', 'integer', (c) => c.notNull())
          .addColumn('sum_ms', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('metric_responses_pk', ['shop_id', 'day', 'responder', 'first', 'bucket'])
          .execute();
        // MET-6: the buyer's 1–5 rating after a conversation ends.
        await db.schema
          .createTable('conversation_ratings')
          .addColumn('conversation_id', 'text', (c) => c.primaryKey())
          .addColumn('shop_id', 'text', (c) => c.notNull())
          .addColumn('buyer_id', 'text', (c) => c.notNull())
          .addColumn('agent_id', 'text')
          .addColumn('score', 'integer', (c) => c.notNull())
          .addColumn('comment', 'text')
          .addColumn('day', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('conversation_ratings_day')
          .on('conversation_ratings')
          .columns(['shop_id', 'day'])
          .execute();
        // MET-7: supervisors' spot checks.
        await db.schema
          .createTable('quality_reviews')
          .addColumn('conversation_id', 'text', (c) => c.primaryKey())
          .addColumn('shop_id', 'text', (c) => c.notNull())
          .addColumn('agent_id', 'text', (c) => c.notNull())
          .addColumn('reviewer_id', 'text', (c) => c.notNull())
          .addColumn('attitude', 'integer', (c) => c.notNull())
          .addColumn('accuracy', 'integer', (c) => c.notNull())
          .addColumn('compliance', 'integer', (c) => c.notNull())
          .addColumn('solved', 'integer', (c) => c.notNull())
          .addColumn('note', 'text')
          .addColumn('day', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('quality_reviews_day')
          .on('quality_reviews')
          .columns(['shop_id', 'day'])
          .execute();
        await db.schema
          .createIndex('orders_buyer_paid')
          .on('orders')
          .columns(['shop_id', 'buyer_id', 'paid_at'])
          .execute();
      },
    },
    '0007_messages_by_time': {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      async up(db: Kysely<any>) {
        // The metrics rebuild pages through a shop's messages in time order (then id).
        await db.schema
          .createIndex('messages_shop_time')
          .on('messages')
          .columns(['shop_id', 'created_at', 'id'])
          .execute();
      },
    },
    '0008_timers': {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      async up(db: Kysely<any>) {
        // Deadlines that must fire once across nodes and restarts (RT-9 releases, MET-5 checks…).
        await db.schema
          .createTable('timers')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('shop_id', 'text')
          .addColumn('due_at', 'bigint', (c) => c.notNull())
          .addColumn('payload', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('claimed_by', 'text')
          .addColumn('claimed_until', 'bigint')
          .addColumn('fired_at', 'bigint')
          .addColumn('fired_by', 'text')
          .addColumn('last_error', 'text')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        // Workers look for pending rows in due order: only those are indexed.
        await db.schema
          .createIndex('timers_due')
          .on('timers')
          .column('due_at')
          .where(sql.ref('fired_at'), 'is', null)
          .execute();
      },
    },
    '0009_team': {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      async up(db: Kysely<any>) {
        // TEAM-4: an organisation holds shops; a person (account) logs in once and is a member of
        // one or more of its shops, with a role, cap, routing flag and status per shop. Agent ids
        // stay the ids they were: an account's id is the agent id in every shop it serves.
        await db.schema
          .createTable('organisations')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('owner_id', 'text')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.alterTable('shops').addColumn('org_id', 'text').execute();
        await db.schema
          .alterTable('shops')
          .addColumn('is_demo', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
        await db.schema.alterTable('shops').addColumn('welcome_message', 'text').execute();
        await db.schema
          .createTable('accounts')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id'))
          .addColumn('email', 'text', (c) => c.notNull().unique())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('password_hash', 'text', (c) => c.notNull())
          .addColumn('disabled_at', 'bigint')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('memberships')
          .addColumn('shop_id', 'text', (c) => c.notNull().references('shops.id'))
          .addColumn('agent_id', 'text', (c) => c.notNull().references('accounts.id'))
          .addColumn('role', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('chosen_status', 'text', (c) => c.notNull())
          .addColumn('max_concurrent', 'integer', (c) => c.notNull())
          .addColumn('takes_routing', 'integer', (c) => c.notNull())
          .addColumn('disabled_at', 'bigint')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('memberships_pk', ['shop_id', 'agent_id'])
          .execute();
        await db.schema.createIndex('memberships_agent').on('memberships').column('agent_id').execute();
        // Each shop so far becomes an organisation of its own; the demo shop is marked as the demo.
        const shops = await db.selectFrom('shops').select(['id', 'slug', 'name', 'created_at']).execute();
        for (const shop of shops) {
          const orgId = `org-${shop.id}`;
          const owner = await db
            .selectFrom('agents')
            .select('id')
            .where('shop_id', '=', shop.id)
            .where('role', '=', 'owner')
            .executeTakeFirst();
          await db
            .insertInto('organisations')
            .values({ id: orgId, name: shop.name, owner_id: owner?.id ?? null, created_at: shop.created_at })
            .execute();
          await db
            .updateTable('shops')
            .set({ org_id: orgId, is_demo: shop.slug === 'demo' ? 1 : 0 })
            .where('id', '=', shop.id)
            .execute();
        }
        const agents = await db.selectFrom('agents').selectAll().execute();
        for (const a of agents) {
          await db
            .insertInto('accounts')
            .values({
              id: a.id,
              org_id: `org-${a.shop_id}`,
              email: a.email,
              name: a.name,
              password_hash: a.password_hash,
              disabled_at: null,
              created_at: a.created_at,
            })
            .execute();
          await db
            .insertInto('memberships')
            .values({
              shop_id: a.shop_id,
              agent_id: a.id,
              role: a.role,
              // RT-8: nobody is present before the first socket of this version connects.
              status: 'offline',
              chosen_status: a.status,
              max_concurrent: a.max_concurrent,
              takes_routing: a.takes_routing,
              disabled_at: null,
              created_at: a.created_at,
            })
            .execute();
        }
        // Sessions now belong to accounts (kept across the move: nobody is logged out).
        await db.schema
          .createTable('account_sessions')
          .addColumn('token_hash', 'text', (c) => c.primaryKey())
          .addColumn('agent_id', 'text', (c) => c.notNull().references('accounts.id'))
          .addColumn('shop_id', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .execute();
        await db
          .insertInto('account_sessions')
          .columns(['token_hash', 'agent_id', 'shop_id', 'created_at', 'expires_at'])
          .expression(
            db
              .selectFrom('sessions')
              .select(['token_hash', 'agent_id', 'shop_id', 'created_at', 'expires_at']),
          )
          .execute();
        await db.schema.dropTable('sessions').execute();
        await db.schema.dropTable('agents').execute();
        await db.schema
          .createIndex('account_sessions_agent')
          .on('account_sessions')
          .column('agent_id')
          .execute();
      },
    },
    '0010_buyer_tokens': {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      async up(db: Kysely<any>) {
        // Issue #14: a buyer's token generation (a revoke moves it on, killing every token issued
        // before); the tokens already out (v1, no generation nor expiry) are refused by the code.
        await db.schema
          .alterTable('buyers')
          .addColumn('token_gen', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
        // Keys that expire (a used identity nonce is remembered until the identity would expire).
        await db.schema.alterTable('kv').addColumn('expires_at', 'bigint').execute();
        await db.schema
          .createIndex('kv_expires')
          .on('kv')
          .column('expires_at')
          .where(sql.ref('expires_at'), 'is not', null)
          .execute();
      },
    },
    '0011_upload_quotas': {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      async up(db: Kysely<any>) {
        // Issue #14: quotas sum a buyer's uploads of the last hour and a shop's uploads.
        await db.schema
          .createIndex('uploads_by')
          .on('uploads')
          .columns(['uploaded_by', 'created_at'])
          .execute();
        await db.schema.createIndex('uploads_shop').on('uploads').column('shop_id').execute();
        // The orphan sweep marks an upload found in use so that it is never looked at again; only
        // the unmarked ones are indexed (those the sweep reads, oldest first).
        await db.schema.alterTable('uploads').addColumn('kept_at', 'bigint').execute();
        await db.schema
          .createIndex('uploads_unchecked')
          .on('uploads')
          .column('created_at')
          .where(sql.ref('kept_at'), 'is', null)
          .execute();
      },
    },
    '0012_faq_ids_per_shop': {
      // Issue #14: an FAQ entry's id is the shop's own (an import names its ids): the key is
      // (shop_id, id), so two shops may use the same id and one never learns the other's.
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('faq_entries_per_shop')
          .addColumn('shop_id', 'text', (c) => c.notNull().references('shops.id'))
          .addColumn('id', 'text', (c) => c.notNull())
          .addColumn('question', 'text', (c) => c.notNull())
          .addColumn('similar', 'text', (c) => c.notNull())
          .addColumn('answer', 'text', (c) => c.notNull())
          .addColumn('category', 'text', (c) => c.notNull())
          .addColumn('enabled', 'integer', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('faq_entries_per_shop_pk', ['shop_id', 'id'])
          .execute();
        const columns = [
          'shop_id',
          'id',
          'question',
          'similar',
          'answer',
          'category',
          'enabled',
          'created_at',
          'updated_at',
        ] as const;
        await db
          .insertInto('faq_entries_per_shop')
          .columns([...columns])
          .expression(db.selectFrom('faq_entries').select([...columns]))
          .execute();
        // The old table's shop index goes with it: the new key leads with shop_id.
        await db.schema.dropTable('faq_entries').execute();
        await db.schema.alterTable('faq_entries_per_shop').renameTo('faq_entries').execute();
      },
    },
    '0013_faq_intents': {
      // Issue #15: the catalogue intents an FAQ entry answers, JSON string[]; null (every entry
      // until a shop sets them) means suggested from the entry's wording.
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      async up(db: Kysely<any>) {
        await db.schema.alterTable('faq_entries').addColumn('intents', 'text').execute();
      },
    },
    '0014_model_settings': {
      // Issue #15: a shop's optional OpenAI-compatible model provider (off until set).
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      async up(db: Kysely<any>) {
        await db.schema.alterTable('shops').addColumn('model_settings', 'text').execute();
      },
    },
    '0015_conversation_summaries': {
      // Issue #15: what the shop's model wrote of a conversation when it went to a person, for
      // agents only (never sent to the buyer); the latest per conversation.
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('conversation_summaries')
          .addColumn('shop_id', 'text', (c) => c.notNull().references('shops.id'))
          .addColumn('conversation_id', 'text', (c) => c.notNull())
          .addColumn('text', 'text', (c) => c.notNull())
          .addColumn('upto_seq', 'integer', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('conversation_summaries_pk', ['shop_id', 'conversation_id'])
          .execute();
      },
    },
    '0016_integration': {
      // Issue #16: products and orders keyed per shop by the shop's own ids (two shops may share
      // an order number), with the time of their last change; API keys for the v1 API (only a
      // hash of each key is kept).
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('products_per_shop')
          .addColumn('shop_id', 'text', (c) => c.notNull().references('shops.id'))
          .addColumn('id', 'text', (c) => c.notNull())
          .addColumn('title', 'text', (c) => c.notNull())
          .addColumn('price_cents', 'integer', (c) => c.notNull())
          .addColumn('image_url', 'text')
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('products_per_shop_pk', ['shop_id', 'id'])
          .execute();
        await db
          .insertInto('products_per_shop')
          .columns(['shop_id', 'id', 'title', 'price_cents', 'image_url', 'updated_at'])
          .expression(
            db
              .selectFrom('products')
              .select([
                'shop_id',
                'id',
                'title',
                'price_cents',
                'image_url',
                sql<number>`0`.as('updated_at'),
              ]),
          )
          .execute();
        await db.schema.dropTable('products').execute();
        await db.schema.alterTable('products_per_shop').renameTo('products').execute();

        const orderColumns = [
          'shop_id',
          'id',
          'buyer_id',
          'status',
          'total_cents',
          'carrier',
          'tracking_no',
          'created_at',
          'paid_at',
          'shipped_at',
          'items',
          'logistics',
        ] as const;
        await db.schema
          .createTable('orders_per_shop')
          .addColumn('shop_id', 'text', (c) => c.notNull().references('shops.id'))
          .addColumn('id', 'text', (c) => c.notNull())
          .addColumn('buyer_id', 'text', (c) => c.notNull().references('buyers.id'))
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('total_cents', 'integer', (c) => c.notNull())
          .addColumn('carrier', 'text')
          .addColumn('tracking_no', 'text')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('paid_at', 'bigint')
          .addColumn('shipped_at', 'bigint')
          .addColumn('items', 'text', (c) => c.notNull())
          .addColumn('logistics', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('orders_per_shop_pk', ['shop_id', 'id'])
          .execute();
        await db
          .insertInto('orders_per_shop')
          .columns([...orderColumns, 'updated_at'])
          .expression(
            db.selectFrom('orders').select([...orderColumns, sql<number>`created_at`.as('updated_at')]),
          )
          .execute();
        // The old table's indexes go with it; the new table gets them back under the same names.
        await db.schema.dropTable('orders').execute();
        await db.schema.alterTable('orders_per_shop').renameTo('orders').execute();
        await db.schema
          .createIndex('orders_buyer')
          .on('orders')
          .columns(['shop_id', 'buyer_id', 'created_at'])
          .execute();
        await db.schema
          .createIndex('orders_buyer_paid')
          .on('orders')
          .columns(['shop_id', 'buyer_id', 'paid_at'])
          .execute();

        await db.schema
          .createTable('api_keys')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('shop_id', 'text', (c) => c.notNull().references('shops.id'))
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('prefix', 'text', (c) => c.notNull())
          .addColumn('key_hash', 'text', (c) => c.notNull().unique())
          .addColumn('scopes', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('created_by', 'text')
          .addColumn('last_used_at', 'bigint')
          .addColumn('revoked_at', 'bigint')
          .execute();
        await db.schema.createIndex('api_keys_shop').on('api_keys').column('shop_id').execute();
      },
    },
    '0017_webhooks': {
      // Issue #16: the shops' webhook endpoints, and the outbox: one row per event and endpoint,
      // written in the same transaction as the fact it tells of, delivered in `seq` order per
      // endpoint and ordering key (a conversation, an order), kept as the delivery log.
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('webhooks')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('shop_id', 'text', (c) => c.notNull().references('shops.id'))
          .addColumn('url', 'text', (c) => c.notNull())
          .addColumn('events', 'text', (c) => c.notNull())
          .addColumn('secret', 'text', (c) => c.notNull())
          .addColumn('description', 'text')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('created_by', 'text')
          .addColumn('deleted_at', 'bigint')
          .execute();
        await db.schema
          .createIndex('webhooks_shop')
          .on('webhooks')
          .columns(['shop_id', 'deleted_at'])
          .execute();
        await db.schema
          .createTable('webhook_deliveries')
          .addColumn('seq', engine === 'postgres' ? 'bigserial' : 'integer', (c) =>
            engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('webhook_id', 'text', (c) => c.notNull().references('webhooks.id'))
          .addColumn('shop_id', 'text', (c) => c.notNull().references('shops.id'))
          .addColumn('event_id', 'text', (c) => c.notNull())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('order_key', 'text', (c) => c.notNull())
          .addColumn('body', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull())
          .addColumn('next_at', 'bigint', (c) => c.notNull())
          .addColumn('claimed_by', 'text')
          .addColumn('claimed_until', 'bigint')
          .addColumn('last_attempt_at', 'bigint')
          .addColumn('last_status', 'integer')
          .addColumn('last_error', 'text')
          .addColumn('delivered_at', 'bigint')
          .addColumn('replay_of', 'bigint')
          .execute();
        // The dispatcher's look-ups: what is due, and whether an earlier one of a chain is pending.
        await db.schema
          .createIndex('webhook_deliveries_due')
          .on('webhook_deliveries')
          .columns(['status', 'next_at'])
          .execute();
        await db.schema
          .createIndex('webhook_deliveries_chain')
          .on('webhook_deliveries')
          .columns(['webhook_id', 'order_key', 'status', 'seq'])
          .execute();
        // Where a conversation's buyer last wrote from (a platform channel; null: the widget).
        await db.schema.alterTable('conversations').addColumn('channel', 'text').execute();
      },
    },
    '0018_channel_messages': {
      // Issue #16: the platform message ids already taken in per shop and channel, so a platform
      // that sends a message again (its retries) stores it once, even after its conversation ended.
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('channel_messages')
          .addColumn('shop_id', 'text', (c) => c.notNull().references('shops.id'))
          .addColumn('channel', 'text', (c) => c.notNull())
          .addColumn('platform_message_id', 'text', (c) => c.notNull())
          .addColumn('conversation_id', 'text', (c) => c.notNull())
          .addColumn('message_id', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('channel_messages_pk', ['shop_id', 'channel', 'platform_message_id'])
          .execute();
        await db.schema
          .createIndex('channel_messages_age')
          .on('channel_messages')
          .column('created_at')
          .execute();
      },
    },
    '0019_compliance_review': {
      // Issue #17: a supervisor's judgement of a logged block or confirmed warning (correct |
      // wrong), who gave it and when; null until reviewed. The precision report reads them.
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      async up(db: Kysely<any>) {
        await db.schema.alterTable('compliance_log').addColumn('review', 'text').execute();
        await db.schema.alterTable('compliance_log').addColumn('reviewed_by', 'text').execute();
        await db.schema.alterTable('compliance_log').addColumn('reviewed_at', 'bigint').execute();
      },
    },
    '0020_spam_reports': {
      // Issue #18 (SPAM-1): the agent who reported a buyer as an advertiser, while the
      // conversation is set aside for it (reason 'reported'); the undo gives it back to them.
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      async up(db: Kysely<any>) {
        await db.schema.alterTable('conversations').addColumn('reported_by', 'text').execute();
      },
    },
    '0021_history_indexes': {
      // Issue #18: the chat history pages a shop's conversations by when they began (newest
      // first, a day range), and reads the compliance log of the conversations on a page.
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      async up(db: Kysely<any>) {
        await db.schema
          .createIndex('conversations_shop_created')
          .on('conversations')
          .columns(['shop_id', 'created_at', 'id'])
          .execute();
        await db.schema
          .createIndex('compliance_log_conversation')
          .on('compliance_log')
          .column('conversation_id')
          .execute();
      },
    },
    '0022_staffing_rota': {
      // Issue #18: the shop's rota for the staffing planner — agents scheduled per local hour of
      // day (JSON array of 24 whole numbers), who saved it and when. One row per shop.
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('staffing_rotas')
          .addColumn('shop_id', 'text', (c) => c.primaryKey().references('shops.id'))
          .addColumn('hours', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_by', 'text')
          .execute();
        // The planner reads a shop's conversations by when they began: the history's index
        // conversations_shop_created (0021) serves it.
      },
    },
    '0023_conversation_notes': {
      // Issue #18: the note an agent leaves for the next one on a transfer (RT-10), shown in that
      // agent's chat, never sent to the buyer; the latest per conversation.
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('conversation_notes')
          .addColumn('shop_id', 'text', (c) => c.notNull().references('shops.id'))
          .addColumn('conversation_id', 'text', (c) => c.notNull())
          .addColumn('text', 'text', (c) => c.notNull())
          .addColumn('author_id', 'text', (c) => c.notNull())
          .addColumn('author_name', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('conversation_notes_pk', ['shop_id', 'conversation_id'])
          .execute();
      },
    },
    '0024_aftersales': {
      // Issue #19: after-sales cases (AS-1 … AS-7), special goods (AS-1) and the shop's platform
      // rules and floors (AS-2, AS-5).
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      async up(db: Kysely<any>) {
        await db.schema
          .alterTable('products')
          .addColumn('special', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
        await db.schema.alterTable('shops').addColumn('aftersales_settings', 'text').execute();
        await db.schema
          .createTable('aftersales_cases')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('shop_id', 'text', (c) => c.notNull().references('shops.id'))
          .addColumn('external_id', 'text')
          .addColumn('order_id', 'text', (c) => c.notNull())
          .addColumn('buyer_id', 'text', (c) => c.notNull())
          .addColumn('conversation_id', 'text')
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('purpose', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('open', 'integer')
          .addColumn('holder', 'text')
          .addColumn('urgent', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('due_at', 'bigint')
          .addColumn('due_kind', 'text')
          .addColumn('flagged', 'text')
          .addColumn('reason', 'text', (c) => c.notNull())
          .addColumn('opened_by', 'text', (c) => c.notNull())
          .addColumn('opened_at', 'bigint', (c) => c.notNull())
          .addColumn('finished_at', 'bigint')
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .addColumn('version', 'integer', (c) => c.notNull())
          .addColumn('rating', 'integer')
          .addColumn('data', 'text', (c) => c.notNull())
          .execute();
        // AS-1: one open case per order and purpose (finished ones have open = null).
        await db.schema
          .createIndex('aftersales_one_open')
          .on('aftersales_cases')
          .columns(['shop_id', 'order_id', 'purpose', 'open'])
          .unique()
          .execute();
        await db.schema
          .createIndex('aftersales_external')
          .on('aftersales_cases')
          .columns(['shop_id', 'external_id'])
          .unique()
          .execute();
        await db.schema
          .createIndex('aftersales_shop_open')
          .on('aftersales_cases')
          .columns(['shop_id', 'open', 'due_at'])
          .execute();
        await db.schema
          .createIndex('aftersales_buyer')
          .on('aftersales_cases')
          .columns(['shop_id', 'buyer_id', 'opened_at'])
          .execute();
        await db.schema
          .createIndex('aftersales_opened')
          .on('aftersales_cases')
          .columns(['shop_id', 'opened_at'])
          .execute();
      },
    },
    '0025_promise_checks': {
      // Issue #19 (CMP-4): each recorded promise checked against what happened — its status
      // (pending, at-risk, kept, broken, void), why, when it was last checked, when it was flagged
      // at risk and when it was kept or broken. Promises are found again by their order (an order
      // written through the v1 API re-checks them) and listed per shop by when they were made.
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      async up(db: Kysely<any>) {
        await db.schema
          .alterTable('order_promises')
          .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
          .execute();
        await db.schema.alterTable('order_promises').addColumn('reason', 'text').execute();
        await db.schema.alterTable('order_promises').addColumn('checked_at', 'bigint').execute();
        await db.schema.alterTable('order_promises').addColumn('at_risk_at', 'bigint').execute();
        await db.schema.alterTable('order_promises').addColumn('settled_at', 'bigint').execute();
        await db.schema
          .createIndex('order_promises_order')
          .on('order_promises')
          .columns(['shop_id', 'order_id'])
          .execute();
        await db.schema
          .createIndex('order_promises_shop_time')
          .on('order_promises')
          .columns(['shop_id', 'created_at'])
          .execute();
      },
    },
    '0026_metric_range_days': {
      // Issue #20 (MET-1 … MET-4): a closed day's trend counts per shop and local day, so a range
      // reads a row a day instead of every buyer-day. `basis`: the settings and time zone counted
      // under (null: stale); `version` moves on every invalidation, so a count read before a late
      // change is never stored after it; the spans say which late payments and messages touch it.
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('metric_range_days')
          .addColumn('shop_id', 'text', (c) => c.notNull())
          .addColumn('day', 'text', (c) => c.notNull())
          .addColumn('version', 'integer', (c) => c.notNull())
          .addColumn('basis', 'text')
          .addColumn('day_start', 'bigint', (c) => c.notNull())
          .addColumn('day_end', 'bigint', (c) => c.notNull())
          .addColumn('attribution_end', 'bigint', (c) => c.notNull())
          .addColumn('consultations', 'integer')
          .addColumn('inquiries', 'integer')
          .addColumn('replied', 'integer')
          .addColumn('converted', 'integer')
          .addColumn('responses', 'integer')
          .addColumn('response_ms', 'bigint')
          .addPrimaryKeyConstraint('metric_range_days_pk', ['shop_id', 'day'])
          .execute();
      },
    },
    '0027_crm': {
      // Issue #21 (CRM-1 … CRM-8): the buyer's tags and notes, journeys and their runs on durable
      // due times, what each run sent (its key makes a re-run send once), coupons, opt-outs,
      // reviews, group buys and the logistics watch's flags, and each shop's CRM settings.
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('buyer_tags')
          .addColumn('shop_id', 'text', (c) => c.notNull().references('shops.id'))
          .addColumn('buyer_id', 'text', (c) => c.notNull())
          .addColumn('tag', 'text', (c) => c.notNull())
          // agent | api | accepted (a suggestion an agent took)
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('added_by', 'text')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('buyer_tags_pk', ['shop_id', 'buyer_id', 'tag'])
          .execute();
        await db.schema.createIndex('buyer_tags_tag').on('buyer_tags').columns(['shop_id', 'tag']).execute();
        await db.schema
          .createTable('buyer_notes')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('shop_id', 'text', (c) => c.notNull().references('shops.id'))
          .addColumn('buyer_id', 'text', (c) => c.notNull())
          .addColumn('text', 'text', (c) => c.notNull())
          .addColumn('author_id', 'text', (c) => c.notNull())
          .addColumn('author_name', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('deleted_at', 'bigint')
          .execute();
        await db.schema
          .createIndex('buyer_notes_buyer')
          .on('buyer_notes')
          .columns(['shop_id', 'buyer_id', 'created_at'])
          .execute();
        await db.schema
          .createTable('journeys')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('shop_id', 'text', (c) => c.notNull().references('shops.id'))
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('template_id', 'text')
          .addColumn('trigger_kind', 'text', (c) => c.notNull())
          .addColumn('definition', 'text', (c) => c.notNull())
          // draft | active | paused | stopped
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('version', 'integer', (c) => c.notNull())
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .addColumn('started_at', 'bigint')
          .execute();
        await db.schema
          .createIndex('journeys_shop_trigger')
          .on('journeys')
          .columns(['shop_id', 'trigger_kind', 'status'])
          .execute();
        await db.schema
          .createTable('journey_runs')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('shop_id', 'text', (c) => c.notNull())
          .addColumn('journey_id', 'text', (c) => c.notNull().references('journeys.id'))
          .addColumn('buyer_id', 'text', (c) => c.notNull())
          .addColumn('run_key', 'text', (c) => c.notNull().unique())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('stop_reason', 'text')
          .addColumn('step', 'integer', (c) => c.notNull())
          // The next step's time while active (null once ended); the runner claims by it.
          .addColumn('due_at', 'bigint')
          .addColumn('context', 'text', (c) => c.notNull())
          .addColumn('version', 'integer', (c) => c.notNull())
          .addColumn('started_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .addColumn('claimed_by', 'text')
          .addColumn('claimed_until', 'bigint')
          .execute();
        await db.schema.createIndex('journey_runs_due').on('journey_runs').columns(['due_at']).execute();
        await db.schema
          .createIndex('journey_runs_journey')
          .on('journey_runs')
          .columns(['journey_id', 'status'])
          .execute();
        await db.schema
          .createIndex('journey_runs_buyer')
          .on('journey_runs')
          .columns(['shop_id', 'buyer_id'])
          .execute();
        await db.schema
          .createTable('journey_sends')
          // run id : step — a step that runs again finds its send here and sends nothing.
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('shop_id', 'text', (c) => c.notNull())
          .addColumn('journey_id', 'text', (c) => c.notNull())
          .addColumn('run_id', 'text', (c) => c.notNull())
          .addColumn('buyer_id', 'text', (c) => c.notNull())
          // message | coupon
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('text', 'text')
          .addColumn('coupon_id', 'text')
          .addColumn('conversation_id', 'text')
          .addColumn('message_id', 'text')
          // sent | blocked (CMP-1 … CMP-5 refused the words)
          .addColumn('outcome', 'text', (c) => c.notNull())
          .addColumn('at', 'bigint', (c) => c.notNull())
          .addColumn('replied_at', 'bigint')
          .addColumn('converted_order_id', 'text')
          .execute();
        await db.schema
          .createIndex('journey_sends_journey')
          .on('journey_sends')
          .columns(['journey_id', 'at'])
          .execute();
        await db.schema
          .createIndex('journey_sends_buyer')
          .on('journey_sends')
          .columns(['shop_id', 'buyer_id', 'at'])
          .execute();
        await db.schema
          .createTable('coupons')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('shop_id', 'text', (c) => c.notNull().references('shops.id'))
          .addColumn('buyer_id', 'text', (c) => c.notNull())
          .addColumn('amount_cents', 'integer', (c) => c.notNull())
          .addColumn('min_spend_cents', 'integer', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          // journey | aftersales
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('source_key', 'text', (c) => c.notNull().unique())
          .addColumn('used_order_id', 'text')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('coupons_buyer').on('coupons').columns(['shop_id', 'buyer_id']).execute();
        await db.schema
          .createTable('crm_optouts')
          .addColumn('shop_id', 'text', (c) => c.notNull().references('shops.id'))
          .addColumn('buyer_id', 'text', (c) => c.notNull())
          .addColumn('at', 'bigint', (c) => c.notNull())
          // buyer | agent | api
          .addColumn('source', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('crm_optouts_pk', ['shop_id', 'buyer_id'])
          .execute();
        await db.schema
          .createTable('reviews')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('shop_id', 'text', (c) => c.notNull().references('shops.id'))
          .addColumn('external_id', 'text', (c) => c.notNull())
          .addColumn('buyer_id', 'text', (c) => c.notNull())
          .addColumn('order_id', 'text')
          .addColumn('product_id', 'text')
          .addColumn('rating', 'integer', (c) => c.notNull())
          .addColumn('text', 'text', (c) => c.notNull())
          .addColumn('posted_at', 'bigint', (c) => c.notNull())
          .addColumn('reply_text', 'text')
          .addColumn('replied_at', 'bigint')
          .addColumn('replied_by', 'text')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .addUniqueConstraint('reviews_external', ['shop_id', 'external_id'])
          .execute();
        await db.schema
          .createIndex('reviews_unanswered')
          .on('reviews')
          .columns(['shop_id', 'replied_at', 'posted_at'])
          .execute();
        await db.schema
          .createTable('group_buys')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('shop_id', 'text', (c) => c.notNull().references('shops.id'))
          .addColumn('external_id', 'text', (c) => c.notNull())
          .addColumn('product_id', 'text')
          .addColumn('title', 'text', (c) => c.notNull())
          .addColumn('price_cents', 'integer', (c) => c.notNull())
          .addColumn('ends_at', 'bigint', (c) => c.notNull())
          // open | closed
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .addUniqueConstraint('group_buys_external', ['shop_id', 'external_id'])
          .execute();
        await db.schema
          .createTable('parcel_flags')
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('shop_id', 'text', (c) => c.notNull())
          .addColumn('order_id', 'text', (c) => c.notNull())
          .addColumn('buyer_id', 'text', (c) => c.notNull())
          // stalled | abnormal
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('since', 'bigint', (c) => c.notNull())
          .addColumn('event', 'text')
          .addColumn('issue', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('resolved_at', 'bigint')
          .execute();
        await db.schema
          .createIndex('parcel_flags_order')
          .on('parcel_flags')
          .columns(['shop_id', 'order_id', 'resolved_at'])
          .execute();
        await db.schema
          .createTable('crm_settings')
          .addColumn('shop_id', 'text', (c) => c.primaryKey().references('shops.id'))
          .addColumn('loyalty', 'text')
          .addColumn('logistics', 'text')
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();
        // The CRM sweep reads orders by write time.
        await db.schema
          .createIndex('orders_updated')
          .on('orders')
          .columns(['updated_at', 'shop_id', 'id'])
          .execute();
      },
    },
    '0028_orders_by_time': {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      async up(db: Kysely<any>) {
        // CRM-4: "N days since the last order" reads a shop's orders placed within a window.
        await db.schema
          .createIndex('orders_shop_created')
          .on('orders')
          .columns(['shop_id', 'created_at'])
          .execute();
      },
    },
    '0029_tag_dismissals': {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      async up(db: Kysely<any>) {
        // CRM-1: a suggested tag an agent turned down for a buyer is not suggested for them again.
        await db.schema
          .createTable('buyer_tag_dismissals')
          .addColumn('shop_id', 'text', (c) => c.notNull().references('shops.id'))
          .addColumn('buyer_id', 'text', (c) => c.notNull())
          .addColumn('tag', 'text', (c) => c.notNull())
          .addColumn('dismissed_by', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('buyer_tag_dismissals_pk', ['shop_id', 'buyer_id', 'tag'])
          .execute();
      },
    },
  };
}

/**
 * Brings the schema up to date (or, for upgrade tests, up to the migration `upTo` names); throws
 * with the failing migration's name.
 */
export async function migrateToLatest(db: Db, upTo?: string): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(db.engine) };
  const migrator = new Migrator({ db: db.kysely, provider });
  const { error, results } = upTo ? await migrator.migrateTo(upTo) : await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error) {
    throw new Error(
      `migration ${failed?.migrationName ?? '?'} failed: ${String((error as Error).message ?? error)}`,
    );
  }
}
