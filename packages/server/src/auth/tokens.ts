import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new random session token (the cookie value). */
export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What the sessions table stores instead of the token. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function hmac(secret: string, data: string): string {
  return createHmac('sha256', secret).update(data).digest('base64url');
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** What a buyer token carries (issue #14: it expires, and a revoke bumps the buyer's generation). */
export interface BuyerTokenClaims {
  shopId: string;
  buyerId: string;
  /** The buyer's token generation when it was issued; a revoke moves the buyer on, killing it. */
  gen: number;
  /** Milliseconds since the epoch after which the token is refused. */
  exp: number;
}

/**
 * A buyer's widget token: `v2.<shopId>.<buyerId>.<gen>.<exp>.<sig>` signed with the server secret.
 * (v1, `v1.<shopId>.<buyerId>.<sig>`, never expired: it is no longer accepted.)
 */
export function signBuyerToken(secret: string, claims: BuyerTokenClaims): string {
  const payload = `v2.${claims.shopId}.${claims.buyerId}.${claims.gen}.${claims.exp}`;
  return `${payload}.${hmac(secret, payload)}`;
}

/** Reads a buyer token; undefined when it is malformed, forged, of the old format or expired at `now`. */
export function verifyBuyerToken(secret: string, token: string, now: number): BuyerTokenClaims | undefined {
  if (typeof token !== 'string' || token.length > 400) return undefined;
  const parts = token.split('.');
  if (parts.length !== 6 || parts[0] !== 'v2') return undefined;
  const [, shopId, buyerId, gen, exp, sig] = parts as [string, string, string, string, string, string];
  if (!/^\d{1,9}$/.test(gen) || !/^\d{1,15}$/.test(exp)) return undefined;
  if (!safeEqual(sig, hmac(secret, `v2.${shopId}.${buyerId}.${gen}.${exp}`))) return undefined;
  if (Number(exp) <= now) return undefined;
  return { shopId, buyerId, gen: Number(gen), exp: Number(exp) };
}

/** What a shop's page signs for its logged-in buyer (issue #14: every field, nick included). */
export interface WidgetIdentity {
  externalId: string;
  nick?: string | undefined;
  ts: number;
  /** Random, used once: the server refuses an identity whose nonce it has seen. */
  nonce: string;
}

/**
 * The string a shop signs: `v2`, externalId, ts, nonce and nick (empty when absent), one per line.
 * No field may hold a line break, so no two identities give the same string.
 */
export function identitySigningString(identity: WidgetIdentity): string {
  return ['v2', identity.externalId, String(identity.ts), identity.nonce, identity.nick ?? ''].join('\n');
}

/** The signature a shop's page puts on a logged-in buyer: hex HMAC-SHA256(shop secret, the signing string). */
export function signIdentity(shopSecret: string, identity: WidgetIdentity): string {
  return createHmac('sha256', shopSecret).update(identitySigningString(identity)).digest('hex');
}

/** How old (or how far ahead) an identity signature may be. */
export const IDENTITY_MAX_AGE_MS = 10 * 60_000;

/** Checks a shop page's identity signature and its age ('ok', or what is wrong with it). */
export function verifyIdentity(
  shopSecret: string,
  identity: WidgetIdentity & { sig: string },
  now: number,
): 'ok' | 'forged' | 'expired' {
  if (!safeEqual(identity.sig, signIdentity(shopSecret, identity))) return 'forged';
  if (Math.abs(now - identity.ts) > IDENTITY_MAX_AGE_MS) return 'expired';
  return 'ok';
}
