import type { Agent, AgentDirectory, AgentId, AgentRole, AgentStatus, ShopId } from '@xiaoer/core';
import { notFound } from '@xiaoer/core';
import type { Kysely, Selectable } from 'kysely';
import type { AgentsTable, Database } from './schema';

function toAgent(row: Selectable<AgentsTable>): Agent {
  return {
    id: row.id as AgentId,
    shopId: row.shop_id as ShopId,
    email: row.email,
    name: row.name,
    role: row.role as AgentRole,
    status: row.status as AgentStatus,
    maxConcurrent: Number(row.max_concurrent),
    takesRouting: Number(row.takes_routing) === 1,
    createdAt: Number(row.created_at),
  };
}

/** Agents, and the AgentDirectory port the core routes with. */
export class AgentRepository implements AgentDirectory {
  constructor(private readonly db: Kysely<Database>) {}

  async listAgents(shopId: ShopId): Promise<Agent[]> {
    const rows = await this.db
      .selectFrom('agents')
      .selectAll()
      .where('shop_id', '=', shopId)
      .orderBy('created_at')
      .execute();
    return rows.map(toAgent);
  }

  async findAgent(shopId: ShopId, id: AgentId): Promise<Agent | undefined> {
    const row = await this.db
      .selectFrom('agents')
      .selectAll()
      .where('shop_id', '=', shopId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toAgent(row);
  }

  /** The agent and its password hash, by login email. */
  async findAgentForLogin(email: string): Promise<{ agent: Agent; passwordHash: string } | undefined> {
    const row = await this.db.selectFrom('agents').selectAll().where('email', '=', email).executeTakeFirst();
    return row && { agent: toAgent(row), passwordHash: row.password_hash };
  }

  async setAgentStatus(shopId: ShopId, id: AgentId, status: AgentStatus): Promise<Agent> {
    return this.updateAgent(shopId, id, { status });
  }

  async insertAgent(agent: Agent, passwordHash: string): Promise<void> {
    await this.db
      .insertInto('agents')
      .values({
        id: agent.id,
        shop_id: agent.shopId,
        email: agent.email,
        name: agent.name,
        password_hash: passwordHash,
        role: agent.role,
        status: agent.status,
        max_concurrent: agent.maxConcurrent,
        takes_routing: agent.takesRouting ? 1 : 0,
        created_at: agent.createdAt,
      })
      .execute();
  }

  async emailTaken(email: string): Promise<boolean> {
    const row = await this.db.selectFrom('agents').select('id').where('email', '=', email).executeTakeFirst();
    return row !== undefined;
  }

  async updateAgent(
    shopId: ShopId,
    id: AgentId,
    patch: Partial<Pick<Agent, 'name' | 'role' | 'status' | 'maxConcurrent' | 'takesRouting'>> & {
      passwordHash?: string;
    },
  ): Promise<Agent> {
    const set: Partial<AgentsTable> = {};
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.role !== undefined) set.role = patch.role;
    if (patch.status !== undefined) set.status = patch.status;
    if (patch.maxConcurrent !== undefined) set.max_concurrent = patch.maxConcurrent;
    if (patch.takesRouting !== undefined) set.takes_routing = patch.takesRouting ? 1 : 0;
    if (patch.passwordHash !== undefined) set.password_hash = patch.passwordHash;
    if (Object.keys(set).length > 0) {
      await this.db
        .updateTable('agents')
        .set(set)
        .where('shop_id', '=', shopId)
        .where('id', '=', id)
        .execute();
    }
    const agent = await this.findAgent(shopId, id);
    if (!agent) throw notFound('agent');
    return agent;
  }
}
