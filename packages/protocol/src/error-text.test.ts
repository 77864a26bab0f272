import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { errorText, fieldLabel, PRECISE } from './error-text';
import { DomainError, validateMetricsSettings, DEFAULT_METRICS_SETTINGS } from '@xiaoer/core';
import { z, zodErrorBody } from './index';

const CJK = /[\u4e00-\u9fff]/;

function sources(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (p.endsWith('.ts') && !p.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

describe('error texts for people (issue #18)', () => {
  it('says every error the server can send in Chinese, and never repeats its English message', () => {
    const codes = [
      'validation_failed',
      'not_found',
      'forbidden',
      'unauthenticated',
      'conflict',
      'rate_limited',
      'conversation_ended',
      'conversation_not_yours',
      'agent_unavailable',
      'payload_too_large',
      'quota_exceeded',
      'unsupported_media_type',
      'compliance_blocked',
      'compliance_confirm',
      'provider_unavailable',
      'internal_error',
      'some_future_code',
    ];
    const message = 'the server said this in English';
    for (const code of codes) {
      const zh = errorText({ code, message }, 'zh-CN', 400);
      const en = errorText({ code, message }, 'en', 400);
      assert.match(zh, CJK, code);
      assert.doesNotMatch(en, CJK, code);
      assert.ok(!zh.includes(message) && !en.includes(message), code);
    }
    // An unknown code on a 5xx reads as our fault.
    assert.equal(errorText({ code: 'boom' }, 'zh-CN', 502), errorText({ code: 'internal_error' }, 'zh-CN'));
  });

  it('says what was wrong with a field, from what zodErrorBody puts in details', () => {
    const schema = z.object({
      email: z.string().email(),
      name: z.string().min(1).max(40),
      groups: z.array(z.string()).min(2),
      maxConcurrent: z.number().int().max(50),
    });
    const body = (input: unknown) => {
      const r = schema.safeParse(input);
      assert.equal(r.success, false);
      return zodErrorBody((r as { error: z.ZodError }).error).error;
    };
    const ok = { email: 'a@b.cn', name: 'x', groups: ['a', 'b'], maxConcurrent: 3 };
    assert.equal(errorText(body({ ...ok, email: 'nope' }), 'zh-CN'), '「邮箱」不是有效的邮箱地址');
    assert.equal(errorText(body({ ...ok, name: 'x'.repeat(41) }), 'zh-CN'), '「名称」最多 40 个字');
    assert.equal(errorText(body({ ...ok, name: '' }), 'zh-CN'), '「名称」不能为空');
    assert.equal(errorText(body({ ...ok, groups: ['a'] }), 'zh-CN'), '「分组」至少需要 2 项');
    assert.equal(errorText(body({ ...ok, maxConcurrent: 51 }), 'zh-CN'), '「同时接待上限」不能大于 50');
    const { name: _n, ...noName } = ok;
    assert.equal(errorText(body(noName), 'zh-CN'), '「名称」不能为空');
    assert.equal(errorText(body({ ...ok, name: 'x'.repeat(41) }), 'en'), 'Name takes at most 40 characters');
    // A nested path is named by its last known segment; an unknown field by the code alone.
    assert.equal(fieldLabel('settings.groups.0.name', 'zh-CN'), '名称');
    assert.match(errorText({ code: 'validation_failed', field: 'zzz' }, 'zh-CN'), CJK);
  });

  it('tells precise cases apart, and each of them is still said by the server', () => {
    assert.equal(
      errorText({ code: 'unauthenticated', field: 'password', message: 'wrong email or password' }, 'zh-CN'),
      '邮箱或密码不正确',
    );
    assert.equal(errorText({ code: 'conflict', field: 'email' }, 'zh-CN'), '该邮箱已有账号');
    assert.equal(
      errorText({ code: 'rate_limited', retryAfterMs: 30_000 }, 'zh-CN'),
      '操作太频繁，请 30 秒后再试',
    );
    // A key naming the server's wording must match a message the server still sends: a reworded
    // server message would otherwise fall back silently.
    const root = new URL('../../', import.meta.url).pathname;
    const server = [...sources(join(root, 'server/src')), ...sources(join(root, 'core/src'))]
      .map((p) => readFileSync(p, 'utf8'))
      .join('\n');
    for (const key of Object.keys(PRECISE)) {
      const [code, field, ...rest] = key.split(':');
      const message = rest.join(':');
      assert.ok(server.includes(`'${code}'`), key);
      if (field) assert.ok(server.includes(`'${field}'`), key);
      if (message) assert.ok(server.includes(`'${message}'`), key);
    }
  });

  it("says the core's own refusals from their details (a settings form, a shop handle)", () => {
    const refusal = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        assert.ok(e instanceof DomainError);
        return { code: e.code, field: e.field, message: e.message, details: e.details };
      }
      assert.fail('not refused');
    };
    const bad = (patch: object) =>
      refusal(() => validateMetricsSettings({ ...DEFAULT_METRICS_SETTINGS, ...patch }));
    assert.equal(errorText(bad({ windowStart: '8点' }), 'zh-CN'), '「统计开始时间」须为 HH:MM 格式的时间');
    assert.equal(
      errorText(bad({ windowStart: '10:00', windowEnd: '09:00' }), 'zh-CN'),
      '「统计结束时间」须晚于开始时间（同一天内）',
    );
    assert.equal(errorText(bad({ threshold: 3 }), 'zh-CN'), '「阈值」须为 0 到 1 之间的比例');
  });
});
