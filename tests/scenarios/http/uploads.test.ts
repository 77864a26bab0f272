/**
 * The HTTP API in process (Fastify `inject`), uploads: every route's happy path and its bad input.
 * Bad input must get a 4xx with `{error: {code, message, field?}}` naming the field, write nothing,
 * and leave the process serving. No response in this file may be a 5xx.
 * (One of the files split by route area from tests/scenarios/http-api.test.ts in issue #20; the
 * shared helpers are in tests/support/http-api.ts.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MAX_IMAGE_BYTES } from '@xiaoer/protocol';
import {
  apiHelpers,
  assertError,
  type Call,
  countUploads,
  multipart,
  ok,
  PNG,
  type SendJson,
  startApiServer,
} from '../../support/http-api';
import { widgetSession, type TestServer } from '../../support/server';

describe('HTTP API in process', () => {
  let t: TestServer;
  /** Session cookies by agent id. */
  const cookies: Record<string, string> = {};
  let owner: string;
  let agent1: string;

  const { api, buyerSays, holderCookie } = apiHelpers(() => ({ t, cookies, owner }));

  before(async () => {
    ({ t, owner, agent1 } = await startApiServer(cookies));
  });
  after(() => t.close());

  // ------------------------------------------------------------------ uploads
  describe('uploads', () => {
    it('an agent uploads a PNG: 201 with url, type and size; GET serves it as image/png with nosniff and a sandbox', async () => {
      const body = await multipart({ data: PNG, type: 'image/png', name: 'pixel.png' });
      const up = ok<{ url: string; contentType: string; size: number }>(
        await api('POST', '/api/uploads', { cookie: agent1, headers: body.headers, payload: body.payload }),
        201,
      );
      assert.match(up.url, /^\/uploads\/[0-9a-f-]{36}$/);
      assert.equal(up.contentType, 'image/png');
      assert.equal(up.size, PNG.length);
      // Issue #14: served to agents of the shop (and the buyer it is shown to), not to anyone.
      assertError(await api('GET', up.url), 404, 'not_found', 'id');
      const got = await api('GET', up.url, { cookie: agent1 });
      assert.equal(got.statusCode, 200);
      assert.equal(got.headers['content-type'], 'image/png');
      assert.equal(got.headers['x-content-type-options'], 'nosniff');
      assert.match(String(got.headers['content-security-policy']), /sandbox/);
      assert.deepEqual(got.rawPayload, PNG);
      // The uploaded image is sendable as a message.
      const { conversation } = await buyerSays('看图');
      const sent = ok<SendJson>(
        await api('POST', `/api/conversations/${conversation.id}/messages`, {
          cookie: holderCookie(conversation),
          payload: { clientId: 'img', kind: 'image', body: { url: up.url } },
        }),
      );
      assert.deepEqual(sent.message.body, { url: up.url });
    });

    it('the type comes from the bytes: a JPEG-named PNG is stored as image/png', async () => {
      const body = await multipart({ data: PNG, type: 'image/jpeg', name: 'photo.jpg' });
      const up = ok<{ url: string; contentType: string }>(
        await api('POST', '/api/uploads', { cookie: agent1, headers: body.headers, payload: body.payload }),
        201,
      );
      assert.equal(up.contentType, 'image/png');
      assert.equal((await api('GET', up.url, { cookie: agent1 })).headers['content-type'], 'image/png');
    });

    it('HTML named .png and sent as image/png, SVG, and text are 415 naming file; an empty file is 400; nothing is stored', async () => {
      const before = await countUploads(t);
      const fakes: { data: Buffer; type: string; name: string }[] = [
        {
          data: Buffer.from('<!doctype html><html><script>alert(document.cookie)</script></html>'),
          type: 'image/png',
          name: 'x.png',
        },
        {
          data: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
          type: 'image/svg+xml',
          name: 'x.svg',
        },
        { data: Buffer.from('just some text'), type: 'text/plain', name: 'notes.txt' },
        { data: Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n'), type: 'image/png', name: 'doc.png' },
      ];
      for (const file of fakes) {
        const body = await multipart(file);
        assertError(
          await api('POST', '/api/uploads', { cookie: agent1, headers: body.headers, payload: body.payload }),
          415,
          'unsupported_media_type',
          'file',
        );
      }
      const empty = await multipart({ data: Buffer.alloc(0), type: 'image/png', name: 'empty.png' });
      assertError(
        await api('POST', '/api/uploads', { cookie: agent1, headers: empty.headers, payload: empty.payload }),
        400,
        'validation_failed',
        'file',
      );
      assert.equal(await countUploads(t), before);
    });

    it('a file over 10 MB is 413 naming file and nothing is stored; exactly 10 MB is accepted', async () => {
      const before = await countUploads(t);
      const tooBig = await multipart({
        data: Buffer.concat([PNG, Buffer.alloc(MAX_IMAGE_BYTES + 1 - PNG.length)]),
        type: 'image/png',
        name: 'big.png',
      });
      assertError(
        await api('POST', '/api/uploads', {
          cookie: agent1,
          headers: tooBig.headers,
          payload: tooBig.payload,
        }),
        413,
        'payload_too_large',
        'file',
      );
      assert.equal(await countUploads(t), before, 'nothing half written');
      const atLimit = await multipart({
        data: Buffer.concat([PNG, Buffer.alloc(MAX_IMAGE_BYTES - PNG.length)]),
        type: 'image/png',
        name: 'limit.png',
      });
      const up = ok<{ size: number }>(
        await api('POST', '/api/uploads', {
          cookie: agent1,
          headers: atLimit.headers,
          payload: atLimit.payload,
        }),
        201,
      );
      assert.equal(up.size, MAX_IMAGE_BYTES);
    });

    it('without a session or buyer token, or with a forged token, an upload is 401 and nothing is stored', async () => {
      const before = await countUploads(t);
      const body = await multipart({ data: PNG, type: 'image/png', name: 'a.png' });
      for (const call of [
        {},
        { token: 'v1.shop-demo.buyer-demo-01.forged' },
        { cookie: 'xiaoer_sid=made-up' },
      ] as Call[]) {
        assertError(
          await api('POST', '/api/uploads', { ...call, headers: body.headers, payload: body.payload }),
          401,
          'unauthenticated',
        );
      }
      assert.equal(await countUploads(t), before);
    });

    it('a buyer uploads with a Bearer token and sends the image', async () => {
      const { token } = await widgetSession(t.server);
      const body = await multipart({ data: PNG, type: 'image/png', name: 'mine.png' });
      const up = ok<{ url: string }>(
        await api('POST', '/api/uploads', { token, headers: body.headers, payload: body.payload }),
        201,
      );
      const sent = ok<SendJson>(
        await api('POST', '/api/widget/messages', {
          token,
          payload: { clientId: 'pic', kind: 'image', body: { url: up.url } },
        }),
      );
      assert.equal(sent.message.kind, 'image');
      assert.deepEqual(sent.message.body, { url: up.url });
    });

    it('a non-multipart body is 415; multipart without a file is 400 naming file', async () => {
      assertError(
        await api('POST', '/api/uploads', { cookie: agent1, payload: { file: PNG.toString('base64') } }),
        415,
        'unsupported_media_type',
        'file',
      );
      const noFile = await multipart(null, { note: 'no file here' });
      assertError(
        await api('POST', '/api/uploads', {
          cookie: agent1,
          headers: noFile.headers,
          payload: noFile.payload,
        }),
        400,
        'validation_failed',
        'file',
      );
    });

    it('a malformed multipart body is 400 naming file, not a server error, and stores nothing', async () => {
      const before = await countUploads(t);
      const cases: [string, string][] = [
        ['multipart/form-data', 'garbage'],
        ['multipart/form-data; boundary=xyz', 'garbage'],
        [
          'multipart/form-data; boundary=xyz',
          '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n\x89PNG',
        ],
      ];
      for (const [type, payload] of cases) {
        assertError(
          await api('POST', '/api/uploads', { cookie: agent1, headers: { 'content-type': type }, payload }),
          400,
          'validation_failed',
          'file',
        );
      }
      assert.equal(await countUploads(t), before);
    });

    it('GET /uploads/:id of an unknown id is 404; a malformed id is 400 naming id', async () => {
      assertError(await api('GET', '/uploads/00000000-0000-4000-8000-000000000000'), 404, 'not_found', 'id');
      assertError(await api('GET', '/uploads/not-a-uuid'), 400, 'validation_failed', 'id');
      assertError(await api('GET', '/uploads/..%2F..%2Fetc%2Fpasswd'), 400, 'validation_failed', 'id');
    });
  });
});
