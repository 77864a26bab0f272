import type { AgentId, ShopId } from '../kernel';

/** RT-8: online takes new chats; hung up (挂起) keeps its chats but takes no new ones; offline takes none. */
export type AgentStatus = 'online' | 'hung_up' | 'offline';
export const AGENT_STATUSES: readonly AgentStatus[] = ['online', 'hung_up', 'offline'];

/** TEAM-1 roles. */
export type AgentRole = 'owner' | 'admin' | 'cs_admin' | 'operator' | 'agent' | 'outsourced';
export const AGENT_ROLES: readonly AgentRole[] = [
  'owner',
  'admin',
  'cs_admin',
  'operator',
  'agent',
  'outsourced',
];

/** A person who answers buyers. */
export interface Agent {
  id: AgentId;
  shopId: ShopId;
  email: string;
  name: string;
  role: AgentRole;
  status: AgentStatus;
  /** RT-4: maximum concurrent conversations, 1–500. */
  maxConcurrent: number;
  /** RT-6: false for accounts that are never assigned automatically. */
  takesRouting: boolean;
  createdAt: number;
}

/** Roles that may manage the shop's agents and settings. */
export function canAdminister(role: AgentRole): boolean {
  return role === 'owner' || role === 'admin' || role === 'cs_admin';
}

/**
 * CMP-7: roles that see buyers' phone numbers and addresses in full. Outsourced agents (an
 * outside service centre, TEAM-1 / AS-6) see them masked: 138****5678, 浙江省杭州市西湖区****.
 */
export function canSeeBuyerPii(role: AgentRole): boolean {
  return role !== 'outsourced';
}

export const MIN_CAP = 1;
export const MAX_CAP = 500;
