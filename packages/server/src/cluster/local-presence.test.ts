import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { silentLogger, type AgentId, type ShopId } from '@xiaoer/core';
import { LocalPresence } from './local-presence';

const SHOP = 'shop-p' as ShopId;
const AGENT = 'agent-p' as AgentId;
const GRACE = 400;

/** Lets the departures the mocked clock released run (it does not move by itself). */
const settle = () => new Promise((r) => setImmediate(r));

/**
 * RT-8 on one node with the timers mocked (issue #20): a reload "within the grace" is a reload
 * within the grace however slow the machine is — the scenario test in tests/scenarios/presence
 * sees the same through real sockets without racing a wall-clock grace.
 */
describe('RT-8 local presence: the grace after the last socket', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
  afterEach(() => mock.timers.reset());

  const world = () => {
    const calls: string[] = [];
    const presence = new LocalPresence(
      GRACE,
      {
        arrive: async () => void calls.push('arrive'),
        leave: async () => void calls.push('leave'),
      },
      silentLogger,
    );
    return { presence, calls };
  };

  it('a reload (the last socket drops, another connects within the grace) keeps them', async () => {
    const { presence, calls } = world();
    await presence.connected(SHOP, AGENT);
    presence.disconnected(SHOP, AGENT);
    mock.timers.tick(GRACE - 1);
    await presence.connected(SHOP, AGENT);
    mock.timers.tick(GRACE * 10);
    await settle();
    assert.deepEqual(calls, ['arrive', 'arrive'], 'never left');
    assert.equal(await presence.isPresent(SHOP, AGENT), true);
  });

  it('the last socket closing takes them offline once the grace is over, not before', async () => {
    const { presence, calls } = world();
    await presence.connected(SHOP, AGENT);
    await presence.connected(SHOP, AGENT); // a second tab
    presence.disconnected(SHOP, AGENT);
    mock.timers.tick(GRACE * 10);
    await settle();
    assert.deepEqual(calls, ['arrive', 'arrive'], 'one tab still open');
    presence.disconnected(SHOP, AGENT);
    mock.timers.tick(GRACE - 1);
    await settle();
    assert.equal(await presence.isPresent(SHOP, AGENT), true, 'within the grace');
    assert.deepEqual(calls, ['arrive', 'arrive']);
    mock.timers.tick(1);
    await settle();
    assert.deepEqual(calls, ['arrive', 'arrive', 'leave']);
    assert.equal(await presence.isPresent(SHOP, AGENT), false);
  });

  it('at boot, an agent the database has as present gets the grace to come back', async () => {
    const { presence, calls } = world();
    presence.adopt([
      { shopId: SHOP, agentId: AGENT },
      { shopId: SHOP, agentId: 'agent-q' as AgentId },
    ]);
    mock.timers.tick(GRACE - 1);
    await presence.connected(SHOP, AGENT);
    mock.timers.tick(1);
    await settle();
    assert.deepEqual(calls, ['arrive', 'leave'], 'the one who came back stays; the other leaves');
    await presence.stop();
  });
});
