/**
 * Issue #16: the v1 integration API's schemas — the shop's systems write products, buyers, orders
 * and tracking events by their own ids, and read them back. The same schemas validate requests
 * and describe the API (OpenAPI).
 */
import { z } from 'zod';
import { AFTERSALES_KIND_VALUES, AFTERSALES_STATUS_VALUES, AFTERSALES_STEP_VALUES } from './aftersales';

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
    /** AS-1: fresh food, fruit, virtual or custom-made goods: no return for no reason. */
    special: z.boolean().default(false),
    /**
     * CRM-5: a product new to the shop, to be announced by the shop's started new-arrival
     * journeys (only when this write creates it; a catalogue sync leaves it false).
     */
    announce: z.boolean().default(false),
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

// ── reviews (CRM-7) and group buys (CRM-8) ─────────────────────────────────────────────────────
/** A buyer's review on the platform; sent again (edited, or with a follow-up) it is updated. */
export const reviewBody = z
  .object({
    /** The shop's id of the buyer; a buyer not sent yet is created. */
    buyerExternalId: externalId,
    /** The reviewed order and product, when the platform says. */
    orderExternalId: externalId.nullable().default(null),
    productExternalId: externalId.nullable().default(null),
    rating: z.number().int().min(1).max(5),
    /** The buyer's words ("" for a rating alone). */
    text: z.string().trim().max(2000).default(''),
    postedAt: moment,
  })
  .strict();
export type ReviewBody = z.infer<typeof reviewBody>;

/** A group buy (拼单) the shop runs on the platform; `closed` once it is full or over. */
export const groupBuyBody = z
  .object({
    title: z.string().trim().min(1).max(200),
    productExternalId: externalId.nullable().default(null),
    /** The group price. */
    priceCents: cents,
    endsAt: moment,
    status: z.enum(['open', 'closed']).default('open'),
  })
  .strict();
export type GroupBuyBody = z.infer<typeof groupBuyBody>;

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
  /** AS-1: special goods (fresh, fruit, virtual, custom-made) cannot be returned for no reason. */
  special: z.boolean(),
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
export const reviewOut = z.object({
  externalId,
  buyerExternalId: externalId.nullable(),
  orderExternalId: z.string().nullable(),
  productExternalId: z.string().nullable(),
  rating: z.number().int(),
  text: z.string(),
  postedAt: isoOut,
  /** The shop's reply (an agent wrote it in the workbench; the connector posts it). */
  reply: z.object({ text: z.string(), repliedAt: isoOut, agentId: z.string() }).nullable(),
  updatedAt: isoOut,
});
export const groupBuyOut = z.object({
  externalId,
  title: z.string(),
  productExternalId: z.string().nullable(),
  priceCents: z.number().int(),
  endsAt: isoOut,
  status: z.enum(['open', 'closed']),
  updatedAt: isoOut,
});
/** `answered=false`: the reviews still waiting for the shop's reply. */
export const reviewsPageQuery = pageQuery.extend({ answered: z.enum(['true', 'false']).optional() }).strict();
export const errorOut = z.object({
  error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }),
});

// ── channels ─────────────────────────────────────────────────────────────────────────────────────
/** A platform channel's name, as the shop's connector calls it: taobao, pinduoduo, jd, douyin… */
export const channelName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'lower-case letters, digits, _ and - (1–32), such as taobao');
export const channelParams = z.object({ channel: channelName });

export const channelMessageBody = z
  .object({
    /** The shop's id of the buyer on that platform; a buyer not seen before is created. */
    buyerExternalId: externalId,
    /** The platform's id of this message: the same id sent again is stored once. */
    messageId: z.string().trim().min(1).max(128),
    /** The buyer's words, or */
    text: z.string().trim().min(1).max(5000).optional(),
    /** an image uploaded first with `POST /api/uploads` and this key (`/uploads/<id>`). */
    imageUrl: z
      .string()
      .regex(
        /^\/uploads\/[0-9a-f-]{36}$/,
        'must be an upload of the shop (/uploads/<id>, from POST /api/uploads)',
      )
      .optional(),
    /** The buyer's name on the platform (used when the buyer is new to xiaoer). */
    nick: z.string().trim().min(1).max(64).optional(),
  })
  .strict()
  .refine((b) => (b.text === undefined) !== (b.imageUrl === undefined), {
    message: 'send either text or imageUrl',
    path: ['text'],
  });
export type ChannelMessageBody = z.infer<typeof channelMessageBody>;

