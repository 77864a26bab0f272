/** Every error code the core can throw; transports map each to an HTTP status and a WS error frame. */
export type DomainErrorCode =
  | 'validation_failed'
  | 'not_found'
  | 'forbidden'
  | 'unauthenticated'
  | 'conflict'
  | 'rate_limited'
  | 'conversation_ended'
  | 'conversation_not_yours'
  | 'agent_unavailable'
  | 'payload_too_large'
  /** Issue #14: an upload past the buyer's hourly or the shop's total storage quota. */
  | 'quota_exceeded'
  | 'unsupported_media_type'
  /** CMP-1 … CMP-5: the message breaks a platform rule and was not sent. */
  | 'compliance_blocked'
  /** CMP-1 … CMP-5: the message may break a rule; send it again with confirmWarnings to override. */
  | 'compliance_confirm'
  /** Issue #15: the shop's model provider did not answer in time, or not in shape. */
  | 'provider_unavailable';

/** An expected failure of a use case, carried as data to the transport. */
export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    /** The input field at fault, when one is. */
    readonly field?: string,
    /** Data the client acts on (the compliance findings and the suggested rewrite). */
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** Shorthand for the most common failure: a named field is wrong. */
export function invalid(
  field: string,
  message: string,
  details?: { issue: string } & Record<string, unknown>,
): DomainError {
  // Issue #18: `details.issue` names the case for clients to say in the reader's language.
  return new DomainError('validation_failed', `${field}: ${message}`, field, details);
}

/** Shorthand for a missing thing (also used for another shop's things, so ids do not leak: TEAM-4). */
export function notFound(what: string, field?: string): DomainError {
  return new DomainError('not_found', `${what} not found`, field);
}
