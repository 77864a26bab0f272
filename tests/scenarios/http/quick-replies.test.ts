/**
 * The HTTP API in process (Fastify `inject`), quick replies: every route's happy path and its bad
 * input. Bad input must get a 4xx with `{error: {code, message, field?}}` naming the field, write
 * nothing, and leave the process serving. No response in this file may be a 5xx.
 * (One of the files split by route area from tests/scenarios/http-api.test.ts in issue #20; the
 * shared helpers are in tests/support/http-api.ts.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { QuickReplyId } from '@xiaoer/core';
import {
  apiHelpers,
  assertError,
  DEMO_SHOP,
  ok,
  type QuickReplyJson,
  startApiServer,
} from '../../support/http-api';
import { type TestServer } from '../../support/server';

describe('HTTP API in process', () => {
  let t: TestServer;
  /** Session cookies by agent id. */
  const cookies: Record<string, string> = {};
  let owner: string;
  let agent1: string;

  const { api } = apiHelpers(() => ({ t, cookies, owner }));

  before(async () => {
    ({ t, owner, agent1 } = await startApiServer(cookies));
  });
  after(() => t.close());

  // ------------------------------------------------------------------ quick replies
  describe('quick replies', () => {
    it('lists the shop’s shared replies and the agent’s own, not another agent’s personal ones', async () => {
      const mine = ok<{ quickReply: QuickReplyJson }>(
        await api('POST', '/api/quick-replies', {
          cookie: agent1,
          payload: { title: '小美的', text: '私人话术' },
        }),
        201,
      ).quickReply;
      const as1 = ok<{ quickReplies: QuickReplyJson[] }>(
        await api('GET', '/api/quick-replies', { cookie: agent1 }),
      );
      assert.ok(as1.quickReplies.some((q) => q.id === mine.id));
      assert.ok(as1.quickReplies.some((q) => q.title === '欢迎语' && q.ownerId === null));
      const as2 = ok<{ quickReplies: QuickReplyJson[] }>(
        await api('GET', '/api/quick-replies', { cookie: cookies['agent-demo-2'] }),
      );
      assert.ok(!as2.quickReplies.some((q) => q.id === mine.id));
      assert.ok(as2.quickReplies.every((q) => q.ownerId === null || q.ownerId === 'agent-demo-2'));
      assertError(await api('GET', '/api/quick-replies'), 401, 'unauthenticated');
    });

    it('TEAM-3 quick replies are found by pinyin initials', async () => {
      const found = ok<{ quickReplies: QuickReplyJson[] }>(
        await api('GET', '/api/quick-replies?q=fh', { cookie: agent1 }),
      );
      assert.ok(found.quickReplies.some((q) => q.title === '发货时间'));
      const byText = ok<{ quickReplies: QuickReplyJson[] }>(
        await api('GET', `/api/quick-replies?q=${encodeURIComponent('发票')}`, { cookie: agent1 }),
      );
      assert.ok(byText.quickReplies.some((q) => q.title === '发票'));
      assertError(
        await api('GET', `/api/quick-replies?q=${'a'.repeat(101)}`, { cookie: agent1 }),
        400,
        'validation_failed',
        'q',
      );
    });

    it('creates a personal reply; a shared one needs an admin role (403 naming personal); the owner can', async () => {
      const personal = ok<{ quickReply: QuickReplyJson }>(
        await api('POST', '/api/quick-replies', {
          cookie: agent1,
          payload: { title: '  包邮  ', text: '亲，满 99 包邮哦', imageUrl: null },
        }),
        201,
      ).quickReply;
      assert.equal(personal.ownerId, 'agent-demo-1');
      assert.equal(personal.title, '包邮');
      const countShared = async () =>
        ok<{ quickReplies: QuickReplyJson[] }>(
          await api('GET', '/api/quick-replies', { cookie: owner }),
        ).quickReplies.filter((q) => q.ownerId === null).length;
      const shared = await countShared();
      assertError(
        await api('POST', '/api/quick-replies', {
          cookie: agent1,
          payload: { title: '共享', text: '大家的', personal: false },
        }),
        403,
        'forbidden',
        'personal',
      );
      assert.equal(await countShared(), shared, 'nothing half written');
      const byOwner = ok<{ quickReply: QuickReplyJson }>(
        await api('POST', '/api/quick-replies', {
          cookie: owner,
          payload: { title: '共享', text: '大家的', personal: false },
        }),
        201,
      ).quickReply;
      assert.equal(byOwner.ownerId, null);
      assert.equal(await countShared(), shared + 1);
    });

    it('a bad title, text, imageUrl or personal flag is 400 naming it and stores nothing', async () => {
      const count = async () =>
        ok<{ quickReplies: QuickReplyJson[] }>(await api('GET', '/api/quick-replies', { cookie: agent1 }))
          .quickReplies.length;
      const before = await count();
      const cases: [unknown, string][] = [
        [{ title: '', text: 'x' }, 'title'],
        [{ title: '   ', text: 'x' }, 'title'],
        [{ title: '长'.repeat(51), text: 'x' }, 'title'],
        [{ title: 5, text: 'x' }, 'title'],
        [{ text: 'x' }, 'title'],
        [{ title: 't', text: '' }, 'text'],
        [{ title: 't', text: 'x'.repeat(2001) }, 'text'],
        [{ title: 't', text: 'x', imageUrl: 'https://evil.example/a.png' }, 'imageUrl'],
        [{ title: 't', text: 'x', personal: 'yes' }, 'personal'],
      ];
      for (const [payload, field] of cases) {
        assertError(
          await api('POST', '/api/quick-replies', { cookie: agent1, payload: payload as object }),
          400,
          'validation_failed',
          field,
        );
      }
      assert.equal(await count(), before);
    });

    it('patches and deletes one’s own; another agent’s personal or a shared reply is 403 for agents; unknown is 404', async () => {
      const mine = ok<{ quickReply: QuickReplyJson }>(
        await api('POST', '/api/quick-replies', { cookie: agent1, payload: { title: '改我', text: '原文' } }),
        201,
      ).quickReply;
      const url = `/api/quick-replies/${mine.id}`;
      const patched = ok<{ quickReply: QuickReplyJson }>(
        await api('PATCH', url, { cookie: agent1, payload: { text: '改过', imageUrl: '/uploads/abc-123' } }),
      ).quickReply;
      assert.equal(patched.text, '改过');
      assert.equal(patched.title, '改我');
      assert.equal(patched.imageUrl, '/uploads/abc-123');
      const retitled = ok<{ quickReply: QuickReplyJson }>(
        await api('PATCH', url, { cookie: agent1, payload: { title: '改我二' } }),
      ).quickReply;
      assert.equal(retitled.imageUrl, '/uploads/abc-123', 'a patch without imageUrl keeps the image');
      assert.equal(retitled.text, '改过');
      for (const [payload, field] of [
        [{ title: '' }, 'title'],
        [{ title: 'x'.repeat(51) }, 'title'],
        [{ imageUrl: 'data:text/html,<script>' }, 'imageUrl'],
      ] as const) {
        assertError(await api('PATCH', url, { cookie: agent1, payload }), 400, 'validation_failed', field);
      }
      assertError(
        await api('PATCH', url, { cookie: agent1, payload: { personal: false } }),
        403,
        'forbidden',
        'personal',
      );
      const agent2 = cookies['agent-demo-2']!;
      assertError(await api('PATCH', url, { cookie: agent2, payload: { text: '偷改' } }), 403, 'forbidden');
      assertError(await api('DELETE', url, { cookie: agent2 }), 403, 'forbidden');
      const shared = 'qr-demo-1';
      assertError(
        await api('PATCH', `/api/quick-replies/${shared}`, { cookie: agent1, payload: { text: '改共享' } }),
        403,
        'forbidden',
      );
      assertError(await api('DELETE', `/api/quick-replies/${shared}`, { cookie: agent1 }), 403, 'forbidden');
      const stillShared = await t.storage.quickReplies.findQuickReply(DEMO_SHOP, shared as QuickReplyId);
      assert.equal(stillShared?.title, '欢迎语');
      assert.equal(
        (await t.storage.quickReplies.findQuickReply(DEMO_SHOP, mine.id as QuickReplyId))?.text,
        '改过',
      );
      const ownerEdit = ok<{ quickReply: QuickReplyJson }>(
        await api('PATCH', `/api/quick-replies/${shared}`, {
          cookie: owner,
          payload: { text: '亲，您好！' },
        }),
      );
      assert.equal(ownerEdit.quickReply.text, '亲，您好！');
      assert.equal(ownerEdit.quickReply.ownerId, null, 'an edit by the owner keeps the reply shared');
      const seenBy1 = ok<{ quickReplies: QuickReplyJson[] }>(
        await api('GET', '/api/quick-replies', { cookie: agent1 }),
      );
      assert.ok(
        seenBy1.quickReplies.some((q) => q.id === shared),
        'agents still see it',
      );
      const deleted = await api('DELETE', url, { cookie: agent1 });
      assert.equal(deleted.statusCode, 204);
      assert.equal(
        await t.storage.quickReplies.findQuickReply(DEMO_SHOP, mine.id as QuickReplyId),
        undefined,
      );
      assertError(await api('DELETE', url, { cookie: agent1 }), 404, 'not_found', 'id');
      assertError(
        await api('PATCH', url, { cookie: agent1, payload: { text: 'x' } }),
        404,
        'not_found',
        'id',
      );
    });
  });
});
