import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_CLI_PACKS,
  parseCasesFile,
  parsePlatforms,
  runComplianceCli,
} from '../../packages/server/src/compliance/compliance-cli';

const root = fileURLToPath(new URL('../..', import.meta.url));
const DEV_SET = join(root, 'packages/server/src/demo/compliance-dev.jsonl');

/** The real command, as `npx xiaoer` runs it. */
function xiaoer(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [join(root, 'bin/xiaoer.mjs'), ...args], {
    encoding: 'utf8',
    input,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function casesFile(content: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'xiaoer-cmp-')), 'cases.jsonl');
  writeFileSync(file, content);
  return file;
}

interface CheckOutput {
  verdict: string;
  findings: {
    rule: string;
    id: string;
    verdict: string;
    reason: { 'zh-CN': string; en: string };
    span: { start: number; end: number };
    matched: string;
    rewrite?: string;
  }[];
  promises: unknown[];
  suggestion?: string;
}

const check = (args: string[], stdin = '') => {
  const r = runComplianceCli(['check', ...args], () => stdin);
  return { ...r, result: r.code === 0 ? (JSON.parse(r.stdout) as CheckOutput) : undefined };
};

describe('xiaoer compliance check', () => {
  it('blocks "你问我我问谁" with CMP-1, its reasons in both languages, the span and a rewrite', () => {
    const { code, result } = check(['你问我我问谁']);
    assert.equal(code, 0);
    assert.equal(result!.verdict, 'block');
    const f = result!.findings.find((x) => x.rule === 'CMP-1');
    assert.ok(f, JSON.stringify(result));
    assert.equal(f.id, 'cmp1.ask-me');
    assert.equal(f.verdict, 'block');
    assert.ok(f.reason['zh-CN'] && f.reason.en);
    assert.deepEqual(f.span, { start: 0, end: 6 });
    assert.equal(f.matched, '你问我我问谁');
    assert.ok(f.rewrite);
    assert.equal(typeof result!.suggestion, 'string');
    assert.deepEqual(result!.promises, []);
  });

  it('passes an order number (not a bank card or phone number)', () => {
    const { code, result } = check(['亲，您的订单号 4000123456789012 已经发货了，请注意查收']);
    assert.equal(code, 0);
    assert.equal(result!.verdict, 'pass', JSON.stringify(result));
    assert.deepEqual(result!.findings, []);
    assert.equal(result!.suggestion, undefined);
  });

  it('takes --platform, repeatable; generic always applies; the default is every pack', () => {
    assert.deepEqual(parsePlatforms(undefined), [...DEFAULT_CLI_PACKS]);
    assert.deepEqual(DEFAULT_CLI_PACKS, ['generic', 'taobao-tmall', 'jd', 'pinduoduo', 'douyin-kuaishou']);
    assert.deepEqual(parsePlatforms(['jd', 'taobao-tmall', 'jd']), ['generic', 'taobao-tmall', 'jd']);
    assert.deepEqual(parsePlatforms(['generic']), ['generic']);
    // The bare "不知道" is on JD's list only.
    assert.equal(check(['--platform', 'jd', '不知道。']).result!.verdict, 'block');
    assert.equal(
      check(['--platform', 'taobao-tmall', '--lexicons-only', '不知道。']).result!.verdict,
      'pass',
    );
    // Issue #17: the statistical layer reads a bare "I don't know" as stonewalling on any platform.
    const read = check(['--platform', 'taobao-tmall', '这个我也不知道。']).result!;
    assert.ok(
      read.findings.some((f) => f.rule === 'CMP-1' && (f as { source?: string }).source === 'model'),
      JSON.stringify(read.findings),
    );
  });

  it('exits 2 naming an unknown platform', () => {
    const r = check(['--platform', 'tmall', '你好']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /unknown platform "tmall"/);
    assert.match(r.stderr, /taobao-tmall/);
  });

  it('reads the text from stdin with -, and refuses no text or two texts with exit 2', () => {
    assert.equal(check(['-'], '你问我，我问谁？\n').result!.verdict, 'block');
    assert.equal(check([]).code, 2);
    assert.match(check(['你好', '在吗']).stderr, /one text/);
    assert.equal(check(['--colour', 'x']).code, 2);
    assert.equal(runComplianceCli(['lint', 'x']).code, 2);
  });

  it('runs as a real command: JSON on stdout, exit 0; an unknown platform exits 2', () => {
    const ok = xiaoer(['compliance', 'check', '你问我我问谁']);
    assert.equal(ok.status, 0, ok.stderr);
    const out = JSON.parse(ok.stdout) as CheckOutput;
    assert.equal(out.verdict, 'block');
    assert.ok(out.findings.some((f) => f.rule === 'CMP-1'));

    const piped = xiaoer(['compliance', 'check', '--platform', 'pinduoduo', '-'], '订单号 4000123456789012');
    assert.equal(piped.status, 0, piped.stderr);
    assert.equal((JSON.parse(piped.stdout) as CheckOutput).verdict, 'pass');

    const bad = xiaoer(['compliance', 'check', '--platform', 'amazon', '你好']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /amazon/);
  });
});

