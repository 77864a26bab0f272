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
import { erlangC } from './erlang-c';

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

/**
 * A draw of the M/M/s steady state with `slots` servers and A Erlangs (A < slots): with the
 * probability Erlang C all slots are held and the queue is geometric (P(j) = (1 − ρ)ρ^j, ρ = A/s);
 * otherwise k < s are held with P(k) ∝ A^k / k! (weights by their ratio A/k, scaled to the largest:
 * no overflow). With A ≥ slots there is no steady state (the queue grows without end): every slot
 * is held and nobody waits yet.
 */
export function steadyState(
  slots: number,
  traffic: number,
  random: () => number,
): { held: number; waiting: number } {
  if (traffic <= 0 || slots === 0) return { held: 0, waiting: 0 };
  if (traffic >= slots) return { held: slots, waiting: 0 };
  if (random() < erlangC(slots, traffic)) {
    const rho = traffic / slots;
    return { held: slots, waiting: Math.floor(Math.log(1 - random()) / Math.log(rho)) };
  }
  const logs: number[] = [0];
  for (let k = 1; k < slots; k++) logs.push(logs[k - 1]! + Math.log(traffic / k));
  const top = logs.reduce((a, l) => Math.max(a, l), -Infinity);
  const weights = logs.map((l) => Math.exp(l - top));
  let u = random() * weights.reduce((a, w) => a + w, 0);
  for (let k = 0; k < slots; k++) {
    u -= weights[k]!;
    if (u < 0) return { held: k, waiting: 0 };
  }
  return { held: slots - 1, waiting: 0 };
}

/** What one simulated hour gave. */
export interface SimulatedHour {
  /** Buyers that arrived in the measured span. */
  arrivals: number;
  /** Of those, the share taken by an agent within the target. */
  share: number;
  /**
   * How far the share may be off the long run: the half-width of a 95 % interval from the spread
   * of 40 independent runs (Student's t, 39 degrees of freedom) — waits come in spells, so the plain
   * binomial √(p(1−p)/n) would claim more certainty than the buyers give.
   */
  margin: number;
  meanWaitSeconds: number;
}

/** Independent runs per hour (their spread is the margin). */
const RUNS = 40;
/** Buyers simulated per hour of day at most. */
const MAX_BUYERS = 20_000;
/** Conversations (held at the runs' starts and arriving) routed per hour of day, about, at most. */
const MAX_EVENTS = 24_000;
/** Hours holding more conversations at once than this are not simulated (null): too much work. */
export const MAX_SIMULATED_TRAFFIC = 2_000;
/** Student's t, 97.5 % quantile, RUNS − 1 = 39 degrees of freedom. */
const T_975 = 2.023;
/** …and with 9 (fewer runs had buyers: a wider margin than any 10–39 would need). */
const T_975_9 = 2.262;

/** How long the simulator runs per hour: enough buyers for a steady share, bounded work. */
export interface SimulationBudget {
  /** Seed of the random stream. */
  seed: number;
  /** Measure about this many buyers (many hours of the same load when the rate is low)… */
  targetArrivals: number;
  /** …over at most this many hours (and at least a quarter hour). */
  maxHours: number;
}

/**
 * About 4,000 buyers an hour of day, in 40 runs: a margin of ±3–8 points at a 90 % level, for
 * 5–30 ms of work for a small team, up to ~0.3 s for a thousand agents (MAX_EVENTS).
 */
export const DEFAULT_SIMULATION_BUDGET: SimulationBudget = { seed: 18, targetArrivals: 4000, maxHours: 1000 };

const HOUR = 3_600_000;

