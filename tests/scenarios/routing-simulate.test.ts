import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const DEMO = join(root, 'packages/server/src/demo/routing-scenario.json');

function simulate(scenario: unknown) {
  const dir = mkdtempSync(join(tmpdir(), 'xiaoer-sim-'));
  const file = join(dir, 'scenario.json');
  writeFileSync(file, typeof scenario === 'string' ? scenario : JSON.stringify(scenario));
  const r = spawnSync(
    process.execPath,
    [join(root, 'bin/xiaoer.mjs'), 'routing', 'simulate', '--scenario', file],
    {
      encoding: 'utf8',
    },
  );
  return { status: r.status, lines: r.stdout.trim().split('\n').filter(Boolean), stderr: r.stderr };
}

const base = {
  timezone: 'Asia/Shanghai',
  settings: { mode: 'basic', offlineRouting: ['a3'], lingerMinutes: 0, groups: [] },
  agents: [
    { id: 'a1', cap: 1, routing: true },
    { id: 'a2', cap: 1, routing: true },
    { id: 'a3', cap: 1, routing: true },
  ],
};

describe('xiaoer routing simulate', () => {
  it('prints one JSON line per decision with the stable fields, then a summary', () => {
    const { status, lines, stderr } = simulate(JSON.parse(readFileSync(DEMO, 'utf8')));
    assert.equal(status, 0, stderr);
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const summary = parsed.pop()!.summary as Record<string, unknown>;
    for (const key of [
      'buyers',
      'assigned',
      'maxWaitMinutes',
      'meanWaitMinutes',
      'answeredWithin5MinutesShare',
      'peakLoad',
    ])
      assert.ok(key in summary, key);
    assert.equal(summary.capViolations, 0);
    const decisions = parsed.filter((d) => !('error' in d));
    for (const d of decisions)
      for (const key of ['at', 'buyer', 'agent', 'queued', 'position', 'reason'])
        assert.ok(key in d, `${key} in ${JSON.stringify(d)}`);
    assert.match(String(decisions[0]!.at), /\+08:00$/, 'times in the scenario’s zone');
    const reasons = new Set(decisions.map((d) => d.reason));
    for (const r of [
      'offline-list',
      'status-group',
      'least-loaded',
      'queue',
      'returning-buyer',
      'pulled',
      'manual',
    ])
      assert.ok(reasons.has(r), `the demo scenario shows ${r}`);
  });

  it('replays the rules: offline list at night, queue in order, the returning buyer beyond the cap', () => {
    const t = (hm: string) => `2026-11-23T${hm}:00+08:00`;
    const { status, lines } = simulate({
      ...base,
      events: [
        { at: t('07:00'), type: 'buyer-arrives', buyer: 'n1' },
        { at: t('08:00'), type: 'agent-status', agent: 'a1', status: 'online' },
        { at: t('08:01'), type: 'buyer-arrives', buyer: 'b1' },
        { at: t('08:02'), type: 'buyer-arrives', buyer: 'b2' },
        { at: t('08:03'), type: 'buyer-arrives', buyer: 'b3', newCustomer: true },
        { at: t('08:04'), type: 'agent-ends', buyer: 'b1' },
        { at: t('08:10'), type: 'agent-ends', buyer: 'b3' },
        { at: t('08:11'), type: 'buyer-arrives', buyer: 'b1' },
      ],
    });
    assert.equal(status, 0);
    const d = lines
      .slice(0, -1)
      .map(
        (l) =>
          JSON.parse(l) as { buyer: string; agent: string | null; reason: string; position: number | null },
      );
    assert.deepEqual(
      d.map((x) => [x.buyer, x.agent, x.reason, x.position]),
      [
        ['n1', 'a3', 'offline-list', null],
        ['b1', 'a1', 'least-loaded', null],
        ['b2', null, 'queue', 1],
        ['b3', null, 'queue', 1], // RT-7: to the front
        ['b3', 'a1', 'queue', null],
        ['b2', 'a1', 'queue', null],
        ['b1', 'a1', 'returning-buyer', null], // RT-1 beyond the cap
      ],
    );
    const summary = JSON.parse(lines.at(-1)!).summary;
    assert.equal(summary.buyers, 4);
    assert.equal(summary.maxWaitMinutes, 8); // b2: 08:02 → 08:10
  });

  it('names the bad field of a malformed scenario and exits 2', () => {
    const cases: [unknown, RegExp][] = [
      ['{not json', /scenario\.json/],
      [{ ...base, events: [], agents: [{ id: 'a1', cap: 0 }] }, /agents\[0\]\.cap/],
      [
        { ...base, events: [{ at: '2026-11-23 09:00', type: 'buyer-arrives', buyer: 'b' }] },
        /events\[0\]\.at/,
      ],
      [
        {
          ...base,
          events: [{ at: '2026-11-23T09:00:00+08:00', type: 'agent-status', agent: 'zz', status: 'online' }],
        },
        /events\[0\]\.agent/,
      ],
      [{ ...base, events: [{ at: '2026-11-23T09:00:00+08:00', type: 'teleport' }] }, /events\[0\]\.type/],
      [
        { ...base, events: [], settings: { ...base.settings, offlineRouting: ['ghost'] } },
        /settings\.offlineRouting/,
      ],
      [{ ...base, events: [], timezone: 'Mars/Base' }, /timezone/],
    ];
    for (const [scenario, field] of cases) {
      const r = simulate(scenario);
      assert.equal(r.status, 2, JSON.stringify(scenario));
      assert.match(r.stderr, field);
    }
  });
});
