/**
 * The HTTP API in process (Fastify `inject`), the buyer widget's routes: every route's happy path
 * and its bad input. Bad input must get a 4xx with `{error: {code, message, field?}}` naming the
 * field, write nothing, and leave the process serving. No response in this file may be a 5xx.
 * (One of the files split by route area from tests/scenarios/http-api.test.ts in issue #20; the
 * shared helpers are in tests/support/http-api.ts.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BuyerId } from '@xiaoer/core';
import { signBuyerToken, signIdentity } from '../../../packages/server/src/auth/tokens';
import { makeShop } from '../../support/fixtures';
import {
  apiHelpers,
  assertError,
  type ConversationJson,
  countBuyers,
  DEMO_SHOP,
  identityFor,
  type MessageJson,
  ok,
  type SendJson,
  startApiServer,
  storedMessages,
} from '../../support/http-api';
import { widgetSession, type TestServer } from '../../support/server';

describe('HTTP API in process', () => {
  let t: TestServer;
  /** Session cookies by agent id. */
  const cookies: Record<string, string> = {};
  let owner: string;

  const { api, buyerSays, agentsWithLoad, conversationNow } = apiHelpers(() => ({ t, cookies, owner }));

  before(async () => {
    ({ t, owner } = await startApiServer(cookies));
  });
  after(() => t.close());

  // ------------------------------------------------------------------ widget
  describe('widget', () => {
    it('opens an anonymous session: a token, a visitor buyer, the shop, no conversation yet', async () => {
      const before = await countBuyers(t);
      const res = ok<{
        token: string;
        buyer: { id: string; nick: string };
        shop: Record<string, unknown>;
        conversation: unknown;
        messages: unknown[];
      }>(await api('POST', '/api/widget/session', { payload: { shop: 'demo' } }));
      assert.ok(res.token.length > 0);
      assert.ok(res.buyer.nick.length > 0);
      assert.deepEqual(Object.keys(res.shop).sort(), ['name', 'serviceHours', 'welcome']);
      assert.equal(res.shop.name, '小二旗舰店');
      // BOT-3: every buyer is greeted with the shop's welcome line (the default names the shop).
      assert.equal(
        (res.shop as { welcome?: string }).welcome,
        '您好，欢迎光临小二旗舰店！请问有什么可以帮您？',
      );
      assert.equal(res.conversation, null);
      assert.deepEqual(res.messages, []);
      const buyer = await t.storage.buyers.findBuyer(DEMO_SHOP, res.buyer.id as BuyerId);
      assert.equal(buyer?.externalId, null, 'a visitor, not an identified buyer');
      assert.equal(await countBuyers(t), before + 1);
    });

    it('keeps the same anonymous buyer with the same token; a garbage token just starts a new visitor', async () => {
      const first = await widgetSession(t.server);
      const again = await widgetSession(t.server, { shop: 'demo', token: first.token });
      assert.equal(again.buyerId, first.buyerId);
      const garbage = await widgetSession(t.server, { shop: 'demo', token: 'not-a-token' });
      assert.notEqual(garbage.buyerId, first.buyerId);
      const forged = await widgetSession(t.server, {
        shop: 'demo',
        token: signBuyerToken('someone-elses-secret-someone-elses', {
          shopId: 'shop-demo',
          buyerId: first.buyerId,
          gen: 0,
          exp: Date.now() + 3600_000,
        }),
      });
      assert.notEqual(forged.buyerId, first.buyerId, 'a forged token does not take over a buyer');
    });

    it('an identity signed with the shop secret logs in the buyer with that externalId, creating it once', async () => {
      const demo = await widgetSession(t.server, {
        shop: 'demo',
        identity: await identityFor(t, 'tb100001'),
      });
      assert.equal(demo.buyerId, 'buyer-demo-01');
      const before = await countBuyers(t);
      const fresh = await widgetSession(t.server, {
        shop: 'demo',
        identity: await identityFor(t, 'tb-new-777', Date.now(), '新买家'),
      });
      const created = await t.storage.buyers.findBuyer(DEMO_SHOP, fresh.buyerId as BuyerId);
      assert.equal(created?.externalId, 'tb-new-777');
      assert.equal(created?.nick, '新买家');
      const again = await widgetSession(t.server, {
        shop: 'demo',
        identity: await identityFor(t, 'tb-new-777', Date.now() + 1000),
      });
      assert.equal(again.buyerId, fresh.buyerId, 'the same externalId is the same buyer');
      assert.equal(await countBuyers(t), before + 1);
    });

    it('a forged identity signature is 401 naming identity.sig and creates no buyer', async () => {
      const before = await countBuyers(t);
      const real = await identityFor(t, 'tb100002');
      const forgedSigs = [
        signIdentity('a-guessed-secret', real),
        // A real signature of another buyer does not log in this one.
        (await identityFor(t, 'tb100003', real.ts)).sig,
      ];
      for (const sig of forgedSigs) {
        const res = await api('POST', '/api/widget/session', {
          payload: { shop: 'demo', identity: { ...real, sig } },
        });
        assertError(res, 401, 'unauthenticated', 'identity.sig');
      }
      const unknown = await api('POST', '/api/widget/session', {
        payload: { shop: 'demo', identity: { ...(await identityFor(t, 'tb-x')), externalId: 'tb-y' } },
      });
      assertError(unknown, 401, 'unauthenticated', 'identity.sig');
      assert.equal(await countBuyers(t), before, 'nothing half written');
    });

    it('an identity signed more than 10 minutes ago (or ahead) is 401', async () => {
      for (const ts of [Date.now() - 11 * 60_000, Date.now() + 11 * 60_000]) {
        const res = await api('POST', '/api/widget/session', {
          payload: { shop: 'demo', identity: await identityFor(t, 'tb100004', ts) },
        });
        assertError(res, 401, 'unauthenticated', 'identity.sig');
      }
      const fresh = await api('POST', '/api/widget/session', {
        payload: { shop: 'demo', identity: await identityFor(t, 'tb100004', Date.now() - 9 * 60_000) },
      });
      assert.equal(ok<{ buyer: { id: string } }>(fresh).buyer.id, 'buyer-demo-04');
    });

    it('malformed session fields are 400 naming the field', async () => {
      const good = await identityFor(t, 'tb100004');
      const cases: [unknown, string][] = [
        [{}, 'shop'],
        [{ shop: 5 }, 'shop'],
        [{ shop: '' }, 'shop'],
        [{ shop: 'demo', token: 12 }, 'token'],
        [{ shop: 'demo', identity: { ...good, ts: 'now' } }, 'identity.ts'],
        [{ shop: 'demo', identity: { ...good, ts: 1.5 } }, 'identity.ts'],
        [{ shop: 'demo', identity: { ...good, sig: 'abc' } }, 'identity.sig'],
        [{ shop: 'demo', identity: { ...good, externalId: '' } }, 'identity.externalId'],
        [{ shop: 'demo', identity: { ...good, externalId: 'x'.repeat(65) } }, 'identity.externalId'],
        [{ shop: 'demo', identity: 'tb100004' }, 'identity'],
      ];
      for (const [payload, field] of cases) {
        const res = await api('POST', '/api/widget/session', { payload: payload as object });
        assertError(res, 400, 'validation_failed', field);
      }
    });

    it('an unknown shop is 404 naming shop', async () => {
      assertError(
        await api('POST', '/api/widget/session', { payload: { shop: 'no-such-shop' } }),
        404,
        'not_found',
        'shop',
      );
    });

    it('an identified buyer’s token is not reused anonymously, nor a token of another shop', async () => {
      const known = await widgetSession(t.server, {
        shop: 'demo',
        identity: await identityFor(t, 'tb100006'),
      });
      assert.equal(known.buyerId, 'buyer-demo-06');
      const anon = await widgetSession(t.server, { shop: 'demo', token: known.token });
      assert.notEqual(anon.buyerId, 'buyer-demo-06', 'the shop page must sign again');
      const otherSlug = `other-${Date.now().toString(36)}`;
      await makeShop(t.storage, otherSlug);
      const elsewhere = await widgetSession(t.server, { shop: otherSlug });
      const here = await widgetSession(t.server, { shop: 'demo', token: elsewhere.token });
      assert.notEqual(here.buyerId, elsewhere.buyerId);
      const stored = await t.storage.buyers.findBuyer(DEMO_SHOP, here.buyerId as BuyerId);
      assert.equal(stored?.shopId, DEMO_SHOP);
    });

    it('GET and POST /api/widget/messages without a token, with a forged one or another scheme are 401 naming authorization; nothing is stored', async () => {
      const real = await widgetSession(t.server, {
        shop: 'demo',
        identity: await identityFor(t, 'tb100008'),
      });
      const [, shopId, buyerId] = real.token.split('.');
      const bad: Record<string, string>[] = [
        {},
        { authorization: 'Bearer ' },
        { authorization: 'Bearer garbage' },
        { authorization: `Bearer v1.${shopId}.${buyerId}.forgedforgedforged` },
        {
          authorization: `Bearer ${signBuyerToken('another-server-secret-another-server', {
            shopId: shopId!,
            buyerId: buyerId!,
            gen: 0,
            exp: Date.now() + 3600_000,
          })}`,
        },
        { authorization: `Basic ${real.token}` },
        { authorization: real.token },
      ];
      for (const headers of bad) {
        assertError(
          await api('GET', '/api/widget/messages', { headers }),
          401,
          'unauthenticated',
          'authorization',
        );
        assertError(
          await api('POST', '/api/widget/messages', {
            headers,
            payload: { clientId: 'forged-1', kind: 'text', body: { text: '冒充' } },
          }),
          401,
          'unauthenticated',
          'authorization',
        );
      }
      const open = await t.storage.conversations.findOpenByBuyer(DEMO_SHOP, 'buyer-demo-08' as BuyerId);
      assert.equal(open, undefined, 'no conversation was opened by a forged request');
    });

    it('GET /api/widget/messages before the first message has no conversation', async () => {
      const { token } = await widgetSession(t.server);
      const res = ok<{ conversation: unknown; messages: unknown[] }>(
        await api('GET', '/api/widget/messages', { token }),
      );
      assert.equal(res.conversation, null);
      assert.deepEqual(res.messages, []);
    });

    it('RT-2 the first buyer message opens a conversation assigned to the least-loaded online agent', async () => {
      for (let i = 0; i < 4; i++) {
        const agents = await agentsWithLoad();
        const candidates = agents.filter(
          (a) => a.status === 'online' && a.takesRouting && (a.load ?? 0) < a.maxConcurrent,
        );
        assert.ok(candidates.length >= 2, 'several demo agents are online');
        const least = Math.min(...candidates.map((a) => a.load ?? 0));
        const { conversation, message, buyerId } = await buyerSays(`  第${i}位买家  `);
        assert.equal(conversation.status, 'assigned');
        assert.equal(conversation.buyerId, buyerId);
        const chosen = candidates.find((a) => a.id === conversation.agentId);
        assert.ok(chosen, `assigned to an online routing agent, got ${conversation.agentId}`);
        assert.equal(chosen.load, least, 'the least loaded one');
        assert.equal(message.seq, 1);
        assert.equal(message.sender, 'buyer');
        assert.equal(message.senderId, buyerId);
        assert.deepEqual(message.body, { text: `第${i}位买家` }, 'text is trimmed');
      }
    });

    it('a later session returns the open conversation and its messages', async () => {
      const { token, conversation, message } = await buyerSays('在吗');
      const res = ok<{ conversation: ConversationJson; messages: MessageJson[] }>(
        await api('POST', '/api/widget/session', { payload: { shop: 'demo', token } }),
      );
      assert.equal(res.conversation.id, conversation.id);
      assert.deepEqual(
        res.messages.filter((m) => m.kind !== 'system').map((m) => m.id),
        [message.id],
      );
    });

    it('bad buyer messages are 400 naming the field; nothing is stored, no conversation is opened', async () => {
      const cases: [unknown, string][] = [
        [{ clientId: 'b1', kind: 'text', body: { text: '' } }, 'body.text'],
        [{ clientId: 'b2', kind: 'text', body: { text: ' \n\t ' } }, 'body.text'],
        [{ clientId: 'b3', kind: 'text', body: { text: '长'.repeat(5001) } }, 'body.text'],
        [{ clientId: 'b4', kind: 'text', body: { text: 'x'.repeat(10_001) } }, 'body.text'],
        [{ clientId: 'b5', kind: 'text', body: { text: 123 } }, 'body.text'],
        [{ clientId: 'b6', kind: 'text', body: 'hello' }, 'body'],
        [{ clientId: 'b7', kind: 'text' }, 'body'],
        [{ clientId: 'b8', kind: 'video', body: { url: '/uploads/x' } }, 'kind'],
        [{ clientId: 'b9', kind: 'order_card', body: { orderId: 'DD20261100001' } }, 'kind'],
        [{ clientId: 'b10', kind: 'system', body: { text: '系统' } }, 'kind'],
        [{ clientId: 'b11', body: { text: 'x' } }, 'kind'],
        [{ clientId: 'b12', kind: 'image', body: { url: 'https://evil.example/a.png' } }, 'body.url'],
        [{ clientId: 'b13', kind: 'image', body: { url: 'javascript:alert(1)' } }, 'body.url'],
        [{ clientId: 'b14', kind: 'image', body: { url: '/uploads/../../etc/passwd' } }, 'body.url'],
        [{ clientId: 'b15', kind: 'image', body: {} }, 'body.url'],
        [{ clientId: '', kind: 'text', body: { text: 'x' } }, 'clientId'],
        [{ clientId: 'c'.repeat(65), kind: 'text', body: { text: 'x' } }, 'clientId'],
        [{ clientId: 5, kind: 'text', body: { text: 'x' } }, 'clientId'],
        [{ kind: 'text', body: { text: 'x' } }, 'clientId'],
      ];
      // A buyer with no conversation yet: a rejected first message opens none.
      const newcomer = await widgetSession(t.server);
      // A buyer with one: a rejected message adds nothing to it.
      const talking = await buyerSays('第一条');
      for (const [payload, field] of cases) {
        for (const token of [newcomer.token, talking.token]) {
          const res = await api('POST', '/api/widget/messages', { token, payload: payload as object });
          assertError(res, 400, 'validation_failed', field);
        }
      }
      assert.equal(
        await t.storage.conversations.findOpenByBuyer(DEMO_SHOP, newcomer.buyerId as BuyerId),
        undefined,
      );
      assert.equal((await conversationNow(talking.conversation.id)).lastSeq, 2);
      assert.equal((await storedMessages(t, talking.conversation.id)).length, 2);
    });

    it('accepts text of exactly 5,000 characters', async () => {
      const { message } = await buyerSays('字'.repeat(5000));
      assert.equal((message.body.text as string).length, 5000);
    });

    it('the same clientId twice stores one message and answers with the same id', async () => {
      const { token, conversation } = await buyerSays('第一条');
      const send = async () =>
        ok<SendJson>(
          await api('POST', '/api/widget/messages', {
            token,
            payload: { clientId: 'retry-me', kind: 'text', body: { text: '只存一次' } },
          }),
        );
      const a = await send();
      const b = await send();
      assert.equal(b.message.id, a.message.id);
      assert.equal(b.message.seq, a.message.seq);
      assert.equal((await conversationNow(conversation.id)).lastSeq, 3);
      const texts = (await storedMessages(t, conversation.id)).map((m) => (m.body as { text: string }).text);
      assert.deepEqual(
        texts.filter((x) => !x.startsWith('客服')),
        ['第一条', '只存一次'],
      );
    });

    it('GET /api/widget/messages returns messages after a seq, oldest first; a bad after or limit is 400 naming it', async () => {
      const s = await buyerSays('一');
      for (const text of ['二', '三']) {
        ok(
          await api('POST', '/api/widget/messages', {
            token: s.token,
            payload: { clientId: `m-${text}`, kind: 'text', body: { text } },
          }),
        );
      }
      const all = ok<{ conversation: ConversationJson; messages: MessageJson[] }>(
        await api('GET', '/api/widget/messages', { token: s.token }),
      );
      assert.equal(all.conversation.id, s.conversation.id);
      assert.deepEqual(
        all.messages.map((m) => m.seq),
        [1, 2, 3, 4],
      );
      const later = ok<{ messages: MessageJson[] }>(
        await api('GET', '/api/widget/messages?after=2&limit=1', { token: s.token }),
      );
      assert.deepEqual(
        later.messages.map((m) => m.body.text),
        ['二'],
      );
      for (const [query, field] of [
        ['after=-1', 'after'],
        ['after=abc', 'after'],
        ['after=1.5', 'after'],
        ['limit=0', 'limit'],
        ['limit=201', 'limit'],
      ] as const) {
        assertError(
          await api('GET', `/api/widget/messages?${query}`, { token: s.token }),
          400,
          'validation_failed',
          field,
        );
      }
    });
  });
});
