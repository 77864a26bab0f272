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

/**
 * A person who answers buyers, as one shop sees them: their account (id, email, name) and their
 * membership of that shop (role, status, cap, routing flag). TEAM-4: the same account may be an
 * Agent of several shops of its organisation, with the same id in each.
 */
export interface Agent {
  id: AgentId;
  shopId: ShopId;
  email: string;
  name: string;
  role: AgentRole;
  /** RT-8: what routing reads; offline whenever the agent has no workbench open. */
  status: AgentStatus;
  /** RT-8: the status the agent chose, theirs again whenever they are here. */
  chosenStatus: AgentStatus;
  /** Disabled in this shop (kept for history; cannot work here). */
  disabledAt: number | null;
  /** RT-4: maximum concurrent conversations, 1–500. */
  maxConcurrent: number;
  /** RT-6: false for accounts that are never assigned automatically. */
  takesRouting: boolean;
  createdAt: number;
}

/** A person who logs in (TEAM-4): one account for every shop of its organisation it serves. */
export interface Account {
  id: AgentId;
  orgId: string;
  email: string;
  name: string;
  disabledAt: number | null;
  createdAt: number;
}

/** TEAM-4: a brand or an outsourced service centre; holds shops and the accounts that serve them. */
export interface Organisation {
  id: string;
  name: string;
  /** The account that made it: manages every shop and account of the organisation. */
  ownerId: AgentId | null;
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
