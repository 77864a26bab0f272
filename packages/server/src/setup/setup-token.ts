/**
 * The first-run setup token (issue #13): made at start while the install has no real shop, kept in
 * the `kv` table (every node and restart prints the same link), required by `POST /api/setup` and
 * gone once a shop exists — so an exposed fresh install is not taken over by whoever comes first.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Storage } from '../storage';

const KEY = 'setup-token';
/** A token taken by a setup under way (another one waits, or is refused, until it ends). */
const CLAIMED = 'claimed:';

async function stored(storage: Storage): Promise<string | undefined> {
  const row = await storage.db.kysely
    .selectFrom('kv')
    .select('value')
    .where('key', '=', KEY)
    .executeTakeFirst();
  return row?.value;
}

function same(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * At start: the setup token while the install needs setting up (made once), or undefined once a
 * real shop exists (the token is dropped). A token a crashed setup left taken is given back.
 */
export async function prepareSetupToken(storage: Storage): Promise<string | undefined> {
  const k = storage.db.kysely;
  if (await storage.shops.hasRealShop()) {
    await k.deleteFrom('kv').where('key', '=', KEY).execute();
    return undefined;
  }
  const value = await stored(storage);
  if (value?.startsWith(CLAIMED)) {
    const token = value.slice(CLAIMED.length);
    await k
      .updateTable('kv')
      .set({ value: token })
      .where('key', '=', KEY)
      .where('value', '=', value)
      .execute();
    return token;
  }
  if (value) return value;
  await k
    .insertInto('kv')
    .values({ key: KEY, value: randomBytes(24).toString('base64url') })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  return (await stored(storage))?.replace(CLAIMED, '');
}

/** The setup token to print (undefined: none, the install is set up). */
export async function readSetupToken(storage: Storage): Promise<string | undefined> {
  return (await stored(storage))?.replace(CLAIMED, '');
}

/** Whether `token` is the setup token: `ok`, `wrong`, or `busy` (right, but a setup is under way). */
export async function checkSetupToken(storage: Storage, token: string): Promise<'ok' | 'wrong' | 'busy'> {
  const value = await stored(storage);
  if (value === undefined) return 'wrong';
  if (value.startsWith(CLAIMED)) return same(value.slice(CLAIMED.length), token) ? 'busy' : 'wrong';
  return same(value, token) ? 'ok' : 'wrong';
}

/** Takes the token for one setup (false: another took it first, on any node). */
export async function claimSetupToken(storage: Storage, token: string): Promise<boolean> {
  const result = await storage.db.kysely
    .updateTable('kv')
    .set({ value: CLAIMED + token })
    .where('key', '=', KEY)
    .where('value', '=', token)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** A setup that failed gives the token back (the owner corrects the form and sends it again). */
export async function releaseSetupToken(storage: Storage, token: string): Promise<void> {
  await storage.db.kysely
    .updateTable('kv')
    .set({ value: token })
    .where('key', '=', KEY)
    .where('value', '=', CLAIMED + token)
    .execute();
}

/** The setup is done: the token is gone for good. */
export async function dropSetupToken(storage: Storage): Promise<void> {
  await storage.db.kysely.deleteFrom('kv').where('key', '=', KEY).execute();
}
