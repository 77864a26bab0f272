import { DomainError, type ShopId } from '@xiaoer/core';
import { ALLOWED_IMAGE_TYPES, MAX_IMAGE_BYTES, z, type UploadResponse } from '@xiaoer/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { agentFromToken, buyerFromToken, requireBuyer, SESSION_COOKIE, SHOP_HEADER } from '../auth';
import type { AppContext } from '../context';
import { parse } from '../errors';
import type { AuthHandler, Caller } from '../route-auth';

/** Issue #16: a v1 API key of the shop in the Authorization header (`xk_…`), if that is what it holds. */
async function apiKeyOf(ctx: AppContext, req: FastifyRequest) {
  const header = req.headers.authorization;
  const key = header?.startsWith('Bearer xk_') ? header.slice(7) : undefined;
  return key ? ctx.storage.apiKeys.authenticate(key, ctx.clock.now()) : undefined;
}

/**
 * Who may upload (the route's preHandler): an agent by cookie, a buyer by widget token, or the
 * shop's connector by a v1 key with write scope (a platform buyer's image, before
 * `POST /api/v1/channels/{channel}/messages`).
 */
function uploaderAuth(ctx: AppContext): AuthHandler {
  return async (req) => {
    if (req.headers.authorization?.startsWith('Bearer xk_')) {
      const key = await apiKeyOf(ctx, req);
      if (!key)
        throw new DomainError('unauthenticated', 'the API key is unknown or revoked', 'authorization');
      if (!key.scopes.includes('write'))
        throw new DomainError('forbidden', 'this key may not write', 'authorization');
      req.caller = { kind: 'apiKey', apiKey: key };
      return;
    }
    // TEAM-4: an agent of several shops uploads for the shop the request names (a conversation's).
    const shop = req.headers[SHOP_HEADER];
    const agent = await agentFromToken(
      ctx.storage,
      req.cookies[SESSION_COOKIE],
      ctx.clock.now(),
      typeof shop === 'string' ? shop : undefined,
    );
    req.caller = agent
      ? { kind: 'agent', agent }
      : { kind: 'buyer', buyer: await requireBuyer(ctx.storage, ctx.secret, req, ctx.clock.now()) };
  };
}

/** The shop an upload is for, and who made it (as stored: `agent:…`, `buyer:…`, `apikey:…`). */
function uploaderOf(caller: Caller | null): { shopId: string; by: string } {
  switch (caller?.kind) {
    case 'apiKey':
      return { shopId: caller.apiKey.shopId, by: `apikey:${caller.apiKey.id}` };
    case 'agent':
      return { shopId: caller.agent.shop.id, by: `agent:${caller.agent.agent.id}` };
    case 'buyer':
      return { shopId: caller.buyer.shop.id, by: `buyer:${caller.buyer.buyer.id}` };
    default:
      throw new Error('POST /api/uploads: no uploader');
  }
}

const MB = 1024 * 1024;
const megabytes = (bytes: number) => `${Math.round((bytes / MB) * 10) / 10} MB`;

/**
 * Issue #14: refuses an upload of `size` bytes (0: before reading the body, refusing only when
 * nothing is left) past the buyer's hourly or the shop's total quota — 413 quota_exceeded naming
 * `file`, nothing stored.
 */
async function checkQuota(ctx: AppContext, who: { shopId: string; by: string }, size: number): Promise<void> {
  const { config, storage, clock } = ctx;
  const over = (used: number, limit: number) => (size === 0 ? used >= limit : used + size > limit);
  if (who.by.startsWith('buyer:')) {
    const limit = config.UPLOAD_BUYER_BYTES_PER_HOUR;
    const used = await storage.uploads.bytesSince(who.by, clock.now() - 3_600_000);
    if (over(used, limit))
      throw new DomainError(
        'quota_exceeded',
        `file: you may upload ${megabytes(limit)} an hour; try again later`,
        'file',
        { quota: 'buyer_hourly', limitBytes: limit, usedBytes: used },
      );
  }
  const limit = config.UPLOAD_SHOP_MAX_BYTES;
  const used = await storage.uploads.shopBytes(who.shopId);
  if (over(used, limit))
    throw new DomainError(
      'quota_exceeded',
      `file: the shop's uploads are full (${megabytes(limit)})`,
      'file',
      {
        quota: 'shop_total',
        limitBytes: limit,
        usedBytes: used,
      },
    );
}

