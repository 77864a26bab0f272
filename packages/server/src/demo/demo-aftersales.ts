import {
  applyAftersalesEvent,
  isCaseOpen,
  type AftersalesBy,
  type AftersalesCase,
  type AftersalesEvent,
  type AftersalesKind,
  type Order,
  type ShopId,
} from '@xiaoer/core';
import type { Storage } from '../storage';
import { DEFAULT_SHOP_AFTERSALES_SETTINGS } from '../storage/aftersales.repository';
import { deadlineTimer } from '../aftersales/aftersales.service';

const HOUR = 3_600_000;
const owner: AftersalesBy = { by: 'agent', agent: 'agent-demo-owner', role: 'owner' };
const xiaomei: AftersalesBy = { by: 'agent', agent: 'agent-demo-1', role: 'agent' };

type Step = { hoursAgo: number; event: Exclude<AftersalesEvent, { type: 'request' | 'deadline' }> };

/** The demo's cases: each opened some hours ago and moved on as a shop's day would have. */
const CASES: {
  status: Order['status'][];
  kind: AftersalesKind;
  reason: string;
  openedHoursAgo: number;
  by: AftersalesBy;
  steps: Step[];
}[] = [
  // Waiting for the shop's answer: 48 h from the request, 6 h gone.
  {
    status: ['paid'],
    kind: 'refund-only',
    reason: '拍错了颜色，想重新拍',
    openedHoursAgo: 6,
    by: { by: 'buyer' },
    steps: [],
  },
  // Approved yesterday; the buyer has a week to send the return.
  {
    status: ['shipped', 'completed'],
    kind: 'return-refund',
    reason: '尺寸不合适',
    openedHoursAgo: 30,
    by: { by: 'buyer' },
    steps: [{ hoursAgo: 20, event: { type: 'approve', ...owner } }],
  },
  // A damaged parcel, escalated by 小美 to the owner, urgent.
  {
    status: ['after_sales', 'completed'],
    kind: 'compensation',
    reason: '外箱破损，杯子有裂纹',
    openedHoursAgo: 3,
    by: xiaomei,
    steps: [
      {
        hoursAgo: 2,
        event: {
          type: 'escalate',
          to: 'agent-demo-owner',
          note: '买家发了照片，杯口有裂纹，建议补发或部分退款',
          ...xiaomei,
        },
      },
      { hoursAgo: 2, event: { type: 'mark-urgent', ...owner } },
    ],
  },
  // Return received; the refund is due within the shop's 7 days.
  {
    status: ['after_sales', 'completed'],
    kind: 'return-refund',
    reason: '质量问题，开关失灵',
    openedHoursAgo: 120,
    by: { by: 'buyer' },
    steps: [
      { hoursAgo: 110, event: { type: 'approve', ...owner } },
      {
        hoursAgo: 60,
        event: { type: 'ship-return', carrier: '中通快递', trackingNo: 'ZT7730018822', by: 'buyer' },
      },
      { hoursAgo: 20, event: { type: 'receive', ...xiaomei } },
    ],
  },
];

/**
 * Issue #19: a few after-sales cases in the demo shop — one waiting for an answer, one waiting for
 * the buyer's return, an urgent damaged parcel, one received and due for its refund — each with its
 * deadline's durable timer, as the service would have written them.
 */
export async function seedDemoCases(
  storage: Storage,
  shopId: ShopId,
  orders: Order[],
  special: ReadonlySet<string>,
  now: number,
): Promise<void> {
  const settings = DEFAULT_SHOP_AFTERSALES_SETTINGS;
  const used = new Set<string>();
  for (const [i, spec] of CASES.entries()) {
    const order = orders.find(
      (o) =>
        spec.status.includes(o.status) &&
        !used.has(o.buyerId) &&
        o.paidAt !== null &&
        o.paidAt < now - spec.openedHoursAgo * HOUR &&
        !o.items.some((it) => special.has(it.productId)),
    );
    if (!order) continue;
    used.add(order.buyerId);
    const openedAt = now - spec.openedHoursAgo * HOUR;
    let c: AftersalesCase = applyAftersalesEvent(
      undefined,
      {
        type: 'request',
        caseId: `as_demo_${i + 1}`,
        kind: spec.kind,
        order: {
          id: order.id,
          status: order.status,
          items: order.items,
          paidCents: order.totalCents,
          paidAt: order.paidAt,
          shippedAt: order.shippedAt,
        },
        products: order.items.map((it) => ({ id: it.productId, special: special.has(it.productId) })),
        otherCases: [],
        reason: spec.reason,
        ...spec.by,
      },
      settings,
      openedAt,
    ).case;
    for (const step of spec.steps)
      c = applyAftersalesEvent(c, step.event, settings, now - step.hoursAgo * HOUR).case;
    if (c.holder === null) c = { ...c, holder: 'agent-demo-1' };
    await storage.db.kysely.transaction().execute(async (trx) => {
      await storage.aftersales.insertIn(trx, {
        shopId,
        buyerId: order.buyerId,
        conversationId: null,
        externalId: null,
        case: c,
        workflow: null,
        evidence: [],
        version: 1,
        updatedAt: c.history.at(-1)!.at,
        finishedAt: isCaseOpen(c) ? null : c.history.at(-1)!.at,
        rating: null,
      });
      if (c.deadline) await storage.timers.schedule(deadlineTimer(shopId, c.id, c.deadline), now, trx);
    });
  }
}
