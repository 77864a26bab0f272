import { invalid } from '../kernel';
import type { OrderStatus } from '../orders/order.types';
import { MAX_CAP, MIN_CAP } from '@xiaoer/protocol/limits';

/** RT-3: the order statuses a group can be bound to (the buyer's latest order; none without one). */
export type RouteStatus = 'none' | 'unpaid' | 'paid' | 'shipped' | 'completed' | 'after-sales';
export const ROUTE_STATUSES: readonly RouteStatus[] = [
  'none',
  'unpaid',
  'paid',
  'shipped',
  'completed',
  'after-sales',
];

/** The routing status of a buyer's latest order (a closed order counts as none). */
export function routeStatusOf(order: { status: OrderStatus } | undefined): RouteStatus {
  const status = order?.status;
  switch (status) {
    case undefined:
    case 'closed':
      return 'none';
    case 'after_sales':
      return 'after-sales';
    default:
      return status;
  }
}

/** An agent group bound to order statuses (RT-3). */
export interface RoutingGroup {
  id: string;
  name: string;
  statuses: RouteStatus[];
  agentIds: string[];
}

/** A shop's routing settings (RT-1 … RT-9). */
export interface RoutingSettings {
  /** RT-3: basic routing or group routing (exclusive). */
  mode: 'basic' | 'group';
  groups: RoutingGroup[];
  /** RT-5: agents that take conversations while every agent is offline; empty: offline routing off. */
  offlineRouting: string[];
  /** RT-9: minutes an ended conversation keeps its agent's slot (0–60). */
  lingerMinutes: number;
  /** RT-1: hours a buyer goes back to the agent they last talked to (0: off). */
  returningBuyerHours: number;
  /** RT-7: new customers skip the bot and go to the front of the queue. */
  newCustomerPriority: boolean;
  /** CRM-6: buyers of this loyalty tier rank or higher go to the front of the queue (0: off). */
  priorityTierRank: number;
  /**
   * RT-8: what happens to an agent's open chats when they go offline (chose it, or left: their
   * workbench closed past the grace): `keep` — theirs when they come back (a dropped network, a
   * reload); `requeue` — back to routing, to another agent or the queue.
   */
  offlineChats: 'keep' | 'requeue';
}

export const DEFAULT_ROUTING_SETTINGS: RoutingSettings = {
  mode: 'basic',
  groups: [],
  offlineRouting: [],
  lingerMinutes: 0,
  returningBuyerHours: 72,
  newCustomerPriority: true,
  priorityTierRank: 0,
  offlineChats: 'keep',
};

/** Why a conversation went where it went (shown in the workbench and the simulator). */
export type RouteReason =
  | 'returning-buyer'
  | 'status-group'
  | 'least-loaded'
  | 'offline-list'
  | 'queue'
  | 'transfer'
  | 'owner'
  | 'manual'
  | 'pulled';

/** One routing decision: assigned to an agent, or queued at a position. */
export interface RouteDecision {
  conversationId: string;
  buyerId: string;
  agentId: string | null;
  queued: boolean;
  /** 1-based place in its queue when queued. */
  position: number | null;
  /** The queue it waits in (a group id, or null for the shop's general queue). */
  queue: string | null;
  /** RT-7: queued in the priority lane. */
  priority?: boolean;
  reason: RouteReason;
}

/** What routing knows of an agent. */
export interface RoutingAgent {
  id: string;
  status: 'online' | 'hung_up' | 'offline';
  /** RT-4: 1–500. */
  cap: number;
  /** RT-6: false for non-routing accounts. */
  routing: boolean;
  /** RT-8: the shop's owner account. */
  owner: boolean;
}

/**
 * Checks settings against the shop's agents; throws a field-named validation error for the first
 * problem, so a bad change is rejected whole.
 */
export function validateRoutingSettings(
  settings: RoutingSettings,
  agentIds: ReadonlySet<string>,
): RoutingSettings {
  if (settings.mode !== 'basic' && settings.mode !== 'group') throw invalid('mode', 'must be basic or group');
  if (settings.offlineChats !== 'keep' && settings.offlineChats !== 'requeue')
    throw invalid('offlineChats', 'must be keep or requeue');
  if (!Number.isInteger(settings.lingerMinutes) || settings.lingerMinutes < 0 || settings.lingerMinutes > 60)
    throw invalid('lingerMinutes', 'must be a whole number of minutes, 0–60', {
      issue: 'whole_range',
      minimum: 0,
      maximum: 60,
    });
  if (
    !Number.isInteger(settings.returningBuyerHours) ||
    settings.returningBuyerHours < 0 ||
    settings.returningBuyerHours > 720
  )
    throw invalid('returningBuyerHours', 'must be a whole number of hours, 0–720', {
      issue: 'whole_range',
      minimum: 0,
      maximum: 720,
    });
  if (
    !Number.isInteger(settings.priorityTierRank) ||
    settings.priorityTierRank < 0 ||
    settings.priorityTierRank > 10
  )
    throw invalid('priorityTierRank', 'must be a tier rank, 0 (off) to 10', {
      issue: 'whole_range',
      minimum: 0,
      maximum: 10,
    });
  const groupIds = new Set<string>();
  const boundStatus = new Map<RouteStatus, string>();
  for (const [i, group] of settings.groups.entries()) {
    if (!/^[A-Za-z0-9_-]{1,40}$/.test(group.id))
      throw invalid(`groups[${i}].id`, 'must be 1–40 letters, digits, - or _');
    if (groupIds.has(group.id))
      throw invalid(`groups[${i}].id`, `duplicate group ${group.id}`, { issue: 'duplicate' });
    groupIds.add(group.id);
    if (!group.name.trim() || group.name.length > 40)
      throw invalid(`groups[${i}].name`, 'must be 1–40 characters', {
        issue: 'length',
        minimum: 1,
        maximum: 40,
      });
    for (const status of group.statuses) {
      if (!ROUTE_STATUSES.includes(status))
        throw invalid(`groups[${i}].statuses`, `unknown order status ${String(status)}`);
      const other = boundStatus.get(status);
      if (other)
        throw invalid(`groups[${i}].statuses`, `${status} is already bound to group ${other}`, {
          issue: 'status_bound',
        });
      boundStatus.set(status, group.id);
    }
    for (const id of group.agentIds)
      if (!agentIds.has(id)) throw invalid(`groups[${i}].agentIds`, `no such agent ${id}`);
  }
  for (const id of settings.offlineRouting)
    if (!agentIds.has(id)) throw invalid('offlineRouting', `no such agent ${id}`);
  return settings;
}

/** Checks an agent's cap (RT-4). */
export function checkCap(cap: number, field = 'maxConcurrent'): number {
  if (!Number.isInteger(cap) || cap < MIN_CAP || cap > MAX_CAP)
    throw invalid(field, `must be a whole number ${MIN_CAP}–${MAX_CAP}`, {
      issue: 'whole_range',
      minimum: MIN_CAP,
      maximum: MAX_CAP,
    });
  return cap;
}
