import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ZodError } from 'zod';
import { parseConfig } from './config';

const CLUSTER = { DATABASE_URL: 'postgres://x@127.0.0.1/x', REDIS_URL: 'redis://127.0.0.1:6379' };

/** The fields a bad config names, with their messages. */
function problems(env: Record<string, string>): string[] {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ZodError) return error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw error;
  }
  return [];
}

describe('config: cluster settings (issue #7)', () => {
  it('roles: all by default, a comma list in a cluster, each named once', () => {
    assert.deepEqual([...parseConfig({}).ROLE].sort(), ['web', 'worker', 'ws']);
    assert.deepEqual([...parseConfig({ ...CLUSTER, ROLE: 'ws, worker' }).ROLE].sort(), ['worker', 'ws']);
    assert.deepEqual([...parseConfig({ ...CLUSTER, ROLE: 'all,web' }).ROLE].sort(), ['web', 'worker', 'ws']);
  });

  it('refuses an unknown role, roles without a cluster, a cluster on SQLite, a bad node id — naming the field', () => {
    assert.deepEqual(problems({ ...CLUSTER, ROLE: 'web,cron' }), [
      'ROLE: unknown role "cron" (web, ws, worker or all)',
    ]);
    assert.deepEqual(problems({ ROLE: 'web' }), [
      'ROLE: node roles other than "all" need cluster mode (REDIS_URL with a PostgreSQL DATABASE_URL)',
    ]);
    assert.deepEqual(problems({ REDIS_URL: 'redis://127.0.0.1:6379' }), [
      'REDIS_URL: cluster mode needs a PostgreSQL DATABASE_URL (postgres://…)',
    ]);
    assert.equal(problems({ ...CLUSTER, NODE_ID: 'a|b' })[0]?.startsWith('NODE_ID:'), true);
    assert.equal(
      problems({ ...CLUSTER, PRESENCE_EXPIRY_SECONDS: '0' })[0]?.startsWith('PRESENCE_EXPIRY_SECONDS:'),
      true,
    );
  });
});

describe('config: DEMO (issue #13)', () => {
  it('unset or auto: on until a real shop exists; true/1 on; false/0 off; anything else named', () => {
    assert.equal(parseConfig({}).DEMO, 'auto');
    assert.equal(parseConfig({ DEMO: '' }).DEMO, 'auto');
    assert.equal(parseConfig({ DEMO: 'auto' }).DEMO, 'auto');
    assert.equal(parseConfig({ DEMO: 'true' }).DEMO, 'on');
    assert.equal(parseConfig({ DEMO: '1' }).DEMO, 'on');
    assert.equal(parseConfig({ DEMO: 'false' }).DEMO, 'off');
    assert.equal(parseConfig({ DEMO: '0' }).DEMO, 'off');
    assert.equal(problems({ DEMO: 'yes' })[0]?.startsWith('DEMO: true, false or auto'), true);
  });
});
