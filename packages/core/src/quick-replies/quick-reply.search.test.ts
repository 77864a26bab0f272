import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AgentId, QuickReply, QuickReplyId, ShopId } from '../index';
import { searchQuickReplies } from './quick-reply.search';

const reply = (title: string, text: string, ownerId: string | null = null): QuickReply => ({
  id: title as QuickReplyId,
  shopId: 's' as ShopId,
  ownerId: ownerId as AgentId | null,
  title,
  text,
  imageUrl: null,
  createdAt: 0,
});

const replies = [
  reply('欢迎语', '亲，您好！欢迎光临'),
  reply('发货时间', '付款后 48 小时内发货'),
  reply('发票', '可以开具电子发票'),
  reply('退换货', '支持七天无理由退换'),
];

describe('quick reply search (TEAM-3)', () => {
  it('TEAM-3 finds a reply by the pinyin initials of its title', () => {
    assert.deepEqual(
      searchQuickReplies(replies, 'fh').map((r) => r.title),
      ['发货时间'],
    );
    assert.deepEqual(
      searchQuickReplies(replies, 'fp').map((r) => r.title),
      ['发票'],
    );
  });

  it('TEAM-3 finds by full pinyin, by title characters and by text', () => {
    assert.equal(searchQuickReplies(replies, 'fapiao')[0]?.title, '发票');
    assert.equal(searchQuickReplies(replies, '退换')[0]?.title, '退换货');
    assert.equal(searchQuickReplies(replies, '七天')[0]?.title, '退换货');
  });

  it('ranks title matches before text matches and personal before shared', () => {
    const mixed = [reply('物流', '发货后可查'), reply('发货', '当天发'), reply('发货', '我的说法', 'me')];
    const found = searchQuickReplies(mixed, '发货');
    assert.equal(found[0]?.ownerId, 'me');
    assert.equal(found.at(-1)?.title, '物流');
  });

  it('returns everything (up to the limit) for an empty query and nothing for no match', () => {
    assert.equal(searchQuickReplies(replies, '  ').length, 4);
    assert.equal(searchQuickReplies(replies, 'zzz').length, 0);
  });
});
