import type {
  Account,
  Agent,
  AgentDirectory,
  AgentId,
  AgentRole,
  AgentStatus,
  Organisation,
  ShopId,
} from '@xiaoer/core';
import { notFound } from '@xiaoer/core';
import type { Kysely, Selectable } from 'kysely';
import type { AccountsTable, Database, MembershipsTable } from './schema';

type MemberRow = Selectable<MembershipsTable> &
  Pick<Selectable<AccountsTable>, 'email' | 'name'> & { account_disabled_at: number | null };

function toAgent(row: MemberRow): Agent {
  const disabled = row.disabled_at ?? row.account_disabled_at;
  return {
    id: row.agent_id as AgentId,
    shopId: row.shop_id as ShopId,
    email: row.email,
    name: row.name,
    role: row.role as AgentRole,
    status: row.status as AgentStatus,
    chosenStatus: row.chosen_status as AgentStatus,
    maxConcurrent: Number(row.max_concurrent),
    takesRouting: Number(row.takes_routing) === 1,
    disabledAt: disabled === null ? null : Number(disabled),
    createdAt: Number(row.created_at),
  };
}

function toAccount(row: Selectable<AccountsTable>): Account {
  return {
    id: row.id as AgentId,
    orgId: row.org_id,
    email: row.email,
    name: row.name,
    disabledAt: row.disabled_at === null ? null : Number(row.disabled_at),
    createdAt: Number(row.created_at),
  };
}

/** What a membership may change; name and password are the account's (every shop sees them). */
export type AgentPatch = Partial<
  Pick<Agent, 'name' | 'role' | 'status' | 'chosenStatus' | 'maxConcurrent' | 'takesRouting' | 'disabledAt'>
> & { passwordHash?: string };

/**
 * Accounts, their memberships of shops (TEAM-4), organisations, and the AgentDirectory port the
 * core routes with (an Agent is a membership seen with its account).
 */
export class AgentRepository implements AgentDirectory {
  constructor(private readonly db: Kysely<Database>) {}

  private members() {
    return this.db
      .selectFrom('memberships as m')
      .innerJoin('accounts as a', 'a.id', 'm.agent_id')
      .selectAll('m')
      .select(['a.email', 'a.name', 'a.disabled_at as account_disabled_at']);
  }

  /** The shop's agents, disabled ones included (history names them), oldest first. */
  async listAgents(shopId: ShopId): Promise<Agent[]> {
    const rows = await this.members().where('m.shop_id', '=', shopId).orderBy('m.created_at').execute();
    return rows.map(toAgent);
  }

  async findAgent(shopId: ShopId, id: AgentId): Promise<Agent | undefined> {
    const row = await this.members()
      .where('m.shop_id', '=', shopId)
      .where('m.agent_id', '=', id)
      .executeTakeFirst();
    return row && toAgent(row);
  }

  /** Every shop the account is a member of (disabled memberships included), oldest first. */
  async listMemberships(id: AgentId): Promise<Agent[]> {
    const rows = await this.members().where('m.agent_id', '=', id).orderBy('m.created_at').execute();
    return rows.map(toAgent);
  }

  /** Memberships, across every shop, whose status is not offline (RT-8 presence housekeeping). */
  async listNotOffline(): Promise<Agent[]> {
    const rows = await this.members().where('m.status', '!=', 'offline').execute();
    return rows.map(toAgent);
  }

  async findAccount(id: AgentId): Promise<Account | undefined> {
    const row = await this.db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toAccount(row);
  }

  /** The account and its password hash, by login email. */
  async findAccountForLogin(email: string): Promise<{ account: Account; passwordHash: string } | undefined> {
    const row = await this.db
      .selectFrom('accounts')
      .selectAll()
      .where('email', '=', email)
      .executeTakeFirst();
    return row && { account: toAccount(row), passwordHash: row.password_hash };
  }

  async findAccountByEmail(email: string): Promise<Account | undefined> {
    const row = await this.db
      .selectFrom('accounts')
      .selectAll()
      .where('email', '=', email)
      .executeTakeFirst();
    return row && toAccount(row);
  }

  /** The organisation's accounts, oldest first. */
  async listAccounts(orgId: string): Promise<Account[]> {
    const rows = await this.db
      .selectFrom('accounts')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('created_at')
      .execute();
    return rows.map(toAccount);
  }

  async findOrganisation(id: string): Promise<Organisation | undefined> {
    const row = await this.db.selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirst();
    return (
      row && {
        id: row.id,
        name: row.name,
        ownerId: row.owner_id as AgentId | null,
        createdAt: Number(row.created_at),
      }
    );
  }

  async insertOrganisation(org: Organisation): Promise<void> {
    await this.db
      .insertInto('organisations')
      .values({ id: org.id, name: org.name, owner_id: org.ownerId, created_at: org.createdAt })
      .execute();
  }

