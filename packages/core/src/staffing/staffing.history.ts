/**
 * The planner's inputs from the shop's own history: conversations that needed an agent per local
 * hour of day, averaged over the last days, and the average time a conversation held an agent.
 *
 * Why conversations and not MET-1's consultations: a consultation is a buyer once a day inside
 * the 08:00–23:00 window, so it misses the buyer's second conversation of the day and every hour
 * outside the window, and it counts buyers the bot answered alone — none of which is what
 * occupies an agent. A conversation that reached routing (assigned or queued) is one slot taken
 * for its handle time, which is exactly what Erlang C and the simulator count; SPAM-1's suspected
 * spam needs no reply and is left out by the caller.
 */
import { dayBounds, localDay, localMinutes, shiftDay } from '../metrics';

/** The local days the planner averages over: [from, to] inclusive, and their bounds in ms. */
export interface HistoryWindow {
  from: string;
  to: string;
  /** Days in the window (at least 1). */
  days: number;
  start: number;
  end: number;
}

/**
 * The last `days` whole local days before today; a shop younger than that averages over the days
 * since its first day, so a new shop's load is not diluted by days it did not exist.
 */
export function historyWindow(input: {
  now: number;
  timeZone: string;
  days: number;
  shopCreatedAt: number;
}): HistoryWindow {
  const { now, timeZone } = input;
  const today = localDay(now, timeZone);
  const to = shiftDay(today, -1, timeZone);
  const firstDay = localDay(input.shopCreatedAt, timeZone);
  let from = shiftDay(today, -input.days, timeZone);
  if (firstDay > from) from = firstDay < today ? firstDay : to;
  let days = 0;
  for (let d = from; d <= to; d = shiftDay(d, 1, timeZone)) days++;
  return {
    from,
    to,
    days: Math.max(1, days),
    start: dayBounds(from, timeZone).start,
    end: dayBounds(to, timeZone).end,
  };
}

/** Arrivals per local hour of day (24 numbers), averaged over `days`: the times conversations began. */
export function arrivalsByHour(times: readonly number[], timeZone: string, days: number): number[] {
  const counts = new Array<number>(24).fill(0);
  for (const at of times) counts[Math.floor(localMinutes(at, timeZone) / 60)]!++;
  return counts.map((c) => c / Math.max(1, days));
}

/**
 * A conversation left open overnight would count as hours of handling: each one counts at most
 * this long (two hours; a real chat that long is rare and holds the average up only a little).
 */
export const MAX_HANDLE_SECONDS = 2 * 3600;

/**
 * The average handle time of ended human conversations: assignment (the latest, after a transfer:
 * the slot the last agent held) to end, each capped at MAX_HANDLE_SECONDS; null with none.
 */
export function averageHandleSeconds(rows: readonly { assignedAt: number; endedAt: number }[]): {
  seconds: number | null;
  samples: number;
} {
  let total = 0;
  let samples = 0;
  for (const r of rows) {
    if (r.endedAt < r.assignedAt) continue;
    total += Math.min(MAX_HANDLE_SECONDS, (r.endedAt - r.assignedAt) / 1000);
    samples++;
  }
  return { seconds: samples ? total / samples : null, samples };
}
