import fastifyCookie from '@fastify/cookie';
import fastifyCors from '@fastify/cors';
import fastifyMultipart from '@fastify/multipart';
import fastifyRateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger as Pino } from 'pino';
import type { Config } from '../config';
import { toErrorResponse } from './errors';
import { OriginGuard, originCheck } from './origin';
import { decorateCaller } from './route-auth';
import { securityHeaders } from './security-headers';
import { refuseInvalidText } from './text-guard';

/**
 * The HTTP pipeline every route runs in, before any is registered: errors as the one table says,
 * text and origin checks, CORS for the widget, security headers, the per-IP rate limit, cookies
 * and multipart bodies, and `req.caller` for the routes' `auth(…)` preHandlers.
 */
export async function createHttpApp(config: Config, pino: Pino): Promise<FastifyInstance> {
  const app = Fastify({
    // The node's pino (its level and `node` field), seen by routes as Fastify's base logger.
    loggerInstance: pino as FastifyBaseLogger,
    bodyLimit: 64 * 1024,
    trustProxy: config.TRUST_PROXY,
  });
  app.setErrorHandler((error, req, reply) => {
    const { status, body, internal } = toErrorResponse(error);
    if (internal) req.log.error(error);
    void reply.status(status).send(body);
  });
  app.setNotFoundHandler((_req, reply) => {
    void reply.status(404).send({ error: { code: 'not_found', message: 'no such route' } });
  });
  // Issue #14: NUL characters and lone surrogates are refused at the edge, naming the field.
  refuseInvalidText(app);
  // Who called: each route's auth(…) preHandler sets req.caller (req.agent, req.buyer, req.apiKey).
  decorateCaller(app);
  await app.register(fastifyCookie);
  // Issue #14 (CSRF): what acts with the agent session cookie comes from our own origin.
  app.addHook('onRequest', originCheck(new OriginGuard(config, (m) => app.log.warn(m))));
  // The widget runs on shops' own pages: its routes answer any origin (it authenticates by bearer token, not cookies).
  await app.register(fastifyCors, {
    origin: (origin, cb) => cb(null, true),
    credentials: false,
  });
  // Issue #14: CSP and frame-ancestors 'none' for our pages (the widget's routes opt out).
  await securityHeaders(app);
  await app.register(fastifyRateLimit, {
    max: config.RATE_LIMIT_PER_MINUTE,
    timeWindow: '1 minute',
    allowList: (req) => !req.url.startsWith('/api/'),
    errorResponseBuilder: () => ({
      statusCode: 429,
      error: { code: 'rate_limited', message: 'too many requests, slow down' },
    }),
  });
  await app.register(fastifyMultipart, { limits: { fileSize: 10 * 1024 * 1024, files: 1, fields: 5 } });
  return app;
}
