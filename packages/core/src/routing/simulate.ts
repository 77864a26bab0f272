import { DomainError } from '../kernel';
import { Router } from './router';
import {
  DEFAULT_ROUTING_SETTINGS,
  type RouteDecision,
  type RouteStatus,
  type RoutingAgent,
  type RoutingSettings,
} from './routing.types';

/** One event of a routing scenario, at a time in ms. */
export type ScenarioEvent = { at: number } & (
  | { type: 'agent-status'; agent: string; status: RoutingAgent['status'] }
  | { type: 'agent-cap'; agent: string; cap: number }
  | {
      type: 'buyer-arrives';
      buyer: string;
      orderStatus: RouteStatus;
      newCustomer: boolean;
      /** CRM-6: the buyer's loyalty tier rank (0 or absent: none). */
      tierRank?: number;
      /**
       * Issue #18 (the staffing planner): the agent ends the conversation this many ms after it is
       * first assigned, wherever and whenever that is — a handle time, not a clock time, so a
       * buyer who queues is still served for the whole of it. Absent: only an `agent-ends` or
       * `buyer-leaves` event ends it.
       */
      handleMs?: number;
    }
  | { type: 'agent-ends'; buyer: string }
  | { type: 'buyer-leaves'; buyer: string }
  | { type: 'transfer'; buyer: string; to?: string; toGroup?: string; admin?: boolean }
  | { type: 'assign'; buyer: string; to: string }
  | { type: 'pull'; agent: string }
);

/** A scenario for `xiaoer routing simulate` (times already parsed). */
export interface Scenario {
  settings: RoutingSettings;
  agents: (RoutingAgent & { status: RoutingAgent['status'] })[];
  events: ScenarioEvent[];
}

/** One decision line of the simulator's output. */
export interface SimulatedDecision {
  at: number;
  buyer: string;
  agent: string | null;
  queued: boolean;
  position: number | null;
  reason: RouteDecision['reason'];
  /** The queue it waits in (a group id, or null: the general queue). */
  queue: string | null;
  /** The event that caused it (its index in the scenario's events), or null for a linger release. */
  event: number | null;
}

/** The simulator's summary line. */
export interface SimulationSummary {
  buyers: number;
  assigned: number;
  stillQueued: number;
  maxWaitMinutes: number;
  meanWaitMinutes: number;
  answeredWithin5MinutesShare: number;
  peakLoad: Record<string, number>;
  /** Times an agent went past its cap other than by RT-1, RT-8 owner, admin transfer or manual assignment. */
  capViolations: number;
  /** Events refused (an error line is printed for each). */
  errors: number;
}

/** What a simulation produced: decision lines, refused events, the summary. */
export interface SimulationResult {
  decisions: SimulatedDecision[];
  errors: { at: number; event: number; code: string; field: string | null; message: string }[];
  summary: SimulationSummary;
}

const EXEMPT = new Set(['returning-buyer', 'owner', 'manual']);

/**
 * Replays a scenario through the real routing engine with a virtual clock: events in time order,
 * RT-9 linger releases at their own times, and every decision recorded with its reason.
 */
