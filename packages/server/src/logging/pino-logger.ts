import type { LogFields, Logger } from '@xiaoer/core';
import { pino, type DestinationStream, type Logger as Pino } from 'pino';
import type { Config } from '../config';

/**
 * The node's root pino logger: JSON lines at LOG_LEVEL (`silent` writes nothing), each with the
 * node's name. Fastify logs through it too, so one level governs every line the server writes.
 */
export function createPino(
  options: { level: Config['LOG_LEVEL']; node: string },
  destination?: DestinationStream,
): Pino {
  const settings = { level: options.level, base: { node: options.node } };
  return destination ? pino(settings, destination) : pino(settings);
}

/** The core's Logger port backed by pino: fields first, as pino takes them (`err` keeps its stack). */
export function pinoLogger(log: Pino): Logger {
  const write =
    (level: 'error' | 'warn' | 'info' | 'debug') =>
    (message: string, fields?: LogFields): void => {
      if (fields) log[level](fields, message);
      else log[level](message);
    };
  return {
    error: write('error'),
    warn: write('warn'),
    info: write('info'),
    debug: write('debug'),
    child: (fields) => pinoLogger(log.child(fields)),
  };
}
