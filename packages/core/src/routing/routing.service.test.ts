import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Agent } from '../agents/agent.types';
import type { ChatEvent } from '../conversations/conversation.events';
import type { AgentDirectory, ConversationStore } from '../conversations/conversation.ports';
import { FakeClock, MemoryLogger, type AgentId, type ShopId } from '../kernel';
import type { RoutingSnapshot, RoutingStore } from './routing.ports';
import { RoutingService, type RoutingDeps } from './routing.service';
import { DEFAULT_ROUTING_SETTINGS, type RoutingSettings } from './routing.types';

const SHOP = 'shop-1' as ShopId;
const MIN = 60_000;
const T0 = Date.parse('2026-11-23T09:00:00+08:00');

const agent = (id: string): Agent => ({
  id: id as AgentId,
  shopId: SHOP,
  email: `${id}@example.com`,
  name: id,
  role: 'agent',
  status: 'online',
  chosenStatus: 'online',
  maxConcurrent: 5,
  takesRouting: true,
  createdAt: 0,
  disabledAt: null,
});

/** A shop with one agent and nothing to route; `snapshot` says what the engine starts from. */
function shopWith(over: Partial<RoutingSettings>, snapshot: Partial<RoutingSnapshot> = {}) {
  const clock = new FakeClock(T0);
  const events: ChatEvent[] = [];
  const unused = () => {
    throw new Error('not used by these steps');
  };
  const store: RoutingStore = {
    settings: async () => ({ ...DEFAULT_ROUTING_SETTINGS, ...over }),
    snapshot: async () => ({ assigned: [], queued: [], unrouted: [], lingering: [], ...snapshot }),
    buyerFacts: unused,
    countEndedSince: async () => ({ ends: 0, agents: 0 }),
  };
  const agents: AgentDirectory = {
    listAgents: async () => [agent('a1')],
    findAgent: async () => agent('a1'),
    setAgentStatus: unused,
    setChosenStatus: unused,
  };
  const deps: RoutingDeps = {
    conversations: { updateConversation: unused, appendMessage: unused } as unknown as ConversationStore,
    agents,
    store,
    events: { publish: (e) => events.push(e) },
    clock,
    ids: { next: () => 'id' },
    logger: new MemoryLogger(),
  };
  return { deps, events };
}

describe('routing service', () => {
  it('RT-4 work run exclusively waits for a routing step of the same shop, not of another', async () => {
    const { deps } = shopWith({});
    const routing = new RoutingService(deps);
    const order: string[] = [];
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let entered!: () => void;
    const inStep = new Promise<void>((resolve) => (entered = resolve));
    const step = routing.step(SHOP, async () => {
      entered();
      await gate;
      order.push('step');
      return { result: undefined, step: () => [] };
    });
    await inStep;
    const same = routing.exclusive(SHOP, async () => void order.push('same shop'));
    await routing.exclusive('shop-2' as ShopId, async () => void order.push('other shop'));
    assert.deepEqual(order, ['other shop'], 'the other shop does not wait; this one does');
    open();
    await Promise.all([step, same]);
    assert.deepEqual(order, ['other shop', 'step', 'same shop']);
  });

  it('RT-9 a lingering slot’s release is scheduled once per due time', async () => {
    const endedAt = T0 - 5 * MIN;
    const { deps } = shopWith({ lingerMinutes: 20 }, { lingering: [{ agentId: 'a1', endedAt }] });
    const scheduled: number[] = [];
    const routing = new RoutingService({
      ...deps,
      scheduleRebalance: async (_shop, at) => void scheduled.push(at),
    });
    await routing.rebalance(SHOP);
    await routing.rebalance(SHOP);
    assert.deepEqual(scheduled, [endedAt + 20 * MIN]);
  });

  it('RT-9 a release that could not be scheduled is logged with its shop and tried again at the next step', async () => {
    const endedAt = T0 - 5 * MIN;
    const { deps } = shopWith({ lingerMinutes: 20 }, { lingering: [{ agentId: 'a1', endedAt }] });
    const tries: number[] = [];
    const logger = new MemoryLogger();
    const routing = new RoutingService({
      ...deps,
      logger,
      scheduleRebalance: async (_shop, at) => {
        tries.push(at);
        if (tries.length === 1) throw new Error('the timer store is away');
      },
    });
    await routing.rebalance(SHOP); // a failed schedule does not fail the step
    await routing.rebalance(SHOP);
    await routing.rebalance(SHOP);
    assert.deepEqual(tries, [endedAt + 20 * MIN, endedAt + 20 * MIN]);
    assert.deepEqual(
      logger.lines.map((l) => [l.level, l.fields.shop, (l.fields.err as Error).message]),
      [['error', SHOP, 'the timer store is away']],
    );
  });
});
