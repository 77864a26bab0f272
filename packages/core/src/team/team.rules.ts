import type { AgentRole } from '../agents/agent.types';
import { DomainError, invalid } from '../kernel';

/**
 * Slugs a shop cannot take: the demo's, and names of xiaoer's own pages and routes (a slug shows in
 * the widget's script tag and in links).
 */
export const RESERVED_SLUGS: ReadonlySet<string> = new Set([
  'demo',
  'admin',
  'api',
  'app',
  'setup',
  'workbench',
  'widget',
  'uploads',
  'health',
  'ready',
  'static',
  'assets',
  'www',
  'xiaoer',
]);

/** A shop's slug: 3–40 lowercase letters, digits and inner hyphens, not reserved. */
export function checkSlug(slug: string, field = 'slug'): string {
  if (typeof slug !== 'string' || !/^[a-z0-9](?:[a-z0-9-]{1,38})[a-z0-9]$/.test(slug) || slug.includes('--'))
    throw invalid(field, 'must be 3–40 lowercase letters, digits or single hyphens (not at either end)', {
      issue: 'slug',
    });
  if (RESERVED_SLUGS.has(slug)) throw invalid(field, `"${slug}" is reserved`, { issue: 'reserved' });
  return slug;
}

/** A shop's or organisation's name: 1–60 characters once trimmed. */
export function checkName(name: string, field = 'name', max = 60): string {
  const trimmed = typeof name === 'string' ? name.trim() : '';
  if (trimmed.length === 0 || trimmed.length > max)
    throw invalid(field, `must be 1–${max} characters`, { issue: 'length', minimum: 1, maximum: max });
  return trimmed;
}

/** An email address as accounts log in with it: trimmed, lowercased, one @, a dotted domain. */
export function checkEmail(email: string, field = 'email'): string {
  const normal = typeof email === 'string' ? email.trim().toLowerCase() : '';
  if (normal.length > 200 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(normal))
    throw invalid(field, 'must be an email address', { issue: 'invalid_format', format: 'email' });
  return normal;
}

/** TEAM-1: how much a role may manage (owner > admin > CS admin > everyone else). */
export function roleRank(role: AgentRole): number {
  switch (role) {
    case 'owner':
      return 4;
    case 'admin':
      return 3;
    case 'cs_admin':
      return 2;
    default:
      return 1;
  }
}

/** Who is acting on the team: an account in one shop, or the operator at the command line. */
export type TeamActor =
  | { type: 'cli' }
  | {
      type: 'agent';
      agentId: string;
      /** The actor's role in the shop acted on. */
      role: AgentRole;
      /** The organisation's owner manages every shop and account of it. */
      isOrgOwner: boolean;
    };

/**
 * TEAM-1: may `actor` manage an account of `targetRole` in a shop, and (when given) give it
 * `newRole`? The owner (and the organisation's owner) manages everyone; admins and CS admins
 * manage only agents, operators and outsourced agents, and cannot make anyone an admin — so no
 * admin can take over another admin's account. Nobody becomes an owner this way. Throws
 * `forbidden` naming the field at fault.
 */
export function assertMayManage(
  actor: TeamActor,
  target: { agentId?: string; role: AgentRole },
  newRole?: AgentRole,
): void {
  if (newRole === 'owner') throw new DomainError('forbidden', 'a shop has one owner', 'role');
  if (actor.type === 'cli') return;
  if (target.agentId !== undefined && target.agentId === actor.agentId)
    throw new DomainError('forbidden', 'you cannot change your own access', 'agentId');
  if (target.role === 'owner' && !actor.isOrgOwner)
    throw new DomainError('forbidden', "only the organisation's owner manages a shop's owner", 'agentId');
  if (actor.isOrgOwner || actor.role === 'owner') return;
  if (roleRank(actor.role) < 2) throw new DomainError('forbidden', 'this needs an admin role');
  if (roleRank(target.role) > 1)
    throw new DomainError('forbidden', "only the shop's owner manages admins", 'agentId');
  if (newRole !== undefined && roleRank(newRole) > 1)
    throw new DomainError('forbidden', "only the shop's owner makes admins", 'role');
}
