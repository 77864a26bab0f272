/**
 * `npx xiaoer shop …` and `npx xiaoer agent …` (README "CLI"): bring a shop and its team into
 * being from the command line, for automation. A stable interface: flags and output fields do not
 * change.
 *
 *   shop create --slug <slug> --name <name> --owner-email <email> --password-stdin
 *               [--owner-name <name>] [--org-name <name>] [--time-zone <IANA zone>]
 *       → {"shop": {"id", "slug", "name"}, "owner": {"id", "email"}}
 *   shop list
 *       → one JSON line per shop, by slug: {"id", "slug", "name", "demo", "organisation"}
 *   agent create --shop <slug> --email <email> [--name <name>] [--role <role>] [--cap <1-500>]
 *               [--no-routing] [--password-stdin]
 *       → {"agent": {"id", "email", "name", "shop", "role"}}
 *       (an account of the shop's organisation serving other shops joins without a password)
 *   agent disable --shop <slug> --email <email>     → {"agent": {"id", "email", "shop", "disabled": true}}
 *   agent reset-password --shop <slug> --email <email> --password-stdin
 *       → {"agent": {"id", "email", "shop"}}
 *
 * Passwords are read from standard input (never a flag: it would sit in the shell's history and
 * the process list). Exit 0; 2 on bad input, naming the field, with nothing written; 1 on failure.
 */
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import {
  AGENT_ROLES,
  DomainError,
  randomIds,
  systemClock,
  TeamService,
  type AgentId,
  type AgentRole,
  type ShopId,
} from '@xiaoer/core';
import { hashPassword } from '../auth/password';
import { passwordProblem } from '../auth/password-strength';
import type { Storage } from '../storage';

export const TEAM_USAGE = `usage:
  npx xiaoer shop create --slug <slug> --name <name> --owner-email <email> --password-stdin
                         [--owner-name <name>] [--org-name <name>] [--time-zone <zone>]
  npx xiaoer shop list
  npx xiaoer agent create --shop <slug> --email <email> [--name <name>] [--role <role>]
                          [--cap <1-500>] [--no-routing] [--password-stdin]
  npx xiaoer agent disable --shop <slug> --email <email>
  npx xiaoer agent reset-password --shop <slug> --email <email> --password-stdin`;

/** Bad input, naming the field; the command exits with code 2 and writes nothing. */
export class TeamCliError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** What the team commands need from their caller: the storage, standard input, where to print. */
export interface TeamCliIo {
  open(): Promise<Storage>;
  readStdin(): Promise<string>;
  out(line: string): void;
  err(line: string): void;
}

/** The team service as the command line uses it: no live server to tell (see `effects`). */
export function cliTeamService(storage: Storage): TeamService {
  return new TeamService({
    store: storage.team,
    effects: {
      // A running server sees ended sessions at its next check of its sockets (every 15 s).
      accessChanged: async () => undefined,
      // Their open chats wait unrouted; a running server routes them within a minute (its sweep),
      // a stopped one at start.
      releaseAgent: async (shopId, id) => {
        for (const c of await storage.conversations.listByStatus(shopId, 'assigned', 10_000))
          if (c.agentId === id)
            await storage.conversations.updateConversation(shopId, c.id, {
              status: 'queued',
              agentId: null,
              queuedAt: null,
              queueGroup: null,
            });
      },
      rebalance: async () => undefined,
    },
    clock: systemClock,
    ids: randomIds,
    hashPassword,
    passwordProblem,
    newSecret: () => randomBytes(24).toString('base64url'),
  });
}

const flag = (name: string) => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** Maps a domain field to the flag that carries it. */
function flagOf(field: string | undefined): string | undefined {
  if (!field) return undefined;
  const map: Record<string, string> = {
    ownerEmail: '--owner-email',
    ownerName: '--owner-name',
    orgName: '--org-name',
    timeZone: '--time-zone',
    maxConcurrent: '--cap',
    password: '--password-stdin',
    newPassword: '--password-stdin',
    agentId: '--email',
  };
  return map[field] ?? flag(field);
}

function parse<T extends Record<string, { type: 'string' | 'boolean' }>>(
  args: string[],
  options: T,
  what: string,
) {
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    if (positionals.length > 0) throw new Error(`unexpected argument "${positionals[0]}"`);
    return values as { [K in keyof T]?: T[K]['type'] extends 'string' ? string : boolean };
  } catch (error) {
    throw new TeamCliError(`${what}: ${(error as Error).message}`);
  }
}

function need(value: string | undefined, name: string, what: string): string {
  if (value === undefined || value.trim() === '')
    throw new TeamCliError(`${what}: --${name} is required`, name);
  return value;
}

async function password(io: TeamCliIo, given: boolean | undefined, what: string): Promise<string> {
  if (!given)
    throw new TeamCliError(
      `${what}: --password-stdin is required (the password is read from standard input)`,
      'password',
    );
  // One line: a trailing newline (echo, a here-string) is not part of the password.
  const text = (await io.readStdin()).replace(/\r?\n$/, '');
  if (text.length === 0) throw new TeamCliError(`${what}: no password on standard input`, 'password');
  return text;
}

