import type { Buyer, Conversation, Message, Order, Product } from '@xiaoer/core';

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
