import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPino, pinoLogger } from './pino-logger';

/** A pino destination that keeps the JSON lines written to it. */
function lines() {
  const kept: Record<string, unknown>[] = [];
  return {
    kept,
    stream: { write: (line: string) => void kept.push(JSON.parse(line) as Record<string, unknown>) },
  };
}

describe('one logger: the Logger port on pino', () => {
  it('writes at LOG_LEVEL and above, every line naming the node; a child adds the shop', () => {
    const out = lines();
    const log = pinoLogger(createPino({ level: 'warn', node: 'node-a' }, out.stream));
    log.debug('not written');
    log.info('not written either');
    log.warn('written', { reason: 'slow' });
    log.child({ shop: 'shop-1' }).error('a shop’s line');
    assert.deepEqual(
      out.kept.map((l) => [l.level, l.msg, l.node, l.shop, l.reason]),
      [
        [40, 'written', 'node-a', undefined, 'slow'],
        [50, 'a shop’s line', 'node-a', 'shop-1', undefined],
      ],
    );
  });

  it('an error in `err` keeps its message and stack', () => {
    const out = lines();
    const log = pinoLogger(createPino({ level: 'debug', node: 'node-a' }, out.stream));
    log.error('timer failed', { err: new Error('database away') });
    const err = out.kept[0]!.err as { message: string; stack: string; type: string };
    assert.equal(err.message, 'database away');
    assert.equal(err.type, 'Error');
    assert.match(err.stack, /database away\n\s+at /);
  });

  it('silent writes nothing at any level', () => {
    const out = lines();
    const log = pinoLogger(createPino({ level: 'silent', node: 'node-a' }, out.stream));
    log.error('nothing');
    log.child({ shop: 'shop-1' }).warn('nothing');
    assert.equal(out.kept.length, 0);
  });
});