/** Issue #14: whether the request's agent or buyer may see this upload (see the GET route). */
async function maySeeUpload(
  ctx: AppContext,
  req: FastifyRequest,
  id: string,
  upload: { shop_id: string; uploaded_by: string },
): Promise<boolean> {
  const shopId = upload.shop_id as ShopId;
  const agent = await agentFromToken(ctx.storage, req.cookies[SESSION_COOKIE], ctx.clock.now(), shopId);
  if (agent?.shop.id === shopId) return true;
  // Issue #16: the shop's connector fetches the images agents send, to pass them to the platform.
  if ((await apiKeyOf(ctx, req))?.shopId === shopId) return true;
  const header = req.headers.authorization;
  const token = header?.startsWith('Bearer ') ? header.slice(7) : undefined;
  const buyer = await buyerFromToken(ctx.storage, ctx.secret, token, ctx.clock.now());
  if (buyer?.shop.id !== shopId) return false;
  return (
    upload.uploaded_by === `buyer:${buyer.buyer.id}` ||
    ctx.storage.conversations.buyerWasShown(shopId, buyer.buyer.id, `/uploads/${id}`)
  );
}

/** What a failure to read the multipart body means for the client. */
function multipartError(error: unknown): unknown {
  const e = error as { code?: string; statusCode?: number } | undefined;
  if (e?.code === 'FST_REQ_FILE_TOO_LARGE') {
    return new DomainError(
      'payload_too_large',
      `file: must be at most ${MAX_IMAGE_BYTES / 1024 / 1024} MB`,
      'file',
    );
  }
  if (typeof e?.statusCode === 'number') return error;
  // The parser throws plain errors ("Boundary not found", "Unexpected end of multipart data"):
  // a malformed body is the client's mistake, a 400, not a server error.
  return new DomainError('validation_failed', 'file: the multipart body is malformed', 'file');
}

/** Image uploads, checked by their bytes (not by the name or the claimed type) and size. */
export async function uploadRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.post('/api/uploads', { preHandler: uploaderAuth(ctx) }, async (req, reply) => {
    const who = uploaderOf(req.caller);
    // A buyer or shop with nothing left is refused before the body is read.
    await checkQuota(ctx, who, 0);
    if (!req.isMultipart())
      throw new DomainError('unsupported_media_type', 'send multipart/form-data with a `file` field', 'file');
    const file = await req
      .file({ limits: { fileSize: MAX_IMAGE_BYTES, files: 1 } })
      .catch((error: unknown) => {
        throw multipartError(error);
      });
    if (!file) throw new DomainError('validation_failed', 'file: missing', 'file');
    const data = await file.toBuffer().catch((error: unknown) => {
      throw multipartError(error);
    });
    if (data.length === 0) throw new DomainError('validation_failed', 'file: is empty', 'file');
    const { fileTypeFromBuffer } = await import('file-type'); // loaded at the first upload (issue #20)
    const type = await fileTypeFromBuffer(data);
    if (!type || !(ALLOWED_IMAGE_TYPES as readonly string[]).includes(type.mime)) {
      throw new DomainError(
        'unsupported_media_type',
        `file: must be one of ${ALLOWED_IMAGE_TYPES.join(', ')}`,
        'file',
      );
    }
    await checkQuota(ctx, who, data.length);
    const id = randomUUID();
    await ctx.storage.uploads.insertUpload({
      id,
      shopId: who.shopId,
      contentType: type.mime,
      data,
      uploadedBy: who.by,
      createdAt: ctx.clock.now(),
    });
    const body: UploadResponse = { url: `/uploads/${id}`, contentType: type.mime, size: data.length };
    return reply.status(201).send(body);
  });

  // Issue #14: an upload is served to those who may see it — an agent of its shop (the session
  // cookie: the workbench and console are same-origin <img>s) or a buyer of its shop who uploaded
  // it or was shown it in a message (the widget fetches it with its bearer token). Anyone else is
  // told "not found", as for an id that does not exist.
  app.get('/uploads/:id', async (req, reply) => {
    const { id } = parse(z.object({ id: z.string().uuid() }), req.params);
    const upload = await ctx.storage.uploads.findUpload(id);
    if (!upload || !(await maySeeUpload(ctx, req, id, upload)))
      throw new DomainError('not_found', 'upload not found', 'id');
    return reply
      .header('content-type', upload.content_type)
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; sandbox")
      .header('cache-control', 'private, max-age=31536000, immutable')
      .send(Buffer.from(upload.data));
  });
}
