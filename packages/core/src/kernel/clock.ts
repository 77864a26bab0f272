/** Where the core gets the time from (RT-1's 72 h, AS-2's 48 h and MET-1's window are tested with FakeClock). */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that moves only when told. */
export class FakeClock implements Clock {
  constructor(private current = Date.UTC(2026, 10, 11, 2, 0, 0)) {}
  now(): number {
    return this.current;
  }
  /** Moves time forward by ms milliseconds. */
  advance(ms: number): void {
    this.current += ms;
  }
  /** Sets the time. */
  set(ms: number): void {
    this.current = ms;
  }
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
