/**
 * Issue #17: the guard with its statistical layer, as the server ships it (the corpus in
 * `corpus/`, calibrated on the fifth held aside). The lines here are written for these tests —
 * not copied from the corpus, the dev sets or the held-out sets — so they show what the layer
 * reads beyond the phrases it was trained on.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createChecker, FakeClock, LineClassifier, validateComplianceSettings } from '@xiaoer/core';
import { cliSettings } from './compliance-cli';
import { complianceModel, readComplianceCorpus, trainComplianceModel } from './model';

const model = complianceModel();
const guard = createChecker(cliSettings(), new FakeClock(), model.reader);
const lexicons = createChecker(cliSettings(), new FakeClock());

function blocksBy(text: string, rule: string) {
  const r = guard.check(text);
  assert.equal(
    r.verdict,
    'block',
    `${text} should block by ${rule}; found ${r.findings.map((f) => `${f.id}:${f.confidence ?? ''}`).join(',')}`,
  );
  assert.ok(
    r.findings.some((f) => f.rule === rule && f.verdict === 'block'),
    `${text} should block by ${rule}; found ${r.findings.map((f) => f.id).join(',')}`,
  );
}

function passes(text: string) {
  const r = guard.check(text);
  assert.equal(
    r.verdict,
    'pass',
    `${text} should pass; found ${r.findings.map((f) => `${f.id}:${f.matched}:${f.confidence ?? ''}`).join(',')}`,
  );
}

describe('issue #17 the statistical layer in the guard', () => {
  it('the lines of the issue that passed with no finding now block', () => {
    for (const [text, rule] of [
      ['这个码扫一下付给我，比拍下便宜', 'CMP-3'],
      ['别在平台上拍了，直接转我', 'CMP-3'],
      ['钱打我卡上就行，我给你发货', 'CMP-3'],
      ['发票要的话运费你自己出', 'CMP-5'],
      ['一看你就是来找事的', 'CMP-2'],
      ['你是不是听不懂人话', 'CMP-2'],
      ['自己去看商品页', 'CMP-1'],
    ] as const)
      blocksBy(text, rule);
    for (const text of ['全网最低价', '国家级品质', '史上最好用']) {
      const r = guard.check(text);
      assert.equal(r.verdict, 'warn', text);
      assert.ok(
        r.findings.some((f) => f.rule === 'AD-LAW'),
        text,
      );
    }
  });
});

describe('issue #17 the statistical layer: clean look-alikes, rewrites, spellings', () => {
  it('clean look-alikes of each rule pass', () => {
    for (const text of [
      // The shortest lines agents send all day are too short to read: left to the lexicons.
      '稍等',
      '？',
      '好的',
      '在的',
      '您好',
      '您好，我是客服小美',
      '拼多多这边可以用微信支付的，下单时选一下就行',
      '如有人让您加微信转账，请不要相信，我们只在平台内交易',
      '这款眼霜对眼睛周围很温和，敏感肌也能用',
      '傻瓜式操作，插上电按一下就能用',
      '这个问题我帮您问一下仓库，十分钟内回复您',
      '发票可以开的，下单后在订单详情里申请电子发票就行',
      '支持七天无理由退货，质量问题来回运费我们出',
      '亲，第一时间给您发货',
      '尺码表在详情页第二张图，我也给您发一下',
    ])
      passes(text);
  });

  it('a suggestion replaces the clause the layer read, and passes the guard itself', () => {
    for (const text of [
      '好的亲，已经给您退款了，下次买东西记得带脑子',
      '亲，这款面霜保证一周祛斑，无效全额退',
      '亲，这个码扫一下付给我，我帮您备注一下',
    ]) {
      const r = guard.check(text);
      assert.equal(r.verdict, 'block', text);
      assert.ok(r.suggestion, `${text}: a suggestion`);
      assert.equal(guard.check(r.suggestion).verdict, 'pass', `${text} → ${r.suggestion}`);
      for (const f of r.findings.filter((x) => x.source === 'model'))
        assert.ok(!r.suggestion.includes(f.matched), `${f.matched} is gone from ${r.suggestion}`);
    }
    // The clean clause around it is kept as written.
    assert.ok(
      guard
        .check('好的亲，已经给您退款了，下次买东西记得带脑子')
        .suggestion?.startsWith('好的亲，已经给您退款了'),
    );
    // A message that is one insult has nothing to say instead.
    assert.equal(guard.check('你是不是听不懂人话').suggestion, undefined);
  });

  it('zero-width characters, spaces and homoglyphs keep a block of the layer a block', () => {
    const blocking = ['别在平台上拍了，直接转我', '一看你就是来找事的', '钱打我卡上就行，我给你发货'];
    for (const t of blocking) {
      assert.equal(lexicons.check(t).verdict, 'pass', `${t}: only the layer reads this one`);
      assert.equal(guard.check(t).verdict, 'block', t);
    }
    const junk = fc.constantFrom('\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad', ' ', '\u3000');
    fc.assert(
      fc.property(
        fc.constantFrom(...blocking),
        fc.array(fc.tuple(fc.nat(), junk), { maxLength: 8 }),
        (text, inserts) => {
          let s = text;
          for (const [at, ch] of inserts) {
            const i = at % (s.length + 1);
            s = s.slice(0, i) + ch + s.slice(i);
          }
          return guard.check(s).verdict === 'block';
        },
      ),
      { numRuns: 300 },
    );
    // Full-width and traditional spellings read as their plain forms.
    assert.equal(guard.check('別在平臺上拍了，直接轉我').verdict, 'block');
    assert.equal(guard.check('一看你就是來找事的').verdict, 'block');
  });

  it('a checkable promise is recorded, not read as an over-promise; one beside it still is', () => {
    for (const text of [
      '明天上午十点之前给您发货',
      '我答应您，今晚八点前发出去',
      '补发的那件明天一早就寄出',
    ]) {
      const r = guard.check(text);
      assert.notEqual(r.verdict, 'block', `${text}: ${r.findings.map((f) => f.id).join(',')}`);
      assert.ok(
        r.promises.some((p) => p.kind === 'ship-by'),
        `${text}: a ship-by promise`,
      );
    }
    blocksBy('亲，这款面霜保证一周祛斑，明天给您发出', 'CMP-4');
  });

  it("a buyer's words (an FAQ question) are read by the lexicons only", () => {
    const question = '你是不是听不懂人话';
    assert.equal(guard.check(question).verdict, 'block', 'as an agent line it is contempt');
    assert.equal(guard.check(question, { voice: 'buyer' }).verdict, 'pass');
    assert.equal(
      guard.check('加我微信 abc12345', { voice: 'buyer' }).verdict,
      'block',
      'the lexicons still read it',
    );
  });

  it("the shop's allow list drops the layer's reading of a clause, not a listed phrase's block", () => {
    const text = '一看你就是来找事的';
    const settings = validateComplianceSettings({ ...cliSettings(), allowList: [text, '你问我我问谁'] });
    const allowed = createChecker(settings, new FakeClock(), model.reader);
    assert.equal(allowed.check(text).verdict, 'pass');
    assert.equal(allowed.check('好的亲，一看你就是来找事的').verdict, 'pass', 'the clause is on the list');
    assert.equal(allowed.check('你问我，我问谁？').verdict, 'block', 'a lexicon block stays');
  });
});

describe('issue #17 training and calibration', () => {
  it('the same corpus trains the same layer', () => {
    const lines = readComplianceCorpus().filter((_, i) => i % 4 === 0);
    const a = trainComplianceModel(lines);
    const b = trainComplianceModel(lines);
    assert.deepEqual(a.calibration, b.calibration);
    assert.deepEqual(
      Array.from(a.classifier.probabilities('钱直接打我卡上')),
      Array.from(b.classifier.probabilities('钱直接打我卡上')),
    );
  });

  it('block means block: on clean lines it was not trained on, the calibrated layer blocks few', () => {
    // Train on four fifths by index, read the clean lines of the fifth left out.
    const lines = readComplianceCorpus();
    const held = lines.filter((_, i) => i % 5 === 2);
    const m = trainComplianceModel(lines.filter((_, i) => i % 5 !== 2));
    const clean = held.filter((l) => l.label === 'pass');
    const blocked = clean.filter((l) => m.reader.judge(l.text).some((j) => j.verdict === 'block'));
    assert.ok(clean.length > 300, `enough clean lines held back (${clean.length})`);
    assert.ok(
      blocked.length / clean.length <= 0.05,
      `${blocked.length} of ${clean.length} clean lines blocked: ${blocked
        .slice(0, 5)
        .map((l) => l.text)
        .join(' / ')}`,
    );
    // And it reads most of the rule-breaking lines it has not seen.
    const bad = held.filter((l) => l.label === 'block');
    const caught = bad.filter((l) => m.reader.judge(l.text).some((j) => j.verdict === 'block'));
    assert.ok(caught.length / bad.length >= 0.5, `${caught.length} of ${bad.length} blocks read`);
  });

  it('the classifier alone is not enough to train: a corpus without clean lines is refused', () => {
    assert.throws(() => LineClassifier.train([]), /no lines/);
  });
});
