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

  it('reads reviews typed with spaces for commas, and taste only of what is eaten', () => {
    assert.deepEqual(readReview(review('物流超快 第二天就到 一盒没磕坏 喝着香浓', 5, '纯牛奶整箱')), {
      praised: ['delivery', 'taste'],
      complained: [],
      tone: 'positive',
    });
    // On a detergent the scent is how well it works; on a storage box a smell is a fault of make.
    assert.deepEqual(readReview(review('洗得很干净 香味好闻', 5, '洗衣凝珠')).praised, ['effect']);
    assert.deepEqual(readReview(review('能装很多 就是有股怪味', 4, '收纳箱')).complained, ['quality']);
    assert.deepEqual(readReview(review('质量不算差 没过敏', 4, '耳钉')).complained, []);
    // perfume, a face cream, Xiaomi: not food; a snail noodle and seaweed are
    assert.deepEqual(readReview(review('香味很持久', 5, '玫瑰香水')).praised, ['effect']);
    assert.deepEqual(readReview(review('味道好闻', 5, '保湿面霜')).praised, ['effect']);
    assert.deepEqual(readReview(review('味道很正宗', 5, '柳州螺蛳粉')).praised, ['taste']);
    assert.deepEqual(readReview(review('螺丝滑丝了', 2, '小米台灯')).praised, []);
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
    // (taste is of what is eaten: those two about a tea)
    const drafts = new Set(
      texts.map(
        (t) => draftReviewReply(review(t, 3, /味道|新鲜/.test(t) ? '明前龙井' : undefined), '店').text,
      ),
    );
    assert.equal(drafts.size, texts.length);
  });
});