  async setAgentStatus(shopId: ShopId, id: AgentId, status: AgentStatus): Promise<Agent> {
    return this.updateAgent(shopId, id, { status });
  }

  async setChosenStatus(shopId: ShopId, id: AgentId, status: AgentStatus): Promise<Agent> {
    return this.updateAgent(shopId, id, { chosenStatus: status });
  }

  async insertAccount(account: Account, passwordHash: string): Promise<void> {
    await this.db
      .insertInto('accounts')
      .values({
        id: account.id,
        org_id: account.orgId,
        email: account.email,
        name: account.name,
        password_hash: passwordHash,
        disabled_at: account.disabledAt,
        created_at: account.createdAt,
      })
      .execute();
  }

  /** Makes the account a member of `agent.shopId` with the agent's role, cap, flag and status. */
  async insertMembership(agent: Agent): Promise<void> {
    await this.db
      .insertInto('memberships')
      .values({
        shop_id: agent.shopId,
        agent_id: agent.id,
        role: agent.role,
        status: agent.status,
        chosen_status: agent.chosenStatus,
        max_concurrent: agent.maxConcurrent,
        takes_routing: agent.takesRouting ? 1 : 0,
        disabled_at: agent.disabledAt,
        created_at: agent.createdAt,
      })
      .execute();
  }

  /** A new account of the shop's organisation and its membership of the shop (seeds, fixtures). */
  async insertAgent(agent: Agent, passwordHash: string): Promise<void> {
    const shop = await this.db
      .selectFrom('shops')
      .select('org_id')
      .where('id', '=', agent.shopId)
      .executeTakeFirst();
    if (!shop?.org_id) throw new Error(`shop ${agent.shopId} has no organisation`);
    await this.db.transaction().execute(async (trx) => {
      const repo = new AgentRepository(trx);
      await repo.insertAccount(
        {
          id: agent.id,
          orgId: shop.org_id!,
          email: agent.email,
          name: agent.name,
          disabledAt: null,
          createdAt: agent.createdAt,
        },
        passwordHash,
      );
      await repo.insertMembership(agent);
    });
  }

  async emailTaken(email: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('accounts')
      .select('id')
      .where('email', '=', email)
      .executeTakeFirst();
    return row !== undefined;
  }

  async updateAgent(shopId: ShopId, id: AgentId, patch: AgentPatch): Promise<Agent> {
    const account: Partial<AccountsTable> = {};
    if (patch.name !== undefined) account.name = patch.name;
    if (patch.passwordHash !== undefined) account.password_hash = patch.passwordHash;
    const member: Partial<MembershipsTable> = {};
    if (patch.role !== undefined) member.role = patch.role;
    if (patch.status !== undefined) member.status = patch.status;
    if (patch.chosenStatus !== undefined) member.chosen_status = patch.chosenStatus;
    if (patch.maxConcurrent !== undefined) member.max_concurrent = patch.maxConcurrent;
    if (patch.takesRouting !== undefined) member.takes_routing = patch.takesRouting ? 1 : 0;
    if (patch.disabledAt !== undefined) member.disabled_at = patch.disabledAt;
    if (Object.keys(member).length > 0) {
      await this.db
        .updateTable('memberships')
        .set(member)
        .where('shop_id', '=', shopId)
        .where('agent_id', '=', id)
        .execute();
    }
    if (Object.keys(account).length > 0) {
      // Only an account that is a member of this shop (the caller's tenancy, TEAM-4).
      const inShop = await this.findAgent(shopId, id);
      if (inShop) await this.db.updateTable('accounts').set(account).where('id', '=', id).execute();
    }
    const agent = await this.findAgent(shopId, id);
    if (!agent) throw notFound('agent');
    return agent;
  }

  /** Account-wide fields (every shop sees them): name, password, disabled. */
  async updateAccount(
    id: AgentId,
    patch: { name?: string; passwordHash?: string; disabledAt?: number | null },
  ): Promise<void> {
    const set: Partial<AccountsTable> = {};
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.passwordHash !== undefined) set.password_hash = patch.passwordHash;
    if (patch.disabledAt !== undefined) set.disabled_at = patch.disabledAt;
    if (Object.keys(set).length > 0)
      await this.db.updateTable('accounts').set(set).where('id', '=', id).execute();
  }

  /** Removes the account's membership of the shop, and the account when it was its last. */
  async deleteMembership(shopId: ShopId, id: AgentId): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('memberships').where('shop_id', '=', shopId).where('agent_id', '=', id).execute();
      const left = await trx
        .selectFrom('memberships')
        .select('shop_id')
        .where('agent_id', '=', id)
        .executeTakeFirst();
      if (!left) {
        await trx.deleteFrom('account_sessions').where('agent_id', '=', id).execute();
        await trx.deleteFrom('accounts').where('id', '=', id).execute();
      }
    });
  }
}
