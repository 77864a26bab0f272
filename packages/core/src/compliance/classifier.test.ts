import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clausesOf, LineClassifier, type CorpusLine } from './classifier';

const corpus: CorpusLine[] = [
  ...[
    '扫我的码付款',
    '直接转我支付宝',
    '钱打我银行卡上',
    '加我微信私下交易',
    '别在平台拍了转我',
    '付到我个人账户',
  ].map((text) => ({ text, label: 'block' as const, rule: 'CMP-3' as const })),
  ...['你是不是听不懂人话', '眼瞎吗看不见', '穷就别买', '事儿精一个', '脑子有问题吧', '你算老几'].map(
    (text) => ({ text, label: 'block' as const, rule: 'CMP-2' as const }),
  ),
  ...[
    '亲，明天给您发货',
    '尺码表在详情页',
    '有问题随时找我',
    '退款会原路退回',
    '这款有三个颜色',
    '感谢您的耐心等待',
  ].map((text) => ({ text, label: 'pass' as const, rule: null })),
];

describe('issue #17 the line classifier', () => {
  it('the same corpus trains the same model', () => {
    const a = LineClassifier.train(corpus).probabilities('转我微信吧');
    const b = LineClassifier.train(corpus).probabilities('转我微信吧');
    assert.deepEqual(Array.from(a), Array.from(b));
  });

  it('a kept model reads as the trained one, and a wrong-sized array is refused', () => {
    const model = LineClassifier.train(corpus);
    const kept = LineClassifier.fromArray(model.toArray());
    assert.deepEqual(
      Array.from(kept.probabilities('钱打我卡上')),
      Array.from(model.probabilities('钱打我卡上')),
    );
    assert.throws(() => LineClassifier.fromArray(new Float32Array(10)), /not a kept model/);
  });

  it('reads wordings it was not given by what they share with its examples', () => {
    const model = LineClassifier.train(corpus, { epochs: 20, rate: 0.3 });
    assert.equal(model.read('钱直接转我支付宝就行')[0]!.rule, 'CMP-3');
    assert.equal(model.read('你眼睛是瞎了吗')[0]!.rule, 'CMP-2');
    const clean = model.probabilities('亲，尺码表在详情页第二张图');
    assert.ok(clean[0]! > 0.5, `clean ${clean[0]}`);
  });

  it('splits a line into its clauses (and keeps the line)', () => {
    assert.deepEqual(clausesOf('好的亲，已经发货了！加我vx'), [
      '好的亲，已经发货了！加我vx',
      '好的亲',
      '已经发货了',
      '加我vx',
    ]);
    assert.deepEqual(clausesOf('在的'), ['在的']);
  });
});
