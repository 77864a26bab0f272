import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MessageDto as Message } from './responses';
import { lastSeq, mergeMessages, unreadAfter, type PendingMessage } from './message-list';

const msg = (seq: number, sender: Message['sender'] = 'agent', clientId = `c${seq}`): Message =>
  ({
    id: `m${seq}`,
    shopId: 's',
    conversationId: 'c',
    seq,
    clientId,
    sender,
    senderId: null,
    kind: 'text',
    body: { text: `t${seq}` },
    createdAt: seq,
  }) as Message;

const pending = (clientId: string): PendingMessage => ({
  pending: true,
  clientId,
  kind: 'text',
  body: { text: 'p' },
  sender: 'buyer',
  createdAt: 0,
});

describe('widget message store', () => {
  it('keeps each seq once and in order, whatever order and repeats they arrive in', () => {
    const merged = mergeMessages(mergeMessages([], [msg(3), msg(1)]), [msg(2), msg(3), msg(1)]);
    assert.deepEqual(
      merged.map((m) => (m.pending ? 'p' : m.seq)),
      [1, 2, 3],
    );
  });

  it('replaces a pending message with the stored one of the same client id', () => {
    const merged = mergeMessages([msg(1), pending('mine'), pending('other')], [msg(2, 'buyer', 'mine')]);
    assert.deepEqual(
      merged.map((m) => (m.pending ? `p:${m.clientId}` : m.seq)),
      [1, 2, 'p:other'],
    );
  });

  it('counts unread shop messages after the read seq and finds the last seq', () => {
    const list = mergeMessages([], [msg(1, 'buyer'), msg(2, 'agent'), msg(3, 'bot'), msg(4, 'system')]);
    assert.equal(unreadAfter(list, 1), 2);
    assert.equal(unreadAfter(list, 3), 0);
    assert.equal(lastSeq([...list, pending('x')]), 4);
  });
});
