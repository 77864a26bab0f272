import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '../kernel';
import { DEFAULT_ROUTING_SETTINGS } from '../routing/routing.types';
import { simulate } from '../routing/simulate';
import { serviceLevel } from './erlang-c';
import { simulateHour } from './simulated-hour';
import { arrivalsByHour, averageHandleSeconds, historyWindow, MAX_HANDLE_SECONDS } from './staffing.history';
import { agentsNeeded, planStaffing } from './staffing.plan';
import { validateHours, type StaffingParams } from './staffing.types';

const MIN = 60_000;
const at = (local: string) => Date.parse(`${local}+08:00`);

describe('staffing planner', () => {
  // The hand-worked case of erlang-c.test.ts: A = 5 Erlangs needs 8 slots for 80 % within 20 s.
  const textbook: StaffingParams = { ahtSeconds: 180, targetSeconds: 20, serviceLevel: 0.8, concurrency: 1 };

  it('agents hold several chats: 8 slots are 8 agents of one chat, or ceil(8/3) = 3 agents of three', () => {
    const one = agentsNeeded(100, textbook);
    assert.equal(one.traffic, 5);
    assert.equal(one.agents, 8);
    assert.equal(one.servers, 8);
    assert.ok(Math.abs(one.serviceLevel - 0.880149) < 5e-6);
    const three = agentsNeeded(100, { ...textbook, concurrency: 3 });
    assert.equal(three.agents, 3);
    // The figures are for the slots 3 agents really have: 9 (hand-worked: 94.8 % within 20 s).
    assert.equal(three.servers, 9);
    assert.ok(Math.abs(three.serviceLevel - 0.948379) < 5e-6);
  });

  it('MET-1 default: 5 minutes, 90 %; a quiet hour needs nobody, a busier one more agents', () => {
    const params: StaffingParams = { ahtSeconds: 600, targetSeconds: 300, serviceLevel: 0.9, concurrency: 3 };
    assert.equal(agentsNeeded(0, params).agents, 0);
    let previous = 0;
    for (const rate of [1, 5, 20, 60, 200, 800]) {
      const need = agentsNeeded(rate, params);
      assert.ok(need.agents >= previous, `${rate}/h needs ${need.agents}, fewer than a quieter hour`);
      assert.ok(need.agents * 3 > need.traffic, 'more slots than the load');
      assert.ok(need.serviceLevel >= 0.9);
      // One agent fewer misses the target (or cannot keep up at all).
      const fewer = (need.agents - 1) * 3;
      assert.ok(
        serviceLevel(fewer, need.traffic, 600, 300) < 0.9,
        `${need.agents - 1} agents would do at ${rate}/h`,
      );
      previous = need.agents;
    }
  });

  it('RT-4 in the simulator: a buyer arriving with a handle time keeps the slot that long after assignment, queue included', () => {
    const result = simulate({
      settings: DEFAULT_ROUTING_SETTINGS,
      agents: [{ id: 'a', status: 'online', cap: 1, routing: true, owner: false }],
      events: [
        {
          at: 0,
          type: 'buyer-arrives',
          buyer: 'x',
          orderStatus: 'none',
          newCustomer: false,
          handleMs: 10 * MIN,
        },
        {
          at: 1 * MIN,
          type: 'buyer-arrives',
          buyer: 'y',
          orderStatus: 'none',
          newCustomer: false,
          handleMs: 10 * MIN,
        },
        {
          at: 2 * MIN,
          type: 'buyer-arrives',
          buyer: 'z',
          orderStatus: 'none',
          newCustomer: false,
          handleMs: 10 * MIN,
        },
        // z leaves the queue at 5 minutes: its handle time never starts.
        { at: 5 * MIN, type: 'buyer-leaves', buyer: 'z' },
      ],
    });
    const given = result.decisions.filter((d) => d.agent).map((d) => [d.buyer, d.at / MIN]);
    assert.deepEqual(given, [
      ['x', 0],
      ['y', 10],
    ]);
    assert.equal(result.summary.assigned, 2);
    assert.equal(result.summary.stillQueued, 0);
    assert.equal(result.summary.maxWaitMinutes, 9);
    assert.equal(result.summary.errors, 0);
  });

  it('the routing simulator agrees with Erlang C on the hand-worked load (7 and 8 agents, 20 s)', () => {
    const budget = { seed: 7, targetArrivals: 20_000, maxHours: 400 };
    for (const [agents, erlang] of [
      [7, 0.740443],
      [8, 0.880149],
    ] as const) {
      const sim = simulateHour({
        arrivalsPerHour: 100,
        agents,
        concurrency: 1,
        ahtSeconds: 180,
        targetSeconds: 20,
        budget,
      });
      assert.ok(sim && sim.arrivals > 15_000, JSON.stringify(sim));
      assert.ok(
        Math.abs(sim.share - erlang) < 0.02,
        `${agents} agents: simulated ${sim.share}, Erlang C ${erlang}`,
      );
    }
  });

  it('the check is deterministic (seeded) and an understaffed hour shows in the simulator too', () => {
    const input = { arrivalsPerHour: 60, agents: 4, concurrency: 3, ahtSeconds: 600, targetSeconds: 300 };
    assert.deepEqual(simulateHour(input), simulateHour(input));
    const fewer = simulateHour({ ...input, agents: 3 })!;
    const planned = simulateHour(input)!;
    assert.ok(fewer.share < planned.share, `${fewer.share} ≥ ${planned.share}`);
    assert.ok(fewer.meanWaitSeconds > planned.meanWaitSeconds);
    // Bounded work: an hour holding more than MAX_SIMULATED_TRAFFIC chats at once is not simulated.
    const huge = {
      arrivalsPerHour: 10_000,
      agents: 40_100,
      concurrency: 1,
      ahtSeconds: 4 * 3600,
      targetSeconds: 300,
    };
    assert.equal(simulateHour(huge), null);
  });

  it('the simulated share comes with an honest margin: the long run lies inside it for most seeds, and a longer run narrows it', () => {
    const input = { arrivalsPerHour: 40, agents: 3, concurrency: 3, ahtSeconds: 600, targetSeconds: 300 };
    const erlang = serviceLevel(9, 40 * (600 / 3600), 600, 300);
    let inside = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const sim = simulateHour({ ...input, budget: { seed, targetArrivals: 4000, maxHours: 1000 } })!;
      assert.ok(sim.margin > 0 && sim.margin < 0.2, String(sim.margin));
      if (Math.abs(sim.share - erlang) <= sim.margin) inside++;
    }
    // A 95 % interval: 19 of 20 expected; fewer than 16 would mean the margin is too narrow.
    assert.ok(inside >= 16, `${inside} of 20`);
    const short = simulateHour({ ...input, budget: { seed: 5, targetArrivals: 1000, maxHours: 1000 } })!;
    const long = simulateHour({ ...input, budget: { seed: 5, targetArrivals: 16000, maxHours: 1000 } })!;
    assert.ok(long.margin < short.margin, `${long.margin} ≥ ${short.margin}`);
  });

  it('plans a day: needed per hour beside the rota, the gap short (< 0) or spare (> 0), and the sums', () => {
    const arrivals = Array.from({ length: 24 }, (_, h) => (h < 8 ? 0 : h < 12 ? 40 : h < 22 ? 90 : 10));
    const rota = Array.from({ length: 24 }, (_, h) => (h < 8 ? 1 : h < 12 ? 3 : h < 22 ? 3 : 1));
    const params: StaffingParams = { ahtSeconds: 600, targetSeconds: 300, serviceLevel: 0.9, concurrency: 3 };
    const plan = planStaffing({ arrivals, rota, params });
    assert.equal(plan.hours.length, 24);
    let agreeing = 0;
    for (const h of plan.hours) {
      const need = agentsNeeded(arrivals[h.hour]!, params);
      assert.equal(h.agentsNeeded, need.agents);
      assert.equal(h.gap, rota[h.hour]! - need.agents);
      if (h.arrivals === 0) {
        assert.equal(h.simulatedShare, null);
        assert.equal(h.rotaServiceLevel, 1);
      } else {
        assert.ok(h.simulatedShare !== null && h.simulatedArrivals > 0);
        // The planned agents hold the target in the simulator too, give or take a finite run:
        // within twice the 95 % margin every hour, within the margin most hours.
        const off = Math.abs(h.simulatedShare - h.serviceLevel);
        const margin = h.simulatedMargin!;
        assert.ok(
          margin > 0 && off <= 2 * margin,
          `hour ${h.hour}: ${h.simulatedShare} ± ${margin}, Erlang C ${h.serviceLevel}`,
        );
        if (off <= margin) agreeing++;
      }
    }
    const busyHours = plan.hours.filter((h) => h.arrivals > 0).length;
    assert.ok(agreeing >= 0.75 * busyHours, `${agreeing} of ${busyHours} hours agree within the margin`);
    const busy = plan.hours[15]!;
    assert.ok(busy.gap < 0, 'three agents cannot take 90 an hour of 10 minutes each at 90 % in 5 minutes');
    assert.ok(busy.rotaServiceLevel < 0.9);
    assert.equal(plan.totals.shortHours, plan.hours.filter((h) => h.gap < 0).length);
    assert.equal(
      plan.totals.agentHoursRota - plan.totals.agentHoursNeeded,
      plan.totals.spareAgentHours - plan.totals.shortAgentHours,
    );
    assert.deepEqual(planStaffing({ arrivals, rota, params }), plan, 'the same input, the same plan');
  });

  it('arrivals per local hour, averaged over the days: the shop time zone decides the hour', () => {
    const times = [
      at('2026-11-20T09:10:00'),
      at('2026-11-20T09:50:00'),
      at('2026-11-21T09:30:00'),
      at('2026-11-21T23:59:00'),
    ];
    const shanghai = arrivalsByHour(times, 'Asia/Shanghai', 2);
    assert.equal(shanghai[9], 1.5);
    assert.equal(shanghai[23], 0.5);
    assert.equal(
      shanghai.reduce((a, b) => a + b, 0),
      2,
    );
    const london = arrivalsByHour(times, 'Europe/London', 2); // UTC+0 in November: 8 hours earlier
    assert.equal(london[1], 1.5);
    assert.equal(london[15], 0.5);
  });

  it('the window: the last whole days before today, or fewer for a younger shop', () => {
    const now = at('2026-11-24T10:00:00');
    const old = historyWindow({
      now,
      timeZone: 'Asia/Shanghai',
      days: 14,
      shopCreatedAt: at('2026-01-01T00:00:00'),
    });
    assert.deepEqual([old.from, old.to, old.days], ['2026-11-10', '2026-11-23', 14]);
    assert.equal(old.start, at('2026-11-10T00:00:00'));
    assert.equal(old.end, at('2026-11-24T00:00:00'));
    const young = historyWindow({
      now,
      timeZone: 'Asia/Shanghai',
      days: 14,
      shopCreatedAt: at('2026-11-21T15:00:00'),
    });
    assert.deepEqual([young.from, young.to, young.days], ['2026-11-21', '2026-11-23', 3]);
    const today = historyWindow({
      now,
      timeZone: 'Asia/Shanghai',
      days: 14,
      shopCreatedAt: at('2026-11-24T08:00:00'),
    });
    assert.equal(today.days, 1);
  });

  it('average handle time: assignment to end, a chat left open overnight counts two hours at most', () => {
    const t0 = at('2026-11-20T10:00:00');
    assert.deepEqual(averageHandleSeconds([]), { seconds: null, samples: 0 });
    const avg = averageHandleSeconds([
      { assignedAt: t0, endedAt: t0 + 4 * MIN },
      { assignedAt: t0, endedAt: t0 + 8 * MIN },
      { assignedAt: t0, endedAt: t0 + 20 * 60 * MIN },
    ]);
    assert.equal(avg.samples, 3);
    assert.equal(avg.seconds, (240 + 480 + MAX_HANDLE_SECONDS) / 3);
  });

  it('a rota or forecast is 24 numbers in range; a bad one names the hour', () => {
    assert.deepEqual(validateHours(new Array(24).fill(2), 'hours', 500), new Array(24).fill(2));
    const fails = (v: unknown, field: string) =>
      assert.throws(
        () => validateHours(v, 'hours', 500),
        (e: unknown) => e instanceof DomainError && e.field === field,
      );
    fails(new Array(23).fill(0), 'hours');
    fails([...new Array(23).fill(0), 501], 'hours.23');
    fails([1.5, ...new Array(23).fill(0)], 'hours.0');
    fails([-1, ...new Array(23).fill(0)], 'hours.0');
    assert.deepEqual(
      validateHours([1.5, ...new Array(23).fill(0)], 'arrivals', 10_000, { integers: false })[0],
      1.5,
    );
  });
});
