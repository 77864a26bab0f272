/**
 * `xiaoer aftersales simulate --scenario <file.json>`: parses a scenario (zod, naming the field at
 * fault), replays it through the core after-sales engine with a virtual clock, and prints one JSON
 * line per state change, a line per refused event, then a summary. Times print in the scenario's
 * time zone; amounts are yuan in the file and cents in the engine.
 */
import {
  AFTERSALES_KINDS,
  AGENT_ROLES,
  DEFAULT_AFTERSALES_SETTINGS,
  simulateAftersales,
  type AftersalesBy,
  type AftersalesKind,
  type AftersalesScenario,
  type AftersalesScenarioAction,
  type AftersalesSimulationResult,
} from '@xiaoer/core';
import { z } from 'zod';
import { parseScenarioFile, scenarioAt, scenarioTime } from '../scenario-file';

const at = scenarioAt;
const id = z.string().min(1).max(64);
/** Yuan with at most two decimals, turned into cents. */
const yuan = z
  .number()
  .nonnegative()
  .refine((n) => Math.abs(n * 100 - Math.round(n * 100)) < 1e-6, 'at most two decimals (fen)')
  .transform((n) => Math.round(n * 100));
const kind = z.enum(AFTERSALES_KINDS as [string, ...string[]]);

const eventSchema = z.object({
  at,
  type: z.enum([
    'request',
    'agent-approve',
    'agent-reject',
    'buyer-ship-return',
    'merchant-receive',
    'refund-done',
    'reship-done',
    'escalate',
    'compensate',
    'mark-urgent',
  ]),
  case: id,
  order: id.optional(),
  kind: kind.optional(),
  reason: z.string().max(500).optional(),
  amount: yuan.optional(),
  items: z.array(id).optional(),
  by: z.enum(['buyer', 'agent', 'platform']).optional(),
  agent: id.optional(),
  role: z.enum(AGENT_ROLES as [string, ...string[]]).optional(),
  to: id.optional(),
  note: z.string().max(2000).optional(),
  coupon: z
    .object({
      amount: yuan,
      validDays: z.number().int().min(0).max(3650),
      scope: z.enum(['store', 'item', 'category']),
      products: z.array(id).optional(),
    })
    .optional(),
  gift: z.string().min(1).max(200).optional(),
});

const itemSchema = z.union([
  id.transform((product) => ({ product, quantity: 1, price: 0 })),
  z.object({ product: id, quantity: z.number().int().min(1).default(1), price: yuan.default(0) }),
]);

export const aftersalesScenarioSchema = z
  .object({
    timezone: z
      .string()
      .default('Asia/Shanghai')
      .refine((tz) => {
        try {
          new Intl.DateTimeFormat('en', { timeZone: tz });
          return true;
        } catch {
          return false;
        }
      }, 'unknown IANA time zone'),
    settings: z
      .object({
        merchantAnswerHours: z
          .number()
          .positive()
          .max(720)
          .default(DEFAULT_AFTERSALES_SETTINGS.merchantAnswerHours),
        buyerShipDays: z.number().positive().max(90).default(DEFAULT_AFTERSALES_SETTINGS.buyerShipDays),
        merchantRefundDays: z
          .number()
          .positive()
          .max(90)
          .default(DEFAULT_AFTERSALES_SETTINGS.merchantRefundDays),
        overdueRefund: z.enum(['auto-refund', 'flag']).default(DEFAULT_AFTERSALES_SETTINGS.overdueRefund),
        couponMinValidDays: z
          .number()
          .int()
          .min(0)
          .max(3650)
          .default(DEFAULT_AFTERSALES_SETTINGS.couponMinValidDays),
        couponScopes: z
          .array(z.enum(['store', 'item']))
          .min(1)
          .default([...DEFAULT_AFTERSALES_SETTINGS.couponScopes]),
      })
      .default({
        ...DEFAULT_AFTERSALES_SETTINGS,
        couponScopes: [...DEFAULT_AFTERSALES_SETTINGS.couponScopes],
      }),
    products: z.array(z.object({ id, special: z.boolean().default(false) })).default([]),
    orders: z.array(
      z.object({
        id,
        status: z.enum(['unpaid', 'paid', 'shipped', 'completed', 'after_sales', 'closed']),
        items: z.array(itemSchema).min(1),
        paid: yuan.optional(),
        paidAt: at.nullable().optional(),
        shippedAt: at.nullable().optional(),
      }),
    ),
    events: z.array(eventSchema),
  })
  .superRefine((s, ctx) => {
    const products = new Set(s.products.map((p) => p.id));
    s.orders.forEach((o, i) =>
      o.items.forEach((item, j) => {
        if (!products.has(item.product))
          ctx.addIssue({
            code: 'custom',
            path: ['orders', i, 'items', j, 'product'],
            message: `unknown product ${item.product}`,
          });
      }),
    );
    const orders = new Set(s.orders.map((o) => o.id));
    s.events.forEach((e, i) => {
      if (e.type !== 'request') return;
      if (e.order === undefined)
        ctx.addIssue({ code: 'custom', path: ['events', i, 'order'], message: 'a request names its order' });
      else if (!orders.has(e.order))
        ctx.addIssue({ code: 'custom', path: ['events', i, 'order'], message: `unknown order ${e.order}` });
      if (e.kind === undefined)
        ctx.addIssue({ code: 'custom', path: ['events', i, 'kind'], message: 'a request names its kind' });
    });
    s.events.forEach((e, i) => {
      if (e.type === 'escalate' && e.to === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['events', i, 'to'],
          message: 'escalate names who takes the case',
        });
    });
  });

