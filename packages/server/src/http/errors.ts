import { DomainError, type DomainErrorCode } from '@xiaoer/core';
import { zodErrorBody, z, type ErrorBody } from '@xiaoer/protocol';

/** The one table from domain error codes to HTTP statuses (WS acks carry the same body). */
export const STATUS_BY_CODE: Record<DomainErrorCode, number> = {
  validation_failed: 400,
  unauthenticated: 401,
  forbidden: 403,
  conversation_not_yours: 403,
  not_found: 404,
  conflict: 409,
  conversation_ended: 409,
  agent_unavailable: 409,
  payload_too_large: 413,
  quota_exceeded: 413,
  unsupported_media_type: 415,
  compliance_blocked: 422,
  compliance_confirm: 428,
  rate_limited: 429,
  provider_unavailable: 502,
};

/** A budget spent (429): says when the same call may go again. */
export class RateLimitedError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super('rate_limited', message);
  }
}

/** Turns anything thrown into a status and an error body; unknown errors become 500 without details. */
export function toErrorResponse(error: unknown): { status: number; body: ErrorBody; internal: boolean } {
  if (error instanceof DomainError) {
    return {
      status: STATUS_BY_CODE[error.code],
      body: {
        error: {
          code: error.code,
          message: error.message,
          ...(error.field ? { field: error.field } : {}),
          ...(error.details !== undefined ? { details: error.details } : {}),
          ...(error instanceof RateLimitedError ? { retryAfterMs: Math.ceil(error.retryAfterMs) } : {}),
        },
      },
      internal: false,
    };
  }
  if (error instanceof z.ZodError) return { status: 400, body: zodErrorBody(error), internal: false };
  const e = error as { statusCode?: number; code?: string; message?: string; validation?: unknown };
  if (
    e?.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ||
    e?.code === 'FST_REQ_FILE_TOO_LARGE' ||
    e?.statusCode === 413
  ) {
    return {
      status: 413,
      body: { error: { code: 'payload_too_large', message: 'the request body is too large' } },
      internal: false,
    };
  }
  if (e?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || e?.statusCode === 415) {
    return {
      status: 415,
      body: { error: { code: 'unsupported_media_type', message: e.message ?? 'unsupported content type' } },
      internal: false,
    };
  }
  if (e?.statusCode === 429) {
    return {
      status: 429,
      body: { error: { code: 'rate_limited', message: 'too many requests, slow down' } },
      internal: false,
    };
  }
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return {
      status: e.statusCode,
      body: { error: { code: 'validation_failed', message: e.message ?? 'bad request' } },
      internal: false,
    };
  }
  return {
    status: 500,
    // Issue #18: a fault of ours, not a conflict the client could resolve.
    body: { error: { code: 'internal_error', message: 'internal error' } },
    internal: true,
  };
}

/** Parses input with a protocol schema; a failure names the field (400). */
export function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  return schema.parse(value ?? {});
}
