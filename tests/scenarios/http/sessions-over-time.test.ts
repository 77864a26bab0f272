/**
 * The HTTP API in process (Fastify `inject`): sessions and identities over time. No response in
 * this file may be a 5xx.
 * (One of the files split by route area from tests/scenarios/http-api.test.ts in issue #20; the
 * shared helpers are in tests/support/http-api.ts.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '@xiaoer/core';
import { assertError, DAY_MS, identityFor, ok, request } from '../../support/http-api';
import { loginCookie, startTestServer } from '../../support/server';

// ------------------------------------------------------------------ time
describe('sessions and identities over time', () => {
  it('an agent session lasts 7 days, then /api/me is 401', async () => {
    const clock = new FakeClock();
    const t = await startTestServer({ listen: false, clock });
    try {
      const cookie = await loginCookie(t.server, 'agent1@demo.xiaoer.dev');
      clock.advance(7 * DAY_MS - 60_000);
      ok(await request(t, 'GET', '/api/me', { cookie }));
      clock.advance(2 * 60_000);
      assertError(await request(t, 'GET', '/api/me', { cookie }), 401, 'unauthenticated');
    } finally {
      await t.close();
    }
  });

  it('a shop identity is good for exactly 10 minutes either way', async () => {
    const clock = new FakeClock();
    const t = await startTestServer({ listen: false, clock });
    try {
      const now = clock.now();
      const tenMinutes = 10 * 60_000;
      for (const [ts, status] of [
        [now - tenMinutes, 200],
        [now + tenMinutes, 200],
        [now - tenMinutes - 1, 401],
        [now + tenMinutes + 1, 401],
      ] as const) {
        const res = await request(t, 'POST', '/api/widget/session', {
          payload: { shop: 'demo', identity: await identityFor(t, 'tb100012', ts) },
        });
        if (status === 200) assert.equal(ok<{ buyer: { id: string } }>(res).buyer.id, 'buyer-demo-12');
        else assertError(res, 401, 'unauthenticated', 'identity.sig');
      }
    } finally {
      await t.close();
    }
  });
});
