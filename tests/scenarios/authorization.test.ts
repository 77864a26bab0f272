/**
 * Issue #14: the authorization matrix — EVERY HTTP route and socket event of the app × every kind
 * of caller, as a table, on SQLite and PostgreSQL. The app's routes are read from Fastify itself
 * (`printRoutes`) and its socket events from the gateway's registrations on live sockets: a route
 * or event the table lacks fails the suite, so none can be added without its row.
 *
 * A row is one line: method, path, the request (ids of the fixtures below), and the outcome for
 * each actor in ACTORS order. The target is always a thing of shop A (the demo shop): conversation
 * C, held by `agent`, of `buyer`. An outcome is an HTTP status (a socket ack's error code counts as
 * its status, a connection refused as 401), or `page` for a built page (200, or 503 when the web
 * app is not built). Mutating routes get a body the route refuses (400) once the caller is let in,
 * or a fresh target (`fresh`), so no cell changes what another cell sees.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { AgentId, BuyerId, ConversationId, ShopId } from '@xiaoer/core';
import { io, type Socket } from 'socket.io-client';
import { testDatabases } from '../support/databases';
import { newConversation } from '../support/fixtures';
import {
  AGENT_PASSWORD,
  loginCookie,
  startTestServer,
  widgetSession,
  type TestServer,
} from '../support/server';
import { pngUpload } from '../support/uploads';
import { registeredRoutes } from '../support/routes';

const ACTORS = ['anonymous', 'buyer', 'buyerB', 'agent', 'outsourced', 'admin', 'owner', 'adminB'] as const;
type Actor = (typeof ACTORS)[number];
type Outcome = number | 'page';
/** One outcome per actor, in ACTORS order. */
type Outcomes = [Outcome, Outcome, Outcome, Outcome, Outcome, Outcome, Outcome, Outcome];

/** The fixtures a request may name. */
interface Ids {
  /** Conversation C of shop A: `buyer`'s, held by `agent`. */
  conversation: string;
  buyer: string;
  agent: string;
  upload: string;
  /** A fresh conversation for this cell (rows with `fresh`). */
  fresh: string;
  /** The fresh conversation's buyer (a new widget visitor). */
  freshBuyer: string;
}
interface Request {
  url: string;
  payload?: unknown;
}
type Row = [
  method: string,
  path: string,
  request: (ids: Ids) => Request,
  outcomes: Outcomes,
  fresh?: 'assigned' | 'queued',
];

const C = (ids: Ids) => `/api/conversations/${ids.conversation}`;
const F = (ids: Ids) => `/api/conversations/${ids.fresh}`;
const BAD = { unexpected: true };
const at = (url: string, payload?: unknown) => () => ({ url, ...(payload !== undefined ? { payload } : {}) });

// Caller:                                anon  buyer buyerB agent  outs  admin owner adminB
const PUBLIC: Outcomes = /*           */ [200, 200, 200, 200, 200, 200, 200, 200];
const AGENTS: Outcomes = /*           */ [401, 401, 401, 200, 200, 200, 200, 200];
const AGENTS_400: Outcomes = /*       */ [401, 401, 401, 400, 400, 400, 400, 400];
const ADMINS: Outcomes = /*           */ [401, 401, 401, 403, 403, 200, 200, 200];
const ADMINS_400: Outcomes = /*       */ [401, 401, 401, 403, 403, 400, 400, 400];
const ADMINS_404: Outcomes = /*       */ [401, 401, 401, 403, 403, 404, 404, 404];
/** Issue #16: an import sent as JSON instead of the file's bytes. */
const ADMINS_415: Outcomes = /*       */ [401, 401, 401, 403, 403, 415, 415, 415];
const BUYERS_400: Outcomes = /*       */ [401, 400, 400, 401, 401, 401, 401, 401];
/** C and its buyer: its holder and shop A's admins; outsourced agent not its holder; shop B's admin: not found. */
const C_READ: Outcomes = /*           */ [401, 401, 401, 200, 403, 200, 200, 404];
/** Issue #16: a shop's API key, never a session or a buyer's token. */
const KEYS_ONLY: Outcomes = /*        */ [401, 401, 401, 401, 401, 401, 401, 401];

