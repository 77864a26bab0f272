/** Structured fields of a log line: `shop`, `node`, `conversation`…; `err` carries an Error (with its stack). */
export type LogFields = Record<string, unknown>;

/** The levels a Logger writes at, most severe first (LOG_LEVEL names the least severe written). */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/**
 * Where the core and the server say what operators should know (a port: the server backs it with
 * pino, tests with MemoryLogger or silentLogger). Messages are plain English; facts go in fields.
 */
export interface Logger {
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  /** A logger whose every line also carries `fields` (a shop, a component). */
  child(fields: LogFields): Logger;
}

/** A logger that writes nothing (tools and tests that do not look at logs). */
export const silentLogger: Logger = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
  child: () => silentLogger,
};

/** One line a MemoryLogger kept. */
export interface LogLine {
  level: LogLevel;
  message: string;
  fields: LogFields;
}

/** A logger that keeps its lines in memory (tests assert on them); children share the lines. */
export class MemoryLogger implements Logger {
  constructor(
    readonly lines: LogLine[] = [],
    private readonly bound: LogFields = {},
  ) {}

  error(message: string, fields?: LogFields): void {
    this.write('error', message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.write('warn', message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.write('info', message, fields);
  }
  debug(message: string, fields?: LogFields): void {
    this.write('debug', message, fields);
  }
  child(fields: LogFields): Logger {
    return new MemoryLogger(this.lines, { ...this.bound, ...fields });
  }

  private write(level: LogLevel, message: string, fields: LogFields = {}): void {
    this.lines.push({ level, message, fields: { ...this.bound, ...fields } });
  }
}
