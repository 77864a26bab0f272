import type { AgentId } from '../kernel';
import type { Agent } from '../agents/agent.types';

/**
 * RT-2 (placeholder until the routing engine lands): the online, routing-taking agent with the
 * fewest open conversations below its cap; ties go to the one assigned longest ago (round robin).
 * Returns undefined when every candidate is full or none is online.
 */
export function pickLeastLoaded(
  agents: readonly Agent[],
  loads: ReadonlyMap<AgentId, number>,
  lastAssignedAt: ReadonlyMap<AgentId, number>,
): Agent | undefined {
  let best: Agent | undefined;
  let bestLoad = Infinity;
  let bestLast = Infinity;
  for (const agent of agents) {
    if (agent.status !== 'online' || !agent.takesRouting) continue;
    const load = loads.get(agent.id) ?? 0;
    if (load >= agent.maxConcurrent) continue;
    const last = lastAssignedAt.get(agent.id) ?? -1;
    if (load < bestLoad || (load === bestLoad && last < bestLast)) {
      best = agent;
      bestLoad = load;
      bestLast = last;
    }
  }
  return best;
}

/** RT-8: a shop with no agent accounts but its owner sends everything to the owner. */
export function ownerFallback(agents: readonly Agent[]): Agent | undefined {
  const nonOwners = agents.filter((a) => a.role !== 'owner');
  if (nonOwners.length > 0) return undefined;
  return agents.find((a) => a.role === 'owner' && a.status !== 'offline');
}
