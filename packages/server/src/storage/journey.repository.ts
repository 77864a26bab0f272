import type {
  JourneyDefinition,
  JourneyRun,
  JourneyRunContext,
  JourneyRunStatus,
  JourneyStopReason,
} from '@xiaoer/core';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Engine } from './db';
import type { Database, JourneyRunsTable, JourneysTable } from './schema';

/** Issue #21: a journey's life: drafted, started, paused (runs wait), stopped (runs end). */
export type JourneyStatus = 'draft' | 'active' | 'paused' | 'stopped';

export interface StoredJourney {
  id: string;
  shopId: string;
  name: string;
  templateId: string | null;
  definition: JourneyDefinition;
  status: JourneyStatus;
  version: number;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
}

/** What one step of a run sent, kept under its key (run id : step). */
export interface JourneySend {
  key: string;
  shopId: string;
  journeyId: string;
  runId: string;
  buyerId: string;
  kind: 'message' | 'coupon';
  text: string | null;
  couponId: string | null;
  conversationId: string | null;
  messageId: string | null;
  /** pending: claimed by a node about to send it (a crash leaves it so: never sent again). */
  outcome: 'pending' | 'sent' | 'blocked';
  at: number;
}

/** A journey's figures for the console. */
export interface JourneyStats {
  runs: Record<JourneyRunStatus, number>;
  stopped: Partial<Record<JourneyStopReason, number>>;
  sends: number;
  blocked: number;
  coupons: number;
  replies: number;
  conversions: number;
}

function toJourney(r: Selectable<JourneysTable>): StoredJourney {
  return {
    id: r.id,
    shopId: r.shop_id,
    name: r.name,
    templateId: r.template_id,
    definition: JSON.parse(r.definition) as JourneyDefinition,
    status: r.status as JourneyStatus,
    version: Number(r.version),
    createdBy: r.created_by,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    startedAt: r.started_at === null ? null : Number(r.started_at),
  };
}

/** A stored run, with the version its save must match. */
export type StoredRun = JourneyRun & { version: number };

function toRun(r: Selectable<JourneyRunsTable>): StoredRun {
  const run: StoredRun = {
    id: r.id,
    journeyId: r.journey_id,
    shopId: r.shop_id,
    buyerId: r.buyer_id,
    startedAt: Number(r.started_at),
    step: Number(r.step),
    dueAt: r.due_at === null ? Number.POSITIVE_INFINITY : Number(r.due_at),
    status: r.status as JourneyRunStatus,
    context: JSON.parse(r.context) as JourneyRunContext,
    version: Number(r.version),
  };
  if (r.stop_reason) run.stopReason = r.stop_reason as JourneyStopReason;
  return run;
}

