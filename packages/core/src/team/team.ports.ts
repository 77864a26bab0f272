import type { Account, Agent, Organisation } from '../agents/agent.types';
import type { AgentId, ShopId } from '../kernel';
import type { Shop } from '../shops/shop.types';

/** A shop as it is first stored: its widget-identity secret with it. */
export type NewShop = Shop & { secret: string };

/** What the team module needs from storage. Writes that go together are one transaction. */
export interface TeamStore {
  findShopBySlug(slug: string): Promise<Shop | undefined>;
  findShop(id: ShopId): Promise<Shop | undefined>;
  findAccountByEmail(email: string): Promise<Account | undefined>;
  findAccount(id: AgentId): Promise<Account | undefined>;
  findOrganisation(id: string): Promise<Organisation | undefined>;
  findAgent(shopId: ShopId, id: AgentId): Promise<Agent | undefined>;
  /** Every shop the account is a member of (disabled memberships included). */
  listMemberships(id: AgentId): Promise<Agent[]>;
  /**
   * Stores a new shop with its owner's membership, and — when given — a new organisation and a
   * new owner account, all or nothing.
   */
  createShop(input: {
    organisation?: Organisation;
    shop: NewShop;
    owner?: { account: Account; passwordHash: string };
    ownerMembership: Agent;
  }): Promise<void>;
  /** Stores a new account with its first membership, or (no `account`) a membership alone; all or nothing. */
  addMember(input: {
    account?: { account: Account; passwordHash: string };
    membership: Agent;
  }): Promise<void>;
  updateMembership(
    shopId: ShopId,
    id: AgentId,
    patch: Partial<Pick<Agent, 'role' | 'maxConcurrent' | 'takesRouting' | 'disabledAt' | 'status'>>,
  ): Promise<Agent>;
  updateAccount(id: AgentId, patch: { name?: string; passwordHash?: string }): Promise<void>;
  /** Whether the agent ever held a conversation or sent a message in the shop. */
  hasHistory(shopId: ShopId, id: AgentId): Promise<boolean>;
  /** Removes the membership (and the account with its sessions when it was its last). */
  deleteMembership(shopId: ShopId, id: AgentId): Promise<void>;
  /** Ends every login session of the account. */
  endSessions(id: AgentId): Promise<void>;
  /** Verifies a password against the account's stored hash. */
  verifyPassword(id: AgentId, password: string): Promise<boolean>;
}

/** How an account's access changed, for the transports to act on (disconnect its sockets…). */
export type AccessChange = 'disabled' | 'enabled' | 'password' | 'role' | 'removed' | 'added' | 'logout';

/** What the team module asks of the rest of the system. */
export interface TeamEffects {
  /**
   * The account's access changed: its live connections must end at once (on every node), so they
   * come back — if they may — with what they may do now.
   */
  accessChanged(id: AgentId, change: AccessChange): Promise<void>;
  /** RT-8: the agent left the shop's floor for good (disabled, removed): their chats go back to routing. */
  releaseAgent(shopId: ShopId, id: AgentId): Promise<void>;
  /** RT-4/RT-6: room may have opened (a cap raised, routing switched on): drain the queue. */
  rebalance(shopId: ShopId): Promise<void>;
}
