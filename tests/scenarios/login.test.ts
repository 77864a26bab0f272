/**
 * Issue #14, login: X-Forwarded-For counts only from a configured proxy (TRUST_PROXY).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/server';

describe('X-Forwarded-For (TRUST_PROXY)', () => {
  /** Status codes of 6 requests to the API, each with its own X-Forwarded-For, from `remoteAddress`. */
  async function sixFrom(t: TestServer, remoteAddress: string): Promise<number[]> {
    const codes: number[] = [];
    for (let i = 0; i < 6; i++)
      codes.push(
        (
          await t.server.app.inject({
            method: 'GET',
            url: '/api/me',
            remoteAddress,
            headers: { 'x-forwarded-for': `198.51.100.${i}` },
          })
        ).statusCode,
      );
    return codes;
  }

  it('by default no peer is a proxy: X-Forwarded-For from this host or a private network does not dodge the per-IP limit', async () => {
    const t = await startTestServer({ listen: false, env: { RATE_LIMIT_PER_MINUTE: '5' } });
    try {
      for (const peer of ['127.0.0.1', '10.1.2.3', '192.168.0.7', 'fd00::1'])
        assert.deepEqual(await sixFrom(t, peer), [401, 401, 401, 401, 401, 429], peer);
    } finally {
      await t.close();
    }
  });

  it('from a configured proxy, X-Forwarded-For names the client; from other peers it is still ignored', async () => {
    const t = await startTestServer({
      listen: false,
      env: { RATE_LIMIT_PER_MINUTE: '5', TRUST_PROXY: '10.0.0.2' },
    });
    try {
      assert.deepEqual(await sixFrom(t, '10.0.0.2'), [401, 401, 401, 401, 401, 401]);
      assert.deepEqual(await sixFrom(t, '10.0.0.3'), [401, 401, 401, 401, 401, 429]);
    } finally {
      await t.close();
    }
  });
});
