import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { notFound } from '@xiaoer/core';
import type { FastifyInstance } from 'fastify';

/** Swagger UI's files, served as they ship (swagger-ui-dist: the project's own static build). */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const PAGE = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>xiaoer 集成 API v1 · API reference</title>
<link rel="icon" href="/api/v1/docs/favicon-32x32.png">
<link rel="stylesheet" href="/api/v1/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/api/v1/docs/swagger-ui-bundle.js"></script>
<script src="/api/v1/docs/init.js"></script>
</body>
</html>
`;

// A file, not an inline script: the page keeps the strict script-src 'self' (issue #14).
const INIT = `window.ui = SwaggerUIBundle({
  url: '/api/v1/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  // The example calls go to this server, with the key given under Authorize.
  tryItOutEnabled: false,
  persistAuthorization: false,
});
`;

/**
 * Issue #16: the v1 API's reference, rendered from GET /api/v1/openapi.json (routes and webhook
 * events) by Swagger UI at /api/v1/docs. Public, like the document: it holds no shop's data.
 */
export async function apiDocsRoutes(app: FastifyInstance): Promise<void> {
  const dist = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const cache = new Map<string, Buffer>();

  app.get('/api/v1/docs', async (_req, reply) => reply.type('text/html; charset=utf-8').send(PAGE));
  app.get('/api/v1/docs/init.js', async (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(INIT),
  );
  app.get<{ Params: { file: string } }>('/api/v1/docs/:file', async (req, reply) => {
    const type = ASSETS[req.params.file];
    if (!type) throw notFound('file', 'file');
    let body = cache.get(req.params.file);
    if (!body) {
      body = await readFile(join(dist, req.params.file));
      cache.set(req.params.file, body);
    }
    return reply.type(type).header('cache-control', 'public, max-age=86400').send(body);
  });
}