// prettier-ignore
const HTTP: Row[] = [
  ['GET',    '/',                                          at('/'),                                  [302, 302, 302, 302, 302, 302, 302, 302]],
  ['GET',    '/health',                                    at('/health'),                            PUBLIC],
  ['GET',    '/ready',                                     at('/ready'),                             PUBLIC],
  ['GET',    '/demo',                                      at('/demo'),                              PUBLIC],
  ['GET',    '/favicon.svg',                               at('/favicon.svg'),                       PUBLIC],
  ['GET',    '/favicon.ico',                               at('/favicon.ico'),                       PUBLIC],
  ['GET',    '/widget.js',                                 at('/widget.js'),                         ['page', 'page', 'page', 'page', 'page', 'page', 'page', 'page']],
  ['GET',    '/workbench',                                 at('/workbench'),                         [302, 302, 302, 302, 302, 302, 302, 302]],
  ['GET',    '/workbench/',                                at('/workbench/'),                        ['page', 'page', 'page', 'page', 'page', 'page', 'page', 'page']],
  ['GET',    '/admin',                                     at('/admin'),                             [302, 302, 302, 302, 302, 302, 302, 302]],
  ['GET',    '/admin/',                                    at('/admin/'),                            ['page', 'page', 'page', 'page', 'page', 'page', 'page', 'page']],
  // A real shop exists (shop B): the first-run page and its API are closed to everyone.
  ['GET',    '/setup',                                     at('/setup'),                             [404, 404, 404, 404, 404, 404, 404, 404]],
  ['GET',    '/setup/',                                    at('/setup/'),                            [404, 404, 404, 404, 404, 404, 404, 404]],
  ['GET',    '/api/setup',                                 at('/api/setup'),                         PUBLIC],
  ['POST',   '/api/setup',                                 at('/api/setup', BAD),                    [409, 409, 409, 409, 409, 409, 409, 409]],
  ['POST',   '/api/auth/login',                            at('/api/auth/login', BAD),               [400, 400, 400, 400, 400, 400, 400, 400]],
  ['GET',    '/api/me',                                    at('/api/me'),                            AGENTS],
  ['PUT',    '/api/me/status',                             at('/api/me/status', BAD),                AGENTS_400],
  ['POST',   '/api/me/password',                           at('/api/me/password', BAD),              AGENTS_400],
  ['GET',    '/api/agents',                                at('/api/agents'),                        AGENTS],
  ['GET',    '/api/conversations',                         at('/api/conversations'),                 AGENTS],
  ['GET',    '/api/conversations/:conversationId',         (i) => ({ url: C(i) }),                   C_READ],
  ['GET',    '/api/conversations/:conversationId/messages', (i) => ({ url: `${C(i)}/messages` }),    C_READ],
  ['POST',   '/api/conversations/:conversationId/messages', (i) => ({ url: `${C(i)}/messages`, payload: { clientId: randomUUID(), kind: 'text', body: { text: '您好' } } }), C_READ],
  ['POST',   '/api/conversations/:conversationId/order-card', (i) => ({ url: `${C(i)}/order-card`, payload: { clientId: randomUUID(), orderId: 'no-such-order' } }), [401, 401, 401, 400, 403, 400, 400, 404]],
  ['POST',   '/api/conversations/:conversationId/read',    (i) => ({ url: `${C(i)}/read`, payload: { seq: 0 } }), C_READ],
  ['POST',   '/api/conversations/:conversationId/release', (i) => ({ url: `${C(i)}/release` }),     [401, 401, 401, 409, 403, 409, 409, 404]],
  ['POST',   '/api/conversations/:conversationId/transfer', (i) => ({ url: `${C(i)}/transfer`, payload: { toAgentId: 'no-such-agent' } }), [401, 401, 401, 400, 403, 400, 400, 404]],
  ['POST',   '/api/conversations/:conversationId/assign',  (i) => ({ url: `${C(i)}/assign`, payload: { toAgentId: 'no-such-agent' } }), [401, 401, 401, 403, 403, 400, 400, 404]],
  ['POST',   '/api/conversations/:conversationId/end',     (i) => ({ url: `${F(i)}/end` }),          C_READ, 'assigned'],
  // Issue #14: a queued conversation is taken over by who may read it (admins).
  // Issue #15: a suggested reply, for who may read C (the demo shop has none switched on: 409).
  ['POST',   '/api/conversations/:conversationId/suggest-reply', (i) => ({ url: `${C(i)}/suggest-reply` }), [401, 401, 401, 409, 403, 409, 409, 404]],
  // Issue #15: the model's summary on transfer, for who may read C (none in the demo: null).
  ['GET',    '/api/conversations/:conversationId/summary', (i) => ({ url: `${C(i)}/summary` }),      C_READ],
  ['POST',   '/api/conversations/:conversationId/take-over', (i) => ({ url: `${F(i)}/take-over` }), [401, 401, 401, 403, 403, 200, 200, 404], 'queued'],
  // Issue #14: a buyer's profile for the agents of their conversations and admins.
  ['GET',    '/api/buyers/:buyerId/profile',               (i) => ({ url: `/api/buyers/${i.buyer}/profile` }), C_READ],
  // Issue #14: revoking a buyer's widget tokens is for shop A's admins (a fresh buyer each cell).
  ['POST',   '/api/buyers/:buyerId/revoke-tokens',         (i) => ({ url: `/api/buyers/${i.freshBuyer}/revoke-tokens` }), [401, 401, 401, 403, 403, 200, 200, 404], 'queued'],
  ['GET',    '/api/buyers/:buyerId/promises',              (i) => ({ url: `/api/buyers/${i.buyer}/promises` }), [401, 401, 401, 200, 200, 200, 200, 200]],
  ['POST',   '/api/buyers/:buyerId/proactive',             (i) => ({ url: `/api/buyers/${i.buyer}/proactive`, payload: BAD }), AGENTS_400],
  // Issue #21 (CRM-1): tags, notes and opt-out — whoever may read the buyer (C's holder, admins).
  ['GET',    '/api/buyers/:buyerId/crm',                   (i) => ({ url: `/api/buyers/${i.buyer}/crm` }), C_READ],
  ['POST',   '/api/buyers/:buyerId/tags',                  (i) => ({ url: `/api/buyers/${i.buyer}/tags`, payload: BAD }), [401, 401, 401, 400, 403, 400, 400, 404]],
  ['DELETE', '/api/buyers/:buyerId/tags/:tag',             (i) => ({ url: `/api/buyers/${i.buyer}/tags/no-such-tag` }), [401, 401, 401, 404, 403, 404, 404, 404]],
  ['POST',   '/api/buyers/:buyerId/tag-suggestions/:tag/dismiss', (i) => ({ url: `/api/buyers/${i.buyer}/tag-suggestions/no-such-tag/dismiss` }), [401, 401, 401, 404, 403, 404, 404, 404]],
  ['POST',   '/api/buyers/:buyerId/notes',                 (i) => ({ url: `/api/buyers/${i.buyer}/notes`, payload: BAD }), [401, 401, 401, 400, 403, 400, 400, 404]],
  ['DELETE', '/api/buyers/:buyerId/notes/:noteId',         (i) => ({ url: `/api/buyers/${i.buyer}/notes/no-such-note` }), [401, 401, 401, 404, 403, 404, 404, 404]],
  ['PUT',    '/api/buyers/:buyerId/opt-out',               (i) => ({ url: `/api/buyers/${i.buyer}/opt-out`, payload: BAD }), [401, 401, 401, 400, 403, 400, 400, 404]],
  // Issue #21 (CRM-7): the shop's reviews and their replies — any agent of the shop.
  ['GET',    '/api/reviews',                               at('/api/reviews'),                       AGENTS],
  ['GET',    '/api/reviews/count',                         at('/api/reviews/count'),                 AGENTS],
  ['POST',   '/api/reviews/:id/reply',                     at('/api/reviews/no-such/reply', BAD),    AGENTS_400],
  ['GET',    '/api/queue',                                 at('/api/queue'),                         AGENTS],
  ['POST',   '/api/queue/pull',                            at('/api/queue/pull'),                    AGENTS],
  ['GET',    '/api/quick-replies',                         at('/api/quick-replies'),                 AGENTS],
  ['POST',   '/api/quick-replies',                         at('/api/quick-replies', BAD),            AGENTS_400],
  ['PATCH',  '/api/quick-replies/:id',                     at('/api/quick-replies/no-such-reply', {}), [401, 401, 401, 404, 404, 404, 404, 404]],
  ['DELETE', '/api/quick-replies/:id',                     at('/api/quick-replies/no-such-reply'),   [401, 401, 401, 404, 404, 404, 404, 404]],
  ['POST',   '/api/compliance/check',                      at('/api/compliance/check', BAD),         AGENTS_400],
  ['POST',   '/api/faq/learn',                             at('/api/faq/learn', BAD),                [401, 401, 401, 400, 403, 400, 400, 400]],
  ['GET',    '/api/faq/suggest',                           at('/api/faq/suggest?q=发货'),            AGENTS],
  ['POST',   '/api/uploads',                               at('/api/uploads', BAD),                  [401, 415, 415, 415, 415, 415, 415, 415]],
  // Issue #14: an upload shown in C: to shop A's agents and C's buyer.
  ['GET',    '/uploads/:id',                               (i) => ({ url: `/uploads/${i.upload}` }), [404, 200, 404, 200, 200, 200, 200, 404]],
  ['POST',   '/api/widget/session',                        at('/api/widget/session', BAD),           [400, 400, 400, 400, 400, 400, 400, 400]],
  ['GET',    '/api/widget/messages',                       at('/api/widget/messages'),               [401, 200, 200, 401, 401, 401, 401, 401]],
  ['POST',   '/api/widget/messages',                       at('/api/widget/messages', BAD),          BUYERS_400],
  ['POST',   '/api/widget/rating',                         at('/api/widget/rating', BAD),            BUYERS_400],
  ['GET',    '/api/admin/shop',                            at('/api/admin/shop'),                    ADMINS],
  ['PATCH',  '/api/admin/shop',                            at('/api/admin/shop', { name: '' }),      ADMINS_400],
  ['POST',   '/api/admin/shops',                           () => ({ url: '/api/admin/shops', payload: { slug: `m-${randomUUID().slice(0, 8)}`, name: '新店' } }), [401, 401, 401, 403, 403, 403, 201, 201]],
  ['GET',    '/api/admin/agents',                          at('/api/admin/agents'),                  ADMINS],
  ['POST',   '/api/admin/agents',                          at('/api/admin/agents', BAD),             ADMINS_400],
  ['PATCH',  '/api/admin/agents/:agentId',                 at('/api/admin/agents/no-such-agent', {}), ADMINS_404],
  ['DELETE', '/api/admin/agents/:agentId',                 at('/api/admin/agents/no-such-agent'),    ADMINS_404],
  ['POST',   '/api/admin/agents/:agentId/password',        at('/api/admin/agents/no-such-agent/password', { password: 'Kefu-2026-strong' }), ADMINS_404],
  ['POST',   '/api/admin/agents/:agentId/disable',         at('/api/admin/agents/no-such-agent/disable'), ADMINS_404],
  ['POST',   '/api/admin/agents/:agentId/enable',          at('/api/admin/agents/no-such-agent/enable'), ADMINS_404],
  ['GET',    '/api/admin/faq',                             at('/api/admin/faq'),                     ADMINS],
  ['POST',   '/api/admin/faq',                             at('/api/admin/faq', BAD),                ADMINS_400],
  ['PUT',    '/api/admin/faq/:id',                         at('/api/admin/faq/no-such-entry', BAD),  ADMINS_404],
  ['DELETE', '/api/admin/faq/:id',                         at('/api/admin/faq/no-such-entry'),       ADMINS_404],
  ['POST',   '/api/admin/faq/import',                      at('/api/admin/faq/import', BAD),         ADMINS_400],
  ['GET',    '/api/admin/faq/export',                      at('/api/admin/faq/export'),              ADMINS],
  ['GET',    '/api/admin/faq/test',                        at('/api/admin/faq/test?q=发货'),         ADMINS],
  ['GET',    '/api/admin/faq/intents',                     at('/api/admin/faq/intents'),             ADMINS],
  ['GET',    '/api/admin/bot',                             at('/api/admin/bot'),                     ADMINS],
  // Issue #16: the shop's v1 API keys, for its admins.
  ['GET',    '/api/admin/api-keys',                        at('/api/admin/api-keys'),                ADMINS],
  ['POST',   '/api/admin/api-keys',                        at('/api/admin/api-keys', BAD),           ADMINS_400],
  ['DELETE', '/api/admin/api-keys/:id',                    at('/api/admin/api-keys/nope'),           ADMINS_404],
  // Issue #16: the v1 API answers a shop's API key only (keys × scopes × shops: integration-api.test.ts).
  ['GET',    '/api/v1/openapi.json',                       at('/api/v1/openapi.json'),               PUBLIC],
  ['GET',    '/api/v1/docs',                               at('/api/v1/docs'),                       PUBLIC],
  ['GET',    '/api/v1/docs/init.js',                       at('/api/v1/docs/init.js'),               PUBLIC],
  ['GET',    '/api/v1/docs/:file',                         at('/api/v1/docs/swagger-ui.css'),        PUBLIC],
  ['GET',    '/api/v1/products',                           at('/api/v1/products'),                   KEYS_ONLY],
  ['GET',    '/api/v1/products/:externalId',               at('/api/v1/products/p-1'),               KEYS_ONLY],
  ['PUT',    '/api/v1/products/:externalId',               at('/api/v1/products/p-1', BAD),          KEYS_ONLY],
  ['GET',    '/api/v1/buyers',                             at('/api/v1/buyers'),                     KEYS_ONLY],
  ['GET',    '/api/v1/buyers/:externalId',                 at('/api/v1/buyers/b-1'),                 KEYS_ONLY],
  ['PUT',    '/api/v1/buyers/:externalId',                 at('/api/v1/buyers/b-1', BAD),            KEYS_ONLY],
  ['GET',    '/api/v1/orders',                             at('/api/v1/orders'),                     KEYS_ONLY],
  ['GET',    '/api/v1/orders/:externalId',                 at('/api/v1/orders/o-1'),                 KEYS_ONLY],
  ['PUT',    '/api/v1/orders/:externalId',                 at('/api/v1/orders/o-1', BAD),            KEYS_ONLY],
  ['POST',   '/api/v1/orders/:externalId/logistics',       at('/api/v1/orders/o-1/logistics', BAD),  KEYS_ONLY],
  ['GET',    '/api/v1/reviews',                            at('/api/v1/reviews'),                    KEYS_ONLY],
  ['GET',    '/api/v1/reviews/:externalId',                at('/api/v1/reviews/r-1'),                KEYS_ONLY],
  ['PUT',    '/api/v1/reviews/:externalId',                at('/api/v1/reviews/r-1', BAD),           KEYS_ONLY],
  ['GET',    '/api/v1/group-buys',                         at('/api/v1/group-buys'),                 KEYS_ONLY],
  ['GET',    '/api/v1/group-buys/:externalId',             at('/api/v1/group-buys/g-1'),             KEYS_ONLY],
  ['PUT',    '/api/v1/group-buys/:externalId',             at('/api/v1/group-buys/g-1', BAD),        KEYS_ONLY],
  ['POST',   '/api/v1/channels/:channel/messages',         at('/api/v1/channels/taobao/messages', BAD), KEYS_ONLY],
  ['GET',    '/api/v1/webhooks',                           at('/api/v1/webhooks'),                   KEYS_ONLY],
  ['POST',   '/api/v1/webhooks',                           at('/api/v1/webhooks', BAD),              KEYS_ONLY],
  ['DELETE', '/api/v1/webhooks/:id',                       at('/api/v1/webhooks/nope'),              KEYS_ONLY],
  ['GET',    '/api/v1/webhooks/:id/deliveries',            at('/api/v1/webhooks/nope/deliveries'),   KEYS_ONLY],
  ['POST',   '/api/v1/webhooks/:id/deliveries/:seq/replay', at('/api/v1/webhooks/nope/deliveries/1/replay'), KEYS_ONLY],
  ['POST',   '/api/v1/webhooks/:id/ping',                  at('/api/v1/webhooks/nope/ping'),         KEYS_ONLY],
  ['POST',   '/api/admin/imports/:kind/preview',           at('/api/admin/imports/orders/preview', BAD), ADMINS_415],
  ['POST',   '/api/admin/imports/:kind',                   at('/api/admin/imports/orders', BAD),     ADMINS_415],
  ['GET',    '/api/admin/imports/:kind/template',          at('/api/admin/imports/orders/template'), ADMINS],
  ['GET',    '/api/admin/webhooks',                        at('/api/admin/webhooks'),                ADMINS],
  ['POST',   '/api/admin/webhooks',                        at('/api/admin/webhooks', BAD),           ADMINS_400],
  ['DELETE', '/api/admin/webhooks/:id',                    at('/api/admin/webhooks/nope'),           ADMINS_404],
  ['GET',    '/api/admin/webhooks/:id/deliveries',         at('/api/admin/webhooks/nope/deliveries'), ADMINS_404],
  ['POST',   '/api/admin/webhooks/:id/deliveries/:seq/replay', at('/api/admin/webhooks/nope/deliveries/1/replay'), ADMINS_404],
  ['POST',   '/api/admin/webhooks/:id/ping',               at('/api/admin/webhooks/nope/ping'),      ADMINS_404],
  ['GET',    '/api/admin/model',                           at('/api/admin/model'),                   ADMINS],
  ['PUT',    '/api/admin/model',                           at('/api/admin/model', BAD),              ADMINS_400],
  ['POST',   '/api/admin/model/test',                      at('/api/admin/model/test', BAD),         ADMINS_400],
  ['PUT',    '/api/admin/bot',                             at('/api/admin/bot', BAD),                ADMINS_400],
  ['GET',    '/api/admin/routing',                         at('/api/admin/routing'),                 ADMINS],
  ['PUT',    '/api/admin/routing',                         at('/api/admin/routing', BAD),            ADMINS_400],
  ['GET',    '/api/admin/compliance',                      at('/api/admin/compliance'),              ADMINS],
  ['PUT',    '/api/admin/compliance',                      at('/api/admin/compliance', BAD),         ADMINS_400],
  ['GET',    '/api/admin/compliance/log',                  at('/api/admin/compliance/log'),          ADMINS],
  // Issue #17: a supervisor's review of a log entry (no such entry here: 404 naming it).
  ['POST',   '/api/admin/compliance/log/:id/review',       at('/api/admin/compliance/log/no-such-entry/review', { review: 'correct' }), ADMINS_404],
  ['GET',    '/api/admin/compliance/precision',            at('/api/admin/compliance/precision'),    ADMINS],
  // Issue #19 (CMP-4): promises checked, counted per agent — shop A's owner, admins, cs_admins.
  ['GET',    '/api/admin/compliance/promises',             at('/api/admin/compliance/promises'),     ADMINS],
  ['GET',    '/api/admin/metrics/day',                     at('/api/admin/metrics/day'),             ADMINS],
  ['GET',    '/api/admin/metrics/day.csv',                 at('/api/admin/metrics/day.csv'),         ADMINS],
  ['GET',    '/api/admin/metrics/range',                   at('/api/admin/metrics/range?from=2026-11-01&to=2026-11-02'), ADMINS],
  ['GET',    '/api/admin/metrics/definitions',             at('/api/admin/metrics/definitions'),     ADMINS],
  ['GET',    '/api/admin/metrics/settings',                at('/api/admin/metrics/settings'),        ADMINS],
  ['PUT',    '/api/admin/metrics/settings',                at('/api/admin/metrics/settings', BAD),   ADMINS_400],
  ['GET',    '/api/admin/metrics/alert',                   at('/api/admin/metrics/alert'),           ADMINS],
  // Issue #18: the live board for shop A's admins; the MET-5 alert for every agent (theirs only).
  ['GET',    '/api/admin/live',                            at('/api/admin/live'),                    ADMINS],
  ['GET',    '/api/metrics/alert',                         at('/api/metrics/alert'),                 AGENTS],
  // Issue #18 (SPAM-1): the holder or an admin reports a fresh conversation's buyer; C is not
  // reported, so its undo is a conflict for who may undo and 403 for who may not read it.
  ['POST',   '/api/conversations/:conversationId/report-spam', (i) => ({ url: `${F(i)}/report-spam` }), C_READ, 'assigned'],
  ['POST',   '/api/conversations/:conversationId/unreport-spam', (i) => ({ url: `${C(i)}/unreport-spam` }), [401, 401, 401, 409, 403, 409, 409, 404]],
  // Issue #19: after-sales cases — any agent records (AS-6 decisions are refused by role inside).
  ['GET',    '/api/aftersales',                            at('/api/aftersales'),                    AGENTS],
  ['POST',   '/api/aftersales',                            at('/api/aftersales', BAD),               AGENTS_400],
  ['GET',    '/api/aftersales/:id',                        at('/api/aftersales/no-such-case'),       [401, 401, 401, 404, 404, 404, 404, 404]],
  ['POST',   '/api/aftersales/:id/actions',                at('/api/aftersales/no-such-case/actions', BAD), AGENTS_400],
  // Issue #21: journeys — the shop's admins.
  ['GET',    '/api/admin/journey-templates',               at('/api/admin/journey-templates'),       ADMINS],
  ['GET',    '/api/admin/crm/settings',                    at('/api/admin/crm/settings'),            ADMINS],
  ['POST',   '/api/admin/segments/preview',                at('/api/admin/segments/preview', BAD),   ADMINS_400],
  ['PUT',    '/api/admin/crm/settings',                    at('/api/admin/crm/settings', BAD),       ADMINS_400],
  ['GET',    '/api/admin/journeys',                        at('/api/admin/journeys'),                ADMINS],
  ['POST',   '/api/admin/journeys',                        at('/api/admin/journeys', BAD),           ADMINS_400],
  ['GET',    '/api/admin/journeys/:id',                    at('/api/admin/journeys/no-such'),        ADMINS_404],
  ['PUT',    '/api/admin/journeys/:id',                    at('/api/admin/journeys/no-such', BAD),   ADMINS_404],
  ['POST',   '/api/admin/journeys/:id/status',             at('/api/admin/journeys/no-such/status', BAD), ADMINS_404],
  ['POST',   '/api/admin/journeys/:id/dry-run',            at('/api/admin/journeys/no-such/dry-run', {}), ADMINS_404],
  ['GET',    '/api/admin/aftersales/settings',             at('/api/admin/aftersales/settings'),     ADMINS],
  ['PUT',    '/api/admin/aftersales/settings',             at('/api/admin/aftersales/settings', BAD), ADMINS_400],
  ['GET',    '/api/admin/aftersales/metrics',              at('/api/admin/aftersales/metrics'),      ADMINS],
  ['GET',    '/api/admin/metrics/aftersales',              at('/api/admin/metrics/aftersales'),      ADMINS],
  ['GET',    '/api/widget/aftersales',                     at('/api/widget/aftersales'),             [401, 200, 200, 401, 401, 401, 401, 401]],
  ['POST',   '/api/widget/aftersales',                     at('/api/widget/aftersales', BAD),        BUYERS_400],
  ['GET',    '/api/widget/orders',                         at('/api/widget/orders'),                 [401, 200, 200, 401, 401, 401, 401, 401]],
  ['POST',   '/api/widget/aftersales/:id/actions',         at('/api/widget/aftersales/no-such-case/actions', BAD), BUYERS_400],
  ['GET',    '/api/v1/aftersales',                         at('/api/v1/aftersales'),                 KEYS_ONLY],
  ['POST',   '/api/v1/aftersales',                         at('/api/v1/aftersales', BAD),            KEYS_ONLY],
  ['GET',    '/api/v1/aftersales/:id',                     at('/api/v1/aftersales/as-1'),            KEYS_ONLY],
  ['POST',   '/api/v1/aftersales/:id/events',              at('/api/v1/aftersales/as-1/events', BAD), KEYS_ONLY],
  ['POST',   '/api/v1/aftersales/:id/steps/:stepId',       at('/api/v1/aftersales/as-1/steps/wf.1', BAD), KEYS_ONLY],
  ['GET',    '/api/admin/staffing',                        at('/api/admin/staffing'),                ADMINS],
  ['POST',   '/api/admin/staffing/plan',                   at('/api/admin/staffing/plan', BAD),      ADMINS_400],
  ['GET',    '/api/admin/staffing/rota',                   at('/api/admin/staffing/rota'),           ADMINS],
  ['PUT',    '/api/admin/staffing/rota',                   at('/api/admin/staffing/rota', BAD),      ADMINS_400],
  ['GET',    '/api/admin/quality/sample',                  at('/api/admin/quality/sample'),          ADMINS],
  ['POST',   '/api/admin/quality/reviews',                 at('/api/admin/quality/reviews', BAD),    ADMINS_400],
  // Issue #18: the chat history, for shop A's admins; shop B's admin does not find C (TEAM-4).
  ['GET',    '/api/admin/history',                         at('/api/admin/history?text=您好'),       ADMINS],
  ['GET',    '/api/admin/history.csv',                     at('/api/admin/history.csv'),             ADMINS],
  ['GET',    '/api/admin/history/:id',                     (i) => ({ url: `/api/admin/history/${i.conversation}` }), [401, 401, 401, 403, 403, 200, 200, 404]],
  // Last: it ends every session of the caller's account.
  ['POST',   '/api/auth/logout',                           at('/api/auth/logout'),                   [204, 204, 204, 204, 204, 204, 204, 204]],
];