describe('xiaoer compliance eval', () => {
  it('scores the dev set: block recall >= 0.95, false blocks <= 2 %, per rule, then the mistakes', () => {
    const r = runComplianceCli(['eval', '--cases', DEV_SET]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as Record<string, unknown> & {
      perRule: { rule: string; recall: number; n: number }[];
      mistakes: { text: string; expect: string; got: string; rule: string | null; findings: string[] }[];
    };
    assert.ok((report.blockRecall as number) >= 0.95, r.stdout);
    assert.ok((report.falseBlockRate as number) <= 0.02, r.stdout);
    assert.equal(typeof report.blockPrecision, 'number');
    assert.ok((report.cases as number) >= 180);
    for (const rule of ['CMP-1', 'CMP-2', 'CMP-3', 'CMP-5'])
      assert.ok(
        report.perRule.some((p) => p.rule === rule && p.n > 0),
        rule,
      );
    for (const m of report.mistakes) {
      assert.deepEqual(Object.keys(m).sort(), ['expect', 'findings', 'got', 'rule', 'text']);
      assert.ok(Array.isArray(m.findings));
    }
  });

  it('lists a mistake with what was found', () => {
    const file = casesFile(
      [
        '{"text": "你问我我问谁", "expect": "pass", "rule": null}',
        '',
        '{"text": "亲，欢迎光临", "expect": "pass", "rule": null}',
      ].join('\n'),
    );
    const r = runComplianceCli(['eval', '--cases', file]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { cases: number; falseBlockRate: number; mistakes: unknown[] };
    assert.equal(report.cases, 2);
    assert.equal(report.falseBlockRate, 0.5);
    assert.deepEqual(report.mistakes, [
      { text: '你问我我问谁', expect: 'pass', got: 'block', rule: null, findings: ['cmp1.ask-me'] },
    ]);
  });

  it('exits 2 on a malformed cases file, naming the file, the line and the field', () => {
    const good = '{"text": "你好", "expect": "pass", "rule": null}';
    const bad: [string, RegExp][] = [
      [`${good}\n{"text": "x", "expect": "maybe"`, /cases\.jsonl: line 2: not JSON/],
      [`${good}\n\n{"text": "x", "expect": "maybe", "rule": null}`, /cases\.jsonl: line 3: expect/],
      [`{"text": 5, "expect": "pass", "rule": null}`, /cases\.jsonl: line 1: text/],
      [`${good}\n{"text": "x", "expect": "block", "rule": "CMP-9"}`, /cases\.jsonl: line 2: rule/],
      [`${good}\nnull`, /cases\.jsonl: line 2: expected an object/],
      ['\n\n', /cases\.jsonl: no cases/],
    ];
    for (const [content, message] of bad) {
      const r = runComplianceCli(['eval', '--cases', casesFile(content)]);
      assert.equal(r.code, 2, content);
      assert.match(r.stderr, message);
    }
    assert.throws(() => parseCasesFile('f.jsonl', '[1]'), /f\.jsonl: line 1/);
    const missing = runComplianceCli(['eval', '--cases', join(root, 'no-such-file.jsonl')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no-such-file\.jsonl/);
    assert.equal(runComplianceCli(['eval']).code, 2);
  });

  it('runs as a real command and exits 2 on a malformed file', () => {
    const r = xiaoer(['compliance', 'eval', '--cases', casesFile('{"text": "x"}\n')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /cases\.jsonl: line 1: expect/);
  });
});
