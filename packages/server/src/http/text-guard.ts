import { DomainError } from '@xiaoer/core';
import { findInvalidText } from '@xiaoer/protocol';
import type { FastifyInstance } from 'fastify';

/**
 * Issue #14: throws a 400 naming the field when a payload holds a NUL character (PostgreSQL
 * refuses it: a 500) or a lone surrogate (no character at all: it blanked the workbench).
 */
export function assertValidText(value: unknown, prefix = ''): void {
  const field = findInvalidText(value, prefix);
  if (field === undefined) return;
  const name = field || 'body';
  throw new DomainError(
    'validation_failed',
    `${name}: must not contain NUL characters or invalid UTF-16 (lone surrogates)`,
    name,
  );
}

/** Issue #14: every route's path parameters, query and parsed body are checked before the handler. */
export function refuseInvalidText(app: FastifyInstance): void {
  app.addHook('preValidation', async (req) => {
    assertValidText(req.params);
    assertValidText(req.query);
    assertValidText(req.body);
  });
}
