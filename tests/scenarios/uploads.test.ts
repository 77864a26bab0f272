/**
 * Issue #14: upload quotas (a buyer's bytes per hour, a shop's bytes in all) and the orphan sweep
 * (uploads nothing uses, removed after UPLOAD_ORPHAN_HOURS by a durable job), on SQLite and
 * PostgreSQL. Time moves on a FakeClock; the sweep is fired through the scheduler, not waited for.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { crc32, deflateSync } from 'node:zlib';
import { FakeClock, HOUR, MINUTE, type ProductId, type ShopId } from '@xiaoer/core';
import type { LightMyRequestResponse } from 'fastify';
import { testDatabases } from '../support/databases';
import { makeAgent, makeShop } from '../support/fixtures';
import { loginCookie, startTestServer, widgetSession, type TestServer } from '../support/server';

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/** A real 1×1 PNG, padded with a text chunk to exactly `size` bytes when given. */
function png(size?: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0);
  ihdr.writeUInt32BE(1, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  const parts = [
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.from([0, 0xff, 0x50, 0x00, 0xff]))),
    chunk('IEND', Buffer.alloc(0)),
  ];
  const bare = Buffer.concat(parts).length;
  if (size === undefined) return Buffer.concat(parts);
  const text = Buffer.concat([Buffer.from('Comment\0'), Buffer.alloc(size - bare - 12 - 8, 'x')]);
  const padded = Buffer.concat([...parts.slice(0, 2), chunk('tEXt', text), ...parts.slice(2)]);
  assert.equal(padded.length, size);
  return padded;
}

async function multipart(data: Buffer): Promise<{ payload: Buffer; headers: Record<string, string> }> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(data)], { type: 'image/png' }), 'a.png');
  const res = new Response(form);
  return {
    payload: Buffer.from(await res.arrayBuffer()),
    headers: { 'content-type': res.headers.get('content-type')! },
  };
}

const KB = 1000;

