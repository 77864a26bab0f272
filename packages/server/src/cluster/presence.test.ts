import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { FakeClock, silentLogger, type AgentId, type AgentStatus, type ShopId } from '@xiaoer/core';
import { RedisPresence, type PresenceActions } from './presence';

const SHOP = 'shop-p' as ShopId;
const AGENT = 'agent-p' as AgentId;
const EXPIRY = 300;
/**
 * Beats carry this clock's time (issue #20): a test moves it past the expiry instead of sleeping,
 * so a slow machine cannot make a beat late.
 */
const clock = new FakeClock(Date.now());

/** Statuses kept in memory, with a slow or failing write when a test asks for one. */
function agents(initial: AgentStatus) {
  let status: AgentStatus | undefined = initial;
  const writes: AgentStatus[] = [];
  const hooks: { beforeWrite?: (to: AgentStatus) => Promise<void> } = {};
  const actions: PresenceActions = {
    statusOf: async () => status,
    setStatus: async (_shop, _agent, to) => {
      await hooks.beforeWrite?.(to);
      status = to;
      writes.push(to);
    },
    arrive: async () => undefined,
  };
  return { actions, hooks, writes, status: () => status };
}

describe('cluster presence in Redis (RT-8)', () => {
  let redis: Redis;
  let n = 0;
  before(() => {
    const url = process.env.TEST_REDIS_URL;
    if (!url) throw new Error('TEST_REDIS_URL is not set: run the tests with `npm test` (it starts Redis)');
    redis = new Redis(url);
  });
  after(() => redis.quit());
  /** Two nodes' presence on their own keys. */
  const pair = (actions: PresenceActions) => {
    const prefix = `p${process.pid}-${n++}`;
    const now = () => clock.now();
    return [
      new RedisPresence(redis, 'node-a', EXPIRY, actions, silentLogger, prefix, now),
      new RedisPresence(redis, 'node-b', EXPIRY, actions, silentLogger, prefix, now),
    ] as const;
  };

  it('gone past the expiry → offline, status kept; back on another node → status given back', async () => {
    const world = agents('hung_up');
    const [a, b] = pair(world.actions);
    await a.connected(SHOP, AGENT);
    a.disconnected(SHOP, AGENT);
    assert.equal(await b.reap(), 0, 'not before the expiry');
    clock.advance(EXPIRY + 50);
    assert.equal(await b.reap(), 1);
    assert.equal(world.status(), 'offline');
    await b.connected(SHOP, AGENT);
    assert.equal(world.status(), 'hung_up');
    assert.deepEqual(world.writes, ['offline', 'hung_up']);
  });

  it('back while the reap is writing offline: they end with their status, not offline', async () => {
    const world = agents('online');
    const [a, b] = pair(world.actions);
    await a.connected(SHOP, AGENT);
    a.disconnected(SHOP, AGENT);
    clock.advance(EXPIRY + 50);
    let reconnect: Promise<void> | undefined;
    world.hooks.beforeWrite = async (to) => {
      if (to !== 'offline') return;
      // They reconnect on node A while node B's reap is between the away mark and the write.
      reconnect = a.connected(SHOP, AGENT);
      await reconnect;
      await new Promise((r) => setImmediate(r));
    };
    await b.reap();
    await reconnect;
    assert.equal(world.status(), 'online');
    assert.equal(await b.reap(), 0);
    await a.heartbeat();
    assert.equal(world.status(), 'online', 'and stays so');
  });

  it('a reap that fails for one agent puts the beat back, and the next pass takes them offline', async () => {
    const world = agents('online');
    const [a, b] = pair(world.actions);
    await a.connected(SHOP, AGENT);
    a.disconnected(SHOP, AGENT);
    clock.advance(EXPIRY + 50);
    let failures = 1;
    world.hooks.beforeWrite = async () => {
      if (failures-- > 0) throw new Error('database blip');
    };
    assert.equal(await b.reap(), 0);
    assert.equal(world.status(), 'online');
    assert.equal(await b.reap(), 1);
    assert.equal(world.status(), 'offline');
  });

  it('an agent with a socket on another node stays present when one node goes quiet', async () => {
    const world = agents('online');
    const [a, b] = pair(world.actions);
    await a.connected(SHOP, AGENT);
    await b.connected(SHOP, AGENT);
    a.disconnected(SHOP, AGENT);
    for (let i = 0; i < 4; i++) {
      clock.advance(EXPIRY / 3);
      await b.heartbeat();
    }
    assert.equal(await b.reap(), 0);
    assert.equal(world.status(), 'online');
    assert.equal(await b.isPresent(SHOP, AGENT), true);
  });
});
