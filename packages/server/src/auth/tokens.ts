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

/** A buyer's widget token: `v1.<shopId>.<buyerId>.<sig>` signed with the server secret. */
export function signBuyerToken(secret: string, shopId: string, buyerId: string): string {
  const payload = `v1.${shopId}.${buyerId}`;
  return `${payload}.${hmac(secret, payload)}`;
}

/** Reads a buyer token; undefined when it is malformed or forged. */
export function verifyBuyerToken(
  secret: string,
  token: string,
): { shopId: string; buyerId: string } | undefined {
  if (typeof token !== 'string' || token.length > 400) return undefined;
  const parts = token.split('.');
  if (parts.length !== 4 || parts[0] !== 'v1') return undefined;
  const [, shopId, buyerId, sig] = parts as [string, string, string, string];
  if (!safeEqual(sig, hmac(secret, `v1.${shopId}.${buyerId}`))) return undefined;
  return { shopId, buyerId };
}

/** The signature a shop's page puts on a logged-in buyer: hex HMAC-SHA256(shop secret, `${externalId}.${ts}`). */
export function signIdentity(shopSecret: string, externalId: string, ts: number): string {
  return createHmac('sha256', shopSecret).update(`${externalId}.${ts}`).digest('hex');
}

/** How old an identity signature may be. */
export const IDENTITY_MAX_AGE_MS = 10 * 60_000;

/** Checks a shop page's identity signature and its age. */
export function verifyIdentity(
  shopSecret: string,
  externalId: string,
  ts: number,
  sig: string,
  now: number,
): boolean {
  if (Math.abs(now - ts) > IDENTITY_MAX_AGE_MS) return false;
  return safeEqual(sig, signIdentity(shopSecret, externalId, ts));
}
