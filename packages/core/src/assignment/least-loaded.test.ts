import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Agent, AgentId, ShopId } from '../index';
import { ownerFallback, pickLeastLoaded } from './least-loaded';

const agent = (id: string, fields: Partial<Agent> = {}): Agent => ({
  id: id as AgentId,
  shopId: 's' as ShopId,
  email: `${id}@x`,
  name: id,
  role: 'agent',
  status: 'online',
  maxConcurrent: 3,
  takesRouting: true,
  createdAt: 0,
  ...fields,
});

describe('least-loaded assignment (RT-2 placeholder)', () => {
  it('RT-2 picks the online agent with the fewest open conversations', () => {
    const loads = new Map([
      ['a' as AgentId, 2],
      ['b' as AgentId, 1],
    ]);
    assert.equal(pickLeastLoaded([agent('a'), agent('b')], loads, new Map())?.id, 'b');
  });

  it('RT-2 breaks ties by round robin: the agent assigned longest ago', () => {
    const last = new Map([
      ['a' as AgentId, 200],
      ['b' as AgentId, 100],
    ]);
    assert.equal(pickLeastLoaded([agent('a'), agent('b')], new Map(), last)?.id, 'b');
    assert.equal(
      pickLeastLoaded([agent('a'), agent('b'), agent('c')], new Map(), last)?.id,
      'c',
      'never assigned goes first',
    );
  });

  it('RT-4 skips agents at their cap and returns nobody when all are full', () => {
    const loads = new Map([
      ['a' as AgentId, 3],
      ['b' as AgentId, 1],
    ]);
    assert.equal(
      pickLeastLoaded([agent('a'), agent('b', { maxConcurrent: 1 })], loads, new Map()),
      undefined,
    );
  });

  it('RT-8 and RT-6: hung-up, offline and non-routing accounts get no new conversations', () => {
    const agents = [
      agent('a', { status: 'hung_up' }),
      agent('b', { status: 'offline' }),
      agent('c', { takesRouting: false }),
    ];
    assert.equal(pickLeastLoaded(agents, new Map(), new Map()), undefined);
  });

  it('RT-8 the owner takes everything only when the shop has no agent accounts', () => {
    const owner = agent('o', { role: 'owner', takesRouting: false });
    assert.equal(ownerFallback([owner])?.id, 'o');
    assert.equal(ownerFallback([owner, agent('a', { status: 'offline' })]), undefined);
    assert.equal(ownerFallback([{ ...owner, status: 'offline' }]), undefined);
  });
});