/** Issue #21: journeys, their runs (claimed by due time, saved by version) and their sends. */
export class JourneyRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly engine: Engine,
  ) {}

  async create(j: Omit<StoredJourney, 'version' | 'updatedAt' | 'startedAt'>): Promise<StoredJourney> {
    await this.db
      .insertInto('journeys')
      .values({
        id: j.id,
        shop_id: j.shopId,
        name: j.name,
        template_id: j.templateId,
        trigger_kind: j.definition.trigger.kind,
        definition: JSON.stringify(j.definition),
        status: j.status,
        version: 1,
        created_by: j.createdBy,
        created_at: j.createdAt,
        updated_at: j.createdAt,
        started_at: null,
      })
      .execute();
    return (await this.find(j.shopId, j.id))!;
  }

  async find(shopId: string, id: string): Promise<StoredJourney | undefined> {
    const r = await this.db
      .selectFrom('journeys')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('id', '=', id)
      .executeTakeFirst();
    return r && toJourney(r);
  }

  async list(shopId: string): Promise<StoredJourney[]> {
    const rows = await this.db
      .selectFrom('journeys')
      .selectAll()
      .where('shop_id', '=', shopId)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .execute();
    return rows.map(toJourney);
  }

  /** The shop's started journeys a trigger starts runs of. */
  async activeFor(shopId: string, triggerKind: string): Promise<StoredJourney[]> {
    const rows = await this.db
      .selectFrom('journeys')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('trigger_kind', '=', triggerKind)
      .where('status', '=', 'active')
      .execute();
    return rows.map(toJourney);
  }

  /** Every shop's started journeys with a trigger (the sweep's date and broadcast triggers). */
  async activeByTrigger(triggerKind: string): Promise<StoredJourney[]> {
    const rows = await this.db
      .selectFrom('journeys')
      .selectAll()
      .where('trigger_kind', '=', triggerKind)
      .where('status', '=', 'active')
      .execute();
    return rows.map(toJourney);
  }

  /** A journey's active runs, oldest due first (a dry run plans them on). */
  async activeRuns(shopId: string, journeyId: string, limit: number): Promise<StoredRun[]> {
    const rows = await this.db
      .selectFrom('journey_runs')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('journey_id', '=', journeyId)
      .where('status', '=', 'active')
      .orderBy('due_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toRun);
  }

  /** Replaces a journey's definition if it is still at `version`; false when someone else saved first. */
  async update(
    shopId: string,
    id: string,
    version: number,
    change: { name: string; definition: JourneyDefinition },
    now: number,
  ): Promise<boolean> {
    const r = await this.db
      .updateTable('journeys')
      .set({
        name: change.name,
        definition: JSON.stringify(change.definition),
        trigger_kind: change.definition.trigger.kind,
        version: sql<number>`version + 1`,
        updated_at: now,
      })
      .where('shop_id', '=', shopId)
      .where('id', '=', id)
      .where('version', '=', version)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Moves a journey to `status` from one of `from`; false when it was in none of them. */
  async setStatus(
    shopId: string,
    id: string,
    from: readonly JourneyStatus[],
    status: JourneyStatus,
    now: number,
  ): Promise<boolean> {
    const r = await this.db
      .updateTable('journeys')
      .set({
        status,
        version: sql<number>`version + 1`,
        updated_at: now,
        ...(status === 'active' ? { started_at: sql<number>`coalesce(started_at, ${now})` } : {}),
      })
      .where('shop_id', '=', shopId)
      .where('id', '=', id)
      .where('status', 'in', from)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Starts a run unless one with its key exists (a trigger told twice starts one run). */
  async startRun(run: JourneyRun, key: string, now: number): Promise<boolean> {
    return (await this.startRuns([{ run, key }], now)) > 0;
  }

  /** Starts many runs at once (an audience); returns how many were new. */
  async startRuns(runs: readonly { run: JourneyRun; key: string }[], now: number): Promise<number> {
    let started = 0;
    for (let i = 0; i < runs.length; i += 200) {
      const chunk = runs.slice(i, i + 200);
      const r = await this.db
        .insertInto('journey_runs')
        .values(
          chunk.map(({ run, key }) => ({
            id: run.id,
            shop_id: run.shopId,
            journey_id: run.journeyId,
            buyer_id: run.buyerId,
            run_key: key,
            status: run.status,
            stop_reason: null,
            step: run.step,
            due_at: run.dueAt,
            context: JSON.stringify(run.context),
            version: 1,
            started_at: run.startedAt,
            updated_at: now,
            claimed_by: null,
            claimed_until: null,
          })),
        )
        .onConflict((oc) => oc.column('run_key').doNothing())
        .executeTakeFirst();
      started += Number(r.numInsertedOrUpdatedRows ?? 0);
    }
    return started;
  }

  /**
   * Claims up to `limit` active runs due at `now` of started journeys for `nodeId` until
   * `now + leaseMs`, none another node holds (SKIP LOCKED on PostgreSQL).
   */
  async claimDue(nodeId: string, now: number, leaseMs: number, limit: number): Promise<StoredRun[]> {
    const rows = await this.db
      .updateTable('journey_runs')
      .set({ claimed_by: nodeId, claimed_until: now + leaseMs })
      .where('id', 'in', (eb) => {
        const due = eb
          .selectFrom('journey_runs')
          .select('id')
          .where('due_at', '<=', now)
          .where('status', '=', 'active')
          .where((w) => w.or([w('claimed_until', 'is', null), w('claimed_until', '<=', now)]))
          .where('journey_id', 'in', (j) =>
            j.selectFrom('journeys').select('id').where('status', '=', 'active'),
          )
          .orderBy('due_at')
          .limit(limit);
        return this.engine === 'postgres' ? due.forUpdate().skipLocked() : due;
      })
      .returningAll()
      .execute();
    return rows.map(toRun).sort((a, b) => a.dueAt - b.dueAt);
  }

  /** The earliest due time of an active run of a started journey (the runner sleeps until it). */
  async nextDue(): Promise<number | undefined> {
    const r = await this.db
      .selectFrom('journey_runs')
      .select((eb) => eb.fn.min('due_at').as('at'))
      .where('status', '=', 'active')
      .where('journey_id', 'in', (j) => j.selectFrom('journeys').select('id').where('status', '=', 'active'))
      .executeTakeFirst();
    return r?.at === null || r?.at === undefined ? undefined : Number(r.at);
  }

  /** Saves a run claimed by `nodeId` at `version` and lets go of the claim; false when it lost either. */
  async saveRun(run: JourneyRun, version: number, nodeId: string, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('journey_runs')
      .set({
        status: run.status,
        stop_reason: run.stopReason ?? null,
        step: run.step,
        due_at: run.status === 'active' ? run.dueAt : null,
        context: JSON.stringify(run.context),
        version: version + 1,
        updated_at: now,
        claimed_by: null,
        claimed_until: null,
      })
      .where('shop_id', '=', run.shopId)
      .where('id', '=', run.id)
      .where('version', '=', version)
      .where('claimed_by', '=', nodeId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Ends a journey's active runs (the journey was stopped). */
  async stopRuns(shopId: string, journeyId: string, now: number): Promise<number> {
    const r = await this.db
      .updateTable('journey_runs')
      .set({
        status: 'stopped',
        stop_reason: 'journey_stopped',
        due_at: null,
        version: sql<number>`version + 1`,
        updated_at: now,
      })
      .where('shop_id', '=', shopId)
      .where('journey_id', '=', journeyId)
      .where('status', '=', 'active')
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  async findRun(shopId: string, id: string): Promise<StoredRun | undefined> {
    const r = await this.db
      .selectFrom('journey_runs')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('id', '=', id)
      .executeTakeFirst();
    return r && toRun(r);
  }

  async listRuns(shopId: string, journeyId: string, limit = 100): Promise<StoredRun[]> {
    const rows = await this.db
      .selectFrom('journey_runs')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('journey_id', '=', journeyId)
      .orderBy('started_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toRun);
  }

  /** The send a step made, if it made one. */
  async findSend(shopId: string, key: string): Promise<JourneySend | undefined> {
    const r = await this.db
      .selectFrom('journey_sends')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('key', '=', key)
      .executeTakeFirst();
    if (!r) return undefined;
    return {
      key: r.key,
      shopId: r.shop_id,
      journeyId: r.journey_id,
      runId: r.run_id,
      buyerId: r.buyer_id,
      kind: r.kind as JourneySend['kind'],
      text: r.text,
      couponId: r.coupon_id,
      conversationId: r.conversation_id,
      messageId: r.message_id,
      outcome: r.outcome as JourneySend['outcome'],
      at: Number(r.at),
    };
  }

  /** Records a step's send; false when its key was recorded already (the step ran before). */
  async recordSend(s: JourneySend): Promise<boolean> {
    const r = await this.db
      .insertInto('journey_sends')
      .values({
        key: s.key,
        shop_id: s.shopId,
        journey_id: s.journeyId,
        run_id: s.runId,
        buyer_id: s.buyerId,
        kind: s.kind,
        text: s.text,
        coupon_id: s.couponId,
        conversation_id: s.conversationId,
        message_id: s.messageId,
        outcome: s.outcome,
        at: s.at,
        replied_at: null,
        converted_order_id: null,
      })
      .onConflict((oc) => oc.column('key').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** A pending send went out (or was refused): its outcome and where it went. */
  async settleSend(
    shopId: string,
    key: string,
    change: { outcome: 'sent' | 'blocked'; conversationId?: string; messageId?: string },
  ): Promise<void> {
    await this.db
      .updateTable('journey_sends')
      .set({
        outcome: change.outcome,
        conversation_id: change.conversationId ?? null,
        message_id: change.messageId ?? null,
      })
      .where('shop_id', '=', shopId)
      .where('key', '=', key)
      .where('outcome', '=', 'pending')
      .execute();
  }

  /** A pending send that did not go (the buyer was busy, or it failed): the step may try again. */
  async dropPendingSend(shopId: string, key: string): Promise<void> {
    await this.db
      .deleteFrom('journey_sends')
      .where('shop_id', '=', shopId)
      .where('key', '=', key)
      .where('outcome', '=', 'pending')
      .execute();
  }

  /** A buyer answered: the journey messages sent to them in the last `withinMs` count a reply. */
  async markReplied(shopId: string, buyerId: string, at: number, withinMs: number): Promise<void> {
    await this.db
      .updateTable('journey_sends')
      .set({ replied_at: at })
      .where('shop_id', '=', shopId)
      .where('buyer_id', '=', buyerId)
      .where('kind', '=', 'message')
      .where('outcome', '=', 'sent')
      .where('replied_at', 'is', null)
      .where('at', '<=', at)
      .where('at', '>', at - withinMs)
      .execute();
  }

  /**
   * A buyer ordered: each journey's latest message within its attribution window (days) before
   * the order counts the order as its conversion, once.
   */
  async markConverted(shopId: string, buyerId: string, orderId: string, at: number): Promise<void> {
    const sends = await this.db
      .selectFrom('journey_sends as s')
      .innerJoin('journeys as j', 'j.id', 's.journey_id')
      .select(['s.key', 's.journey_id', 's.at', 's.converted_order_id', 'j.definition'])
      .where('s.shop_id', '=', shopId)
      .where('s.buyer_id', '=', buyerId)
      .where('s.kind', '=', 'message')
      .where('s.outcome', '=', 'sent')
      .where('s.at', '<=', at)
      .orderBy('s.at', 'desc')
      .execute();
    // An order counted already (the sweep sees an order again on every write) counts no more.
    const counted = await this.db
      .selectFrom('journey_sends')
      .select('journey_id')
      .where('shop_id', '=', shopId)
      .where('buyer_id', '=', buyerId)
      .where('converted_order_id', '=', orderId)
      .execute();
    const seen = new Set<string>(counted.map((c) => c.journey_id));
    for (const s of sends) {
      if (seen.has(s.journey_id)) continue;
      seen.add(s.journey_id);
      // The journey's latest message before the order is the one it answers; converted already, the
      // order is a repeat purchase of that conversion.
      if (s.converted_order_id !== null) continue;
      const days = (JSON.parse(s.definition) as JourneyDefinition).attributionDays;
      if (Number(s.at) < at - days * 86_400_000) continue;
      await this.db
        .updateTable('journey_sends')
        .set({ converted_order_id: orderId })
        .where('key', '=', s.key)
        .where('converted_order_id', 'is', null)
        .execute();
    }
  }

  async stats(shopId: string, journeyId: string): Promise<JourneyStats> {
    const runs = await this.db
      .selectFrom('journey_runs')
      .select(['status', 'stop_reason', (eb) => eb.fn.countAll<number>().as('n')])
      .where('shop_id', '=', shopId)
      .where('journey_id', '=', journeyId)
      .groupBy(['status', 'stop_reason'])
      .execute();
    const out: JourneyStats = {
      runs: { active: 0, done: 0, stopped: 0 },
      stopped: {},
      sends: 0,
      blocked: 0,
      coupons: 0,
      replies: 0,
      conversions: 0,
    };
    for (const r of runs) {
      out.runs[r.status as JourneyRunStatus] += Number(r.n);
      if (r.stop_reason) {
        const reason = r.stop_reason as JourneyStopReason;
        out.stopped[reason] = (out.stopped[reason] ?? 0) + Number(r.n);
      }
    }
    const sends = await this.db
      .selectFrom('journey_sends')
      .select([
        'kind',
        'outcome',
        (eb) => eb.fn.countAll<number>().as('n'),
        (eb) => eb.fn.count<number>('replied_at').as('replies'),
        (eb) => eb.fn.count<number>('converted_order_id').as('conversions'),
      ])
      .where('shop_id', '=', shopId)
      .where('journey_id', '=', journeyId)
      .groupBy(['kind', 'outcome'])
      .execute();
    for (const s of sends) {
      if (s.kind === 'coupon') out.coupons += Number(s.n);
      else if (s.outcome === 'blocked') out.blocked += Number(s.n);
      else if (s.outcome === 'sent') {
        out.sends += Number(s.n);
        out.replies += Number(s.replies);
        out.conversions += Number(s.conversions);
      }
    }
    return out;
  }
}
