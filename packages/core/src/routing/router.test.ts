import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Router, type Arrival } from './router';
import {
  DEFAULT_ROUTING_SETTINGS,
  validateRoutingSettings,
  type RoutingAgent,
  type RoutingSettings,
} from './routing.types';
import { estimateWaitMinutes } from './wait-estimate';
import { DomainError } from '../kernel';

const T0 = Date.parse('2026-11-23T09:00:00+08:00');
const MIN = 60_000;
const HOUR = 60 * MIN;

const agent = (id: string, over: Partial<RoutingAgent> = {}): RoutingAgent => ({
  id,
  status: 'online',
  cap: 5,
  routing: true,
  owner: false,
  ...over,
});
const settings = (over: Partial<RoutingSettings> = {}): RoutingSettings => ({
  ...DEFAULT_ROUTING_SETTINGS,
  ...over,
});
let n = 0;
const buyer = (id: string, over: Partial<Arrival> = {}): Arrival => ({
  conversationId: `${id}#${++n}`,
  buyerId: id,
  orderStatus: 'none',
  newCustomer: false,
  ...over,
});

describe('routing engine', () => {
  it('RT-2 spreads new buyers over the least-loaded online agents, ties by turns', () => {
    const r = new Router(settings(), [agent('a1'), agent('a2'), agent('a3')]);
    const got = ['b1', 'b2', 'b3', 'b4', 'b5', 'b6'].map((b) => r.arrive(buyer(b), T0)[0]!);
    assert.deepEqual(
      got.map((d) => d.agentId),
      ['a1', 'a2', 'a3', 'a1', 'a2', 'a3'],
    );
    assert.ok(got.every((d) => d.reason === 'least-loaded'));
    // a2 frees a slot: the next buyer goes to the least loaded (a2), not to the next in turn.
    r.end(got[1]!.conversationId, T0 + MIN);
    assert.equal(r.arrive(buyer('b7'), T0 + 2 * MIN)[0]!.agentId, 'a2');
  });

  it('RT-1 sends a returning buyer to the last agent within 72 h, even at the cap or hung up; not after', () => {
    const r = new Router(settings(), [agent('a1', { cap: 1 }), agent('a2', { cap: 1 })]);
    r.arrive(buyer('x'), T0); // a1 full
    const recent = { agentId: 'a1', at: T0 - 72 * HOUR };
    const d1 = r.arrive(buyer('b1', { recentAgent: recent }), T0)[0]!;
    assert.deepEqual([d1.agentId, d1.reason], ['a1', 'returning-buyer']);
    assert.equal(r.loadOf('a1'), 2, 'beyond the cap: RT-1 / RT-7 returning-customer priority');
    // one millisecond past 72 h: routed as new
    const d2 = r.arrive(buyer('b2', { recentAgent: { agentId: 'a1', at: T0 - 72 * HOUR - 1 } }), T0)[0]!;
    assert.deepEqual([d2.agentId, d2.reason], ['a2', 'least-loaded']);
    // hung up still takes its returning buyer; offline does not
    r.setStatus('a1', 'hung_up', T0);
    assert.equal(r.arrive(buyer('b3', { recentAgent: recent }), T0)[0]!.agentId, 'a1');
    r.setStatus('a1', 'offline', T0);
    const d4 = r.arrive(buyer('b4', { recentAgent: { agentId: 'a1', at: T0 } }), T0)[0]!;
    assert.equal(d4.agentId, null, 'a2 is full, a1 offline: the buyer waits');
    assert.equal(d4.queued, true);
  });

  it('RT-1 remembers who ended with whom (the simulator memory)', () => {
    const r = new Router(settings(), [agent('a1'), agent('a2')]);
    const first = r.arrive(buyer('b1'), T0)[0]!;
    r.arrive(buyer('b2'), T0);
    r.end(first.conversationId, T0 + MIN);
    r.arrive(buyer('b3'), T0 + MIN); // a1 (least loaded)
    r.arrive(buyer('b4'), T0 + MIN); // a2
    const again = r.arrive(buyer('b1'), T0 + 71 * HOUR)[0]!;
    assert.deepEqual([again.agentId, again.reason], [first.agentId, 'returning-buyer']);
  });

  it('RT-1 the simulator memory keeps the latest talk of a buyer with two conversations open', () => {
    const r = new Router(settings(), [agent('a1'), agent('a2'), agent('a3')]);
    const one = r.arrive(buyer('b1', { recentAgent: null }), T0)[0]!;
    const two = r.arrive(buyer('b1', { recentAgent: null }), T0 + MIN)[0]!;
    assert.deepEqual([one.agentId, two.agentId], ['a1', 'a2']);
    // The first conversation moves to a3 after the second went to a2: a3 is whom b1 talked to last.
    r.transferToAgent(one.conversationId, 'a3', { beyondCap: false }, T0 + 2 * MIN);
    const again = r.arrive(buyer('b1'), T0 + 3 * MIN)[0]!;
    assert.deepEqual([again.agentId, again.reason], ['a3', 'returning-buyer']);
  });

  it('RT-3 group mode: recent agent, then the status group, then anyone online; full group queues in its own queue', () => {
    const s = settings({
      mode: 'group',
      groups: [
        { id: 'after', name: '售后', statuses: ['after-sales', 'completed'], agentIds: ['a3'] },
        { id: 'pre', name: '售前', statuses: ['none'], agentIds: ['a4'] },
      ],
    });
    const r = new Router(s, [
      agent('a1'),
      agent('a2'),
      agent('a3', { cap: 1 }),
      agent('a4', { status: 'offline' }),
    ]);
    const d1 = r.arrive(buyer('b1', { orderStatus: 'after-sales' }), T0)[0]!;
    assert.deepEqual([d1.agentId, d1.reason], ['a3', 'status-group']);
    const d2 = r.arrive(buyer('b2', { orderStatus: 'completed' }), T0)[0]!;
    assert.deepEqual(
      [d2.agentId, d2.queued, d2.queue],
      [null, true, 'after'],
      'group online but full: its queue',
    );
    const d3 = r.arrive(buyer('b3', { orderStatus: 'none' }), T0)[0]!;
    assert.deepEqual(
      [d3.agentId, d3.reason],
      ['a1', 'least-loaded'],
      'group has nobody online: anyone online',
    );
    const d4 = r.arrive(buyer('b4', { orderStatus: 'shipped' }), T0)[0]!;
    assert.equal(d4.reason, 'least-loaded', 'no group for the status');
    // a3 frees its slot: the after-sales queue drains into it at once
    const drained = r.end(d1.conversationId, T0 + MIN);
    assert.deepEqual(
      drained.map((d) => [d.buyerId, d.agentId, d.reason]),
      [['b2', 'a3', 'queue']],
    );
    // the same settings in basic mode ignore the groups
    const basic = new Router({ ...s, mode: 'basic' }, [agent('a1', { cap: 1 }), agent('a3', { cap: 1 })]);
    assert.equal(basic.arrive(buyer('c1', { orderStatus: 'after-sales' }), T0)[0]!.reason, 'least-loaded');
  });

  it('RT-4 caps exactly full queue the next buyer; first come first served as slots free', () => {
    const r = new Router(settings(), [agent('a1', { cap: 2 })]);
    const held = [r.arrive(buyer('b1'), T0)[0]!, r.arrive(buyer('b2'), T0)[0]!];
    assert.deepEqual(
      held.map((d) => d.agentId),
      ['a1', 'a1'],
    );
    const q = ['b3', 'b4', 'b5'].map((b, i) => r.arrive(buyer(b), T0 + i)[0]!);
    assert.deepEqual(
      q.map((d) => [d.queued, d.position]),
      [
        [true, 1],
        [true, 2],
        [true, 3],
      ],
    );
    assert.deepEqual(
      r.end(held[0]!.conversationId, T0 + MIN).map((d) => d.buyerId),
      ['b3'],
    );
    assert.deepEqual(
      [...r.positions().values()].map((p) => p.position),
      [1, 2],
    );
    // a raised cap drains at once
    assert.deepEqual(
      r.updateAgent('a1', { cap: 4 }, T0 + 2 * MIN).map((d) => d.buyerId),
      ['b4', 'b5'],
    );
    assert.equal(r.loadOf('a1'), 4);
  });

  it('RT-5 with every agent offline: offline list spread evenly; without the list, the queue until someone comes online', () => {
    const agents = [
      agent('a1', { status: 'offline' }),
      agent('a2', { status: 'offline' }),
      agent('a3', { status: 'offline' }),
    ];
    const withList = new Router(settings({ offlineRouting: ['a2', 'a3'] }), agents);
    const got = ['b1', 'b2', 'b3'].map((b) => withList.arrive(buyer(b), T0)[0]!);
    assert.deepEqual(
      got.map((d) => [d.agentId, d.reason]),
      [
        ['a2', 'offline-list'],
        ['a3', 'offline-list'],
        ['a2', 'offline-list'],
      ],
    );

    const without = new Router(settings(), agents);
    const w = ['b1', 'b2'].map((b) => without.arrive(buyer(b), T0)[0]!);
    assert.ok(w.every((d) => d.queued));
    const online = without.setStatus('a1', 'online', T0 + HOUR);
    assert.deepEqual(
      online.map((d) => [d.buyerId, d.agentId, d.reason]),
      [
        ['b1', 'a1', 'queue'],
        ['b2', 'a1', 'queue'],
      ],
    );
    // someone hung up is not "everyone offline": the list waits
    const hung = new Router(settings({ offlineRouting: ['a2'] }), [
      agent('a1', { status: 'hung_up' }),
      agent('a2', { status: 'offline' }),
    ]);
    assert.equal(hung.arrive(buyer('b1'), T0)[0]!.queued, true);
  });

  it('RT-6 a non-routing account is never auto-assigned; it pulls from the queue and admins assign to it', () => {
    const r = new Router(settings(), [agent('a1', { cap: 1 }), agent('n1', { routing: false })]);
    r.arrive(buyer('b1'), T0);
    const q = r.arrive(buyer('b2'), T0)[0]!;
    assert.equal(q.queued, true, 'n1 online with room, but non-routing');
    const pulled = r.pull('n1', T0 + MIN)!;
    assert.deepEqual([pulled.buyerId, pulled.agentId, pulled.reason], ['b2', 'n1', 'pulled']);
    const q3 = r.arrive(buyer('b3'), T0 + MIN)[0]!;
    const manual = r.transferToAgent(
      q3.conversationId,
      'n1',
      { beyondCap: true, reason: 'manual' },
      T0 + 2 * MIN,
    );
    assert.deepEqual([manual[0]!.agentId, manual[0]!.reason], ['n1', 'manual']);
  });

  it('RT-7 a new customer goes to the front of the queue (behind earlier priority buyers)', () => {
    const r = new Router(settings(), [agent('a1', { cap: 1 })]);
    const first = r.arrive(buyer('b0'), T0)[0]!;
    r.arrive(buyer('b1'), T0 + 1);
    r.arrive(buyer('b2'), T0 + 2);
    const p1 = r.arrive(buyer('p1', { newCustomer: true }), T0 + 3)[0]!;
    const p2 = r.arrive(buyer('p2', { newCustomer: true }), T0 + 4)[0]!;
    assert.deepEqual([p1.position, p2.position], [1, 2]);
    assert.deepEqual(
      r.end(first.conversationId, T0 + MIN).map((d) => d.buyerId),
      ['p1'],
    );
    const off = new Router(settings({ newCustomerPriority: false }), [agent('a1', { cap: 1 })]);
    off.arrive(buyer('b0'), T0);
    off.arrive(buyer('b1'), T0 + 1);
    assert.equal(off.arrive(buyer('p1', { newCustomer: true }), T0 + 2)[0]!.position, 2);
  });

  it('CRM-6 a buyer of the priority tier or higher goes to the front of the queue; lower tiers wait their turn', () => {
    const r = new Router(settings({ priorityTierRank: 2 }), [agent('a1', { cap: 1 })]);
    const first = r.arrive(buyer('b0'), T0)[0]!;
    r.arrive(buyer('b1', { tierRank: 1 }), T0 + 1);
    const gold = r.arrive(buyer('gold', { tierRank: 2 }), T0 + 2)[0]!;
    const diamond = r.arrive(buyer('diamond', { tierRank: 3 }), T0 + 3)[0]!;
    assert.deepEqual([gold.position, diamond.position], [1, 2]);
    assert.deepEqual(
      r.end(first.conversationId, T0 + MIN).map((d) => d.buyerId),
      ['gold'],
    );
    const off = new Router(settings(), [agent('a1', { cap: 1 })]);
    off.arrive(buyer('b0'), T0);
    off.arrive(buyer('b1'), T0 + 1);
    assert.equal(off.arrive(buyer('gold', { tierRank: 3 }), T0 + 2)[0]!.position, 2, 'off by default');
  });

  it('RT-8 hung up keeps chats and takes none; the owner takes all (beyond the cap) when the shop has no routing accounts, while online', () => {
    const r = new Router(settings(), [agent('a1'), agent('a2', { status: 'hung_up' })]);
    assert.deepEqual(
      ['b1', 'b2'].map((b) => r.arrive(buyer(b), T0)[0]!.agentId),
      ['a1', 'a1'],
    );
    const alone = new Router(settings(), [
      agent('boss', { owner: true, routing: false, status: 'online', cap: 1 }),
    ]);
    const got = ['b1', 'b2'].map((b) => alone.arrive(buyer(b), T0)[0]!);
    assert.deepEqual(
      got.map((d) => [d.agentId, d.reason]),
      [
        ['boss', 'owner'],
        ['boss', 'owner'],
      ],
    );
    // Away, the owner is given nobody: the buyer waits and is told so (BOT-5), and is theirs on return.
    const away = new Router(settings(), [agent('boss', { owner: true, routing: false, status: 'offline' })]);
    const waiting = away.arrive(buyer('b3'), T0)[0]!;
    assert.deepEqual([waiting.agentId, waiting.queued], [null, true]);
    const back = away.setStatus('boss', 'online', T0 + MIN);
    assert.deepEqual(
      back.map((d) => [d.buyerId, d.agentId, d.reason]),
      [['b3', 'boss', 'queue']],
    );
  });

  it('RT-9 ending frees the slot at once with linger 0; with 20 minutes, not before they pass', () => {
    const now0 = new Router(settings(), [agent('a1', { cap: 1 })]);
    const c = now0.arrive(buyer('b1'), T0)[0]!;
    now0.arrive(buyer('b2'), T0);
    assert.deepEqual(
      now0.end(c.conversationId, T0 + MIN).map((d) => d.buyerId),
      ['b2'],
    );

    const linger = new Router(settings({ lingerMinutes: 20 }), [agent('a1', { cap: 1 })]);
    const l = linger.arrive(buyer('b1'), T0)[0]!;
    linger.arrive(buyer('b2'), T0);
    assert.deepEqual(linger.end(l.conversationId, T0 + MIN), []);
    assert.equal(linger.nextRelease(), T0 + 21 * MIN);
    assert.deepEqual(linger.tick(T0 + 21 * MIN - 1), []);
    assert.deepEqual(
      linger.tick(T0 + 21 * MIN).map((d) => d.buyerId),
      ['b2'],
    );
  });

  it('RT-10 transfer: to an agent within the cap (admins beyond), never to someone offline; to a group', () => {
    const s = settings({ groups: [{ id: 'g', name: 'G', statuses: [], agentIds: ['a2', 'a3'] }] });
    const r = new Router(s, [
      agent('a1'),
      agent('a2', { cap: 1 }),
      agent('a3', { cap: 1, status: 'offline' }),
    ]);
    const c = r.arrive(buyer('b1'), T0)[0]!; // a1
    r.arrive(buyer('b2'), T0); // a2
    const err = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return e instanceof DomainError ? [e.code, e.field] : e;
      }
      return undefined;
    };
    assert.deepEqual(
      err(() => r.transferToAgent(c.conversationId, 'a2', { beyondCap: false }, T0)),
      ['agent_unavailable', 'toAgentId'],
    );
    assert.deepEqual(
      err(() => r.transferToAgent(c.conversationId, 'a3', { beyondCap: true }, T0)),
      ['agent_unavailable', 'toAgentId'],
    );
    assert.deepEqual(
      err(() => r.transferToAgent(c.conversationId, 'zz', { beyondCap: true }, T0)),
      ['validation_failed', 'toAgentId'],
    );
    const t = r.transferToAgent(c.conversationId, 'a2', { beyondCap: true }, T0);
    assert.deepEqual([t[0]!.agentId, t[0]!.reason, r.loadOf('a2'), r.loadOf('a1')], ['a2', 'transfer', 2, 0]);
    // to the group: a2 is over its cap and a3 offline, so it waits in the group's queue…
    const g = r.transferToGroup(t[0]!.conversationId, 'g', T0 + 1);
    assert.deepEqual([g[0]!.queued, g[0]!.queue], [true, 'g']);
    // …and a3 coming online takes it at once
    assert.deepEqual(
      r.setStatus('a3', 'online', T0 + 2).map((d) => [d.buyerId, d.agentId]),
      [['b1', 'a3']],
    );
  });

  it('rejects bad settings whole, naming the field', () => {
    const ids = new Set(['a1']);
    const bad: [Partial<RoutingSettings>, string][] = [
      [{ lingerMinutes: 61 }, 'lingerMinutes'],
      [{ offlineRouting: ['ghost'] }, 'offlineRouting'],
      [{ groups: [{ id: 'g', name: 'G', statuses: ['paid'], agentIds: ['ghost'] }] }, 'groups[0].agentIds'],
      [
        {
          groups: [
            { id: 'g', name: 'G', statuses: ['paid'], agentIds: [] },
            { id: 'h', name: 'H', statuses: ['paid'], agentIds: [] },
          ],
        },
        'groups[1].statuses',
      ],
    ];
    for (const [over, field] of bad)
      assert.throws(
        () => validateRoutingSettings(settings(over), ids),
        (e: DomainError) => e.field === field,
      );
  });

  it('estimates the wait from the pace of the last hour kept by the agents online now, or not at all', () => {
    const pace = (endsLastHour: number, agentsLastHour: number, agentsOnline: number) => ({
      endsLastHour,
      agentsLastHour,
      agentsOnline,
    });
    assert.equal(estimateWaitMinutes(3, pace(30, 1, 1)), 6);
    assert.equal(estimateWaitMinutes(1, pace(600, 5, 5)), 1);
    // Half the agents of the last hour are online: half the pace.
    assert.equal(estimateWaitMinutes(3, pace(30, 2, 1)), 12);
    assert.equal(estimateWaitMinutes(3, pace(0, 0, 3)), null, 'nothing ended: no pace');
    assert.equal(estimateWaitMinutes(3, pace(30, 1, 0)), null, 'nobody online: no estimate');
    assert.equal(estimateWaitMinutes(40, pace(30, 1, 1)), null, '80 minutes: too far to promise');
  });
});
