import proxyAddr from '@fastify/proxy-addr';
import { DomainError } from '@xiaoer/core';
import type { FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Config } from '../config';
import { SESSION_COOKIE } from './auth';

/**
 * Issue #14, cross-site request forgery: the session cookie is SameSite=Lax, so a page of the same
 * site (another port, another subdomain) had the browser send it with body-less POSTs (logout, end,
 * take-over, release, pull) and with the agent socket's handshake. Requests that act with the
 * session cookie must come from the server's own origin or one of ALLOWED_ORIGINS.
 *
 * The rule, for a request a browser may have sent on a page's behalf:
 * - `Origin` decides when present (`null`, from a sandboxed or privacy-stripped context, is refused);
 * - else `Referer` (its origin);
 * - else `Sec-Fetch-Site`: only `same-origin` passes;
 * - none of the three: not a browser (curl, Node, the tests' inject, the CLI) — passes, since
 *   every browser that runs pages sends at least one of them on a POST or WebSocket handshake, and
 *   a page cannot remove them. Such clients cannot be made to act by someone else's page.
 * The widget and the buyer socket authenticate by bearer token, never the cookie: they answer
 * every origin and are not checked here.
 */

/** What a request says about where it comes from (header names as Node gives them). */
export type OriginHeaders = Pick<IncomingHttpHeaders, 'origin' | 'referer'> & {
  'sec-fetch-site'?: string | string[] | undefined;
};

export type OriginVerdict =
  { ok: true; by: 'origin' | 'referer' | 'fetch-metadata' | 'not-a-browser' } | { ok: false; seen: string };

/** `scheme://host[:port]` of an http(s) URL (default ports dropped), or undefined. */
export function normalizeOrigin(value: string): string | undefined {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Whether a request's headers place it on an allowed origin (pure: the rule above). */
export function judgeOrigin(headers: OriginHeaders, allowed: (origin: string) => boolean): OriginVerdict {
  const origin = single(headers.origin);
  if (origin !== undefined) {
    const normal = normalizeOrigin(origin);
    return normal !== undefined && allowed(normal) ? { ok: true, by: 'origin' } : { ok: false, seen: origin };
  }
  const referer = single(headers.referer);
  if (referer !== undefined) {
    const normal = normalizeOrigin(referer);
    return normal !== undefined && allowed(normal)
      ? { ok: true, by: 'referer' }
      : { ok: false, seen: normal ?? referer.slice(0, 200) };
  }
  const site = single(headers['sec-fetch-site']);
  if (site !== undefined)
    return site === 'same-origin' ? { ok: true, by: 'fetch-metadata' } : { ok: false, seen: `(${site})` };
  return { ok: true, by: 'not-a-browser' };
}

/** Which peers are proxies (TRUST_PROXY), read as Fastify reads it. */
export function compileTrust(value: boolean | string): (addr: string, hop: number) => boolean {
  if (value === true) return () => true;
  if (value === false) return () => false;
  return proxyAddr.compile(
    value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean),
  );
}

function lastEntry(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[value.length - 1] : value;
  const last = v?.split(',').pop()?.trim();
  return last ? last : undefined;
}

/**
 * The origin the client addressed: the connection's scheme and the Host header, or — from a
 * trusted proxy — its X-Forwarded-Proto and X-Forwarded-Host (the last entry, as Fastify reads them).
 */
export function ownOrigin(
  req: Pick<IncomingMessage, 'headers' | 'socket'>,
  trust: (addr: string, hop: number) => boolean,
): string | undefined {
  const peer = req.socket?.remoteAddress;
  const trusted = peer !== undefined && trust(peer, 0);
  const proto =
    (trusted ? lastEntry(req.headers['x-forwarded-proto']) : undefined) ??
    ((req.socket as TLSSocket | undefined)?.encrypted ? 'https' : 'http');
  const host = (trusted ? lastEntry(req.headers['x-forwarded-host']) : undefined) ?? req.headers.host;
  return host ? normalizeOrigin(`${proto}://${host}`) : undefined;
}

/** The origins allowed besides the request's own: ALLOWED_ORIGINS and PUBLIC_URL's. */
export function configuredOrigins(config: Pick<Config, 'ALLOWED_ORIGINS' | 'PUBLIC_URL'>): Set<string> {
  const origins = new Set(config.ALLOWED_ORIGINS);
  const publicOrigin = config.PUBLIC_URL ? normalizeOrigin(config.PUBLIC_URL) : undefined;
  if (publicOrigin) origins.add(publicOrigin);
  return origins;
}

/** Checks agent requests and agent socket handshakes against the server's origins. */
export class OriginGuard {
  private readonly trust: (addr: string, hop: number) => boolean;
  private readonly configured: Set<string>;
  private hinted = false;

  constructor(
    config: Pick<Config, 'ALLOWED_ORIGINS' | 'PUBLIC_URL' | 'TRUST_PROXY'>,
    /** Where the one hint about a proxy this node does not trust is told (the node's logger). */
    private readonly warn: (message: string) => void,
  ) {
    this.trust = compileTrust(config.TRUST_PROXY);
    this.configured = configuredOrigins(config);
  }

  /** A 403 (field `origin`) for a request from a foreign origin; undefined when it may act. */
  refusal(req: Pick<IncomingMessage, 'headers' | 'socket'>): DomainError | undefined {
    const own = ownOrigin(req, this.trust);
    const verdict = judgeOrigin(req.headers, (o) => o === own || this.configured.has(o));
    if (verdict.ok) return undefined;
    // The same host on another scheme: most likely TLS ended at a proxy this node does not trust.
    const seenHost = normalizeOrigin(verdict.seen)?.replace(/^https?:/, '');
    if (!this.hinted && own && seenHost === own.replace(/^https?:/, '')) {
      this.hinted = true;
      this.warn(
        `xiaoer: refused an agent request from ${verdict.seen}: this node takes its own origin to be ${own}. ` +
          'Behind a proxy, set TRUST_PROXY to its address (so X-Forwarded-Proto counts) or PUBLIC_URL.',
      );
    }
    return new DomainError(
      'forbidden',
      `requests from ${verdict.seen} may not act as an agent here (跨站请求已拒绝)`,
      'origin',
      { reason: 'cross_origin' },
    );
  }
}

/** Routes that open a session (no cookie yet): checked too, or a page could log a browser in. */
const SESSION_OPENING = new Set(['/api/auth/login', '/api/setup']);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The onRequest hook: every state-changing request that carries the session cookie, or opens a
 * session, passes the guard or is refused with 403 before any handler runs.
 */
export function originCheck(guard: OriginGuard) {
  return async (req: FastifyRequest): Promise<void> => {
    if (SAFE_METHODS.has(req.method)) return;
    if (req.cookies?.[SESSION_COOKIE] === undefined && !SESSION_OPENING.has(req.routeOptions.url ?? ''))
      return;
    const refused = guard.refusal(req.raw);
    if (refused) throw refused;
  };
}