// ── webhooks ─────────────────────────────────────────────────────────────────────────────────────
/** What an endpoint may subscribe to (`*`: all, and those added later). */
export const V1_WEBHOOK_EVENTS = [
  'conversation.created',
  'conversation.assigned',
  'conversation.ended',
  'message.created',
  'rating.created',
  'order.created',
  'order.updated',
  'aftersales.created',
  'aftersales.updated',
  'aftersales.step',
  'aftersales.undo',
  'review.replied',
  'coupon.issued',
] as const;

export const webhookCreateBody = z
  .object({
    /** Where deliveries are POSTed: http(s), not xiaoer's own port. */
    url: z.string().trim().min(1).max(2000),
    events: z
      .array(z.enum([...V1_WEBHOOK_EVENTS, '*']))
      .min(1)
      .max(V1_WEBHOOK_EVENTS.length + 1),
    description: z.string().trim().max(200).nullable().default(null),
  })
  .strict();
export type WebhookCreateBody = z.infer<typeof webhookCreateBody>;

export const webhookParams = z.object({ id: z.string().min(1).max(64) });
export const deliveryParams = z.object({
  id: z.string().min(1).max(64),
  seq: z.coerce.number().int().min(1),
});
export const deliveriesQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    /** The `seq` of the last delivery of the previous page (newest first). */
    before: z.coerce.number().int().min(1).optional(),
    status: z.enum(['pending', 'delivered', 'failed']).optional(),
  })
  .strict();

export const webhookOut = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.string()),
  description: z.string().nullable(),
  createdAt: isoOut,
  /** Deliveries waiting (due now or to be tried again) and given up. */
  pending: z.number().int(),
  failed: z.number().int(),
});
export const deliveryOut = z.object({
  seq: z.number().int(),
  eventId: z.string(),
  type: z.string(),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int(),
  createdAt: isoOut,
  nextAttemptAt: isoOut.nullable(),
  lastAttemptAt: isoOut.nullable(),
  lastStatus: z.number().int().nullable(),
  lastError: z.string().nullable(),
  deliveredAt: isoOut.nullable(),
  replayOf: z.number().int().nullable(),
  /** The exact body posted (and signed). */
  body: z.string(),
});

// ── after-sales (issue #19) ──────────────────────────────────────────────────────────────────────
export const v1StepOut = z.object({
  /** What to confirm: POST /api/v1/aftersales/{caseId}/steps/{id}. */
  id: z.string(),
  name: z.enum(AFTERSALES_STEP_VALUES),
  status: z.enum(['pending', 'waiting', 'confirmed', 'failed', 'undone']),
});
export const v1CaseOut = z.object({
  id: z.string(),
  /** The platform's id of the request (when the connector opened it). */
  externalId: z.string().nullable(),
  orderExternalId: z.string(),
  buyerExternalId: z.string().nullable(),
  kind: z.enum(AFTERSALES_KIND_VALUES),
  status: z.enum(AFTERSALES_STATUS_VALUES),
  open: z.boolean(),
  reason: z.string(),
  productExternalIds: z.array(z.string()),
  requestedCents: z.number().int(),
  refundedCents: z.number().int(),
  /** The refund, reshipment or compensation decided and waiting for the platform. */
  pending: z
    .object({ action: z.string(), amountCents: z.number().int().nullable(), steps: z.array(v1StepOut) })
    .nullable(),
  coupons: z.array(
    z.object({
      amountCents: z.number().int(),
      validDays: z.number().int(),
      scope: z.string(),
      productIds: z.array(z.string()).optional(),
    }),
  ),
  deadline: z.object({ kind: z.string(), at: isoOut }).nullable(),
  holder: z.string().nullable(),
  openedBy: z.enum(['buyer', 'agent', 'system', 'platform']),
  openedAt: isoOut,
  finishedAt: isoOut.nullable(),
  updatedAt: isoOut,
});
/** The platform reports a buyer's request (idempotent by `externalId`). */
export const v1CaseBody = z
  .object({
    externalId,
    orderExternalId: externalId,
    kind: z.enum(AFTERSALES_KIND_VALUES),
    reason: z.string().trim().min(1).max(500),
    amountCents: cents.optional(),
    productExternalIds: z.array(externalId).max(200).optional(),
  })
  .strict();
