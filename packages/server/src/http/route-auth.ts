import { DomainError } from '@xiaoer/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiKeyInfo, ApiScope } from '../storage/api-key.repository';
import { requireAdmin, requireAgent, requireBuyer, type AgentContext, type BuyerContext } from './auth';
import type { AppContext } from './context';
import { shopNamedBy, type ShopOf } from './tenancy';

/** Who called a route, as its `auth(…)` preHandler found them. */
export type Caller =
  | { kind: 'agent'; agent: AgentContext }
  | { kind: 'buyer'; buyer: BuyerContext }
  | { kind: 'apiKey'; apiKey: ApiKeyInfo };

declare module 'fastify' {
  interface FastifyRequest {
    /** Who called: set by the route's `auth(…)` preHandler; null on a public route. */
    caller: Caller | null;
    /** The agent of a route declared `auth('agent' | 'admin')` (anywhere else: a 500, a bug). */
    readonly agent: AgentContext;
    /** The buyer of a route declared `auth('buyer')`. */
    readonly buyer: BuyerContext;
    /** The v1 key of a route declared `auth('apiKey', scope)`. */
    readonly apiKey: ApiKeyInfo;
  }
}

/** The caller of the kind a handler expects; a route whose preHandler gave another is a bug (500). */
function callerOf<K extends Caller['kind']>(req: FastifyRequest, kind: K): Extract<Caller, { kind: K }> {
  const caller = req.caller;
  if (caller?.kind !== kind) throw new Error(`${req.routeOptions.url ?? req.url}: no auth('${kind}') caller`);
  return caller as Extract<Caller, { kind: K }>;
}

/** Makes `req.caller` (and its typed views `req.agent`, `req.buyer`, `req.apiKey`) on every request. */
export function decorateCaller(app: FastifyInstance): void {
  if (app.hasRequestDecorator('caller')) return;
  app.decorateRequest('caller', null);
  app.decorateRequest('agent', {
    getter(this: FastifyRequest) {
      return callerOf(this, 'agent').agent;
    },
  });
  app.decorateRequest('buyer', {
    getter(this: FastifyRequest) {
      return callerOf(this, 'buyer').buyer;
    },
  });
  app.decorateRequest('apiKey', {
    getter(this: FastifyRequest) {
      return callerOf(this, 'apiKey').apiKey;
    },
  });
}

/** The bearer credential of a request (`Authorization: Bearer <key>`), or undefined. */
export function bearerOf(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
}

/** A route's preHandler: it authenticates (401), authorizes (403) and sets `req.caller`. */
export type AuthHandler = (req: FastifyRequest) => Promise<void>;

/** What `auth` takes: who may call the route. */
export interface Auth {
  /** Any agent of the shop (session cookie; 401 without). */
  (kind: 'agent', options?: { shopOf?: ShopOf }): AuthHandler;
  /** An agent whose role administers the shop: owner, admin, CS admin (403 for the others). */
  (kind: 'admin', options?: { shopOf?: ShopOf }): AuthHandler;
  /** The buyer of a widget token (`Authorization: Bearer`). */
  (kind: 'buyer'): AuthHandler;
  /** Issue #16: a live v1 key of the shop with `scope`. */
  (kind: 'apiKey', scope: ApiScope): AuthHandler;
}

/**
 * The `auth(…)` preHandlers of a route module: each route says who may call it on its own line,
 * `{ preHandler: auth('admin') }`, and its handler reads the caller from `req.agent`, `req.buyer`
 * or `req.apiKey`. The checks, statuses and messages are those of `requireAgent`, `requireAdmin`,
 * `requireBuyer` and the v1 key check.
 */
export function routeAuth(ctx: AppContext): Auth {
  const { storage, clock } = ctx;

  async function keyWith(req: FastifyRequest, scope: ApiScope): Promise<ApiKeyInfo> {
    const key = bearerOf(req);
    if (!key)
      throw new DomainError(
        'unauthenticated',
        'an API key is needed: Authorization: Bearer <key>',
        'authorization',
      );
    const info = await storage.apiKeys.authenticate(key, clock.now());
    if (!info) throw new DomainError('unauthenticated', 'the API key is unknown or revoked', 'authorization');
    if (!info.scopes.includes(scope))
      throw new DomainError(
        'forbidden',
        `this key may not ${scope}: it has ${info.scopes.join(', ')}`,
        'authorization',
      );
    return info;
  }

  return ((kind: Caller['kind'] | 'admin', arg?: { shopOf?: ShopOf } | ApiScope): AuthHandler => {
    switch (kind) {
      case 'agent':
      case 'admin': {
        const shopOf = typeof arg === 'object' ? arg.shopOf : undefined;
        const check = kind === 'admin' ? requireAdmin : requireAgent;
        return async (req) => {
          const shopId = await shopNamedBy(storage, req, shopOf);
          req.caller = {
            kind: 'agent',
            agent: await check(storage, req, clock.now(), shopId ? { shopId } : {}),
          };
        };
      }
      case 'buyer':
        return async (req) => {
          req.caller = { kind: 'buyer', buyer: await requireBuyer(storage, ctx.secret, req, clock.now()) };
        };
      case 'apiKey': {
        const scope = arg as ApiScope;
        return async (req) => {
          req.caller = { kind: 'apiKey', apiKey: await keyWith(req, scope) };
        };
      }
    }
  }) as Auth;
}
