/**
 * @xiaoer/protocol — the contract server, web and widget share: zod schemas of every request
 * and WebSocket event, the shapes of responses, and error codes.
 */
import { z } from 'zod';
import {
  MAX_CAP,
  MAX_CLIENT_ID_LENGTH,
  MAX_ID_LENGTH,
  MAX_MESSAGES_PAGE,
  MAX_PASSWORD_LENGTH,
  MAX_QUICK_REPLY_TEXT,
  MAX_QUICK_REPLY_TITLE,
  MAX_TEXT_LENGTH,
  MAX_TRANSFER_NOTE,
  MIN_CAP,
  MIN_PASSWORD_LENGTH,
} from './limits';
import type { ErrorBody } from './responses';

export { findInvalidText, isInvalidText } from './text';

// ---------- limits (each defined once, in ./limits) ----------
export * from './limits';

// ---------- shared pieces ----------
const id = z.string().min(1).max(MAX_ID_LENGTH);
const clientId = z.string().min(1).max(MAX_CLIENT_ID_LENGTH);

/** Text or image: what a person may send (cards go through their own requests). */
export const sendContentSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('text'), body: z.object({ text: z.string().max(MAX_TEXT_LENGTH * 2) }) }),
  z.object({ kind: z.literal('image'), body: z.object({ url: z.string().max(200) }) }),
]);
/** What a person sends: text or an uploaded image's URL. */
export type SendContent = z.input<typeof sendContentSchema>;

// ---------- HTTP: auth ----------
export const loginSchema = z.object({
  email: z.string().trim().toLowerCase().email().max(200),
  password: z.string().min(1).max(200),
});
export type LoginRequest = z.infer<typeof loginSchema>;

// ---------- HTTP: agent workbench ----------
export const listConversationsQuery = z.object({
  status: z.enum(['bot', 'queued', 'assigned', 'ended', 'open']).default('open'),
  limit: z.coerce.number().int().min(1).max(200).default(100),
  /** TEAM-4: only this shop's (one the account serves); default: every shop it serves. */
  shop: id.optional(),
});
export const conversationParams = z.object({ conversationId: id });
export const messagesQuery = z.object({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(MAX_MESSAGES_PAGE).default(MAX_MESSAGES_PAGE),
});
/** `confirmWarnings`: the agent confirms a message the compliance check warned about (CMP-1 … CMP-5); logged. */
const confirmWarnings = z.boolean().optional();
export const sendMessageSchema = z.object({ clientId, confirmWarnings }).and(sendContentSchema);
export type SendMessageRequest = z.infer<typeof sendMessageSchema>;
export const sendOrderCardSchema = z.object({ clientId, orderId: id });
/** RT-10: to an agent, or to a group (exactly one). */
export const transferSchema = z
  .object({
    toAgentId: id.optional(),
    toGroupId: z.string().min(1).max(40).optional(),
    /** Issue #18: a note for the next agent, shown in their chat (never to the buyer). */
    note: z.string().trim().max(MAX_TRANSFER_NOTE).optional(),
  })
  .refine((b) => (b.toAgentId === undefined) !== (b.toGroupId === undefined), {
    path: ['toAgentId'],
    message: 'give toAgentId or toGroupId (one of them)',
  });
const routeStatus = z.enum(['none', 'unpaid', 'paid', 'shipped', 'completed', 'after-sales']);
/** RT-1 … RT-9: a shop's routing settings, as the console saves them (replaced whole). */
export const routingSettingsSchema = z
  .object({
    mode: z.enum(['basic', 'group']),
    groups: z
      .array(
        z
          .object({
            id: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'must be 1–40 letters, digits, - or _'),
            name: z.string().trim().min(1).max(40),
            statuses: z.array(routeStatus).max(6),
            agentIds: z.array(id).max(500),
          })
          .strict(),
      )
      .max(50),
    offlineRouting: z.array(id).max(500),
    lingerMinutes: z.number().int().min(0).max(60),
    returningBuyerHours: z.number().int().min(0).max(720),
    newCustomerPriority: z.boolean(),
    /** CRM-6: buyers of this loyalty tier rank or higher go to the front of the queue (0: off). */
    priorityTierRank: z.number().int().min(0).max(10).default(0),
    /** RT-8: an agent gone offline keeps their chats, or they go back to routing. */
    offlineChats: z.enum(['keep', 'requeue']).default('keep'),
  })
  .strict();
/** RT-10: an admin assigns a conversation to an agent. */
/** CMP-1 … CMP-5 as the agent types: the text, and the conversation it goes to (its buyer's orders). */
export const complianceCheckSchema = z
  .object({
    text: z.string().max(20_000),
    conversationId: id.optional(),
    /** The agent tried to send it (Enter, a quick reply): a block is logged like a refused send. */
    attempt: z.boolean().optional(),
  })
  .strict();
/** CMP-6: a proactive message to a buyer with no open conversation. */
export const proactiveSchema = z
  .object({ clientId, text: z.string().trim().min(1).max(MAX_TEXT_LENGTH), confirmWarnings })
  .strict();
