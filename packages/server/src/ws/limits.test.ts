import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { DomainError, silentLogger } from '@xiaoer/core';
import { TypingCoalescer } from './limits';

/** Lets settled relays run their follow-ups (the mocked clock does not move). */
const settle = () => new Promise((r) => setImmediate(r));

describe('issue #14 typing coalescer', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'] }));
  afterEach(() => mock.timers.reset());

  it('relays the first state at once, then one per interval with the latest; "stopped" comes last', async () => {
    const sent: boolean[] = [];
    const typing = new TypingCoalescer(1000, silentLogger);
    const relay = async (on: boolean) => void sent.push(on);
    for (let i = 0; i < 50; i++) typing.offer('buyer:b:c1', true, relay);
    typing.offer('buyer:b:c1', false, relay);
    await settle();
    assert.deepEqual(sent, [true]);
    mock.timers.tick(999);
    await settle();
    assert.deepEqual(sent, [true]);
    mock.timers.tick(1);
    await settle();
    assert.deepEqual(sent, [true, false]);
    mock.timers.tick(5000);
    await settle();
    assert.deepEqual(sent, [true, false]);
    assert.equal(typing.size, 0, 'nothing kept once quiet');
  });

  it('keeps each sender and conversation apart', async () => {
    const sent: string[] = [];
    const typing = new TypingCoalescer(1000, silentLogger);
    typing.offer('buyer:b:c1', true, async () => void sent.push('c1'));
    typing.offer('agent:a:c1', true, async () => void sent.push('agent c1'));
    typing.offer('buyer:b:c2', true, async () => void sent.push('c2'));
    await settle();
    assert.deepEqual(sent.sort(), ['agent c1', 'c1', 'c2']);
  });

  it('one relay at a time per key, in order, even when one outlasts the interval', async () => {
    const sent: boolean[] = [];
    let finishFirst = () => {};
    const typing = new TypingCoalescer(1000, silentLogger);
    typing.offer('k', true, (on) => {
      sent.push(on);
      return new Promise<void>((r) => (finishFirst = r));
    });
    typing.offer('k', false, async (on) => void sent.push(on));
    mock.timers.tick(5000);
    await settle();
    assert.deepEqual(sent, [true], 'the second waits for the first');
    finishFirst();
    await settle();
    mock.timers.tick(0);
    await settle();
    assert.deepEqual(sent, [true, false]);
  });

  it('a relay that fails (not the sender’s conversation) does not stop the next', async () => {
    const sent: boolean[] = [];
    const typing = new TypingCoalescer(1000, silentLogger);
    typing.offer('k', true, async () => {
      throw new DomainError('not_found', 'conversation not found', 'conversationId');
    });
    typing.offer('k', false, async (on) => void sent.push(on));
    await settle();
    mock.timers.tick(1000);
    await settle();
    assert.deepEqual(sent, [false]);
  });
});
