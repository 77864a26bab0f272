import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildInterestIndex, productInterests } from '@xiaoer/core';
import { jiebaSegmenter } from '../bot/jieba.segmenter';

// CRM-1 interests read with the segmenter the server uses (jieba), over a small catalogue.
const seg = jiebaSegmenter();
const catalogue = [
  { id: 'cup', title: '不锈钢保温杯500ml' },
  { id: 'kids-cup', title: '儿童保温杯吸管款' },
  { id: 'tea', title: '明前龙井2026新茶' },
  { id: 'coat', title: '加厚羽绒服女中长款' },
  { id: 'tee', title: '纯棉短袖T恤男' },
  { id: 'jar', title: '焖烧罐' },
  { id: 'case', title: 'iPhone15手机壳' },
];
const index = buildInterestIndex(catalogue, seg);
const said = (...texts: string[]) => texts.map((text, i) => ({ text, at: 1000 + i }));
const named = (...texts: string[]) => productInterests(said(...texts), index, seg).map((x) => x.productId);

describe('CRM-1 interests: the products a buyer asked about in chat', () => {
  it('finds the product a message names, by the words a buyer uses for it', () => {
    assert.deepEqual(named('龙井是今年的新茶吗'), ['tea']);
    assert.deepEqual(named('羽绒服有黑色的吗 M码'), ['coat']);
    assert.deepEqual(named('iphone15的壳有吗'), ['case']);
    assert.deepEqual(named('孩子用的吸管杯有吗'), ['kids-cup']);
    // words the segmenter does not know are found as pieces of the title
    assert.deepEqual(named('这个焖烧罐能焖粥吗'), ['jar']);
    assert.deepEqual(named('T恤会缩水吗'), ['tee']);
  });

  it('a word two titles share names both; a message naming no product names none', () => {
    assert.deepEqual(named('保温杯有蓝色的吗').sort(), ['cup', 'kids-cup']);
    assert.deepEqual(named('你好 在吗', '发什么快递', '500ml的有吗', '加厚的有吗'), []);
  });

  it('counts each product once per message, most asked first, with the words and when last', () => {
    const found = productInterests(
      [
        ...said('羽绒服有黑色吗', '龙井还有吗', '羽绒服M码有吗'),
        { text: '焖烧罐', at: 2000, productId: 'jar' },
      ],
      index,
      seg,
    );
    assert.deepEqual(
      found.map((x) => [x.productId, x.mentions, x.lastAt, x.evidence]),
      [
        ['coat', 2, 1002, '羽绒服'],
        ['jar', 1, 2000, '焖烧罐'],
        ['tea', 1, 1001, '龙井'],
      ],
    );
    // a card of a product no longer sold names nothing
    assert.deepEqual(productInterests([{ text: '旧款', at: 1, productId: 'gone' }], index, seg), []);
  });
});
