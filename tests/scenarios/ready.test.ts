import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startTestServer } from '../support/server';
import { connect } from '../support/sockets';
import { loginCookie } from '../support/server';

describe('readiness', () => {
  it('GET /ready is 503 naming the database when it cannot be reached; /health still answers', async () => {
    const t = await startTestServer({ listen: false });
    try {
      assert.equal((await t.server.app.inject({ method: 'GET', url: '/ready' })).statusCode, 200);
      await t.storage.db.close();
      const res = await t.server.app.inject({ method: 'GET', url: '/ready' });
      assert.equal(res.statusCode, 503);
      assert.deepEqual(res.json(), { ok: false, database: 'down', redis: 'off' });
      assert.equal((await t.server.app.inject({ method: 'GET', url: '/health' })).statusCode, 200);
    } finally {
      await t.server.close();
    }
  });

  it('a node shutting down says 503 draining at once, closes its sockets (the client sees a transport close, so it reconnects elsewhere) and takes no new ones', async () => {
    const t = await startTestServer();
    const cookie = await loginCookie(t.server, 'agent1@demo.xiaoer.dev');
    const socket = await connect(t.url, '/agent', { cookie });
    const reason = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    const closing = t.server.close({ drainMs: 200 });
    const res = await t.server.app.inject({ method: 'GET', url: '/ready' });
    assert.equal(res.statusCode, 503);
    assert.equal((res.json() as { draining?: boolean }).draining, true);
    // 'transport close' (not 'io server disconnect'): socket.io clients reconnect on their own.
    assert.equal(await reason, 'transport close');
    await assert.rejects(connect(t.url, '/agent', { cookie }));
    await closing;
    await t.storage.close();
  });
});
