import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskPii } from './cmp7-privacy.rule';

describe('CMP-7 privacy masking', () => {
  it('CMP-7 masks a phone number to 138****5678, in any spelling', () => {
    assert.equal(maskPii('电话13812345678').text, '电话138****5678');
    assert.equal(maskPii('电话 138-1234-5678').text, '电话 138-****-5678');
    assert.equal(maskPii('+86 138 1234 5678').text, '+86 138 **** 5678');
    assert.equal(maskPii('①③⑧①②③④⑤⑥⑦⑧').text, '①③⑧****⑤⑥⑦⑧');
    assert.equal(maskPii('座机 021-61234567').text, '座机 021-****4567');
    const r = maskPii('电话13812345678，谢谢');
    assert.deepEqual(r.spans, [{ start: 5, end: 9, kind: 'phone' }]);
  });

  it('CMP-7 keeps province, city and district and masks the street and house number', () => {
    const r = maskPii('地址：浙江省杭州市西湖区文三路123号5幢2单元301室，收件人王芳');
    assert.equal(
      r.text,
      '地址：浙江省杭州市西湖区' + '*'.repeat('文三路123号5幢2单元301室'.length) + '，收件人王芳',
    );
    assert.equal(r.spans.length, 1);
    assert.equal(r.spans[0]?.kind, 'address');
    const street = maskPii('寄到西湖区文三路123号就行');
    assert.equal(street.text, '寄到西湖区' + '*'.repeat('文三路123号'.length) + '就行');
    const city = maskPii('上海市浦东新区张江路88弄6号');
    assert.ok(city.text.startsWith('上海市浦东新区'), city.text);
    assert.ok(!city.text.includes('88'), city.text);
    // Spaces between the parts do not leave the house number showing.
    for (const t of ['浙江省杭州市西湖区文三路 138 号 3 单元 502 室', '寄到文三路 138 号 3 单元，谢谢']) {
      const spaced = maskPii(t).text;
      assert.ok(!/138|502/.test(spaced), spaced);
    }
  });

  it('CMP-7 masks ID-card numbers and leaves order numbers and prices alone', () => {
    assert.equal(maskPii('身份证 11010119900307123X').text, '身份证 110101********123X');
    const plain = '订单 3456123498765432107，价格 299 元，数量 2';
    assert.deepEqual(maskPii(plain), { text: plain, spans: [] });
  });

  it('CMP-7 keeps offsets: the masked text has the original length', () => {
    for (const t of ['电话13812345678', '浙江省杭州市西湖区文三路123号', '\uD800 13812345678 😀']) {
      assert.equal(maskPii(t).text.length, t.length);
    }
  });
});
