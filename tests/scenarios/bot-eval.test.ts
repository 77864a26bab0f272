import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { evaluateBot, kbFileSchema } from '../../packages/server/src/bot/bot-eval';

const root = new URL('../..', import.meta.url).pathname;
const kb = kbFileSchema.parse(
  JSON.parse(readFileSync(join(root, 'packages/server/src/demo/demo-faq.json'), 'utf8')),
);

describe('xiaoer bot eval', () => {
  it('counts top-1 hits, handoff recall and false answers', () => {
    const report = evaluateBot(kb, [
      { text: '能开发票吗', expect: 'invoice' },
      { text: '发什么快递', expect: 'ship-carrier' },
      { text: '转人工', expect: 'handoff' },
      { text: '今天天气怎么样', expect: null },
      { text: '能开发票吗', expect: 'coupon' },
    ]);
    assert.equal(report.top1Accuracy, 0.667);
    assert.equal(report.handoffRecall, 1);
    assert.equal(report.falseAnswerRate, 0);
    assert.deepEqual(
      report.mistakes.map((m) => [m.text, m.expect, m.got]),
      [['能开发票吗', 'coupon', 'invoice']],
    );
  });

  it('the CLI prints one JSON object, and names the line of a bad query file (exit 2)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xiaoer-eval-'));
    const queries = join(dir, 'q.jsonl');
    writeFileSync(queries, '{"text":"转人工","expect":"handoff"}\n');
    const cli = (args: string[]) =>
      spawnSync(process.execPath, [join(root, 'bin/xiaoer.mjs'), 'bot', 'eval', ...args], {
        encoding: 'utf8',
      });
    const ok = cli(['--kb', join(root, 'packages/server/src/demo/demo-faq.json'), '--queries', queries]);
    assert.equal(ok.status, 0, ok.stderr);
    const report = JSON.parse(ok.stdout) as { handoffRecall: number; queries: number };
    assert.equal(report.queries, 1);
    assert.equal(report.handoffRecall, 1);
    writeFileSync(queries, '{"text":"x","expect":"handoff"}\nnot json\n');
    const bad = cli(['--kb', join(root, 'packages/server/src/demo/demo-faq.json'), '--queries', queries]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /line 2/);
  });
});
