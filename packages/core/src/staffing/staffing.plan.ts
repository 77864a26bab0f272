/**
 * The staffing planner (issue #18): for each hour of the day, from the conversations that need an
 * agent and how long each holds one, the fewest agents that take the target share of buyers
 * within the target time (MET-1's 5 minutes by default) — by Erlang C, checked by the routing
 * simulator on the same load — beside the shop's rota and the gap.
 *
 * Chat is not a phone line: an agent holds several conversations at once (RT-4, the cap). Each
 * agent is modelled as `concurrency` independent slots, so the queue is M/M/s with
 * s = agents · concurrency and agents = ceil(s / concurrency). The handle time is measured on
 * the shop's own conversations, held while the agent juggled others, so the slowing down that
 * comes with juggling is already in it.
 */
import {
  averageSpeedOfAnswer,
  erlangC,
  serversNeeded,
  serviceLevel as erlangServiceLevel,
  type ServersNeeded,
} from './erlang-c';
import { DEFAULT_SIMULATION_BUDGET, simulateHour, type SimulationBudget } from './simulated-hour';
import {
  HOURS_PER_DAY,
  validateStaffingParams,
  type StaffingHour,
  type StaffingParams,
  type StaffingPlan,
} from './staffing.types';

/** Offered load in Erlangs: conversations held at once on average (λ per hour · AHT). */
export function trafficOf(arrivalsPerHour: number, ahtSeconds: number): number {
  return (arrivalsPerHour * ahtSeconds) / 3600;
}

/** What `agentsNeeded` found for one hour. */
export interface AgentsNeeded extends ServersNeeded {
  /** The fewest agents: ceil(servers / concurrency). */
  agents: number;
  traffic: number;
}

/**
 * The fewest agents that take `serviceLevel` of the buyers within `targetSeconds` when
 * `arrivalsPerHour` conversations arrive, each holding a slot for `ahtSeconds`, every agent
 * holding `concurrency` at once. The figures returned are for those agents' slots
 * (agents · concurrency ≥ the slots strictly needed).
 */
export function agentsNeeded(arrivalsPerHour: number, params: StaffingParams): AgentsNeeded {
  const { ahtSeconds, targetSeconds, serviceLevel, concurrency } = params;
  const traffic = trafficOf(arrivalsPerHour, ahtSeconds);
  const { servers } = serversNeeded(traffic, ahtSeconds, targetSeconds, serviceLevel);
  const agents = Math.ceil(servers / concurrency);
  const slots = agents * concurrency;
  return {
    agents,
    traffic,
    servers: slots,
    waitProbability: erlangC(slots, traffic),
    serviceLevel: erlangServiceLevel(slots, traffic, ahtSeconds, targetSeconds),
    asaSeconds: averageSpeedOfAnswer(slots, traffic, ahtSeconds),
  };
}

/**
 * Runs one planned hour through the routing simulator with the agents Erlang C asks for and fills
 * in what it saw (a seed per hour: the same hour gives the same figures). About 5–20 ms of work
 * for a small team, up to ~0.2 s for hundreds of agents: a server runs the hours one by one,
 * letting other work in between.
 */
export function checkHourBySimulation(
  params: StaffingParams,
  planned: StaffingHour,
  budget: SimulationBudget = DEFAULT_SIMULATION_BUDGET,
): StaffingHour {
  if (planned.arrivals === 0) return planned;
  const sim = simulateHour({
    arrivalsPerHour: planned.arrivals,
    agents: planned.agentsNeeded,
    concurrency: params.concurrency,
    ahtSeconds: params.ahtSeconds,
    targetSeconds: params.targetSeconds,
    budget: { ...budget, seed: budget.seed * 31 + planned.hour },
  });
  if (!sim || sim.arrivals === 0) return planned;
  return {
    ...planned,
    simulatedShare: sim.share,
    simulatedMargin: sim.margin,
    simulatedArrivals: sim.arrivals,
    simulatedMeanWaitSeconds: sim.meanWaitSeconds,
  };
}

/**
 * Plans a day: 24 hours of arrivals (per hour, local time) against a rota of 24 agent counts.
 * Each hour is also run through the routing simulator with the agents Erlang C asks for (a seed
 * per hour, so the same input gives the same plan), unless `simulate` is false (then
 * `checkHourBySimulation` per hour does it).
 */
export function planStaffing(input: {
  arrivals: readonly number[];
  rota: readonly number[];
  params: StaffingParams;
  budget?: SimulationBudget;
  /** false: leave the simulator's figures null (the caller runs `checkHourBySimulation` per hour). */
  simulate?: boolean;
}): StaffingPlan {
  const params = validateStaffingParams(input.params);
  if (input.arrivals.length !== HOURS_PER_DAY || input.rota.length !== HOURS_PER_DAY)
    throw new RangeError(`arrivals and rota need ${HOURS_PER_DAY} hours`);
  const hours = input.arrivals.map((arrivals, hour) => {
    const need = agentsNeeded(arrivals, params);
    const rota = input.rota[hour]!;
    const planned: StaffingHour = {
      hour,
      arrivals,
      traffic: need.traffic,
      agentsNeeded: need.agents,
      serviceLevel: need.serviceLevel,
      asaSeconds: need.asaSeconds,
      simulatedShare: null,
      simulatedMargin: null,
      simulatedArrivals: 0,
      simulatedMeanWaitSeconds: null,
      rota,
      gap: rota - need.agents,
      rotaServiceLevel: erlangServiceLevel(
        rota * params.concurrency,
        need.traffic,
        params.ahtSeconds,
        params.targetSeconds,
      ),
    };
    return input.simulate === false ? planned : checkHourBySimulation(params, planned, input.budget);
  });
  const sum = (f: (h: StaffingHour) => number) => hours.reduce((acc, h) => acc + f(h), 0);
  return {
    params,
    hours,
    totals: {
      arrivals: sum((h) => h.arrivals),
      agentHoursNeeded: sum((h) => h.agentsNeeded),
      agentHoursRota: sum((h) => h.rota),
      shortAgentHours: sum((h) => Math.max(0, -h.gap)),
      spareAgentHours: sum((h) => Math.max(0, h.gap)),
      shortHours: hours.filter((h) => h.gap < 0).length,
    },
  };
}
