import { checkCap } from '../routing/routing.types';
import type { Account, Agent, AgentRole, Organisation } from '../agents/agent.types';
import {
  DomainError,
  invalid,
  notFound,
  type AgentId,
  type Clock,
  type IdGenerator,
  type ShopId,
} from '../kernel';
import type { Shop } from '../shops/shop.types';
import type { TeamEffects, TeamStore } from './team.ports';
import { assertMayManage, checkEmail, checkName, checkSlug, type TeamActor } from './team.rules';

/** What the team service needs. */
export interface TeamDeps {
  store: TeamStore;
  effects: TeamEffects;
  clock: Clock;
  ids: IdGenerator;
  hashPassword(password: string): Promise<string>;
  /**
   * Why a password is too weak (null: strong enough); `related` are words a guesser would try
   * first (the email, the shop's name and slug).
   */
  passwordProblem(password: string, related: string[]): string | null;
  /** A new shop's widget-identity secret. */
  newSecret(): string;
}

/** A new shop as the command line or the first-run page asks for it. */
export interface NewShopInput {
  slug: string;
  name: string;
  ownerEmail: string;
  ownerName?: string;
  password: string;
  /** The organisation's name (default: the shop's). */
  orgName?: string;
  timeZone?: string;
  serviceHours?: string;
}

/** A new member of a shop: a new account (with a password), or an account of the organisation. */
export interface NewAgentInput {
  email: string;
  name?: string;
  password?: string;
  role: Exclude<AgentRole, 'owner'>;
  maxConcurrent: number;
  takesRouting: boolean;
}

/** What an admin may change of a member. */
export interface AgentUpdate {
  name?: string;
  role?: Exclude<AgentRole, 'owner'>;
  maxConcurrent?: number;
  takesRouting?: boolean;
}

const DEFAULT_TIME_ZONE = 'Asia/Shanghai';
const DEFAULT_SERVICE_HOURS = '每天 09:00–23:00';

function checkTimeZone(tz: string): string {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return tz;
  } catch {
    throw invalid('timeZone', 'must be an IANA time zone such as Asia/Shanghai', { issue: 'time_zone' });
  }
}

/**
 * Shops, organisations and their teams (TEAM-1, TEAM-4): creating a shop with its owner, bringing
 * agents in, changing roles, disabling, deleting and resetting passwords — each checked against
 * who is asking (only the owner manages admins), validated whole before anything is written.
 */
export class TeamService {
  constructor(private readonly deps: TeamDeps) {}

  /** A new organisation with its first shop and the shop's owner (the CLI, the first-run page). */
  async createShop(input: NewShopInput): Promise<{ shop: Shop; owner: Account; organisation: Organisation }> {
    const { store, clock, ids } = this.deps;
    const slug = checkSlug(input.slug);
    const name = checkName(input.name);
    const email = checkEmail(input.ownerEmail, 'ownerEmail');
    const ownerName = checkName(input.ownerName ?? '店主', 'ownerName', 40);
    const orgName = checkName(input.orgName ?? name, 'orgName');
    const timeZone = checkTimeZone(input.timeZone ?? DEFAULT_TIME_ZONE);
    const serviceHours = checkName(input.serviceHours ?? DEFAULT_SERVICE_HOURS, 'serviceHours');
    this.checkPassword(input.password, [email, slug, name]);
    if (await store.findShopBySlug(slug)) throw new DomainError('conflict', 'this slug is taken', 'slug');
    if (await store.findAccountByEmail(email))
      throw new DomainError('conflict', 'an account with this email exists', 'ownerEmail');
    const now = clock.now();
    const ownerId = ids.next() as AgentId;
    const organisation: Organisation = { id: ids.next(), name: orgName, ownerId, createdAt: now };
    const shop = this.newShop(organisation.id, slug, name, timeZone, serviceHours, now);
    const owner: Account = {
      id: ownerId,
      orgId: organisation.id,
      email,
      name: ownerName,
      disabledAt: null,
      createdAt: now,
    };
    await store.createShop({
      organisation,
      shop,
      owner: { account: owner, passwordHash: await this.deps.hashPassword(input.password) },
      ownerMembership: this.ownerMembership(shop.id, owner, now),
    });
    const { secret: _secret, ...shown } = shop;
    return { shop: shown, owner, organisation };
  }

