import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HistoryRow } from '@xiaoer/core';
import { parse as parseCsv } from 'csv-parse/sync';
import { historyCsv } from './history.csv';

const row = (over: Partial<HistoryRow> = {}): HistoryRow => ({
  conversationId: 'c-1',
  buyer: { id: 'b-1', nick: '王小明', externalId: 'tb-8801' },
  agents: [
    { id: 'a1', name: '小美' },
    { id: 'a2', name: '小王' },
  ],
  startedAt: Date.parse('2026-12-01T10:00:00+08:00'),
  endedAt: null,
  lastMessageAt: Date.parse('2026-12-01T10:05:00+08:00'),
  status: 'assigned',
  channel: null,
  tags: ['transferred'],
  rating: { score: 5, comment: '很好' },
  firstResponseMs: 4_200,
  avgResponseMs: 61_050,
  messageCount: 6,
  preview: '好的',
  match: null,
  ...over,
});

describe('issue #18 history CSV', () => {
  it('UTF-8 with a BOM, times on the shop clock, seconds, Chinese labels', () => {
    const csv = historyCsv([row()], 'Asia/Shanghai');
    assert.ok(csv.startsWith('\uFEFF'), 'a BOM so Excel reads the Chinese');
    const [header, first] = parseCsv(csv.slice(1)) as string[][];
    assert.equal(header![0], '会话ID');
    assert.deepEqual(first, [
      'c-1',
      '王小明',
      'tb-8801',
      '小美、小王',
      '2026-12-01 10:00:00',
      '',
      '接待中',
      '网页',
      '转接过',
      '5',
      '很好',
      '4.2',
      '61.1',
      '6',
      '好的',
    ]);
  });

  it('a cell a spreadsheet would run as a formula is prefixed with a quote (issue #14)', () => {
    const csv = historyCsv(
      [
        row({
          buyer: { id: 'b', nick: '=HYPERLINK("http://evil","点我")', externalId: '+86' },
          preview: '@SUM(A1)',
        }),
      ],
      'Asia/Shanghai',
      'en',
    );
    const [header, first] = parseCsv(csv.slice(1)) as string[][];
    assert.equal(header![0], 'conversation_id');
    assert.equal(first![1], `'=HYPERLINK("http://evil","点我")`);
    assert.equal(first![2], `'+86`);
    assert.equal(first![14], `'@SUM(A1)`);
  });

  it('the matched text stands in for the last message when a search matched one', () => {
    const csv = historyCsv(
      [row({ match: { seq: 3, sender: 'buyer', at: 0, snippet: '…订单 TB123 到哪了' } })],
      'Asia/Shanghai',
    );
    assert.equal((parseCsv(csv.slice(1)) as string[][])[1]![14], '…订单 TB123 到哪了');
  });
});
