/**
 * The planner's check by the routing simulator: a seeded Poisson stream of buyers at an hour's
 * rate, each holding an agent's slot for an exponential handle time, routed by the real engine
 * (`simulate`, RT-2/RT-4: least loaded, queue drained the moment a slot frees), and the share
 * taken within the target counted from its decisions. Erlang C assumes exactly this load, so the
 * two should agree up to the randomness of a finite run; where they part, the routing rules are
 * what the shop will live with.
 */
import { DEFAULT_ROUTING_SETTINGS } from '../routing/routing.types';
import { simulate, type ScenarioEvent } from '../routing/simulate';

/** A small seeded random source (mulberry32): the same seed gives the same run. */
export function seededRandom(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An exponential draw with the given mean (1 − u is in (0, 1]: never log 0). */
function exponential(random: () => number, mean: number): number {
  return -Math.log(1 - random()) * mean;
}

/** What one simulated hour gave. */
export interface SimulatedHour {
  /** Buyers that arrived in the measured span. */
  arrivals: number;
  /** Of those, the share taken by an agent within the target. */
  share: number;
  /**
   * How far the share may be off the long run: the half-width of a 95 % interval by batch means
   * (the buyers in 10 consecutive batches, Student's t with 9 degrees of freedom) — waits come in
   * runs, so the plain binomial √(p(1−p)/n) would claim more certainty than a run gives.
   */
  margin: number;
  meanWaitSeconds: number;
}

const BATCHES = 10;
/** Student's t, 97.5 % quantile, 9 degrees of freedom. */
const T_975_9 = 2.262;

/** How long the simulator runs per hour: enough buyers for a steady share, bounded work. */
export interface SimulationBudget {
  /** Seed of the random stream. */
  seed: number;
  /** Measure about this many buyers (more hours of the same rate when the rate is low)… */
  targetArrivals: number;
  /** …over at most this many hours (at least 1). */
  maxHours: number;
}

/**
 * A share measured on n buyers wanders by more than √(p(1−p)/n): waits come in runs (a busy spell
 * delays everyone in it). Over 4,000 buyers it stays within about ±0.035 of the long run at a 90 %
 * level, for about 40 ms of work per hour of day (5–10 µs a buyer).
 */
export const DEFAULT_SIMULATION_BUDGET: SimulationBudget = { seed: 18, targetArrivals: 4000, maxHours: 1000 };

const HOUR = 3_600_000;

/**
 * Simulates buyers arriving at `arrivalsPerHour` to `agents` agents of `concurrency` slots each
 * and returns the share taken within `targetSeconds`. The queue starts empty, so buyers of a
 * warm-up (5 handle times, 10–60 minutes) are routed but not counted: a shop at 14:00 already
 * holds the conversations of 13:xx.
 */
export function simulateHour(input: {
  arrivalsPerHour: number;
  agents: number;
  concurrency: number;
  ahtSeconds: number;
  targetSeconds: number;
  budget?: SimulationBudget;
}): SimulatedHour | null {
  const { arrivalsPerHour, agents, concurrency, ahtSeconds, targetSeconds } = input;
  const budget = input.budget ?? DEFAULT_SIMULATION_BUDGET;
  if (!(arrivalsPerHour > 0)) return null;
  const random = seededRandom(budget.seed);
  const hours = Math.min(budget.maxHours, Math.max(1, Math.ceil(budget.targetArrivals / arrivalsPerHour)));
  const warmUp = Math.min(HOUR, Math.max(10 * 60_000, 5 * ahtSeconds * 1000));
  const end = warmUp + hours * HOUR;
  const meanGap = HOUR / arrivalsPerHour;
  const ahtMs = ahtSeconds * 1000;

  const events: ScenarioEvent[] = [];
  const measured = new Map<string, number>(); // buyer → arrival, for arrivals after the warm-up
  let n = 0;
  for (let at = exponential(random, meanGap); at < end; at += exponential(random, meanGap)) {
    const buyer = `b${++n}`;
    const time = Math.round(at);
    events.push({
      at: time,
      type: 'buyer-arrives',
      buyer,
      orderStatus: 'none',
      newCustomer: false,
      handleMs: Math.max(1, Math.round(exponential(random, ahtMs))),
    });
    if (time >= warmUp) measured.set(buyer, time);
  }
  const result = simulate({
    settings: { ...DEFAULT_ROUTING_SETTINGS, returningBuyerHours: 0, newCustomerPriority: false },
    agents: Array.from({ length: agents }, (_, i) => ({
      id: `agent-${i + 1}`,
      status: 'online' as const,
      cap: concurrency,
      routing: true,
      owner: false,
    })),
    events,
  });

  // A buyer's wait: arrival to the first decision that gives them an agent. Every conversation
  // ends after its handle time, so the queue always drains and every buyer gets one.
  const taken = new Map<string, number>();
  for (const d of result.decisions) if (d.agent !== null && !taken.has(d.buyer)) taken.set(d.buyer, d.at);
  const waits = [...measured].map(([buyer, arrived]) => (taken.get(buyer) ?? Infinity) - arrived);
  const inTime = (w: number) => w <= targetSeconds * 1000;
  const count = waits.length;
  const within = waits.filter(inTime).length;
  const batch = Math.floor(count / BATCHES);
  let margin = 1;
  if (batch > 0) {
    const shares = Array.from(
      { length: BATCHES },
      (_, b) => waits.slice(b * batch, (b + 1) * batch).filter(inTime).length / batch,
    );
    const mean = shares.reduce((a, x) => a + x, 0) / BATCHES;
    const variance = shares.reduce((a, x) => a + (x - mean) ** 2, 0) / (BATCHES - 1);
    margin = (T_975_9 * Math.sqrt(variance)) / Math.sqrt(BATCHES);
  }
  return {
    arrivals: count,
    share: count ? within / count : 1,
    margin,
    meanWaitSeconds: count ? waits.reduce((a, w) => a + w, 0) / count / 1000 : 0,
  };
}
