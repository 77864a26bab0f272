/**
 * Issue #16: the v1 integration API's schemas — the shop's systems write products, buyers, orders
 * and tracking events by their own ids, and read them back. The same schemas validate requests
 * and describe the API (OpenAPI).
 */
import { z } from 'zod';

/** The shop's own id for a record: what its platform or ERP calls it. */
export const externalId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'letters, digits and . _ : - only');
export const externalIdParams = z.object({ externalId });

/** A moment, as ISO 8601 with its offset (2026-12-03T10:00:00+08:00). */
const moment = z.iso.datetime({ offset: true });
const cents = z.number().int().min(0).max(1e12);
const httpUrl = z
  .string()
  .max(2000)
  .refine((u) => /^https?:\/\/[^\s]+$/i.test(u), 'must be an http(s) URL');

export const productBody = z
  .object({
    title: z.string().trim().min(1).max(200),
    priceCents: cents,
    imageUrl: httpUrl.nullable().default(null),
  })
  .strict();
export type ProductBody = z.infer<typeof productBody>;

export const buyerBody = z
  .object({
    nick: z.string().trim().min(1).max(64),
    phone: z.string().trim().max(32).nullable().default(null),
  })
  .strict();
export type BuyerBody = z.infer<typeof buyerBody>;

export const V1_ORDER_STATUSES = ['unpaid', 'paid', 'shipped', 'completed', 'after_sales', 'closed'] as const;

export const orderBody = z
  .object({
    /** The shop's id of the buyer; a buyer not sent yet is created (nick 买家 + its last 4 characters). */
    buyerExternalId: externalId,
    status: z.enum(V1_ORDER_STATUSES),
    totalCents: cents,
    items: z
      .array(
        z
          .object({
            productExternalId: externalId,
            title: z.string().trim().min(1).max(200),
            quantity: z.number().int().min(1).max(100_000),
            priceCents: cents,
          })
          .strict(),
      )
      .max(200),
    carrier: z.string().trim().min(1).max(40).nullable().default(null),
    trackingNo: z.string().trim().min(1).max(64).nullable().default(null),
    createdAt: moment,
    paidAt: moment.nullable().default(null),
    shippedAt: moment.nullable().default(null),
  })
  .strict();
export type OrderBody = z.infer<typeof orderBody>;

export const logisticsBody = z
  .object({
    events: z
      .array(
        z
          .object({
            /** The event's id at the carrier or the shop: the same id is the same event. */
            id: z.string().min(1).max(100),
            at: moment,
            description: z.string().trim().min(1).max(500),
          })
          .strict(),
      )
      .min(1)
      .max(100),
  })
  .strict();
export type LogisticsBody = z.infer<typeof logisticsBody>;

/** List endpoints: `cursor` is the last id of the previous page (its `nextCursor`). */
export const pageQuery = z
  .object({
    cursor: externalId.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();
export const ordersPageQuery = pageQuery.extend({ buyer: externalId.optional() }).strict();

export const apiKeyCreateBody = z
  .object({
    name: z.string().trim().min(1).max(60),
    scopes: z
      .array(z.enum(['read', 'write']))
      .min(1)
      .max(2)
      .default(['read', 'write']),
  })
  .strict();

// ── answers (described in the OpenAPI document; the routes build them) ─────────────────────────
const isoOut = z.iso.datetime();
export const productOut = z.object({
  externalId,
  title: z.string(),
  priceCents: z.number().int(),
  imageUrl: z.string().nullable(),
  updatedAt: isoOut,
});
export const buyerOut = z.object({
  externalId,
  nick: z.string(),
  phone: z.string().nullable(),
  createdAt: isoOut,
});
export const orderOut = z.object({
  externalId,
  buyerExternalId: externalId.nullable(),
  status: z.enum(V1_ORDER_STATUSES),
  totalCents: z.number().int(),
  items: z.array(
    z.object({
      productExternalId: z.string(),
      title: z.string(),
      quantity: z.number().int(),
      priceCents: z.number().int(),
    }),
  ),
  carrier: z.string().nullable(),
  trackingNo: z.string().nullable(),
  createdAt: isoOut,
  paidAt: isoOut.nullable(),
  shippedAt: isoOut.nullable(),
  logistics: z.array(z.object({ id: z.string().nullable(), at: isoOut, description: z.string() })),
  updatedAt: isoOut,
});
export const errorOut = z.object({
  error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }),
});