export function simulate(scenario: Scenario): SimulationResult {
  const settings = { ...DEFAULT_ROUTING_SETTINGS, ...scenario.settings };
  const router = new Router(settings, scenario.agents);
  const caps = new Map(scenario.agents.map((a) => [a.id, a.cap]));
  const decisions: SimulatedDecision[] = [];
  const errors: SimulationResult['errors'] = [];
  const open = new Map<string, string>(); // buyer → conversation id
  const arrivedAt = new Map<string, number>(); // conversation → arrival
  const waits = new Map<string, number>(); // conversation → minutes until first assignment
  const peak: Record<string, number> = Object.fromEntries(scenario.agents.map((a) => [a.id, 0]));
  let capViolations = 0;
  let conversations = 0;
  const buyers = new Set<string>();
  // Issue #18: ends due handleMs after a first assignment, soonest first (conversation, event).
  const handles = new Map<string, { handleMs: number; event: number }>();
  const dueEnds = new MinHeap<{ at: number; conversationId: string; buyer: string; event: number }>(
    (a, b) => a.at - b.at || a.event - b.event,
  );

  const record = (at: number, event: number | null, list: RouteDecision[], exemptBy?: boolean) => {
    for (const d of list) {
      decisions.push({
        at,
        buyer: d.buyerId,
        agent: d.agentId,
        queued: d.queued,
        position: d.position,
        reason: d.reason,
        queue: d.queue,
        event,
      });
      if (!d.agentId) continue;
      if (!waits.has(d.conversationId)) {
        waits.set(d.conversationId, (at - (arrivedAt.get(d.conversationId) ?? at)) / 60_000);
        const handle = handles.get(d.conversationId);
        if (handle)
          dueEnds.push({
            at: at + handle.handleMs,
            conversationId: d.conversationId,
            buyer: d.buyerId,
            event: handle.event,
          });
      }
      const load = router.loadOf(d.agentId);
      peak[d.agentId] = Math.max(peak[d.agentId] ?? 0, load);
      if (load > (caps.get(d.agentId) ?? Infinity) && !EXEMPT.has(d.reason) && !exemptBy) capViolations++;
    }
  };
  const releaseUntil = (t: number) => {
    for (;;) {
      const linger = router.nextRelease();
      const end = dueEnds.peek();
      if (end && end.at <= t && (linger === undefined || end.at <= linger)) {
        dueEnds.pop();
        // Ended meanwhile by an event of the scenario: nothing left to end.
        if (open.get(end.buyer) !== end.conversationId) continue;
        open.delete(end.buyer);
        record(end.at, end.event, router.end(end.conversationId, end.at));
      } else if (linger !== undefined && linger <= t) record(linger, null, router.tick(linger));
      else return;
    }
  };

  const events = scenario.events.map((e, i) => ({ e, i })).sort((a, b) => a.e.at - b.e.at || a.i - b.i);
  for (const { e, i } of events) {
    releaseUntil(e.at);
    try {
      switch (e.type) {
        case 'agent-status':
          record(e.at, i, router.setStatus(e.agent, e.status, e.at));
          break;
        case 'agent-cap':
          caps.set(e.agent, e.cap);
          record(e.at, i, router.updateAgent(e.agent, { cap: e.cap }, e.at));
          break;
        case 'buyer-arrives': {
          if (open.has(e.buyer))
            throw new DomainError('conflict', `buyer ${e.buyer} already has an open conversation`, 'buyer');
          const id = `${e.buyer}#${++conversations}`;
          open.set(e.buyer, id);
          arrivedAt.set(id, e.at);
          buyers.add(e.buyer);
          if (e.handleMs !== undefined) handles.set(id, { handleMs: e.handleMs, event: i });
          record(
            e.at,
            i,
            router.arrive(
              {
                conversationId: id,
                buyerId: e.buyer,
                orderStatus: e.orderStatus,
                newCustomer: e.newCustomer,
                ...(e.tierRank !== undefined ? { tierRank: e.tierRank } : {}),
              },
              e.at,
            ),
          );
          break;
        }
        case 'agent-ends':
        case 'buyer-leaves': {
          const id = openOf(open, e.buyer);
          open.delete(e.buyer);
          record(e.at, i, router.end(id, e.at));
          break;
        }
        case 'transfer': {
          const id = openOf(open, e.buyer);
          if (e.toGroup) record(e.at, i, router.transferToGroup(id, e.toGroup, e.at));
          else if (e.to)
            record(
              e.at,
              i,
              router.transferToAgent(id, e.to, { beyondCap: e.admin === true }, e.at),
              e.admin === true,
            );
          else throw new DomainError('validation_failed', 'transfer needs to or toGroup', 'to');
          break;
        }
        case 'assign':
          record(
            e.at,
            i,
            router.transferToAgent(openOf(open, e.buyer), e.to, { beyondCap: true, reason: 'manual' }, e.at),
          );
          break;
        case 'pull': {
          const d = router.pull(e.agent, e.at);
          if (d) record(e.at, i, [d]);
          break;
        }
      }
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      errors.push({
        at: e.at,
        event: i,
        code: error.code,
        field: error.field ?? null,
        message: error.message,
      });
    }
  }
  releaseUntil(Infinity);

  const waitList = [...waits.values()];
  return {
    decisions,
    errors,
    summary: {
      buyers: buyers.size,
      assigned: waits.size,
      stillQueued: router.queueLength,
      maxWaitMinutes: round(Math.max(0, ...waitList)),
      meanWaitMinutes: round(waitList.length ? waitList.reduce((a, b) => a + b, 0) / waitList.length : 0),
      answeredWithin5MinutesShare: round(
        conversations ? waitList.filter((w) => w <= 5).length / conversations : 1,
        3,
      ),
      peakLoad: peak,
      capViolations,
      errors: errors.length,
    },
  };
}

/** A binary min-heap (the simulator's due ends: thousands per simulated day, each O(log n)). */
class MinHeap<T> {
  private readonly items: T[] = [];
  constructor(private readonly before: (a: T, b: T) => number) {}

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const a = this.items;
    a.push(item);
    for (let i = a.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (this.before(a[i]!, a[parent]!) >= 0) break;
      [a[i], a[parent]] = [a[parent]!, a[i]!];
      i = parent;
    }
  }

  pop(): T | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.before(a[l]!, a[m]!) < 0) m = l;
        if (r < a.length && this.before(a[r]!, a[m]!) < 0) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

function openOf(open: Map<string, string>, buyer: string): string {
  const id = open.get(buyer);
  if (!id) throw new DomainError('not_found', `buyer ${buyer} has no open conversation`, 'buyer');
  return id;
}

function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
