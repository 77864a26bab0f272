import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DomainError } from '../kernel';
import { Router } from './router';
import {
  DEFAULT_ROUTING_SETTINGS,
  ROUTE_STATUSES,
  type RouteDecision,
  type RoutingAgent,
  type RoutingSettings,
} from './routing.types';

const AGENTS = ['a1', 'a2', 'a3', 'a4', 'a5'];
const STATUSES = ['online', 'hung_up', 'offline'] as const;

type Op =
  | { op: 'arrive'; buyer: number; status: number; vip: boolean }
  | { op: 'end'; pick: number }
  | { op: 'status'; agent: number; status: number }
  | { op: 'cap'; agent: number; up: number }
  | { op: 'transfer'; pick: number; agent: number }
  | { op: 'group'; pick: number }
  | { op: 'pull'; agent: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('arrive' as const),
      buyer: fc.nat(40),
      status: fc.nat(5),
      vip: fc.boolean(),
    }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('end' as const), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('status' as const), agent: fc.nat(4), status: fc.nat(2) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('cap' as const),
      agent: fc.nat(4),
      up: fc.integer({ min: 1, max: 3 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('transfer' as const), pick: fc.nat(), agent: fc.nat(4) }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('group' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('pull' as const), agent: fc.nat(4) }) },
);

const setupArb = fc.record({
  mode: fc.constantFrom('basic' as const, 'group' as const),
  caps: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 5, maxLength: 5 }),
  routing: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
  offline: fc.boolean(),
});

describe('routing engine properties (RT-4, RT-10)', () => {
  it('random arrivals, ends, status flips, cap raises, transfers and pulls never exceed a cap, never assign one conversation twice, and never leave a buyer queued while an eligible agent has room', () => {
    fc.assert(
      fc.property(setupArb, fc.array(opArb, { maxLength: 120 }), (setup, ops) => {
        const agents: RoutingAgent[] = AGENTS.map((id, i) => ({
          id,
          status: 'offline',
          cap: setup.caps[i]!,
          routing: i === 0 || setup.routing[i]!, // at least one routing account: no owner fallback
          owner: false,
        }));
        const settings: RoutingSettings = {
          ...DEFAULT_ROUTING_SETTINGS,
          mode: setup.mode,
          groups: [
            { id: 'after', name: '售后', statuses: ['after-sales', 'completed'], agentIds: ['a2', 'a3'] },
            { id: 'pre', name: '售前', statuses: ['none', 'unpaid'], agentIds: ['a4'] },
          ],
          offlineRouting: setup.offline ? ['a5'] : [],
          returningBuyerHours: 0, // RT-1 goes beyond caps on purpose; tested on its own
        };
        const router = new Router(settings, agents);
        const model = new Map(agents.map((a) => [a.id, { ...a }]));
        const held = new Map<string, string>(); // conversation → agent (the test's own ledger)
        const queued = new Set<string>();
        const open = new Set<string>(); // buyers with an open conversation
        let seq = 0;
        let now = Date.parse('2026-11-23T09:00:00+08:00');

        const apply = (decisions: RouteDecision[], moving?: string) => {
          for (const d of decisions) {
            if (d.queued) {
              queued.add(d.conversationId);
              held.delete(d.conversationId);
              continue;
            }
            assert.ok(d.agentId);
            if (d.conversationId !== moving)
              assert.ok(!held.has(d.conversationId), `${d.conversationId} assigned twice`);
            queued.delete(d.conversationId);
            held.set(d.conversationId, d.agentId);
          }
        };
        const pick = (n: number) => {
          const all = [...held.keys(), ...queued];
          return all.length ? all[n % all.length] : undefined;
        };

        for (const op of ops) {
          now += 1000;
          try {
            switch (op.op) {
              case 'arrive': {
                const b = `b${op.buyer}`;
                if (open.has(b)) break;
                open.add(b);
                const id = `${b}#${++seq}`;
                apply(
                  router.arrive(
                    {
                      conversationId: id,
                      buyerId: b,
                      orderStatus: ROUTE_STATUSES[op.status]!,
                      newCustomer: op.vip,
                      recentAgent: null,
                    },
                    now,
                  ),
                );
                break;
              }
              case 'end': {
                const id = pick(op.pick);
                if (!id) break;
                held.delete(id);
                queued.delete(id);
                open.delete(id.split('#')[0]!);
                apply(router.end(id, now));
                break;
              }
              case 'status': {
                model.get(AGENTS[op.agent]!)!.status = STATUSES[op.status]!;
                apply(router.setStatus(AGENTS[op.agent]!, STATUSES[op.status]!, now));
                break;
              }
              case 'cap': {
                const a = model.get(AGENTS[op.agent]!)!;
                a.cap = Math.min(500, a.cap + op.up);
                apply(router.updateAgent(a.id, { cap: a.cap }, now));
                break;
              }
              case 'transfer': {
                const id = pick(op.pick);
                if (!id) break;
                apply(router.transferToAgent(id, AGENTS[op.agent]!, { beyondCap: false }, now), id);
                break;
              }
              case 'group': {
                const id = pick(op.pick);
                if (!id) break;
                held.delete(id);
                apply(router.transferToGroup(id, 'after', now), id);
                break;
              }
              case 'pull': {
                const d = router.pull(AGENTS[op.agent]!, now);
                if (d) apply([d]);
                break;
              }
            }
          } catch (error) {
            if (!(error instanceof DomainError)) throw error;
          }

          // Loads: the router's agree with the ledger, and none is past its cap.
          const loads = new Map<string, number>();
          for (const agentId of held.values()) loads.set(agentId, (loads.get(agentId) ?? 0) + 1);
          for (const a of model.values()) {
            assert.equal(router.loadOf(a.id), loads.get(a.id) ?? 0, `load of ${a.id}`);
            assert.ok((loads.get(a.id) ?? 0) <= a.cap, `${a.id} past its cap`);
          }
          assert.equal(router.queueLength, queued.size);
          // Nobody waits while an agent who may take them has room.
          const room = (a: RoutingAgent) => (loads.get(a.id) ?? 0) < a.cap;
          const takers = [...model.values()].filter((a) => a.routing && a.status === 'online');
          const everyoneOffline = [...model.values()].every((a) => !a.routing || a.status === 'offline');
          for (const [id, where] of router.positions()) {
            assert.ok(queued.has(id));
            const group = settings.groups.find((g) => g.id === where.queue);
            const groupTakers = group ? takers.filter((a) => group.agentIds.includes(a.id)) : [];
            const eligible =
              groupTakers.length > 0
                ? groupTakers
                : takers.length > 0
                  ? takers
                  : everyoneOffline
                    ? [...model.values()].filter((a) => a.routing && settings.offlineRouting.includes(a.id))
                    : [];
            assert.ok(
              !eligible.some(room),
              `${id} waits in ${where.queue ?? 'general'} while someone eligible has room`,
            );
          }
        }
      }),
      { numRuns: 400 },
    );
  });
});
