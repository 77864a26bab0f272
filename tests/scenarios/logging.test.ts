import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { ShopId } from '@xiaoer/core';
import { createServer, type XiaoerServer } from '../../packages/server/src/app';
import { parseConfig } from '../../packages/server/src/config';
import { openStorage } from '../../packages/server/src/storage';

/**
 * Issue #20, one logger: LOG_LEVEL governs every line a node writes — its services' and Fastify's
 * — and each line names the node (and the shop, where there is one). Logging touches no storage,
 * so one engine is enough here.
 */
describe('one logger for the node', () => {
  let server: XiaoerServer | undefined;
  afterEach(async () => {
    await server?.close();
    await server?.ctx.storage.close();
    server = undefined;
  });

  async function start(level: string) {
    const kept: Record<string, unknown>[] = [];
    const storage = await openStorage('sqlite::memory:');
    const config = parseConfig({ PORT: '0', LOG_LEVEL: level, DEMO: 'false', NODE_ID: 'node-log' });
    server = await createServer(config, {
      storage,
      logTo: { write: (line: string) => void kept.push(JSON.parse(line) as Record<string, unknown>) },
    });
    return { server, kept };
  }

  /** A domain event whose subscriber throws: the bus logs it and goes on. */
  function failingSubscriber(s: XiaoerServer) {
    s.ctx.events.subscribe(() => {
      throw new Error('subscriber broke');
    });
    s.ctx.events.publish({
      type: 'agent.status',
      shopId: 'shop-x' as ShopId,
      agentId: 'a' as never,
      status: 'online',
    });
  }

  it('at info: Fastify’s request lines and the services’ errors go through the one logger, with node and shop', async () => {
    const { server: s, kept } = await start('info');
    assert.equal((await s.app.inject({ method: 'GET', url: '/health' })).statusCode, 200);
    failingSubscriber(s);
    const request = kept.find((l) => l.msg === 'request completed');
    assert.ok(request, 'Fastify logs the request through the node’s logger');
    assert.equal(request.node, 'node-log');
    const failed = kept.find((l) => l.msg === 'event listener failed');
    assert.ok(failed, 'the failing subscriber is logged');
    assert.deepEqual(
      [failed.level, failed.node, failed.shop, (failed.err as { message: string }).message],
      [50, 'node-log', 'shop-x', 'subscriber broke'],
    );
  });

  it('at warn: no request lines, the error still; at silent: nothing at all', async () => {
    const warn = await start('warn');
    await warn.server.app.inject({ method: 'GET', url: '/health' });
    failingSubscriber(warn.server);
    assert.ok(!warn.kept.some((l) => (l.level as number) < 40), 'nothing below warn (no request lines)');
    assert.ok(warn.kept.some((l) => l.msg === 'event listener failed' && l.level === 50));
    await warn.server.close();
    await warn.server.ctx.storage.close();
    server = undefined;

    const silent = await start('silent');
    await silent.server.app.inject({ method: 'GET', url: '/health' });
    failingSubscriber(silent.server);
    assert.equal(silent.kept.length, 0);
  });
});
