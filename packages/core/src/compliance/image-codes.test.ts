import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../kernel';
import { createChecker } from './checker';
import { validateComplianceSettings } from './compliance.types';
import { findCodeLinks, imageCodeFindings } from './image-codes.rule';

const checker = createChecker(
  validateComplianceSettings({
    platforms: ['taobao-tmall'],
    customPhrases: [],
    allowedDomains: ['xiaoer.dev'],
  }),
  new FakeClock(),
);
const ids = (code: string) => imageCodeFindings(code, checker.check(code)).map((f) => f.id);

describe('CMP-3: the text of a QR code or barcode in an image (issue #14)', () => {
  it('payment and app links, WeChat ids, off-platform links and bank cards block', () => {
    assert.deepEqual(ids('wxp://f2f0Qm4bXkz9TRcYl0aJ3sH8'), ['cmp3.payment-code']);
    assert.deepEqual(ids('weixin://wxpay/bizpayurl?pr=Ab12Cd3'), ['cmp3.payment-code']);
    assert.deepEqual(ids('alipays://platformapi/startapp?saId=10000007&qrcode=x'), ['cmp3.payment-code']);
    assert.deepEqual(ids(' WXP://F2F0ABC '), ['cmp3.payment-code']);
    assert.deepEqual(ids('wxid_k2j3h4g5f6'), ['cmp3.contact-id']);
    assert.deepEqual(ids('https://qr.alipay.com/fkx19366xjdmqs2wi7ub8a3'), ['cmp3.link']);
    assert.deepEqual(ids('https://u.wechat.com/EBnd3kPq1'), ['cmp3.link']);
    assert.deepEqual(ids('6222020200112233446'), ['cmp3.bank-card']);
  });

  it('the shop’s own links, its platform’s, product barcodes and plain words pass', () => {
    for (const code of [
      'https://xiaoer.dev/item/42',
      'https://item.taobao.com/item.htm?id=6533',
      '6901234567892',
      '12345670',
      'SN-2026-000123',
      '保温杯 500ml',
    ])
      assert.deepEqual(ids(code), [], code);
    assert.deepEqual(findCodeLinks('https://xiaoer.dev/wxp://'), [], 'a scheme counts only at the start');
  });

  it('each finding says it came from a code in the image and carries the code; no rewrite', () => {
    const [f] = imageCodeFindings('wxp://f2f0abc', checker.check('wxp://f2f0abc'));
    assert.equal(f?.source, 'image_code');
    assert.equal(f?.code, 'wxp://f2f0abc');
    assert.match(f?.reason['zh-CN'] ?? '', /^图片中的二维码 \/ 条码：/);
    assert.match(f?.reason.en ?? '', /^A code in the image: /);
    assert.equal(f?.rewrite, undefined);
  });
});