/** Runs `shop …` or `agent …`; returns the exit code. */
export async function runTeamCli(group: 'shop' | 'agent', args: string[], io: TeamCliIo): Promise<number> {
  const [sub = '', ...rest] = args;
  const what = `${group} ${sub}`.trim();
  let storage: Storage | undefined;
  try {
    const open = async () => (storage ??= await io.open());
    if (group === 'shop' && sub === 'create') {
      const v = parse(
        rest,
        {
          slug: { type: 'string' },
          name: { type: 'string' },
          'owner-email': { type: 'string' },
          'owner-name': { type: 'string' },
          'org-name': { type: 'string' },
          'time-zone': { type: 'string' },
          'password-stdin': { type: 'boolean' },
        },
        what,
      );
      const slug = need(v.slug, 'slug', what);
      const name = need(v.name, 'name', what);
      const ownerEmail = need(v['owner-email'], 'owner-email', what);
      const pw = await password(io, v['password-stdin'], what);
      const team = cliTeamService(await open());
      const { shop, owner } = await team.createShop({
        slug,
        name,
        ownerEmail,
        password: pw,
        ...(v['owner-name'] !== undefined ? { ownerName: v['owner-name'] } : {}),
        ...(v['org-name'] !== undefined ? { orgName: v['org-name'] } : {}),
        ...(v['time-zone'] !== undefined ? { timeZone: v['time-zone'] } : {}),
      });
      io.out(
        JSON.stringify({
          shop: { id: shop.id, slug: shop.slug, name: shop.name },
          owner: { id: owner.id, email: owner.email },
        }),
      );
      return 0;
    }
    if (group === 'shop' && sub === 'list') {
      parse(rest, {}, what);
      const s = await open();
      for (const shop of await s.shops.listShops()) {
        const org = await s.agents.findOrganisation(shop.orgId);
        io.out(
          JSON.stringify({
            id: shop.id,
            slug: shop.slug,
            name: shop.name,
            demo: shop.isDemo,
            organisation: org ? { id: org.id, name: org.name } : null,
          }),
        );
      }
      return 0;
    }
    if (group === 'agent' && ['create', 'disable', 'reset-password'].includes(sub)) {
      const v = parse(
        rest,
        {
          shop: { type: 'string' },
          email: { type: 'string' },
          name: { type: 'string' },
          role: { type: 'string' },
          cap: { type: 'string' },
          'no-routing': { type: 'boolean' },
          'password-stdin': { type: 'boolean' },
        },
        what,
      );
      const slug = need(v.shop, 'shop', what);
      const email = need(v.email, 'email', what).trim().toLowerCase();
      if (sub !== 'create')
        for (const extra of ['name', 'role', 'cap', 'no-routing'] as const)
          if (v[extra] !== undefined)
            throw new TeamCliError(`${what}: --${extra} is not an option here`, extra);
      if (sub === 'disable' && v['password-stdin'])
        throw new TeamCliError(`${what}: --password-stdin is not an option here`, 'password-stdin');
      const role = (v.role ?? 'agent') as AgentRole;
      if (!AGENT_ROLES.includes(role) || role === 'owner')
        throw new TeamCliError(
          `${what}: --role must be one of admin, cs_admin, operator, agent, outsourced`,
          'role',
        );
      const cap = v.cap === undefined ? 10 : Number(v.cap);
      if (!Number.isInteger(cap) || cap < 1 || cap > 500)
        throw new TeamCliError(`${what}: --cap must be a whole number 1–500`, 'cap');
      const pw =
        sub === 'reset-password' || (sub === 'create' && v['password-stdin'])
          ? await password(io, v['password-stdin'], what)
          : undefined;
      const s = await open();
      const shop = await s.shops.findShopBySlug(slug);
      if (!shop) throw new TeamCliError(`${what}: --shop: no shop with the slug "${slug}"`, 'shop');
      const team = cliTeamService(s);
      const cli = { type: 'cli' as const };
      if (sub === 'create') {
        const agent = await team.addAgent(cli, shop.id, {
          email,
          role: role as Exclude<AgentRole, 'owner'>,
          maxConcurrent: cap,
          takesRouting: !v['no-routing'],
          ...(v.name !== undefined ? { name: v.name } : {}),
          ...(pw !== undefined ? { password: pw } : {}),
        });
        io.out(
          JSON.stringify({
            agent: { id: agent.id, email: agent.email, name: agent.name, shop: shop.slug, role: agent.role },
          }),
        );
        return 0;
      }
      const account = await s.agents.findAccountByEmail(email);
      const member = account && (await s.agents.findAgent(shop.id as ShopId, account.id as AgentId));
      if (!member) throw new TeamCliError(`${what}: --email: no agent ${email} in the shop ${slug}`, 'email');
      if (sub === 'disable') {
        await team.disableAgent(cli, shop.id, member.id);
        io.out(JSON.stringify({ agent: { id: member.id, email, shop: shop.slug, disabled: true } }));
      } else {
        await team.resetPassword(cli, shop.id, member.id, pw!);
        io.out(JSON.stringify({ agent: { id: member.id, email, shop: shop.slug } }));
      }
      return 0;
    }
    throw new TeamCliError(`${sub ? `unknown ${group} command: ${sub}` : `${group} needs a command`}`);
  } catch (error) {
    if (error instanceof TeamCliError) {
      io.err(`${error.message}\n${TEAM_USAGE}`);
      return 2;
    }
    if (error instanceof DomainError && error.code !== 'not_found' && error.code !== 'forbidden') {
      const named = flagOf(error.field);
      io.err(`${what}: ${named ? `${named}: ` : ''}${error.message.replace(/^[\w.]+: /, '')}`);
      return 2;
    }
    if (error instanceof DomainError) {
      io.err(`${what}: ${error.message}`);
      return 2;
    }
    io.err(`${what} failed: ${(error as Error).stack ?? String(error)}`);
    return 1;
  } finally {
    await (storage as Storage | undefined)?.close();
  }
}
