import { DomainError, IMPORT_KINDS, type ImportKind } from '@xiaoer/core';
import { z } from '@xiaoer/protocol';
import { stringify as stringifyCsv } from 'csv-stringify/sync';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { applyImport, importTemplate, prepareImport } from '../../integration/imports';
import type { AppContext } from '../context';
import { parse } from '../errors';
import { routeAuth } from '../route-auth';

/** The largest file an import takes (10,000 rows of orders fit in a few MB). */
export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;

const kindParams = z.object({ kind: z.enum(IMPORT_KINDS as [ImportKind, ...ImportKind[]]) });
const applyQuery = z.object({
  /** Write the rows without problems and leave the others (default: any problem writes nothing). */
  skipInvalid: z.enum(['true', 'false']).default('false'),
});
const templateQuery = z.object({
  format: z.enum(['csv', 'xlsx']).default('xlsx'),
  lang: z.enum(['zh', 'en']).default('zh'),
});

/** The uploaded file's bytes (sent as the body, `application/octet-stream`). */
function fileOf(req: FastifyRequest): Buffer {
  if (!Buffer.isBuffer(req.body))
    throw new DomainError(
      'unsupported_media_type',
      'file: send the file itself as the body (content-type: application/octet-stream)',
      'file',
    );
  return req.body;
}

/**
 * Issue #16: the shop's products, buyers and orders imported in the console from CSV or Excel —
 * GBK or UTF-8, Chinese or English headers — previewed first (every problem by row and column,
 * how many are new), then written as the v1 API writes them. Admins of the shop only.
 */
export async function importRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { storage, clock } = ctx;
  const auth = routeAuth(ctx);
  app.addContentTypeParser(
    'application/octet-stream',
    { parseAs: 'buffer', bodyLimit: MAX_IMPORT_BYTES },
    (_req, body, done) => done(null, body),
  );
  // Admins of the shop only; a file up to MAX_IMPORT_BYTES.
  const adminUpload = { bodyLimit: MAX_IMPORT_BYTES, preHandler: auth('admin') };

  app.post('/api/admin/imports/:kind/preview', adminUpload, async (req) => {
    const me = req.agent;
    const { kind } = parse(kindParams, req.params);
    const { preview } = await prepareImport(storage, me.shop.id, me.shop.timeZone, kind, fileOf(req));
    return { preview };
  });

  app.post('/api/admin/imports/:kind', adminUpload, async (req) => {
    const me = req.agent;
    const { kind } = parse(kindParams, req.params);
    const { skipInvalid } = parse(applyQuery, req.query);
    const { preview, ready } = await prepareImport(storage, me.shop.id, me.shop.timeZone, kind, fileOf(req));
    const first = preview.problems[0];
    if (first && skipInvalid !== 'true')
      throw new DomainError(
        'validation_failed',
        `row ${first.row}, ${first.column}: ${first.message} (${preview.problemCount} problems; nothing imported)`,
        first.column,
        { problems: preview.problems, problemCount: preview.problemCount },
      );
    if (ready.length === 0) throw new DomainError('validation_failed', 'file: has no rows to import', 'file');
    const written = await applyImport(storage, me.shop.id, kind, ready, clock.now());
    ctx.webhooks.kick();
    return { imported: written, skipped: preview.problemCount };
  });

  app.get('/api/admin/imports/:kind/template', { preHandler: auth('admin') }, async (req, reply) => {
    const { kind } = parse(kindParams, req.params);
    const { format, lang } = parse(templateQuery, req.query);
    const rows = importTemplate(kind, lang);
    const name = `xiaoer-${kind}-template.${format}`;
    reply.header('content-disposition', `attachment; filename="${name}"`);
    if (format === 'csv')
      // With a BOM, so Excel on Chinese Windows opens the Chinese headers as written.
      return reply.type('text/csv; charset=utf-8').send(stringifyCsv(rows, { bom: true }));
    // Loaded at the first template download, not at start (issue #20).
    const { default: writeXlsxFile } = await import('write-excel-file/node');
    const xlsx = await writeXlsxFile(rows.map((r) => r.map((value) => ({ value, type: String })))).toBuffer();
    return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(xlsx);
  });
}
