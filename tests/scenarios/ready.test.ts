import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startTestServer } from '../support/server';

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
});
