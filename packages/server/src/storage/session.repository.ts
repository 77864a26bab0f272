import type { Kysely } from 'kysely';
import type { Database } from './schema';

/** Login sessions, stored by the SHA-256 of their token (a database leak yields no usable cookie). */
export class SessionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insertSession(s: {
    tokenHash: string;
    agentId: string;
    shopId: string;
    createdAt: number;
    expiresAt: number;
  }) {
    await this.db
      .insertInto('account_sessions')
      .values({
        token_hash: s.tokenHash,
        agent_id: s.agentId,
        shop_id: s.shopId,
        created_at: s.createdAt,
        expires_at: s.expiresAt,
      })
      .execute();
  }

  async findSession(tokenHash: string, now: number) {
    return this.db
      .selectFrom('account_sessions')
      .select(['agent_id', 'shop_id', 'expires_at'])
      .where('token_hash', '=', tokenHash)
      .where('expires_at', '>', now)
      .executeTakeFirst();
  }

  async deleteSession(tokenHash: string) {
    await this.db.deleteFrom('account_sessions').where('token_hash', '=', tokenHash).execute();
  }

  async deleteAgentSessions(agentId: string) {
    await this.db.deleteFrom('account_sessions').where('agent_id', '=', agentId).execute();
  }

  /** Issue #14: sessions past their expiry are deleted (all of them, or one account's). */
  async deleteExpired(now: number, agentId?: string): Promise<number> {
    let q = this.db.deleteFrom('account_sessions').where('expires_at', '<=', now);
    if (agentId !== undefined) q = q.where('agent_id', '=', agentId);
    const res = await q.executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