for (const engine of testDatabases) {
  describe(`uploads: quotas and orphans on ${engine.name} (issue #14)`, () => {
    let t: TestServer;
    const clock = new FakeClock(Date.now());

    before(async () => {
      t = await startTestServer({
        storage: await engine.open(),
        clock,
        listen: false,
        env: {
          UPLOAD_BUYER_BYTES_PER_HOUR: String(2.5 * KB),
          UPLOAD_SHOP_MAX_BYTES: String(5 * KB),
          UPLOAD_ORPHAN_HOURS: '24',
          WIDGET_SESSIONS_PER_MINUTE: '10000',
          RATE_LIMIT_PER_MINUTE: '100000',
        },
      });
      // Durable timers fire when the test says (runDue), not on their own.
      await t.server.scheduler.stop();
    });
    after(() => t.close());

    async function upload(data: Buffer, auth: { token?: string; cookie?: string; shop?: string }) {
      const body = await multipart(data);
      return t.server.app.inject({
        method: 'POST',
        url: '/api/uploads',
        headers: {
          ...body.headers,
          ...(auth.token ? { authorization: `Bearer ${auth.token}` } : {}),
          ...(auth.cookie ? { cookie: auth.cookie } : {}),
        },
        payload: body.payload,
      });
    }

    function uploaded(res: LightMyRequestResponse): string {
      assert.equal(res.statusCode, 201, res.body);
      return res.json<{ url: string }>().url;
    }

    function assertQuota(res: LightMyRequestResponse, quota: string): void {
      assert.equal(res.statusCode, 413, res.body);
      const body = res.json<{ error: { code: string; field?: string; details?: { quota?: string } } }>();
      assert.equal(body.error.code, 'quota_exceeded');
      assert.equal(body.error.field, 'file');
      assert.equal(body.error.details?.quota, quota);
    }

    const countUploads = async () =>
      (await t.storage.db.kysely.selectFrom('uploads').select('id').execute()).length;

    it("a buyer past its hourly bytes is 413 quota_exceeded naming file, nothing stored; another buyer isn't; an hour later it may again", async () => {
      const buyer = await widgetSession(t.server);
      uploaded(await upload(png(KB), buyer));
      uploaded(await upload(png(KB), buyer));
      const before = await countUploads();
      assertQuota(await upload(png(KB), buyer), 'buyer_hourly');
      assert.equal(await countUploads(), before, 'nothing stored');
      // Every byte counts: 2 KB used, 0.5 KB left, a small one still fits.
      uploaded(await upload(png(400), buyer));
      // Nothing left at all: refused before the body is read.
      uploaded(await upload(png(100), buyer));
      assertQuota(await upload(png(), buyer), 'buyer_hourly');
      const other = await widgetSession(t.server);
      uploaded(await upload(png(KB), other));
      clock.advance(HOUR + MINUTE);
      uploaded(await upload(png(KB), buyer));
      assert.equal(await countUploads(), before + 4);
    });

    it('a shop whose uploads fill its quota is 413 quota_exceeded naming file for its agents and buyers, nothing stored; other shops are not', async () => {
      const shopId = await makeShop(t.storage, `quota-${engine.name}`);
      const agent = await makeAgent(t.storage, shopId);
      const cookie = await loginCookie(t.server, agent.email);
      for (let i = 0; i < 5; i++) uploaded(await upload(png(KB), { cookie }));
      const before = await countUploads();
      assertQuota(await upload(png(), { cookie }), 'shop_total');
      const buyer = await widgetSession(t.server, { shop: `quota-${engine.name}` });
      assertQuota(await upload(png(), buyer), 'shop_total');
      assert.equal(await countUploads(), before, 'nothing stored');
      assert.equal(await t.storage.uploads.shopBytes(shopId), 5 * KB);
      // The demo shop has room of its own.
      uploaded(await upload(png(), { cookie: await loginCookie(t.server, 'owner@demo.xiaoer.dev') }));
    });

    it('the orphan sweep removes old uploads nothing uses and keeps those a message, quick reply or product uses, and fresh ones', async () => {
      // (earlier tests' uploads are swept too: delete them first so the counts are this test's)
      await t.storage.db.kysely.deleteFrom('uploads').execute();
      const owner = await loginCookie(t.server, 'owner@demo.xiaoer.dev');
      const buyer = await widgetSession(t.server);
      const sent = uploaded(await upload(png(), buyer));
      const res = await t.server.app.inject({
        method: 'POST',
        url: '/api/widget/messages',
        headers: { authorization: `Bearer ${buyer.token}` },
        payload: { clientId: 'img-1', kind: 'image', body: { url: sent } },
      });
      assert.equal(res.statusCode, 200, res.body);
      const inReply = uploaded(await upload(png(), { cookie: owner }));
      const reply = await t.server.app.inject({
        method: 'POST',
        url: '/api/quick-replies',
        headers: { cookie: owner },
        payload: { title: '尺码表', text: '请看尺码表', imageUrl: inReply, personal: true },
      });
      assert.equal(reply.statusCode < 300, true, reply.body);
      const onProduct = uploaded(await upload(png(), { cookie: owner }));
      await t.storage.orders.insertProduct({
        id: `p-${engine.name}` as ProductId,
        shopId: 'shop-demo' as ShopId,
        title: '保温杯',
        priceCents: 9900,
        imageUrl: onProduct,
      });
      const neverSent = uploaded(await upload(png(), buyer));
      const agentOrphan = uploaded(await upload(png(), { cookie: owner }));

      // Whether the upload is still stored (serving it needs a caller who may see it, issue #14).
      const alive = async (url: string) =>
        (await t.storage.uploads.findUpload(url.slice('/uploads/'.length))) !== undefined;
      // Within the grace nothing goes, however often the sweep runs.
      clock.advance(23 * HOUR);
      await t.server.scheduler.runDue();
      for (const url of [sent, inReply, onProduct, neverSent, agentOrphan]) assert.ok(await alive(url), url);
      const fresh = uploaded(await upload(png(), buyer));

      clock.advance(2 * HOUR);
      await t.server.scheduler.runDue();
      assert.equal(await alive(neverSent), false, 'a buyer’s upload never sent is removed');
      assert.equal(await alive(agentOrphan), false, 'an agent’s upload never used is removed');
      assert.ok(await alive(sent), 'the image in a message stays');
      assert.ok(await alive(inReply), 'the quick reply’s image stays');
      assert.ok(await alive(onProduct), 'a product’s image stays');
      assert.ok(await alive(fresh), 'an upload younger than the grace stays');
      assert.equal(await countUploads(), 4);

      // The kept ones are not looked at again; the fresh one goes when its grace is over.
      clock.advance(24 * HOUR);
      await t.server.scheduler.runDue();
      assert.equal(await alive(fresh), false);
      assert.ok(await alive(sent));
      assert.ok(await alive(inReply));
      assert.ok(await alive(onProduct));
      assert.equal(
        (
          await t.storage.db.kysely
            .selectFrom('uploads')
            .select('id')
            .where('kept_at', 'is not', null)
            .execute()
        ).length,
        3,
      );
    });
  });
}