/** Socket events: namespace, event, payload, and the outcome per actor (401: the namespace refuses the connection). */
type SocketRow = [ns: '/agent' | '/buyer', event: string, payload: (ids: Ids) => unknown, outcomes: Outcomes];
// prettier-ignore
const SOCKET: SocketRow[] = [
  ['/agent', 'message:send',        (i) => ({ conversationId: i.conversation, clientId: randomUUID(), kind: 'text', body: { text: '您好' } }), C_READ],
  ['/agent', 'message:order-card',  (i) => ({ conversationId: i.conversation, clientId: randomUUID(), orderId: 'no-such-order' }), [401, 401, 401, 400, 403, 400, 400, 404]],
  ['/agent', 'messages:sync',       (i) => ({ conversationId: i.conversation, afterSeq: 0 }), C_READ],
  ['/agent', 'conversation:read',   (i) => ({ conversationId: i.conversation, seq: 0 }), C_READ],
  ['/agent', 'conversation:typing', (i) => ({ conversationId: i.conversation, isTyping: true }), C_READ],
  // Buyers act on their own open conversation, whatever id they name (another's is not found).
  ['/buyer', 'message:send',        () => ({ clientId: randomUUID(), kind: 'text', body: { text: '在吗' } }), [401, 200, 200, 401, 401, 401, 401, 401]],
  ['/buyer', 'messages:sync',       (i) => ({ conversationId: i.conversation, afterSeq: 0 }), [401, 200, 404, 401, 401, 401, 401, 401]],
  ['/buyer', 'conversation:read',   (i) => ({ conversationId: i.conversation, seq: 0 }), [401, 200, 404, 401, 401, 401, 401, 401]],
  ['/buyer', 'conversation:typing', (i) => ({ conversationId: i.conversation, isTyping: true }), [401, 200, 404, 401, 401, 401, 401, 401]],
];

