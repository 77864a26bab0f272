import { agentsAtRisk, alertForAgent, type ShopId, type StoredPromise } from '@xiaoer/core';
import type { AccessChangeDto as AccessChange } from '@xiaoer/protocol';
import type { Server } from 'socket.io';
import { buyerCaseView, caseView, type CaseAlert, type CaseChange } from '../aftersales/aftersales.service';
import type { AlertView } from '../metrics/metrics.service';
import { namespaces, rooms } from './gateway';

/**
 * What the services tell the sockets outside the gateway's event subscription: MET-5 alerts,
 * after-sales changes and alerts (issue #19), CMP-4 promises at risk, and ended access. Every node
 * pushes what its own work produced (through Redis to the sockets on other nodes).
 */
export function socketPushes(io: Server) {
  // Typed with the protocol's event maps: a push the protocol does not declare fails the typecheck.
  const { agents: typedAgents, buyers: typedBuyers } = namespaces(io);
  const agentNs = () => typedAgents;
  const buyerNs = () => typedBuyers;
  // MET-5: each agent whose buyers the alert names, by shop (to clear their banner when it passes).
  const alertedAgents = new Map<ShopId, string[]>();

  return {
    /** MET-5: a shop's reply-rate alert raised, changed or cleared. */
    metricsAlert(shopId: ShopId, alert: AlertView | null): void {
      const agents = agentNs();
      const admins = agents.to(rooms.admins(shopId));
      if (alert) admins.emit('metrics:alert', alert);
      else admins.emit('metrics:alert-cleared', {});
      // Issue #18: an agent hears of the buyers they hold (admins have the whole alert above).
      const now = agentsAtRisk(alert);
      for (const agentId of now) {
        const theirs = alertForAgent(alert, agentId);
        if (theirs)
          agents.to(rooms.agent(agentId)).except(rooms.admins(shopId)).emit('metrics:alert', theirs);
      }
      for (const agentId of alertedAgents.get(shopId) ?? [])
        if (!now.includes(agentId))
          agents.to(rooms.agent(agentId)).except(rooms.admins(shopId)).emit('metrics:alert-cleared', {});
      if (now.length > 0) alertedAgents.set(shopId, now);
      else alertedAgents.delete(shopId);
      // The live board shows the alert and the rate it projects.
      agents.to(rooms.live(shopId)).emit('live:changed', { shopId });
    },

    /** Issue #19: a case's change reaches the shop's agents and, when its status moved, its buyer. */
    caseChanged({ record, moved }: CaseChange): void {
      agentNs()
        .to(rooms.agents(record.shopId))
        .emit('aftersales:changed', { case: caseView(record) });
      if (moved)
        buyerNs()
          .to(rooms.buyer(record.buyerId))
          .emit('aftersales:changed', { case: buyerCaseView(record) });
    },

    /** AS-2: a deadline near: its holder and the shop's supervisors are told while it is avoidable. */
    caseAlert({ record, kind, at }: CaseAlert): void {
      const targets = [
        rooms.admins(record.shopId),
        ...(record.case.holder ? [rooms.agent(record.case.holder)] : []),
      ];
      agentNs()
        .to(targets)
        .emit('aftersales:alert', { case: caseView(record), kind, at });
    },

    /** CMP-4: the shop's admins hear of a promise at risk (still avoidable) or broken. */
    promiseAlert(promise: StoredPromise): void {
      const { shopId, ...view } = promise;
      agentNs()
        .to([rooms.admins(shopId), rooms.live(shopId)])
        .emit('compliance:promise', { shopId, promise: view });
    },

    /**
     * TEAM-1, TEAM-4: a change to someone's access ends their live sockets at once, on every node
     * (Socket.IO's adapter carries the disconnect).
     */
    disconnectAccount(id: string, change: AccessChange): void {
      const sockets = agentNs().in(rooms.account(id));
      sockets.emit('account:changed', { change });
      sockets.disconnectSockets(true);
    },

    /** Issue #14: ends the buyer's live widget sockets on every node (its tokens were revoked). */
    disconnectBuyer(id: string): void {
      buyerNs().in(rooms.buyer(id)).disconnectSockets(true);
    },
  };
}
