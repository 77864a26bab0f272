import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  ean13Png,
  hugePngHeader,
  jpg,
  photo,
  photoWithQr,
  png,
  qrPixels,
  webp,
} from '../../../../tests/support/images';
import type { ShopId } from '@xiaoer/core';
import { ImageCodeReader, uploadImageCodes } from './image-codes';

const SHOP = 's' as ShopId;

describe('image codes (CMP-3 for images, issue #14)', () => {
  const reader = new ImageCodeReader();
  after(() => reader.close());

  it('reads a QR code in a PNG and in a photo-sized JPEG, and an EAN-13 barcode', async () => {
    assert.deepEqual(await reader.read(png(qrPixels('wxp://f2f0Abc123XyZ'))), {
      ok: true,
      texts: ['wxp://f2f0Abc123XyZ'],
    });
    assert.deepEqual(await reader.read(photoWithQr('https://qr.alipay.com/fkx18392abcd', 'jpeg')), {
      ok: true,
      texts: ['https://qr.alipay.com/fkx18392abcd'],
    });
    assert.deepEqual(await reader.read(await ean13Png('6901234567892')), {
      ok: true,
      texts: ['6901234567892'],
    });
  });

  it('reads a QR code in a WebP', async () => {
    assert.deepEqual(await reader.read(await webp(qrPixels('wxp://f2f0webp123'))), {
      ok: true,
      texts: ['wxp://f2f0webp123'],
    });
  });

  it('finds nothing in a photo without a code', async () => {
    assert.deepEqual(await reader.read(jpg(photo(640, 480))), { ok: true, texts: [] });
  });

  it('a corrupt file is unreadable, not a crash, and the reader goes on', async () => {
    const good = png(qrPixels('hello'));
    const corrupt = Buffer.concat([good.subarray(0, 33), Buffer.from('garbage'.repeat(50))]);
    const r = await reader.read(corrupt);
    assert.equal(r.ok, false);
    assert.equal(await reader.read(Buffer.from('not an image at all')).then((x) => x.ok), false);
    const truncated = jpg(photo(300, 300)).subarray(0, 400);
    const t = await reader.read(truncated);
    assert.ok(!t.ok || t.texts.length === 0, 'a truncated JPEG has no codes to find');
    assert.deepEqual(await reader.read(good), { ok: true, texts: ['hello'] });
  });

  it('absurd dimensions are refused from the header, before any decoding', async () => {
    const r = await reader.read(hugePngHeader(60_000, 60_000));
    assert.deepEqual(r.ok ? null : r.reason, 'too_large');
    const long = await new ImageCodeReader({ maxSide: 100 }).read(png(photo(120, 10)));
    assert.deepEqual(long.ok ? null : long.reason, 'too_large');
  });

  it('a decode past its time box is ended, and the next read works', async () => {
    const hurried = new ImageCodeReader({ timeoutMs: 1 });
    const r = await hurried.read(photoWithQr('wxp://f2f0slow', 'jpeg'));
    assert.deepEqual(r.ok ? null : r.reason, 'timeout');
    await hurried.close();
    assert.deepEqual(await reader.read(png(qrPixels('after'))), { ok: true, texts: ['after'] });
  });

  it('the guard port reads /uploads/<id> and remembers each upload; an unreadable one is null', async () => {
    let reads = 0;
    const uploads = new Map<string, Buffer>([
      ['qr-1', png(qrPixels('weixin://wxpay/bizpayurl?pr=abc'))],
      ['bad-1', Buffer.from('nope')],
    ]);
    const codes = uploadImageCodes(
      {
        findUpload: async (id) => {
          reads++;
          const data = uploads.get(id);
          return data ? { data } : undefined;
        },
      },
      reader,
    );
    assert.deepEqual(await codes(SHOP, '/uploads/qr-1'), ['weixin://wxpay/bizpayurl?pr=abc']);
    assert.deepEqual(await codes(SHOP, '/uploads/qr-1'), ['weixin://wxpay/bizpayurl?pr=abc']);
    assert.equal(reads, 1);
    assert.equal(await codes(SHOP, '/uploads/bad-1'), null);
    assert.deepEqual(await codes(SHOP, '/uploads/missing'), []);
    assert.equal(await codes(SHOP, 'https://elsewhere.example/x.png'), null);
  });
});