/**
 * Simulates buyers arriving at `arrivalsPerHour` to `agents` agents of `concurrency` slots each
 * and returns the share taken within `targetSeconds`, and its margin.
 *
 * Forty independent runs, each starting in the steady state of the load (a shop at 14:00 already
 * holds the conversations of 13:xx, and a queue that builds only over hours — a big team near its
 * limit — is there from the start). Independent starts make the spread between the runs an honest
 * margin: one long run cut into batches is not, when a busy spell outlasts a batch.
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
  const meanGap = HOUR / arrivalsPerHour;
  // Every run starts holding about A conversations: a big team's starts cost more than its
  // buyers. Fewer runs then (at least 10), so the work stays near MAX_EVENTS; past
  // MAX_SIMULATED_TRAFFIC the hour is not simulated at all.
  const traffic = (arrivalsPerHour * ahtSeconds) / 3600;
  if (traffic > MAX_SIMULATED_TRAFFIC) return null;
  const runCount = Math.max(
    10,
    Math.min(RUNS, Math.floor((MAX_EVENTS - budget.targetArrivals) / Math.max(1, traffic))),
  );
  // `targetArrivals` buyers in all (a quarter hour of the load at least), at most `maxHours` and
  // MAX_BUYERS: the work stays bounded at any rate. Split into runs, each from its own
  // steady-state start: a start drawn from the steady state makes even a short run unbiased, and
  // many runs make their spread a margin to trust — a few long ones miss the rare bad spell of a
  // team near its limit and claim a margin far too narrow.
  const span =
    Math.min(
      budget.maxHours * HOUR,
      MAX_BUYERS * meanGap,
      Math.max(HOUR / 4, budget.targetArrivals * meanGap),
    ) / runCount;
  const runs = Array.from({ length: runCount }, () =>
    simulateRun({ random, span, meanGap, agents, concurrency, ahtSeconds, targetSeconds }),
  );
  const count = runs.reduce((a, r) => a + r.waits.length, 0);
  const inTime = (w: number) => w <= targetSeconds * 1000;
  const within = runs.reduce((a, r) => a + r.waits.filter(inTime).length, 0);
  const waited = runs.reduce((a, r) => a + r.waits.reduce((b, w) => b + w, 0), 0);
  // The runs' shares (a run without buyers says nothing) and their spread.
  const shares = runs
    .filter((r) => r.waits.length > 0)
    .map((r) => r.waits.filter(inTime).length / r.waits.length);
  // Too few runs with buyers (a very quiet hour) say nothing of the spread: margin 1.
  let margin = 1;
  if (shares.length >= 10) {
    const mean = shares.reduce((a, x) => a + x, 0) / shares.length;
    const variance = shares.reduce((a, x) => a + (x - mean) ** 2, 0) / (shares.length - 1);
    margin = ((shares.length >= RUNS ? T_975 : T_975_9) * Math.sqrt(variance)) / Math.sqrt(shares.length);
  }
  return {
    arrivals: count,
    share: count ? within / count : 1,
    margin,
    meanWaitSeconds: count ? waited / count / 1000 : 0,
  };
}

/** One run from the steady state: the waits (ms) of the buyers arriving in `span`. */
function simulateRun(input: {
  random: () => number;
  span: number;
  meanGap: number;
  agents: number;
  concurrency: number;
  ahtSeconds: number;
  targetSeconds: number;
}): { waits: number[] } {
  const { random, span, meanGap, agents, concurrency, ahtSeconds } = input;
  const ahtMs = ahtSeconds * 1000;
  const handle = () => Math.max(1, Math.round(exponential(random, ahtMs)));
  // With exponential handle times what is left of a conversation held at the start is again
  // exponential: the steady state needs no warming up.
  // The load in Erlangs: handle time over the mean gap between buyers (A = λ · AHT).
  const { held, waiting } = steadyState(agents * concurrency, ahtMs / meanGap, random);
  const events: ScenarioEvent[] = [];
  for (let i = 1; i <= held + waiting; i++)
    events.push({
      at: 0,
      type: 'buyer-arrives',
      buyer: `before${i}`,
      orderStatus: 'none',
      newCustomer: false,
      handleMs: handle(),
    });
  const arrived = new Map<string, number>(); // the run's own buyers → arrival
  let n = 0;
  for (let at = exponential(random, meanGap); at < span; at += exponential(random, meanGap)) {
    const buyer = `b${++n}`;
    const time = Math.round(at);
    events.push({
      at: time,
      type: 'buyer-arrives',
      buyer,
      orderStatus: 'none',
      newCustomer: false,
      handleMs: handle(),
    });
    arrived.set(buyer, time);
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
  return { waits: [...arrived].map(([buyer, at]) => (taken.get(buyer) ?? Infinity) - at) };
}
