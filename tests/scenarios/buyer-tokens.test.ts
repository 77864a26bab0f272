/**
 * Issue #14: buyer widget tokens expire (30 days, renewed at every session open) and can be
 * revoked; a shop-signed identity is used once and its signature covers every field, nick included.
 * On SQLite and PostgreSQL, over HTTP and the buyer socket's handshake.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { DAY, FakeClock, type BuyerId, type ShopId } from '@xiaoer/core';
import { WS_BUYER_NAMESPACE } from '@xiaoer/protocol';
import type { LightMyRequestResponse } from 'fastify';
import { testDatabases } from '../support/databases';
import { loginCookie, signedIdentity, startTestServer, type TestServer } from '../support/server';
import { connect } from '../support/sockets';

const DEMO = 'shop-demo' as ShopId;

function assertError(res: LightMyRequestResponse, status: number, code: string, field?: string): void {
  assert.equal(res.statusCode, status, res.body.slice(0, 300));
  const body = res.json<{ error: { code: string; message: string; field?: string } }>();
  assert.equal(body.error.code, code, res.body.slice(0, 300));
  if (field !== undefined) assert.equal(body.error.field, field, res.body.slice(0, 300));
}

for (const engine of testDatabases) {
  describe(`buyer tokens and identities on ${engine.name} (issue #14)`, () => {
    let t: TestServer;
    const clock = new FakeClock(Date.now());
    let secret = '';

    before(async () => {
      t = await startTestServer({
        storage: await engine.open(),
        clock,
        env: { WIDGET_SESSIONS_PER_MINUTE: '10000', RATE_LIMIT_PER_MINUTE: '100000' },
      });
      secret = (await t.storage.shops.findShop(DEMO))!.secret;
    });
    after(() => t.close());

    const session = (payload: Record<string, unknown>) =>
      t.server.app.inject({ method: 'POST', url: '/api/widget/session', payload });

    async function open(payload: Record<string, unknown> = { shop: 'demo' }) {
      const res = await session(payload);
      assert.equal(res.statusCode, 200, res.body.slice(0, 300));
      const json = res.json<{ token: string; buyer: { id: string; nick: string } }>();
      return { token: json.token, buyerId: json.buyer.id, nick: json.buyer.nick };
    }

    const messages = (token: string) =>
      t.server.app.inject({
        method: 'GET',
        url: '/api/widget/messages',
        headers: { authorization: `Bearer ${token}` },
      });

    /** The buyer socket's handshake with this token: 'ok' or the error it was refused with. */
    async function handshake(token: string): Promise<string> {
      try {
        const socket = await connect(t.url, WS_BUYER_NAMESPACE, { token });
        socket.close();
        return 'ok';
      } catch (error) {
        return (error as Error).message;
      }
    }

    const countBuyers = async () => (await t.storage.buyers.listBuyers(DEMO, 100_000)).length;

    it('an expired token is 401 over HTTP and at the socket handshake; a session with it starts a new visitor', async () => {
      const first = await open();
      assert.equal((await messages(first.token)).statusCode, 200);
      assert.equal(await handshake(first.token), 'ok');
      clock.advance(30 * DAY + 1);
      assertError(await messages(first.token), 401, 'unauthenticated', 'authorization');
      assert.match(await handshake(first.token), /unauthenticated/);
      const next = await open({ shop: 'demo', token: first.token });
      assert.notEqual(next.buyerId, first.buyerId, 'an expired token keeps nobody');
    });

    it('a still-valid token is renewed at each session open: the buyer stays, the new token outlives the old one', async () => {
      const first = await open();
      clock.advance(20 * DAY);
      const renewed = await open({ shop: 'demo', token: first.token });
      assert.equal(renewed.buyerId, first.buyerId, 'the same visitor');
      assert.notEqual(renewed.token, first.token, 'a fresh token');
      clock.advance(20 * DAY); // 40 days after the first token, 20 after the renewed one
      assertError(await messages(first.token), 401, 'unauthenticated', 'authorization');
      assert.equal((await messages(renewed.token)).statusCode, 200, 'the renewed token still works');
      assert.equal(await handshake(renewed.token), 'ok');
    });

    it(
      'an admin revokes a buyer’s tokens: 401 over HTTP and at the handshake; an agent may not; the next session is a new one',
      { timeout: 30_000 },
      async () => {
        const visitor = await open();
        const owner = await loginCookie(t.server, 'owner@demo.xiaoer.dev');
        const agent = await loginCookie(t.server, 'agent1@demo.xiaoer.dev');
        const revoke = (cookie: string, id: string) =>
          t.server.app.inject({
            method: 'POST',
            url: `/api/buyers/${id}/revoke-tokens`,
            headers: { cookie },
          });
        assertError(await revoke(agent, visitor.buyerId), 403, 'forbidden');
        assert.equal((await messages(visitor.token)).statusCode, 200, 'a refused revoke changes nothing');
        assertError(await revoke(owner, 'no-such-buyer'), 404, 'not_found', 'buyerId');
        const live = await connect(t.url, WS_BUYER_NAMESPACE, { token: visitor.token });
        const closed = new Promise<string>((resolve) => live.once('disconnect', resolve));
        const res = await revoke(owner, visitor.buyerId);
        assert.equal(res.statusCode, 200, res.body);
        assert.equal(await closed, 'io server disconnect', 'the open socket is closed');
        assertError(await messages(visitor.token), 401, 'unauthenticated', 'authorization');
        assert.match(await handshake(visitor.token), /unauthenticated/);
        const next = await open({ shop: 'demo', token: visitor.token });
        assert.notEqual(next.buyerId, visitor.buyerId);
        // An identified buyer's revoked tokens die too; the shop page's new identity logs them in again.
        const known = await open({
          shop: 'demo',
          identity: signedIdentity(secret, 'tb100001', { ts: clock.now() }),
        });
        assert.ok(await t.storage.buyers.revokeTokens(DEMO, known.buyerId as BuyerId));
        assertError(await messages(known.token), 401, 'unauthenticated', 'authorization');
        const again = await open({
          shop: 'demo',
          identity: signedIdentity(secret, 'tb100001', { ts: clock.now() }),
        });
        assert.equal(again.buyerId, known.buyerId);
        assert.equal((await messages(again.token)).statusCode, 200);
      },
    );

    it('an old-format (v1) token is 401; a session with it starts a new visitor', async () => {
      const buyer = await open();
      const payload = `v1.${DEMO}.${buyer.buyerId}`;
      const v1 = `${payload}.${createHmac('sha256', 'test-secret-test-secret-test-secret!').update(payload).digest('base64url')}`;
      assertError(await messages(v1), 401, 'unauthenticated', 'authorization');
      assert.match(await handshake(v1), /unauthenticated/);
      assert.notEqual((await open({ shop: 'demo', token: v1 })).buyerId, buyer.buyerId);
    });

    it('an identity is used once: a replay is 401 naming identity.nonce and mints no token', async () => {
      const identity = signedIdentity(secret, 'tb-replay-1', { ts: clock.now(), nick: '回放' });
      const first = await open({ shop: 'demo', identity });
      const before = await countBuyers();
      clock.advance(60_000);
      assertError(await session({ shop: 'demo', identity }), 401, 'unauthenticated', 'identity.nonce');
      // Nor with the buyer's own (valid) token beside it, nor after the nonce's record would expire
      // (the identity has expired by then).
      assertError(
        await session({ shop: 'demo', identity, token: first.token }),
        401,
        'unauthenticated',
        'identity.nonce',
      );
      clock.advance(12 * 60_000);
      assert.ok(
        (await t.storage.kv.pruneExpired(clock.now())) >= 1,
        'the used nonce is forgotten once useless',
      );
      assertError(await session({ shop: 'demo', identity }), 401, 'unauthenticated', 'identity.sig');
      assert.equal(await countBuyers(), before, 'nothing written');
      // A new identity (new nonce) for the same buyer works.
      const next = await open({
        shop: 'demo',
        identity: signedIdentity(secret, 'tb-replay-1', { ts: clock.now() }),
      });
      assert.equal(next.buyerId, first.buyerId);
    });

    it('the signature covers the nick: a changed, added or removed nick is 401 naming identity.sig, and creates no buyer', async () => {
      const before = await countBuyers();
      const signed = signedIdentity(secret, 'tb-nick-1', { ts: clock.now(), nick: '小明' });
      const { nick: _dropped, ...withoutNick } = signed;
      const plain = signedIdentity(secret, 'tb-nick-2', { ts: clock.now() });
      for (const identity of [
        { ...signed, nick: '官方客服' },
        withoutNick,
        { ...plain, nick: '官方客服' },
        { ...signed, nonce: 'another-nonce-0123456789' },
        { ...signed, ts: signed.ts + 1 },
      ])
        assertError(await session({ shop: 'demo', identity }), 401, 'unauthenticated', 'identity.sig');
      assert.equal(await countBuyers(), before, 'nothing written');
      const ok = await open({ shop: 'demo', identity: signed });
      assert.equal(ok.nick, '小明');
    });

    it('an identity in the old format (no nonce) or with a line break is 400 naming the field', async () => {
      const old = signedIdentity(secret, 'tb-old-1', { ts: clock.now() });
      const { nonce: _n, ...noNonce } = old;
      const cases: [Record<string, unknown>, string][] = [
        [noNonce, 'identity.nonce'],
        [{ ...old, nonce: 'short' }, 'identity.nonce'],
        [{ ...old, externalId: 'a\nb' }, 'identity.externalId'],
        [{ ...old, nick: '小\n明' }, 'identity.nick'],
        [{ ...old, nick: '   ' }, 'identity.nick'],
      ];
      for (const [identity, field] of cases)
        assertError(await session({ shop: 'demo', identity }), 400, 'validation_failed', field);
    });
  });
}
