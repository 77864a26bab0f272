/** The queue's recent pace: conversations ended in the last hour, and by how many agents. */
export interface QueuePace {
  endsLastHour: number;
  /** Distinct agents who ended those conversations. */
  agentsLastHour: number;
  /** Agents online now (RT-8), who will take the queue. */
  agentsOnline: number;
}

/** Beyond this, an estimate says nothing a buyer can use: no figure is shown. */
export const MAX_ETA_MINUTES = 60;

/**
 * A queued buyer's estimated wait in whole minutes (RT-4; issue #15): their position divided by
 * the pace the agents online now can keep — each ends conversations as fast as the agents of the
 * last hour did. Null (the widget shows the position alone) when nobody is online, nothing ended
 * in the hour, or the figure would be past MAX_ETA_MINUTES: never a made-up or absurd number.
 */
export function estimateWaitMinutes(position: number, pace: QueuePace): number | null {
  const { endsLastHour, agentsLastHour, agentsOnline } = pace;
  if (!(position > 0) || !(endsLastHour > 0) || !(agentsOnline > 0)) return null;
  const perAgentPerMinute = endsLastHour / Math.max(1, agentsLastHour) / 60;
  const minutes = Math.ceil(position / (perAgentPerMinute * agentsOnline));
  return minutes > MAX_ETA_MINUTES ? null : Math.max(1, minutes);
}
