import type { Buyer, Conversation, Message, Order, Product } from '@xiaoer/core';
import type { WebhookDelivery, WebhookInfo } from '../storage/webhook.repository';

/**
 * Issue #16: the shapes the v1 API answers with and webhook events carry — one definition, so an
 * order in an `order.updated` event is the order `GET /api/v1/orders/{id}` returns.
 */
export const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function productOut(p: Product & { updatedAt: number }) {
  return {
    externalId: p.id,
    title: p.title,
    priceCents: p.priceCents,
    imageUrl: p.imageUrl,
    special: p.special ?? false,
    updatedAt: iso(p.updatedAt),
  };
}

export function buyerOut(b: Buyer) {
  return { externalId: b.externalId, nick: b.nick, phone: b.phone, createdAt: iso(b.createdAt) };
}

export function orderOut(o: Order & { updatedAt: number }, buyerExternalId: string | null) {
  return {
    externalId: o.id,
    buyerExternalId,
    status: o.status,
    totalCents: o.totalCents,
    items: o.items.map((i) => ({
      productExternalId: i.productId,
      title: i.title,
      quantity: i.quantity,
      priceCents: i.priceCents,
    })),
    carrier: o.carrier,
    trackingNo: o.trackingNo,
    createdAt: iso(o.createdAt),
    paidAt: iso(o.paidAt),
    shippedAt: iso(o.shippedAt),
    logistics: o.logistics.map((e) => ({ id: e.id ?? null, at: iso(e.at), description: e.description })),
    updatedAt: iso(o.updatedAt),
  };
}

/** A conversation in an event: who the buyer is in the shop's own ids, where it came from, who holds it. */
export function conversationOut(c: Conversation, buyerExternalId: string | null) {
  return {
    id: c.id,
    status: c.status,
    channel: c.channel ?? 'widget',
    buyer: { id: c.buyerId, externalId: buyerExternalId },
    agentId: c.agentId,
    assignReason: c.assignReason,
    createdAt: iso(c.createdAt),
    assignedAt: iso(c.assignedAt),
    endedAt: iso(c.endedAt),
  };
}

export function messageOut(m: Message) {
  return {
    id: m.id,
    seq: m.seq,
    sender: m.sender,
    senderId: m.senderId,
    kind: m.kind,
    body: m.body,
    createdAt: iso(m.createdAt),
  };
}

/** Issue #16: a webhook endpoint as the v1 API and the console list it (never its secret). */
export function webhookOut(w: WebhookInfo & { pending?: number; failed?: number }) {
  return {
    id: w.id,
    url: w.url,
    events: w.events,
    description: w.description,
    createdAt: iso(w.createdAt),
    pending: w.pending ?? 0,
    failed: w.failed ?? 0,
  };
}

/** Issue #16: one delivery of a webhook's log. */
export function deliveryOut(d: WebhookDelivery) {
  return {
    seq: d.seq,
    eventId: d.eventId,
    type: d.type,
    status: d.status,
    attempts: d.attempts,
    createdAt: iso(d.createdAt),
    nextAttemptAt: d.status === 'pending' ? iso(d.nextAt) : null,
    lastAttemptAt: iso(d.lastAttemptAt),
    lastStatus: d.lastStatus,
    lastError: d.lastError,
    deliveredAt: iso(d.deliveredAt),
    replayOf: d.replayOf,
    body: d.body,
  };
}
