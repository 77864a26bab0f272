import type { Account, Agent, AgentId, Organisation, Shop, ShopId, TeamStore } from '@xiaoer/core';
import type { Kysely } from 'kysely';
import { verifyPassword } from '../auth/password';
import { AgentRepository } from './agent.repository';
import type { Database } from './schema';
import { ShopRepository } from './shop.repository';

const strip = <T extends Shop>({ ...shop }: T & { secret?: string }): Shop => {
  delete shop.secret;
  return shop;
};

/** The team module's storage (TEAM-1, TEAM-4): shops with owners, members, accounts, all-or-nothing. */
export class TeamRepository implements TeamStore {
  private readonly agents: AgentRepository;
  private readonly shops: ShopRepository;

  constructor(private readonly db: Kysely<Database>) {
    this.agents = new AgentRepository(db);
    this.shops = new ShopRepository(db);
  }

  async findShopBySlug(slug: string): Promise<Shop | undefined> {
    const shop = await this.shops.findShopBySlug(slug);
    return shop && strip(shop);
  }

  async findShop(id: ShopId): Promise<Shop | undefined> {
    const shop = await this.shops.findShop(id);
    return shop && strip(shop);
  }

  findAccountByEmail(email: string): Promise<Account | undefined> {
    return this.agents.findAccountByEmail(email);
  }

  findAccount(id: AgentId): Promise<Account | undefined> {
    return this.agents.findAccount(id);
  }

  findOrganisation(id: string): Promise<Organisation | undefined> {
    return this.agents.findOrganisation(id);
  }

  findAgent(shopId: ShopId, id: AgentId): Promise<Agent | undefined> {
    return this.agents.findAgent(shopId, id);
  }

  listMemberships(id: AgentId): Promise<Agent[]> {
    return this.agents.listMemberships(id);
  }

  async createShop(input: Parameters<TeamStore['createShop']>[0]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const agents = new AgentRepository(trx);
      if (input.organisation) await agents.insertOrganisation(input.organisation);
      await new ShopRepository(trx).insertShop(input.shop);
      if (input.owner) await agents.insertAccount(input.owner.account, input.owner.passwordHash);
      await agents.insertMembership(input.ownerMembership);
    });
  }

  async addMember(input: Parameters<TeamStore['addMember']>[0]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const agents = new AgentRepository(trx);
      if (input.account) await agents.insertAccount(input.account.account, input.account.passwordHash);
      await agents.insertMembership(input.membership);
    });
  }

  updateMembership(
    shopId: ShopId,
    id: AgentId,
    patch: Parameters<TeamStore['updateMembership']>[2],
  ): Promise<Agent> {
    return this.agents.updateAgent(shopId, id, patch);
  }

  updateAccount(id: AgentId, patch: { name?: string; passwordHash?: string }): Promise<void> {
    return this.agents.updateAccount(id, patch);
  }

  async hasHistory(shopId: ShopId, id: AgentId): Promise<boolean> {
    const held = await this.db
      .selectFrom('conversations')
      .select('id')
      .where('shop_id', '=', shopId)
      .where('agent_id', '=', id)
      .executeTakeFirst();
    if (held) return true;
    const sent = await this.db
      .selectFrom('messages')
      .select('id')
      .where('shop_id', '=', shopId)
      .where('sender_id', '=', id)
      .executeTakeFirst();
    if (sent) return true;
    const logged = await this.db
      .selectFrom('compliance_log')
      .select('id')
      .where('shop_id', '=', shopId)
      .where('agent_id', '=', id)
      .executeTakeFirst();
    return logged !== undefined;
  }

  deleteMembership(shopId: ShopId, id: AgentId): Promise<void> {
    return this.agents.deleteMembership(shopId, id);
  }

  async endSessions(id: AgentId): Promise<void> {
    await this.db.deleteFrom('account_sessions').where('agent_id', '=', id).execute();
  }

  async verifyPassword(id: AgentId, password: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('accounts')
      .select('password_hash')
      .where('id', '=', id)
      .executeTakeFirst();
    return !!row && (await verifyPassword(password, row.password_hash));
  }
}
