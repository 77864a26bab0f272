import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const scrypt = (password: string, salt: Buffer, keylen: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) =>
    scryptCb(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))),
  );

const PARAMS = { N: 16384, r: 8, p: 1 };
const KEYLEN = 32;

/** Hashes a password with scrypt and a random salt: `scrypt$N$r$p$salt$hash` (never the plain text). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEYLEN, PARAMS);
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/**
 * A stand-in hash at today's cost (random salt and key, no password has it): a login for an
 * unknown email, or an account without a usable hash, is checked against it, so every login does
 * the same scrypt work and its answer time tells nothing about which emails have accounts.
 */
const DUMMY_HASH = `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${randomBytes(16).toString('base64')}$${randomBytes(KEYLEN).toString('base64')}`;

function parseHash(stored: string) {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return undefined;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  if (!Object.values(params).every((v) => Number.isInteger(v) && v > 0)) return undefined;
  return { params, salt: Buffer.from(salt, 'base64'), expected: Buffer.from(hash, 'base64') };
}

/** Checks a password against a stored hash in constant time. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const key = await scrypt(password, parsed.salt, parsed.expected.length, parsed.params);
  return timingSafeEqual(key, parsed.expected);
}

/**
 * A login's password check: against the account's hash, or — no account, or no usable hash —
 * against a dummy of the same cost, answering false. One scrypt either way (issue #14: unknown
 * emails answered 6× faster than known ones).
 */
export async function verifyLogin(password: string, stored: string | undefined): Promise<boolean> {
  const usable = stored !== undefined && parseHash(stored) !== undefined;
  const ok = await verifyPassword(password, usable ? stored : DUMMY_HASH);
  return usable && ok;
}
