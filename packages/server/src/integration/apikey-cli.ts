import { parseArgs } from 'node:util';
import type { Storage } from '../storage';
import { API_SCOPES, type ApiScope } from '../storage/api-key.repository';

/** What `xiaoer apikey …` needs from the world (tests pass their own). */
export interface ApiKeyCliIo {
  open(): Promise<Storage>;
  out(line: string): void;
  err(line: string): void;
  now?: () => number;
}

class ApiKeyCliError extends Error {}

/**
 * Issue #16, `npx xiaoer apikey …` (a stable interface, README "CLI"):
 *   apikey create --shop <slug> [--name <label>] [--scopes read,write]   prints {"id", "key"}
 *   apikey list --shop <slug>     one JSON line per key {id, name, prefix, scopes, createdAt,
 *                                 lastUsedAt, revokedAt} (never the key)
 *   apikey revoke --shop <slug> --id <id>   prints {"revoked": true}
 * The key is shown once, by `create`; only its hash is kept. Bad input: exit 2 naming the flag.
 */
export async function runApiKeyCli(args: string[], io: ApiKeyCliIo): Promise<number> {
  const [sub = '', ...rest] = args;
  const what = `apikey ${sub}`.trim();
  let storage: Storage | undefined;
  const now = io.now ?? Date.now;
  try {
    const options = {
      shop: { type: 'string' },
      name: { type: 'string' },
      scopes: { type: 'string' },
      id: { type: 'string' },
    } as const;
    let values: { shop?: string; name?: string; scopes?: string; id?: string };
    try {
      const parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true });
      if (parsed.positionals.length > 0) throw new Error(`unexpected argument "${parsed.positionals[0]}"`);
      values = parsed.values;
    } catch (error) {
      throw new ApiKeyCliError(`${what}: ${(error as Error).message}`);
    }
    if (!['create', 'list', 'revoke'].includes(sub))
      throw new ApiKeyCliError(`apikey: unknown command "${sub}" (create, list, revoke)`);
    if (!values.shop) throw new ApiKeyCliError(`${what}: --shop is required`);
    storage = await io.open();
    const shop = await storage.shops.findShopBySlug(values.shop);
    if (!shop) throw new ApiKeyCliError(`${what}: --shop: no shop with the slug "${values.shop}"`);

    if (sub === 'create') {
      const name = (values.name ?? 'command line').trim();
      if (name.length === 0 || name.length > 60)
        throw new ApiKeyCliError(`${what}: --name must be 1–60 characters`);
      const scopes = (values.scopes ?? 'read,write').split(',').map((s) => s.trim());
      const unknown = scopes.find((s) => !(API_SCOPES as readonly string[]).includes(s));
      if (unknown !== undefined || scopes.length === 0)
        throw new ApiKeyCliError(`${what}: --scopes: "${unknown ?? ''}" is not one of read, write`);
      const made = await storage.apiKeys.create(
        shop.id,
        { name, scopes: scopes as ApiScope[], createdBy: null },
        now(),
      );
      io.out(JSON.stringify({ id: made.id, key: made.key }));
      return 0;
    }
    if (sub === 'list') {
      for (const k of await storage.apiKeys.list(shop.id))
        io.out(
          JSON.stringify({
            id: k.id,
            name: k.name,
            prefix: k.prefix,
            scopes: k.scopes,
            createdAt: k.createdAt,
            lastUsedAt: k.lastUsedAt,
            revokedAt: k.revokedAt,
          }),
        );
      return 0;
    }
    if (!values.id) throw new ApiKeyCliError(`${what}: --id is required`);
    if (!(await storage.apiKeys.revoke(shop.id, values.id, now())))
      throw new ApiKeyCliError(`${what}: --id: the shop has no key "${values.id}"`);
    io.out(JSON.stringify({ revoked: true }));
    return 0;
  } catch (error) {
    if (!(error instanceof ApiKeyCliError)) throw error;
    io.err(error.message);
    return 2;
  } finally {
    await storage?.close();
  }
}
