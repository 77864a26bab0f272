import fastifyHelmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/**
 * Issue #14: the workbench, console and setup pages get a strict Content-Security-Policy (scripts
 * only from this server, no plugins, no <base> tricks) and may not be framed by any site
 * (frame-ancestors 'none', X-Frame-Options DENY), with helmet's other headers (nosniff,
 * Referrer-Policy, COOP …). @fastify/helmet rather than hand-set headers: it keeps the set current.
 * Routes a shop's own site loads (/widget.js, the /demo shop page) opt out with `helmet: false`.
 * HSTS is left to the TLS-terminating proxy (an install served over plain HTTP on a LAN must not
 * be told otherwise).
 */
export async function securityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(fastifyHelmet, {
    global: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // antd writes its styles at run time (CSS-in-JS <style> elements).
        styleSrc: ["'self'", "'unsafe-inline'"],
        // Uploaded images; blob: and data: for previews and antd's inline icons.
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        // The API and Socket.IO on this origin (ws: included by 'self').
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    hsts: false,
  });
}