  /** TEAM-4: the organisation's owner opens another shop of it, and owns it. */
  async addShop(
    actor: TeamActor & { type: 'agent' },
    input: { slug: string; name: string; timeZone?: string; serviceHours?: string },
  ): Promise<Shop> {
    const { store, clock } = this.deps;
    if (!actor.isOrgOwner) throw new DomainError('forbidden', "only the organisation's owner opens shops");
    const slug = checkSlug(input.slug);
    const name = checkName(input.name);
    const timeZone = checkTimeZone(input.timeZone ?? DEFAULT_TIME_ZONE);
    const serviceHours = checkName(input.serviceHours ?? DEFAULT_SERVICE_HOURS, 'serviceHours');
    const owner = await store.findAccount(actor.agentId as AgentId);
    if (!owner) throw notFound('account');
    if (await store.findShopBySlug(slug)) throw new DomainError('conflict', 'this slug is taken', 'slug');
    // Issue #13: a shop the demo's organisation opens is part of the demo (its logins are public):
    // it is served only in demo mode and does not count as a real shop.
    const sibling = (await store.listMemberships(owner.id))[0];
    const isDemo = sibling ? ((await store.findShop(sibling.shopId))?.isDemo ?? false) : false;
    const now = clock.now();
    const shop = { ...this.newShop(owner.orgId, slug, name, timeZone, serviceHours, now), isDemo };
    await store.createShop({ shop, ownerMembership: this.ownerMembership(shop.id, owner, now) });
    await this.deps.effects.accessChanged(owner.id, 'added');
    const { secret: _secret, ...shown } = shop;
    return shown;
  }

  /**
   * Brings someone into a shop: a new account (a password is needed), or (TEAM-4) an account of
   * the shop's organisation that serves other shops already (no password: they keep theirs).
   */
  async addAgent(actor: TeamActor, shopId: ShopId, input: NewAgentInput): Promise<Agent> {
    const { store, clock, ids } = this.deps;
    assertMayManage(actor, { role: input.role }, input.role);
    const shop = await store.findShop(shopId);
    if (!shop) throw notFound('shop', 'shop');
    const email = checkEmail(input.email);
    checkCap(input.maxConcurrent);
    const existing = await store.findAccountByEmail(email);
    const now = clock.now();
    if (existing) {
      if (existing.orgId !== shop.orgId)
        throw new DomainError('conflict', 'an account with this email exists', 'email');
      if (await store.findAgent(shopId, existing.id))
        throw new DomainError('conflict', 'this account is a member of the shop already', 'email');
      if (input.password !== undefined)
        throw invalid('password', 'this account exists (it serves another shop): it keeps its own password', {
          issue: 'account_exists',
        });
      const membership = this.membership(shopId, existing, input, now);
      await store.addMember({ membership });
      await this.deps.effects.accessChanged(existing.id, 'added');
      return membership;
    }
    const name = checkName(input.name ?? '', 'name', 40);
    if (input.password === undefined)
      throw invalid('password', 'required for a new account', {
        issue: 'invalid_type',
        received: 'undefined',
      });
    this.checkPassword(input.password, [email, name, shop.slug, shop.name]);
    const account: Account = {
      id: ids.next() as AgentId,
      orgId: shop.orgId,
      email,
      name,
      disabledAt: null,
      createdAt: now,
    };
    const membership = this.membership(shopId, account, input, now);
    await store.addMember({
      account: { account, passwordHash: await this.deps.hashPassword(input.password) },
      membership,
    });
    return membership;
  }

