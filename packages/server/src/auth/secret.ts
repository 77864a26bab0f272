import { randomBytes } from 'node:crypto';
import type { Config } from '../config';
import type { KvRepository } from '../storage/kv.repository';

/**
 * The secret buyer tokens are signed with: `SECRET` from the config, or one made at the first
 * start and kept in the database (every node of a cluster reads the same one).
 */
export async function buyerTokenSecret(config: Config, kv: KvRepository): Promise<string> {
  if (config.SECRET) return config.SECRET;
  return kv.findOrCreate('secret', () => randomBytes(32).toString('base64url'));
}
