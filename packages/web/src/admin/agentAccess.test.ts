import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AGENT_ROLES,
  assertMayManage,
  type Agent,
  type AgentId,
  type AgentRole,
  type ShopId,
} from '@xiaoer/core';
import { canEditSeat, canManage, givableRoles, GIVABLE_ROLES, type Viewer } from './agentAccess';

function member(id: string, role: AgentRole): Agent {
  return {
    id: id as AgentId,
    shopId: 'shop-1' as ShopId,
    email: `${id}@example.com`,
    name: id,
    role,
    status: 'offline',
    chosenStatus: 'online',
    disabledAt: null,
    maxConcurrent: 10,
    takesRouting: true,
    createdAt: 0,
  };
}

/** Whether the core lets the viewer act (a refusal is a DomainError `forbidden`). */
function serverAllows(act: () => void): boolean {
  try {
    act();
    return true;
  } catch {
    return false;
  }
}

const viewers: Viewer[] = AGENT_ROLES.flatMap((role) => [
  { id: 'me', role, isOrgOwner: false },
  { id: 'me', role, isOrgOwner: true },
]);
const targets = AGENT_ROLES.flatMap((role) => [member('other', role), member('me', role)]);

describe('TEAM-1 the console offers exactly the team actions the server allows', () => {
  it('TEAM-1 access actions (role, name, password, disable, delete) match assertMayManage, never on my own row or the owner’s', () => {
    for (const viewer of viewers)
      for (const target of targets) {
        const actor = {
          type: 'agent' as const,
          agentId: viewer.id,
          role: viewer.role,
          isOrgOwner: viewer.isOrgOwner,
        };
        const allowed =
          target.role !== 'owner' &&
          serverAllows(() => assertMayManage(actor, { agentId: target.id, role: target.role }));
        assert.equal(
          canManage(viewer, target),
          allowed,
          `${JSON.stringify(viewer)} on ${target.id}/${target.role}`,
        );
      }
  });

  it('TEAM-1 cap and routing match what the server allows, on one’s own row too (the organisation’s owner sets the owner’s)', () => {
    for (const viewer of viewers)
      for (const target of targets) {
        const actor = {
          type: 'agent' as const,
          agentId: viewer.id,
          role: viewer.role,
          isOrgOwner: viewer.isOrgOwner,
        };
        const allowed = serverAllows(() => assertMayManage(actor, { role: target.role }, undefined));
        assert.equal(
          canEditSeat(viewer, target),
          allowed,
          `${JSON.stringify(viewer)} on ${target.id}/${target.role}`,
        );
      }
  });

  it('TEAM-1 the roles offered are the ones the viewer may give: admins never make admins', () => {
    for (const viewer of viewers) {
      const actor = {
        type: 'agent' as const,
        agentId: viewer.id,
        role: viewer.role,
        isOrgOwner: viewer.isOrgOwner,
      };
      const allowed = GIVABLE_ROLES.filter((r) =>
        serverAllows(() => assertMayManage(actor, { role: 'agent' }, r)),
      );
      assert.deepEqual([...givableRoles(viewer)], allowed, JSON.stringify(viewer));
    }
  });
});