export const complianceLogQuery = z.object({
  agentId: id.optional(),
  action: z.enum(['blocked', 'confirmed', 'proactive_refused']).optional(),
  since: z.coerce.number().int().min(0).optional(),
  until: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
/** Issue #17: the log entry a review is about. */
export const complianceLogParams = z.object({ id });
/**
 * Issue #17: a supervisor's review of a log entry. `allow` (with `wrong` only): put the clauses it
 * flagged on the shop's allow list, so they are not flagged again.
 */
export const complianceReviewSchema = z
  .object({ review: z.enum(['correct', 'wrong']), allow: z.boolean().optional() })
  .strict()
  .refine((b) => !(b.allow === true && b.review !== 'wrong'), {
    path: ['allow'],
    message: 'only with review "wrong" (a correct block or warning stays on)',
  });
export type ComplianceReviewRequest = z.infer<typeof complianceReviewSchema>;
/** Issue #17: the precision report's window (ms since the epoch; default the last 30 days). */
export const compliancePrecisionQuery = z
  .object({
    since: z.coerce.number().int().min(0).optional(),
    until: z.coerce.number().int().min(0).optional(),
  })
  .refine((q) => q.since === undefined || q.until === undefined || q.since < q.until, {
    path: ['until'],
    message: 'must be after since',
  });
export const assignSchema = z.object({ toAgentId: id }).strict();
export const readSchema = z.object({ seq: z.number().int().min(0) });
export const agentStatusSchema = z.object({ status: z.enum(['online', 'hung_up', 'offline']) });
export const quickReplyQuery = z.object({ q: z.string().max(100).default('') });
const quickReplyFields = {
  title: z.string().trim().min(1).max(MAX_QUICK_REPLY_TITLE),
  text: z.string().trim().min(1).max(MAX_QUICK_REPLY_TEXT),
  imageUrl: z
    .string()
    .regex(/^\/uploads\/[A-Za-z0-9-]+$/, 'must be an uploaded image (/uploads/…)')
    .nullable(),
  /** true: only for me; false: shared with the shop (admins only). */
  personal: z.boolean(),
};
export const quickReplySchema = z.object({
  ...quickReplyFields,
  imageUrl: quickReplyFields.imageUrl.default(null),
  personal: quickReplyFields.personal.default(true),
});
/** Only the fields given change: no defaults, so an edit never drops the image or un-shares a reply. */
export const quickReplyPatchSchema = z.object(quickReplyFields).partial();

// ---------- HTTP: admin console ----------
export const shopPatchSchema = z.object({
  name: z.string().trim().min(1).max(60).optional(),
  /** BOT-3: the first line every buyer reads (`{shop}`: the shop's name); null: the default. */
  welcomeMessage: z.string().trim().min(1).max(200).nullable().optional(),
  serviceHours: z.string().trim().min(1).max(60).optional(),
  timeZone: z
    .string()
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone such as Asia/Shanghai')
    .optional(),
});
/**
 * A new member of the shop: a new account (name and password needed), or — TEAM-4 — an account
 * of the organisation serving other shops (its email alone; it keeps its password).
 */
export const agentCreateSchema = z.object({
  email: z.string().trim().toLowerCase().email().max(200),
  name: z.string().trim().min(1).max(40).optional(),
  password: z
    .string()
    .min(MIN_PASSWORD_LENGTH, `at least ${MIN_PASSWORD_LENGTH} characters`)
    .max(MAX_PASSWORD_LENGTH)
    .optional(),
  role: z.enum(['admin', 'cs_admin', 'operator', 'agent', 'outsourced']).default('agent'),
  maxConcurrent: z.number().int().min(MIN_CAP).max(MAX_CAP).default(10),
  takesRouting: z.boolean().default(true),
});
export const agentPatchSchema = z.object({
  name: z.string().trim().min(1).max(40).optional(),
  role: z.enum(['admin', 'cs_admin', 'operator', 'agent', 'outsourced']).optional(),
  maxConcurrent: z.number().int().min(MIN_CAP).max(MAX_CAP).optional(),
  takesRouting: z.boolean().optional(),
  password: z
    .string()
    .min(MIN_PASSWORD_LENGTH, `at least ${MIN_PASSWORD_LENGTH} characters`)
    .max(MAX_PASSWORD_LENGTH)
    .optional(),
});
export const agentParams = z.object({ agentId: id });
/** An admin sets a member's password (they forgot theirs). */
export const passwordResetSchema = z
  .object({
    password: z
      .string()
      .min(MIN_PASSWORD_LENGTH, `at least ${MIN_PASSWORD_LENGTH} characters`)
      .max(MAX_PASSWORD_LENGTH),
  })
  .strict();
/** An agent changes their own password. */
export const passwordChangeSchema = z
  .object({
    currentPassword: z.string().min(1).max(200),
    newPassword: z
      .string()
      .min(MIN_PASSWORD_LENGTH, `at least ${MIN_PASSWORD_LENGTH} characters`)
      .max(MAX_PASSWORD_LENGTH),
  })
  .strict();
/** TEAM-4: the organisation's owner opens another shop. */
export const shopCreateSchema = z
  .object({
    slug: z.string().trim().min(1).max(40),
    name: z.string().trim().min(1).max(60),
    timeZone: z.string().max(60).optional(),
    serviceHours: z.string().trim().min(1).max(60).optional(),
  })
  .strict();
/** First run: the organisation, its first shop and the owner's account. */
export const setupSchema = z
  .object({
    token: z.string().min(1).max(200),
    orgName: z.string().trim().min(1).max(60).optional(),
    slug: z.string().trim().min(1).max(40),
    name: z.string().trim().min(1).max(60),
    ownerName: z.string().trim().min(1).max(40).optional(),
    ownerEmail: z.string().trim().toLowerCase().email().max(200),
    password: z
      .string()
      .min(MIN_PASSWORD_LENGTH, `at least ${MIN_PASSWORD_LENGTH} characters`)
      .max(MAX_PASSWORD_LENGTH),
    timeZone: z.string().max(60).optional(),
  })
  .strict();
export type SetupRequest = z.infer<typeof setupSchema>;
// ---------- HTTP: buyer widget ----------
/** No line breaks: the identity's signing string puts one field per line (issue #14). */
const oneLine = (s: string) => !/[\r\n]/.test(s);
/**
 * A shop page may identify its logged-in buyer (issue #14, format v2): sig = hex
 * HMAC-SHA256(shop secret, ["v2", externalId, ts, nonce, nick ?? ""].join("\n")); the nonce is
 * random and used once, ts within 10 minutes.
 */
export const widgetIdentitySchema = z.object({
  externalId: z.string().min(1).max(64).refine(oneLine, 'must not contain a line break'),
  // Signed as sent: not trimmed here (the server trims the nick it stores).
  nick: z
    .string()
    .max(40)
    .refine((s) => s.trim().length > 0, 'must not be blank')
    .refine(oneLine, 'must not contain a line break')
    .optional(),
  ts: z.number().int(),
  nonce: z
    .string({
      error: (iss) =>
        iss.input === undefined ? 'required: sign identities in format v2 (docs/api.md)' : undefined,
    })
    .regex(/^[A-Za-z0-9_-]{16,64}$/, 'must be 16–64 letters, digits, - or _ (random, used once)'),
  sig: z.string().regex(/^[0-9a-f]{64}$/, 'must be a hex HMAC-SHA256'),
});
export const widgetSessionSchema = z.object({
  shop: z.string().min(1).max(64),
  /** The visitor token a previous session returned, to keep the same anonymous buyer. */
  token: z.string().max(400).optional(),
  identity: widgetIdentitySchema.optional(),
});
export type WidgetSessionRequest = z.infer<typeof widgetSessionSchema>;

// ---------- WebSocket (Socket.IO) payloads: the event maps are in ./ws ----------
/** Namespaces: agents authenticate with the session cookie, buyers with the widget token (`auth.token`). */
export const WS_AGENT_NAMESPACE = '/agent';
export const WS_BUYER_NAMESPACE = '/buyer';

export const wsSendSchema = z
  .object({ conversationId: id.optional(), clientId, confirmWarnings })
  .and(sendContentSchema);
export const wsOrderCardSchema = z.object({ conversationId: id, clientId, orderId: id });
export const wsSyncSchema = z.object({ conversationId: id, afterSeq: z.number().int().min(0) });
export const wsReadSchema = z.object({ conversationId: id, seq: z.number().int().min(0) });
export const wsTypingSchema = z.object({ conversationId: id, isTyping: z.boolean() });

export * from './responses';
export * from './http';
export * from './ws';

/** Formats a zod error as our error body: the first problem, naming its field. */
export function zodErrorBody(error: z.ZodError): ErrorBody {
  const issue = error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : undefined;
  const message = issue ? `${field ? `${field}: ` : ''}${issue.message}` : 'invalid input';
  // Issue #18: what was wrong, as data, so the client says it in the reader's language.
  const details = issue ? issueDetails(issue) : undefined;
  return {
    error: {
      code: 'validation_failed',
      message,
      ...(field ? { field } : {}),
      ...(details ? { details } : {}),
    },
  };
}

/** The machine-readable part of a zod issue (its code and limits), for `errorText`. */
function issueDetails(issue: z.core.$ZodIssue): Record<string, string | number> {
  const out: Record<string, string | number> = { issue: issue.code };
  const i = issue as unknown as Record<string, unknown>;
  for (const key of ['origin', 'format', 'expected'] as const)
    if (typeof i[key] === 'string') out[key] = i[key];
  for (const key of ['minimum', 'maximum'] as const) {
    const v = i[key];
    if (typeof v === 'number' && Number.isFinite(v)) out[key] = v;
    else if (typeof v === 'bigint') out[key] = Number(v);
  }
  // zod 4 does not keep the input; a missing value reads "received undefined".
  if (issue.code === 'invalid_type' && /received (undefined|null)/.test(issue.message))
    out.received = 'undefined';
  return out;
}

export { z };
export * from './crm';
