/**
 * Erlang C (the M/M/s queue): how likely a buyer is to wait, and for how long, when conversations
 * arrive at random (Poisson) and each holds one of `servers` slots for a random (exponential)
 * handle time. Pure arithmetic; every function takes the offered traffic A = λ · AHT in Erlangs.
 *
 * Computed by the Erlang B recurrence B(0) = 1, B(k) = A·B(k−1) / (k + A·B(k−1)) and
 * C = s·B / (s − A·(1 − B)): no factorials and no powers, so it stays finite for thousands of
 * servers (A^s / s! overflows a double from s ≈ 170).
 */

/** Erlang B: the share of arrivals that would find every one of `servers` slots busy (no queue). */
export function erlangB(servers: number, traffic: number): number {
  if (!Number.isInteger(servers) || servers < 0) throw new RangeError('servers must be a whole number ≥ 0');
  if (!(traffic >= 0)) throw new RangeError('traffic must be ≥ 0');
  let b = 1;
  for (let k = 1; k <= servers; k++) b = (traffic * b) / (k + traffic * b);
  return b;
}

/** Erlang C from Erlang B of the same servers: P(wait > 0); 1 when the queue grows without end (s ≤ A). */
export function erlangCFromB(servers: number, traffic: number, b: number): number {
  if (servers <= traffic) return 1;
  return (servers * b) / (servers - traffic * (1 - b));
}

/** Erlang C: the probability a buyer waits at all, P(W > 0), with `servers` slots and traffic A. */
export function erlangC(servers: number, traffic: number): number {
  if (traffic === 0) return 0;
  return erlangCFromB(servers, traffic, erlangB(servers, traffic));
}

/**
 * The service level P(W ≤ t) = 1 − C · e^(−(s − A) · t / AHT): the share of buyers taken by a
 * slot within `targetSeconds`. 0 when s ≤ A (the queue grows without end: nearly everyone waits
 * past any target in the long run).
 */
export function serviceLevel(
  servers: number,
  traffic: number,
  ahtSeconds: number,
  targetSeconds: number,
): number {
  if (traffic === 0) return 1;
  if (servers <= traffic) return 0;
  return serviceLevelFromC(servers, traffic, ahtSeconds, targetSeconds, erlangC(servers, traffic));
}

function serviceLevelFromC(
  servers: number,
  traffic: number,
  ahtSeconds: number,
  targetSeconds: number,
  c: number,
): number {
  return Math.max(0, 1 - c * Math.exp((-(servers - traffic) * targetSeconds) / ahtSeconds));
}

/** Average speed of answer, seconds: C · AHT / (s − A); Infinity when s ≤ A. */
export function averageSpeedOfAnswer(servers: number, traffic: number, ahtSeconds: number): number {
  if (traffic === 0) return 0;
  if (servers <= traffic) return Infinity;
  return (erlangC(servers, traffic) * ahtSeconds) / (servers - traffic);
}

/** What `serversNeeded` found: the smallest s meeting the target, and its figures. */
export interface ServersNeeded {
  servers: number;
  /** P(W > 0) at `servers`. */
  waitProbability: number;
  /** P(W ≤ target) at `servers`. */
  serviceLevel: number;
  /** Average speed of answer at `servers`, seconds. */
  asaSeconds: number;
}

/**
 * The fewest slots s > A with P(W ≤ target) ≥ `level`. One pass of the recurrence from s = 1
 * upwards (O(s)); `level` must be below 1, which no finite s reaches exactly.
 */
export function serversNeeded(
  traffic: number,
  ahtSeconds: number,
  targetSeconds: number,
  level: number,
): ServersNeeded {
  if (!(level >= 0 && level < 1)) throw new RangeError('level must be in [0, 1)');
  if (!(ahtSeconds > 0)) throw new RangeError('ahtSeconds must be > 0');
  if (!(targetSeconds >= 0)) throw new RangeError('targetSeconds must be ≥ 0');
  if (traffic === 0) return { servers: 0, waitProbability: 0, serviceLevel: 1, asaSeconds: 0 };
  let b = 1;
  for (let s = 1; ; s++) {
    b = (traffic * b) / (s + traffic * b);
    if (s <= traffic) continue; // unstable: the queue grows without end
    const c = erlangCFromB(s, traffic, b);
    const sl = serviceLevelFromC(s, traffic, ahtSeconds, targetSeconds, c);
    if (sl >= level)
      return {
        servers: s,
        waitProbability: c,
        serviceLevel: sl,
        asaSeconds: (c * ahtSeconds) / (s - traffic),
      };
  }
}