export type V1CaseBody = z.infer<typeof v1CaseBody>;
/** What the platform did (a buyer shipped the return, the platform refunded, decided…). */
export const v1CaseEventBody = z.discriminatedUnion('type', [
  z.object({ type: z.literal('approve'), reason: z.string().trim().max(500).optional() }).strict(),
  z.object({ type: z.literal('reject'), reason: z.string().trim().max(500).optional() }).strict(),
  z
    .object({
      type: z.literal('ship-return'),
      carrier: z.string().trim().max(40).optional(),
      trackingNo: z.string().trim().max(64).optional(),
    })
    .strict(),
  z.object({ type: z.literal('receive') }).strict(),
  z.object({ type: z.literal('refund'), amountCents: cents.optional() }).strict(),
  z.object({ type: z.literal('reship') }).strict(),
]);
export type V1CaseEventBody = z.infer<typeof v1CaseEventBody>;
export const v1CaseListQuery = pageQuery.extend({
  /** true: open cases only (most pressing first, one page); otherwise every case, newest first. */
  open: z.enum(['true', 'false']).optional(),
  orderExternalId: externalId.optional(),
});
export const v1CaseParams = z.object({ id: z.string().trim().min(1).max(64) });
export const v1StepParams = z.object({
  id: z.string().trim().min(1).max(64),
  stepId: z.string().trim().min(1).max(80),
});
export const v1StepReportBody = z
  .object({
    ok: z.boolean(),
    /** Why it failed (required when ok is false). */
    error: z.string().trim().min(1).max(500).optional(),
  })
  .strict()
  .refine((b) => b.ok || b.error !== undefined, { message: 'say why the step failed', path: ['error'] });

// What each delivery's `data` holds, per event type.
const conversationData = z.object({
  id: z.string(),
  status: z.enum(['bot', 'queued', 'assigned', 'ended', 'spam']),
  /** `widget`, or the platform channel the buyer last wrote from. */
  channel: z.string(),
  buyer: z.object({ id: z.string(), externalId: z.string().nullable() }),
  agentId: z.string().nullable(),
  assignReason: z.string().nullable(),
  createdAt: isoOut,
  assignedAt: isoOut.nullable(),
  endedAt: isoOut.nullable(),
});
const messageData = z.object({
  id: z.string(),
  seq: z.number().int(),
  sender: z.enum(['buyer', 'agent', 'bot', 'system']),
  senderId: z.string().nullable(),
  kind: z.enum(['text', 'image', 'order_card', 'product_card', 'system']),
  body: z.record(z.string(), z.unknown()),
  createdAt: isoOut,
});
export const channelMessageOut = z.object({
  message: messageData,
  conversation: conversationData,
  /** true: this platform message id was taken in before (nothing new stored). */
  duplicate: z.boolean(),
});

export const webhookEventData = {
  'conversation.created': z.object({ conversation: conversationData }),
  'conversation.assigned': z.object({
    conversation: conversationData,
    previousAgentId: z.string().nullable(),
  }),
  'conversation.ended': z.object({ conversation: conversationData }),
  'message.created': z.object({ conversation: conversationData, message: messageData }),
  'rating.created': z.object({
    rating: z.object({
      conversationId: z.string(),
      buyer: z.object({ id: z.string(), externalId: z.string().nullable() }),
      agentId: z.string().nullable(),
      score: z.number().int().min(1).max(5),
      comment: z.string().nullable(),
      createdAt: isoOut,
    }),
  }),
  'order.created': z.object({ order: orderOut }),
  'order.updated': z.object({ order: orderOut }),
  'aftersales.created': z.object({ case: v1CaseOut }),
  'aftersales.updated': z.object({ case: v1CaseOut }),
  /** Perform `step` on the platform, then POST /api/v1/aftersales/{case.id}/steps/{step.id}. */
  'aftersales.step': z.object({ case: v1CaseOut, step: v1StepOut }),
  /** Take back a step that was confirmed (a later step failed); nothing to confirm. */
  'aftersales.undo': z.object({ case: v1CaseOut, step: v1StepOut }),
  /** CRM-7: an agent answered a review: post `review.reply.text` on the platform. */
  'review.replied': z.object({ review: reviewOut }),
  /** CRM-4 / CRM-6: a journey gave the buyer a coupon: create it on the platform for them. */
  'coupon.issued': z.object({
    coupon: z.object({
      id: z.string(),
      buyerExternalId: externalId.nullable(),
      amountCents: z.number().int(),
      minSpendCents: z.number().int(),
      expiresAt: isoOut,
      /** What gave it: a journey's step, or an after-sales case. */
      source: z.enum(['journey', 'aftersales']),
      createdAt: isoOut,
    }),
  }),
} as const;

/** A delivery's body: `X-Xiaoer-Signature: sha256=<hex HMAC-SHA256(secret, this body as sent)>`. */
export const webhookEnvelope = <T extends z.ZodType>(type: string, data: T) =>
  z.object({
    /** The event's id: the same in a retry or a replay (a receiver keeps the ids it has handled). */
    id: z.string(),
    type: z.literal(type),
    createdAt: isoOut,
    shopId: z.string(),
    data,
  });
