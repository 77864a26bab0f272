/**
 * A queued buyer's estimated wait in whole minutes: their position divided by the pace at which
 * slots freed over the last hour (ends per minute). Null when nothing ended in that hour: the
 * widget then shows the position alone rather than a made-up figure.
 */
export function estimateWaitMinutes(position: number, endsLastHour: number): number | null {
  if (!(position > 0) || !(endsLastHour > 0)) return null;
  return Math.max(1, Math.ceil(position / (endsLastHour / 60)));
}