/** Socket.IO's own events, not the gateway's. */
const RESERVED = new Set([
  'connect',
  'connect_error',
  'disconnect',
  'disconnecting',
  'error',
  'newListener',
  'removeListener',
]);

for (const engine of testDatabases) {
  describe(`issue #14 authorization matrix on ${engine.name}`, () => {
    let t: TestServer;
    const creds = {} as Record<Actor, { cookie?: string; token?: string }>;
    const ids = {} as Omit<Ids, 'fresh' | 'freshBuyer'>;
    let shopA: ShopId;
    let ownerId: AgentId;

    before(async () => {
      t = await startTestServer({
        storage: await engine.open(),
        env: {
          RATE_LIMIT_PER_MINUTE: '100000',
          LOGIN_ATTEMPTS_PER_MINUTE: '10000',
          WIDGET_SESSIONS_PER_MINUTE: '10000',
          BUYER_MESSAGES_PER_10S: '10000',
        },
      });
      shopA = 'shop-demo' as ShopId;
      const owner = (await t.storage.agents.findAccountByEmail('owner@demo.xiaoer.dev'))!;
      ownerId = owner.id as AgentId;
      const boss = { type: 'agent' as const, agentId: ownerId, role: 'owner' as const, isOrgOwner: true };
      for (const [email, role] of [
        ['outsourced@matrix.example', 'outsourced'],
        ['admin@matrix.example', 'admin'],
      ] as const)
        await t.server.ctx.team.addAgent(boss, shopA, {
          email,
          name: role,
          password: AGENT_PASSWORD,
          role,
          maxConcurrent: 10,
          takesRouting: false,
        });
      await t.server.ctx.team.createShop({
        slug: 'matrix-b',
        name: '乙店',
        ownerEmail: 'boss@matrix-b.example',
        password: AGENT_PASSWORD,
        orgName: '乙公司',
      });
      creds.anonymous = {};
      creds.agent = { cookie: await loginCookie(t.server, 'agent1@demo.xiaoer.dev') };
      creds.outsourced = { cookie: await loginCookie(t.server, 'outsourced@matrix.example', AGENT_PASSWORD) };
      creds.admin = { cookie: await loginCookie(t.server, 'admin@matrix.example', AGENT_PASSWORD) };
      creds.owner = { cookie: await loginCookie(t.server, 'owner@demo.xiaoer.dev') };
      creds.adminB = { cookie: await loginCookie(t.server, 'boss@matrix-b.example', AGENT_PASSWORD) };
      const buyer = await widgetSession(t.server, { shop: 'demo' });
      creds.buyer = { token: buyer.token };
      creds.buyerB = { token: (await widgetSession(t.server, { shop: 'matrix-b' })).token };
      const agentId = (await t.storage.agents.findAccountByEmail('agent1@demo.xiaoer.dev'))!.id;
      const sent = await t.server.ctx.chat.sendBuyerMessage(shopA, buyer.buyerId as BuyerId, randomUUID(), {
        kind: 'text',
        body: { text: '你好' },
      });
      const conversation = sent.conversation;
      if (conversation.agentId !== agentId)
        await t.server.ctx.routing.assignConversation(
          shopA,
          { type: 'agent', agentId: ownerId, isAdmin: true },
          conversation.id,
          agentId as AgentId,
        );
      // An image the holder sent to C.
      const png = await pngUpload();
      const up = await t.server.app.inject({
        method: 'POST',
        url: '/api/uploads',
        headers: { cookie: creds.agent.cookie!, ...png.headers },
        payload: png.payload,
      });
      assert.equal(up.statusCode, 201, up.body);
      const url = (up.json() as { url: string }).url;
      await t.server.ctx.chat.sendAgentMessage(
        shopA,
        { type: 'agent', agentId: agentId as AgentId, isAdmin: false },
        conversation.id,
        randomUUID(),
        { kind: 'image', body: { url } },
      );
      Object.assign(ids, {
        conversation: conversation.id,
        buyer: buyer.buyerId,
        agent: agentId,
        upload: url.slice('/uploads/'.length),
      });
    });
    after(() => t.close());

    /** A fresh conversation of shop A for a cell: queued, or held by `agent`. */
    async function freshConversation(
      kind: 'assigned' | 'queued',
    ): Promise<{ fresh: string; freshBuyer: string }> {
      const buyerId = (await widgetSession(t.server, { shop: 'demo' })).buyerId as BuyerId;
      const c = newConversation(shopA, buyerId);
      if (kind === 'queued') {
        await t.storage.conversations.createOrGetOpen(c);
        return { fresh: c.id, freshBuyer: buyerId };
      }
      await t.storage.conversations.createOrGetOpen(c);
      await t.server.ctx.routing.assignConversation(
        shopA,
        { type: 'agent', agentId: ownerId, isAdmin: true },
        c.id as ConversationId,
        ids.agent as AgentId,
      );
      return { fresh: c.id, freshBuyer: buyerId };
    }

    it('issue #14 the table has a row for every route the app registers, and no row for a route it lacks', () => {
      const app = registeredRoutes(t.server.app.printRoutes({ commonPrefix: false })).sort();
      const table = HTTP.map(([method, path]) => `${method} ${path}`).sort();
      assert.deepEqual(
        app.filter((r) => !table.includes(r)),
        [],
        'routes without a row: add one line each to HTTP',
      );
      assert.deepEqual(
        table.filter((r) => !app.includes(r)),
        [],
        'rows without a route',
      );
    });

    it('issue #14 every socket event answers each caller as the table says; the table covers every event', async () => {
      const statusOf: Record<string, number> = {
        validation_failed: 400,
        unauthenticated: 401,
        forbidden: 403,
        conversation_not_yours: 403,
        not_found: 404,
        conflict: 409,
      };
      const mismatches: string[] = [];
      const seen = { '/agent': new Set<string>(), '/buyer': new Set<string>() };
      for (const ns of ['/agent', '/buyer'] as const) {
        for (const [i, actor] of ACTORS.entries()) {
          const { cookie, token } = creds[actor];
          const socket: Socket = io(`${t.url}${ns}`, {
            transports: ['websocket'],
            reconnection: false,
            forceNew: true,
            ...(cookie ? { extraHeaders: { cookie } } : {}),
            ...(token ? { auth: { token } } : {}),
          });
          const connected = await new Promise<boolean>((resolve) => {
            socket.once('connect', () => resolve(true));
            socket.once('connect_error', () => resolve(false));
          });
          try {
            if (connected) {
              // The gateway's registrations for this socket, as the server holds them.
              const server = [...t.server.io.of(ns).sockets.values()].find((s) => s.id === socket.id);
              for (const name of server?.eventNames() ?? [])
                if (typeof name === 'string' && !RESERVED.has(name)) seen[ns].add(name);
            }
            for (const [rowNs, event, payload, outcomes] of SOCKET) {
              if (rowNs !== ns) continue;
              let got: number;
              if (!connected) got = 401;
              else {
                const ack = (await socket.timeout(5000).emitWithAck(event, payload(ids as Ids))) as {
                  ok: boolean;
                  error?: { code: string };
                };
                got = ack.ok ? 200 : (statusOf[ack.error?.code ?? ''] ?? 500);
              }
              if (got !== outcomes[i])
                mismatches.push(`${ns} ${event} as ${actor}: ${got}, table says ${outcomes[i]}`);
            }
          } finally {
            socket.close();
          }
        }
      }
      assert.deepEqual(mismatches, []);
      for (const ns of ['/agent', '/buyer'] as const)
        assert.deepEqual(
          [...seen[ns]].sort(),
          SOCKET.filter(([n]) => n === ns)
            .map(([, e]) => e)
            .sort(),
          `${ns}: every event the gateway registers has its rows`,
        );
    });

    // After the sockets: its last row logs everyone out.
    it('issue #14 every HTTP route answers each caller as the table says', async () => {
      const mismatches: string[] = [];
      for (const [method, path, request, outcomes, fresh] of HTTP) {
        for (const [i, actor] of ACTORS.entries()) {
          const cell = {
            ...ids,
            ...(fresh ? await freshConversation(fresh) : { fresh: '', freshBuyer: '' }),
          };
          const { url, payload } = request(cell);
          const { cookie, token } = creds[actor];
          const res = await t.server.app.inject({
            method: method as 'GET',
            url,
            headers: {
              ...(cookie ? { cookie } : {}),
              ...(token ? { authorization: `Bearer ${token}` } : {}),
            },
            ...(payload !== undefined ? { payload: payload as object } : {}),
          });
          const want = outcomes[i]!;
          const ok =
            want === 'page' ? res.statusCode === 200 || res.statusCode === 503 : res.statusCode === want;
          if (!ok) mismatches.push(`${method} ${path} as ${actor}: ${res.statusCode}, table says ${want}`);
        }
      }
      assert.deepEqual(mismatches, []);
    });
  });
}
