import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import {
  DEFAULT_MODEL_SETTINGS,
  MemoryLogger,
  type ChatTurn,
  type CheckResult,
  type Finding,
  type ModelSettings,
  type ShopId,
} from '@xiaoer/core';
import { complianceSecondOpinion } from './second-opinion';

const SHOP = 'shop-1' as ShopId;
const on: ModelSettings = {
  ...DEFAULT_MODEL_SETTINGS,
  enabled: true,
  baseUrl: 'http://127.0.0.1:9/v1',
  chatModel: 'stub-chat',
  timeoutMs: 500,
  judgeCompliance: true,
};
const unsure: Finding = {
  rule: 'CMP-4',
  id: 'model.cmp-4',
  verdict: 'warn',
  reason: { 'zh-CN': '原因', en: 'reason' },
  span: { start: 0, end: 6 },
  matched: '肯定没问题',
  source: 'model',
  confidence: 0.5,
};
const warnBand: CheckResult = { verdict: 'warn', findings: [unsure], promises: [] };

/** A provider whose settings and reply the test sets; counts the calls. */
function provider(settings: ModelSettings, reply: () => Promise<string>) {
  const calls: ChatTurn[][] = [];
  return {
    calls,
    settingsOf: async () => settings,
    chat: async (_s: ModelSettings, turns: ChatTurn[]) => {
      calls.push(turns);
      return reply();
    },
  };
}

describe('issue #17 the server’s second opinion', () => {
  let logger = new MemoryLogger();
  beforeEach(() => {
    logger = new MemoryLogger();
  });
  const warnings = () =>
    logger.lines.map((l) => `${l.level} ${l.message} ${String(l.fields.shop)}: ${String(l.fields.reason)}`);

  it('off unless enabled, with a base URL and a chat model, and judgeCompliance on', async () => {
    for (const off of [
      DEFAULT_MODEL_SETTINGS,
      { ...on, judgeCompliance: false },
      { ...on, enabled: false },
      { ...on, baseUrl: '' },
      { ...on, chatModel: '' },
    ]) {
      const p = provider(off, async () => '{"verdict":"block","rule":null,"reason":"x"}');
      assert.equal(await complianceSecondOpinion(p, logger)(SHOP, '肯定没问题', warnBand), warnBand);
      assert.equal(p.calls.length, 0);
    }
  });

  it('only the warn band is asked', async () => {
    const p = provider(on, async () => '{"verdict":"block","rule":null,"reason":"x"}');
    const judge = complianceSecondOpinion(p, logger);
    const lexicon: CheckResult = {
      verdict: 'warn',
      findings: [{ ...unsure, id: 'adlaw.best', source: undefined }],
      promises: [],
    };
    assert.equal(await judge(SHOP, 'x', lexicon), lexicon);
    assert.equal(p.calls.length, 0);
    const out = await judge(SHOP, '肯定没问题', warnBand);
    assert.equal(out.verdict, 'block');
    assert.equal(out.secondOpinion, 'block');
    assert.equal(p.calls.length, 1);
  });

  it('slower than the shop’s timeout, failing or malformed: the local result, logged once a minute', async () => {
    let t = 0;
    const slow = provider({ ...on, timeoutMs: 50 }, () => new Promise<string>(() => {}));
    const judge = complianceSecondOpinion(slow, logger, () => t);
    // The provider never answers: a result at all is the timeout's.
    assert.equal(await judge(SHOP, '肯定没问题', warnBand), warnBand);
    assert.equal(await judge(SHOP, '肯定没问题', warnBand), warnBand);
    assert.equal(warnings().length, 1, 'once per shop and minute');
    assert.match(warnings()[0]!, /^warn .*compliance second opinion.* shop-1: no answer within 50 ms/);
    t += 60_000;
    const malformed = provider(on, async () => '我觉得可以发');
    const again = complianceSecondOpinion(malformed, logger, () => t);
    assert.equal(await again(SHOP, '肯定没问题', warnBand), warnBand);
    const down = complianceSecondOpinion(
      provider(on, async () => Promise.reject(new Error('/chat/completions answered 500'))),
      logger,
      () => t,
    );
    assert.equal(await down(SHOP, '肯定没问题', warnBand), warnBand);
    assert.equal(warnings().length, 3);
    assert.ok(!warnings()[1]!.includes('可以发'), 'the reply is not logged');
  });
});
