import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { suggestTags } from './tag-suggest';

const tags = (...lines: string[]) => suggestTags(lines).map((s) => s.tag);

describe('CRM-1 tags suggested from what the buyer wrote', () => {
  it('names the facts an agent would note, each once, with the words they rest on', () => {
    assert.deepEqual(suggestTags(['宝宝八个月了 这个辅食机好洗吗', '辅食一天做两顿']), [
      { tag: '宝妈', evidence: '宝宝' },
    ]);
    assert.deepEqual(tags('给我妈买的生日礼物', '周五之前必须到'), ['送礼', '急用', '长辈']);
    assert.deepEqual(tags('学生党 能便宜点不'), ['学生', '价格敏感']);
  });

  it('a fact denied, or words that only look like one, suggest nothing', () => {
    assert.deepEqual(tags('我不急 慢慢发'), []);
    assert.deepEqual(tags('我不怕冷 要薄的'), []);
    assert.deepEqual(tags('皮肤不敏感 啥都能用'), []);
    assert.deepEqual(tags('自己用的 不要礼盒'), []);
    assert.deepEqual(tags('客服宝宝 帮我查下单号'), []);
    assert.deepEqual(tags('暖宝宝能带上飞机吗'), []);
    assert.deepEqual(tags('猫眼石手链还有吗'), []);
    assert.deepEqual(tags('上次问过客服 说有货'), []);
  });

  it("a child's school is the parent's news; a pet's age is not a child's", () => {
    assert.deepEqual(tags('孩子下周开学要住校'), ['宝妈']);
    assert.deepEqual(tags('我家猫三岁了 这个粮能吃吗'), ['宠物']);
  });

  it("a fact of someone else's body or home is not the buyer's", () => {
    assert.deepEqual(tags('女朋友生日后天 她是干皮'), ['送礼']);
    assert.deepEqual(tags('我老公是油皮，我是干皮'), ['干皮']);
    assert.deepEqual(tags('送男朋友的', '他特别怕冷'), ['送礼']);
    assert.deepEqual(tags('闺蜜刚养了只猫'), []);
    assert.deepEqual(tags('我家猫三岁了', '其他口味有吗'), ['宠物']);
    assert.deepEqual(tags('给我妈买一件', '我自己也怕冷 再来件加厚的'), ['怕冷', '长辈']);
  });

  it('reads buyers as they type: slang, sizes in any case, a deadline by the date', () => {
    assert.deepEqual(tags('有4xl的吗 我平时穿3xl还紧'), ['大码']);
    assert.deepEqual(tags('520送对象的 19号之前能到吗'), ['送礼', '急用']);
    assert.deepEqual(tags('又双叒叕来了 给我家大橘囤猫粮'), ['老顾客', '宠物']);
    assert.deepEqual(tags('崽崽在长牙 这个牙胶能冻吗'), ['宝妈']);
    assert.deepEqual(tags('我一穿羊毛就痒得不行'), ['敏感肌']);
  });

  it('slang and products that only look like a fact suggest nothing', () => {
    assert.deepEqual(tags('考研狗天天熬夜 黑眼圈重成熊猫'), ['学生']);
    assert.deepEqual(tags('毛孩子要体外驱虫 几斤的能用'), ['宠物']);
    assert.deepEqual(tags('这个狗狗造型的抱枕多大'), []);
    assert.deepEqual(tags('这鞋能拍大一码吗'), []);
    assert.deepEqual(tags('孕妇能用吗 帮同事问的'), []);
    assert.deepEqual(tags('这款面霜适合油皮还是干皮'), []);
    assert.deepEqual(tags('拜托快点发货 我下单好久了'), []);
    assert.deepEqual(tags('孕38周了 哺乳内衣买哪个码'), ['孕妇']);
  });

  it('look-alikes a reviewer found suggest nothing, and the facts next to them still do', () => {
    assert.deepEqual(tags('我皮肤很干燥'), ['干皮']);
    assert.deepEqual(tags('戴着手干活会不会磨'), []);
    assert.deepEqual(tags('手镯是冰种的吗'), []);
    assert.deepEqual(tags('手机壳有冰川蓝吗'), []);
    assert.deepEqual(tags('我是干皮，这个面霜适合油皮还是干皮'), ['干皮']);
    assert.deepEqual(tags('我们在一起一百天了 送她什么好'), ['送礼']);
    assert.deepEqual(tags('狗狗在长牙 什么磨牙棒好'), ['宠物']);
    assert.deepEqual(tags('bb cream 有吗'), []);
    assert.deepEqual(tags('这款脸油怎么用'), []);
    // a flood of one word is read up to a bound, and whose it is still decides
    assert.deepEqual(tags(`她${'胖'.repeat(5000)}`), []);
  });

  it('leaves out the tags the buyer carries already', () => {
    assert.deepEqual(
      suggestTags(['给娃买的 能包邮吗'], ['宝妈']).map((s) => s.tag),
      ['价格敏感'],
    );
  });
});
