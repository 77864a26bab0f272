import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countLinks, judgeSpam } from './spam';

const at = (text: string, seconds: number) => ({ text, at: seconds * 1000 });

describe('SPAM-1 spam judge', () => {
  it('flags the same text three times in a row within ten minutes', () => {
    assert.equal(
      judgeSpam({ recent: [at('加我', 0), at('加我！', 10), at('加 我', 20)], blocked: false }),
      'repeated',
    );
    assert.equal(
      judgeSpam({ recent: [at('在吗', 0), at('在吗', 10)], blocked: false }),
      null,
      'twice is a buyer waiting',
    );
    assert.equal(
      judgeSpam({ recent: [at('在吗', 0), at('在吗', 10), at('在吗', 900)], blocked: false }),
      null,
      'over 15 minutes',
    );
    assert.equal(
      judgeSpam({ recent: [at('在吗', 0), at('发货了吗', 10), at('在吗', 20)], blocked: false }),
      null,
    );
  });

  it('flags a link flood but answers a real buyer who pastes one link', () => {
    assert.equal(countLinks('看 http://a.cn/x 和 www.b.com 还有 c.top'), 3);
    assert.equal(
      judgeSpam({ recent: [at('http://x.cn/1 http://x.cn/2 http://x.cn/3', 0)], blocked: false }),
      'links',
    );
    assert.equal(
      judgeSpam({
        recent: [at('http://a.cn', 0), at('http://b.cn', 20), at('http://c.cn', 40)],
        blocked: false,
      }),
      'links',
    );
    assert.equal(
      judgeSpam({ recent: [at('这个链接的商品有货吗 https://shop.example.com/item/1', 0)], blocked: false }),
      null,
    );
  });

  it('flags buyers on the block list', () => {
    assert.equal(judgeSpam({ recent: [at('你好', 0)], blocked: true }), 'blocked');
  });
});