  /** Changes a member's role, cap, routing flag or name; a role change reaches their open workbench at once. */
  async updateAgent(actor: TeamActor, shopId: ShopId, agentId: AgentId, update: AgentUpdate): Promise<Agent> {
    const { store } = this.deps;
    const target = await this.getMember(shopId, agentId);
    if (update.role !== undefined && target.role === 'owner')
      throw new DomainError('forbidden', "the owner's role cannot change", 'role');
    const changesAccess = update.role !== undefined && update.role !== target.role;
    // A cap or routing flag is the shop's business; a name is the account's (every shop sees it).
    if (changesAccess || update.name !== undefined) assertMayManage(actor, target, update.role);
    else assertMayManage(actor, { role: target.role }, undefined);
    if (update.name !== undefined) await this.assertMayManageAccount(actor, target);
    if (update.maxConcurrent !== undefined) checkCap(update.maxConcurrent);
    if (update.name !== undefined)
      await store.updateAccount(agentId, { name: checkName(update.name, 'name', 40) });
    const agent = await store.updateMembership(shopId, agentId, {
      ...(update.role !== undefined ? { role: update.role } : {}),
      ...(update.maxConcurrent !== undefined ? { maxConcurrent: update.maxConcurrent } : {}),
      ...(update.takesRouting !== undefined ? { takesRouting: update.takesRouting } : {}),
    });
    if (changesAccess) await this.deps.effects.accessChanged(agentId, 'role');
    // RT-4/RT-6: a raised cap or a routing flag switched on frees room: queued buyers are assigned at once.
    if (update.maxConcurrent !== undefined || update.takesRouting !== undefined)
      await this.deps.effects.rebalance(shopId);
    return agent;
  }

  /**
   * Disables a member in the shop: their history stays, their open chats go back to routing, they
   * cannot work in the shop (nor log in, when it was their last shop) and are disconnected at once.
   */
  async disableAgent(actor: TeamActor, shopId: ShopId, agentId: AgentId): Promise<Agent> {
    const target = await this.getMember(shopId, agentId);
    assertMayManage(actor, target);
    if (target.disabledAt !== null) return target;
    const agent = await this.deps.store.updateMembership(shopId, agentId, {
      disabledAt: this.deps.clock.now(),
      status: 'offline',
    });
    await this.deps.effects.releaseAgent(shopId, agentId);
    const active = (await this.deps.store.listMemberships(agentId)).filter((m) => m.disabledAt === null);
    if (active.length === 0) await this.deps.store.endSessions(agentId);
    await this.deps.effects.accessChanged(agentId, 'disabled');
    return agent;
  }

  /** Lets a disabled member work in the shop again (offline until they open the workbench). */
  async enableAgent(actor: TeamActor, shopId: ShopId, agentId: AgentId): Promise<Agent> {
    const target = await this.getMember(shopId, agentId);
    assertMayManage(actor, target);
    if (target.disabledAt === null) return target;
    const agent = await this.deps.store.updateMembership(shopId, agentId, { disabledAt: null });
    await this.deps.effects.accessChanged(agentId, 'enabled');
    return agent;
  }

  /** Removes a member who never served a buyer in the shop (anyone with history is disabled instead). */
  async deleteAgent(actor: TeamActor, shopId: ShopId, agentId: AgentId): Promise<void> {
    const target = await this.getMember(shopId, agentId);
    assertMayManage(actor, target);
    if (await this.deps.store.hasHistory(shopId, agentId))
      throw new DomainError(
        'conflict',
        'this agent has served buyers here: disable them instead (their history stays)',
        'agentId',
      );
    await this.deps.effects.releaseAgent(shopId, agentId);
    await this.deps.store.deleteMembership(shopId, agentId);
    await this.deps.effects.accessChanged(agentId, 'removed');
  }

  /**
   * Sets a member's password (they forgot theirs). Only someone who manages the account in every
   * shop it serves may: an admin of one shop cannot take over an account another shop relies on.
   * Every session and socket of the account ends.
   */
  async resetPassword(actor: TeamActor, shopId: ShopId, agentId: AgentId, password: string): Promise<void> {
    const target = await this.getMember(shopId, agentId);
    assertMayManage(actor, target);
    await this.assertMayManageAccount(actor, target);
    this.checkPassword(password, [target.email, target.name]);
    await this.deps.store.updateAccount(agentId, { passwordHash: await this.deps.hashPassword(password) });
    await this.deps.store.endSessions(agentId);
    await this.deps.effects.accessChanged(agentId, 'password');
  }

