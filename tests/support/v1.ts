/** Issue #16: an order as a shop's system sends it to PUT /api/v1/orders/{externalId}. */
export const V1_ORDER = {
  buyerExternalId: 'tb-8801',
  status: 'paid',
  totalCents: 12_800,
  items: [{ productExternalId: 'longjing-250', title: '明前龙井 250g', quantity: 1, priceCents: 12_800 }],
  createdAt: '2026-12-01T10:00:00+08:00',
  paidAt: '2026-12-01T10:02:00+08:00',
};
