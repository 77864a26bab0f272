import { invalid } from '../kernel';

/** Hours in a rota and in a forecast: 0 … 23, local time of the shop. */
export const HOURS_PER_DAY = 24;
/** RT-4: an agent holds at most this many conversations at once; a rota hour has at most this many agents. */
export const MAX_ROTA_AGENTS = 500;

/** What the planner aims for and assumes, per hour. */
export interface StaffingParams {
  /** Average handle time: how long a conversation holds an agent's slot, assignment to end (seconds). */
  ahtSeconds: number;
  /** A buyer should be taken within this many seconds (MET-1: the shop's reply minutes, default 5). */
  targetSeconds: number;
  /** The share of buyers to take within the target, 0 < level < 1 (e.g. 0.9). */
  serviceLevel: number;
  /** Conversations one agent holds at once (RT-4: the agents' cap). */
  concurrency: number;
}

/** One hour of the plan: the load, what Erlang C says it needs, what the simulator saw, the rota. */
export interface StaffingHour {
  /** Local hour of day, 0–23. */
  hour: number;
  /** Conversations that need an agent arriving in this hour (an average: may be fractional). */
  arrivals: number;
  /** Offered load in Erlangs, A = arrivals · AHT / 3600: conversations held at once on average. */
  traffic: number;
  /** The fewest agents meeting the target (each `concurrency` slots); 0 with no arrivals. */
  agentsNeeded: number;
  /** Erlang C: the share taken within the target with `agentsNeeded` agents. */
  serviceLevel: number;
  /** Erlang C: the average wait for a slot with `agentsNeeded` agents, seconds. */
  asaSeconds: number;
  /**
   * The routing simulator's share taken within the target, on a seeded Poisson load of this hour
   * staffed with `agentsNeeded` agents; null with no arrivals.
   */
  simulatedShare: number | null;
  /** How far that share may be off the long run (95 %, by batch means); null with no arrivals. */
  simulatedMargin: number | null;
  /** How many simulated buyers that share counts (the runs' own, not those held at their start). */
  simulatedArrivals: number;
  /** The simulator's mean wait for a slot, seconds; null with no arrivals. */
  simulatedMeanWaitSeconds: number | null;
  /** Agents on the rota this hour. */
  rota: number;
  /** rota − agentsNeeded: below 0 short (短缺), above 0 spare (富余). */
  gap: number;
  /** Erlang C: the share taken within the target with the rota's agents (0 when they cannot keep up). */
  rotaServiceLevel: number;
}

/** The day's plan and its sums. */
export interface StaffingPlan {
  params: StaffingParams;
  hours: StaffingHour[];
  totals: {
    arrivals: number;
    agentHoursNeeded: number;
    agentHoursRota: number;
    /** Agent-hours missing in the short hours. */
    shortAgentHours: number;
    /** Agent-hours beyond need in the spare hours. */
    spareAgentHours: number;
    /** Hours with fewer agents than needed. */
    shortHours: number;
  };
}

/** A rota: agents scheduled per local hour of day (24 whole numbers, 0–500). */
export interface Rota {
  hours: number[];
  /** When it was last saved; null: never (all zeros). */
  updatedAt: number | null;
  /** Who saved it (an agent id); null: never saved. */
  updatedBy: string | null;
}

/** The rota of a shop that has none. */
export function emptyRota(): Rota {
  return { hours: new Array<number>(HOURS_PER_DAY).fill(0), updatedAt: null, updatedBy: null };
}

/** Checks 24 per-hour values (a rota, a forecast) are whole numbers in [0, max]; throws naming `field.N`. */
export function validateHours(
  hours: unknown,
  field: string,
  max: number,
  options: { integers: boolean } = { integers: true },
): number[] {
  if (!Array.isArray(hours) || hours.length !== HOURS_PER_DAY)
    throw invalid(field, `must be ${HOURS_PER_DAY} numbers, one per hour 0–23`);
  return hours.map((v: unknown, i) => {
    if (
      typeof v !== 'number' ||
      !Number.isFinite(v) ||
      v < 0 ||
      v > max ||
      (options.integers && !Number.isInteger(v))
    )
      throw invalid(`${field}.${i}`, `must be a ${options.integers ? 'whole ' : ''}number 0–${max}`);
    return v;
  });
}

/** Checks the planner's parameters; throws naming the first bad one. */
export function validateStaffingParams(p: StaffingParams): StaffingParams {
  if (!(p.ahtSeconds >= 10 && p.ahtSeconds <= 4 * 3600))
    throw invalid('ahtMinutes', 'must be from 10 seconds to 240 minutes');
  if (!(p.targetSeconds >= 10 && p.targetSeconds <= 3600))
    throw invalid('targetMinutes', 'must be from 10 seconds to 60 minutes');
  if (!(p.serviceLevel >= 0.5 && p.serviceLevel <= 0.99)) throw invalid('serviceLevel', 'must be 0.5–0.99');
  if (!Number.isInteger(p.concurrency) || p.concurrency < 1 || p.concurrency > MAX_ROTA_AGENTS)
    throw invalid('concurrency', `must be a whole number 1–${MAX_ROTA_AGENTS}`);
  return p;
}

/** The planner's answer (GET /api/admin/staffing, POST /api/admin/staffing/plan): the plan and where its inputs came from. */
export interface StaffingReport extends StaffingPlan {
  /** `history`: the shop's own conversations; `forecast`: arrivals typed by the owner. */
  source: 'history' | 'forecast';
  timeZone: string;
  /** The days averaged (history only). */
  window: { from: string; to: string; days: number; conversations: number } | null;
  /** Where the handle time came from: typed, the shop's ended conversations, or the default (none yet). */
  ahtSource: 'typed' | 'history' | 'default';
  /** Ended human conversations it was averaged over (history). */
  ahtSamples: number;
  /** Where the concurrency came from: typed, the agents' caps (median), or the default (no agents). */
  concurrencySource: 'typed' | 'agents' | 'default';
  /** The rota the gaps are against. */
  rota: Rota;
}
