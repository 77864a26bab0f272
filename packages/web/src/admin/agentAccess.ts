/**
 * TEAM-1 in the console: which rows and actions the viewer may use, mirroring the server's
 * assertMayManage (the server decides; the console only hides what it would refuse).
 */
import type { AgentDto as Agent, AgentRoleDto as AgentRole } from '@xiaoer/protocol';

/** Who looks at the team: their account, role in this shop, and whether they own the organisation. */
export interface Viewer {
  id: string;
  role: AgentRole;
  isOrgOwner: boolean;
}

/** The roles a member can be given (a shop has one owner, never given). */
export const GIVABLE_ROLES = ['admin', 'cs_admin', 'operator', 'agent', 'outsourced'] as const;

/** Owner > admin > CS admin > everyone else, as the core ranks them. */
function rank(role: AgentRole): number {
  return role === 'owner' ? 4 : role === 'admin' ? 3 : role === 'cs_admin' ? 2 : 1;
}

function isTop(viewer: Viewer): boolean {
  return viewer.isOrgOwner || viewer.role === 'owner';
}

/**
 * May the viewer change the member's access (role, name, password, disable, enable, delete)?
 * Nobody acts on their own row or on the owner's; only the owner manages admins and CS admins.
 */
export function canManage(viewer: Viewer, target: Agent): boolean {
  if (target.id === viewer.id || target.role === 'owner') return false;
  return isTop(viewer) || (rank(viewer.role) >= 2 && rank(target.role) === 1);
}

/**
 * May the viewer change the member's cap and routing flag (the shop's business, not their access)?
 * As canManage, but one's own row too where the server allows it: the organisation's owner sets
 * the shop owner's — their own, usually (RT-8: the owner may take chats).
 */
export function canEditSeat(viewer: Viewer, target: Agent): boolean {
  if (target.role === 'owner') return viewer.isOrgOwner;
  return isTop(viewer) || (rank(viewer.role) >= 2 && rank(target.role) === 1);
}

/** The roles the viewer may give: the owner any but owner; admins and CS admins only non-admin roles. */
export function givableRoles(viewer: Viewer): readonly (typeof GIVABLE_ROLES)[number][] {
  if (isTop(viewer)) return GIVABLE_ROLES;
  return rank(viewer.role) >= 2 ? GIVABLE_ROLES.filter((r) => rank(r) === 1) : [];
}