  /** An agent changes their own password, knowing the current one; every session and socket ends. */
  async changeOwnPassword(agentId: AgentId, current: string, next: string): Promise<void> {
    const account = await this.deps.store.findAccount(agentId);
    if (!account) throw notFound('account');
    if (!(await this.deps.store.verifyPassword(agentId, current)))
      throw new DomainError('forbidden', 'the current password is wrong', 'currentPassword');
    this.checkPassword(next, [account.email, account.name], 'newPassword');
    await this.deps.store.updateAccount(agentId, { passwordHash: await this.deps.hashPassword(next) });
    await this.deps.store.endSessions(agentId);
    await this.deps.effects.accessChanged(agentId, 'password');
  }

  /** The account logged out: its live connections end with its sessions. */
  async loggedOut(agentId: AgentId): Promise<void> {
    await this.deps.effects.accessChanged(agentId, 'logout');
  }

  private async getMember(shopId: ShopId, agentId: AgentId): Promise<Agent> {
    const agent = await this.deps.store.findAgent(shopId, agentId);
    if (!agent) throw notFound('agent', 'agentId');
    return agent;
  }

  /** Account-wide changes need the right to manage the account in every shop it serves. */
  private async assertMayManageAccount(actor: TeamActor, target: Agent): Promise<void> {
    if (actor.type === 'cli' || actor.isOrgOwner) return;
    const elsewhere = (await this.deps.store.listMemberships(target.id)).filter(
      (m) => m.shopId !== target.shopId,
    );
    if (elsewhere.length > 0)
      throw new DomainError(
        'forbidden',
        "this account serves other shops too: only the organisation's owner changes its name or password",
        'agentId',
      );
  }

  private checkPassword(password: string, related: string[], field = 'password'): void {
    // Issue #18: `details` says what is wrong as data, for the client to say in its language.
    const refuse = (message: string, details: Record<string, string | number>) =>
      new DomainError('validation_failed', `${field}: ${message}`, field, details);
    if (typeof password !== 'string' || password.length < 8)
      throw refuse('at least 8 characters', { issue: 'too_small', origin: 'string', minimum: 8 });
    if (password.length > 200)
      throw refuse('at most 200 characters', { issue: 'too_big', origin: 'string', maximum: 200 });
    const problem = this.deps.passwordProblem(password, related);
    if (problem) throw refuse(problem, { issue: 'weak_password' });
  }

  private newShop(
    orgId: string,
    slug: string,
    name: string,
    timeZone: string,
    serviceHours: string,
    now: number,
  ) {
    return {
      id: this.deps.ids.next() as ShopId,
      slug,
      name,
      timeZone,
      serviceHours,
      createdAt: now,
      orgId,
      isDemo: false,
      welcomeMessage: null,
      secret: this.deps.newSecret(),
    };
  }

  private ownerMembership(shopId: ShopId, owner: Account, now: number): Agent {
    // RT-8: the owner takes every buyer while the shop has no agents, and only while here.
    return {
      id: owner.id,
      shopId,
      email: owner.email,
      name: owner.name,
      role: 'owner',
      status: 'offline',
      chosenStatus: 'online',
      disabledAt: null,
      maxConcurrent: 50,
      takesRouting: false,
      createdAt: now,
    };
  }

  private membership(shopId: ShopId, account: Account, input: NewAgentInput, now: number): Agent {
    return {
      id: account.id,
      shopId,
      email: account.email,
      name: account.name,
      role: input.role,
      status: 'offline',
      chosenStatus: 'online',
      disabledAt: null,
      maxConcurrent: input.maxConcurrent,
      takesRouting: input.takesRouting,
      createdAt: now,
    };
  }
}
