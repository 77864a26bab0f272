import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { draftReviewReply, readReview } from './review-reply';

const review = (text: string, rating = 5, item = '不锈钢保温杯') => ({
  text,
  rating,
  item,
  buyerNick: '小王',
});

describe('CRM-7 review replies', () => {
  it('reads what a review praises and what it complains about, clause by clause', () => {
    assert.deepEqual(readReview(review('物流很快，但是包装破了', 3)), {
      praised: ['delivery'],
      complained: ['packaging'],
      tone: 'mixed',
    });
    assert.deepEqual(readReview(review('质量不错，颜色也没有色差，价格实惠')).praised.sort(), [
      'colour',
      'price',
      'quality',
    ]);
    assert.deepEqual(readReview(review('尺码偏小，客服态度差', 1)), {
      praised: [],
      complained: ['size', 'service'],
      tone: 'negative',
    });
    assert.equal(readReview(review('好评', 5)).tone, 'positive');
  });

  it('drafts differ by what the review says, and name the item', () => {
    const a = draftReviewReply(review('物流很快，保温效果也很好'), '小二旗舰店').text;
    const b = draftReviewReply(review('包装破损，杯盖漏水，效果很差', 1), '小二旗舰店').text;
    const c = draftReviewReply(review('物流很快，保温效果也很好', 5, '儿童水杯'), '小二旗舰店').text;
    assert.notEqual(a, b);
    assert.notEqual(a, c, 'the same words about another item get another reply');
    assert.match(a, /^小王您好，谢谢您的好评！包裹这么快到您手上/);
    assert.match(a, /「不锈钢保温杯」好用/);
    assert.match(b, /^小王您好，非常抱歉/);
    assert.match(b, /包装没保护好商品/);
    assert.match(b, /没有达到您的期待/);
    assert.doesNotMatch(b, /谢谢您的好评/);
  });

  it('every draft differs across a set of distinct reviews', () => {
    const texts = [
      '物流快',
      '包装很用心',
      '质量很好',
      '尺码合适',
      '颜色好看',
      '客服很耐心',
      '性价比高',
      '味道不错',
      '效果很好',
      '物流太慢了',
      '包装烂了',
      '做工差',
      '偏大了',
      '色差严重',
      '客服不理人',
      '太贵了',
      '不新鲜',
      '没用',
    ];
    const drafts = new Set(texts.map((t) => draftReviewReply(review(t, 3), '店').text));
    assert.equal(drafts.size, texts.length);
  });
});