type ParsedEvent = z.output<typeof eventSchema>;

const DEFAULT_BY: Record<ParsedEvent['type'], 'buyer' | 'agent'> = {
  request: 'buyer',
  'agent-approve': 'agent',
  'agent-reject': 'agent',
  'buyer-ship-return': 'buyer',
  'merchant-receive': 'agent',
  'refund-done': 'agent',
  'reship-done': 'agent',
  escalate: 'agent',
  compensate: 'agent',
  'mark-urgent': 'agent',
};

function actorOf(e: ParsedEvent): AftersalesBy {
  const by = e.by ?? DEFAULT_BY[e.type];
  if (by === 'agent')
    return { by, agent: e.agent ?? 'agent', role: (e.role ?? 'cs_admin') as (typeof AGENT_ROLES)[number] };
  return { by };
}

function actionOf(e: ParsedEvent): AftersalesScenarioAction {
  const by = actorOf(e);
  const reason = e.reason;
  switch (e.type) {
    case 'request':
      return {
        type: 'request',
        order: e.order!,
        kind: e.kind as AftersalesKind,
        reason: reason ?? '',
        ...(e.amount !== undefined ? { amountCents: e.amount } : {}),
        ...(e.items ? { productIds: e.items } : {}),
        ...by,
      };
    case 'agent-approve':
      return { type: 'approve', ...(reason ? { reason } : {}), ...by };
    case 'agent-reject':
      return { type: 'reject', ...(reason ? { reason } : {}), ...by };
    case 'buyer-ship-return':
      return { type: 'ship-return', ...by };
    case 'merchant-receive':
      return { type: 'receive', ...by };
    case 'refund-done':
      return { type: 'refund', ...(e.amount !== undefined ? { amountCents: e.amount } : {}), ...by };
    case 'reship-done':
      return { type: 'reship', ...by };
    case 'escalate':
      return { type: 'escalate', to: e.to!, note: e.note ?? reason ?? '', ...by };
    case 'mark-urgent':
      return { type: 'mark-urgent', ...by };
    case 'compensate':
      return {
        type: 'compensate',
        ...(e.amount !== undefined ? { amountCents: e.amount } : {}),
        ...(e.coupon
          ? {
              coupon: {
                amountCents: e.coupon.amount,
                validDays: e.coupon.validDays,
                scope: e.coupon.scope,
                ...(e.coupon.products ? { productIds: e.coupon.products } : {}),
              },
            }
          : {}),
        ...(e.gift ? { gift: e.gift } : {}),
        ...by,
      };
  }
}

/** Parses and checks a scenario; throws ScenarioError naming the first bad field. */
export function parseAftersalesScenario(input: unknown): { scenario: AftersalesScenario; timezone: string } {
  const s = parseScenarioFile(aftersalesScenarioSchema, input);
  return {
    timezone: s.timezone,
    scenario: {
      settings: s.settings,
      products: s.products,
      orders: s.orders.map((o) => {
        const items = o.items.map((i) => ({
          productId: i.product,
          quantity: i.quantity,
          priceCents: i.price,
        }));
        return {
          id: o.id,
          status: o.status,
          items,
          paidCents: o.paid ?? items.reduce((sum, i) => sum + i.quantity * i.priceCents, 0),
          paidAt: o.paidAt ?? (o.status === 'unpaid' ? null : 0),
          shippedAt: o.shippedAt ?? null,
        };
      }),
      events: s.events.map((e) => ({ at: e.at, case: e.case, action: actionOf(e) })),
    },
  };
}

/** The output lines: changes and refused events in time order, then the summary. */
export function formatAftersalesSimulation(result: AftersalesSimulationResult, timezone: string): string[] {
  const time = (ms: number) => scenarioTime(ms, timezone);
  const lines: { at: number; order: number; text: string }[] = [];
  result.changes.forEach((c, i) =>
    lines.push({
      at: c.at,
      order: i,
      text: JSON.stringify({
        at: time(c.at),
        case: c.case,
        kind: c.kind,
        status: c.status,
        by: c.by,
        reason: c.reason,
      }),
    }),
  );
  result.errors.forEach((e, i) =>
    lines.push({
      at: e.at,
      order: result.changes.length + i,
      text: JSON.stringify({
        at: time(e.at),
        case: e.case,
        error: e.code,
        field: e.field,
        message: e.message,
        event: e.event,
      }),
    }),
  );
  lines.sort((a, b) => a.at - b.at || a.order - b.order);
  return [...lines.map((l) => l.text), JSON.stringify({ summary: result.summary })];
}

/** Runs a scenario object end to end (the CLI's work, callable from tests). */
export function runAftersalesScenario(input: unknown): string[] {
  const { scenario, timezone } = parseAftersalesScenario(input);
  return formatAftersalesSimulation(simulateAftersales(scenario), timezone);
}
