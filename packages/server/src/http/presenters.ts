import {
  canSeeBuyerPii,
  maskedPreview,
  type Agent,
  type AgentId,
  type AgentRole,
  type Buyer,
  type Conversation,
  type DayMetrics,
  type ModelSettings,
  type Order,
  type ShopId,
} from '@xiaoer/core';
import type { BuyerProfileResponse, ConversationDto, MeResponse } from '@xiaoer/protocol';
import { publicShop, type Storage } from '../storage';
import type { AgentContext } from './auth';

/**
 * Presenters: what the workbench, the console and the widget are answered, made from domain
 * objects in one place (the v1 API's shapes are in integration/v1-out.ts, after-sales cases' in
 * aftersales.service.ts). Handlers call these instead of shaping JSON inline.
 */

/**
 * Adds the buyer's nick to a conversation for agents' lists; for a viewer whose role lacks the
 * right (CMP-7), phone numbers and addresses in the last-message preview are masked.
 */
export async function presentConversation(
  storage: Storage,
  shopId: ShopId,
  c: { buyerId: string; lastMessagePreview: string } & object,
  viewer?: AgentRole,
): Promise<ConversationDto> {
  const buyer = await storage.buyers.findBuyer(shopId, c.buyerId as never);
  const shown = viewer && !canSeeBuyerPii(viewer) ? maskedPreview(c) : c;
  return { ...shown, buyer: { id: c.buyerId, nick: buyer?.nick ?? '' } } as ConversationDto;
}

/** A conversation of an agent's list, with its buyer's nick; masked for a role without the right (CMP-7). */
export function presentListedConversation(
  { buyerNick, ...c }: Conversation & { buyerNick: string },
  viewer: AgentRole,
): ConversationDto {
  return { ...(canSeeBuyerPii(viewer) ? c : maskedPreview(c)), buyer: { id: c.buyerId, nick: buyerNick } };
}

/** CMP-7: a conversation answered to an agent, its preview (the buyer's last words) as their role may see it. */
export const conversationShownTo = <C extends { lastMessagePreview: string }>(me: AgentContext, c: C): C =>
  canSeeBuyerPii(me.agent.role) ? c : maskedPreview(c);

/** Who I am, in the request's shop, and every shop I serve (TEAM-4). */
export async function presentMe(storage: Storage, me: AgentContext): Promise<MeResponse> {
  const shops = await Promise.all(
    me.memberships.map(async (m) => {
      const shop = await storage.shops.findShop(m.shopId);
      return { id: m.shopId, slug: shop?.slug ?? '', name: shop?.name ?? '', role: m.role };
    }),
  );
  return { agent: me.agent, shop: publicShop(me.shop), shops, isOrgOwner: me.isOrgOwner };
}

/** The shop's agents with their load; issue #14: staff emails are for admins, agents get names only. */
export function presentAgents(
  agents: readonly Agent[],
  loads: ReadonlyMap<AgentId, number>,
  isAdmin: boolean,
) {
  return agents.map(({ email, ...a }) => ({
    ...a,
    ...(isAdmin ? { email } : {}),
    load: loads.get(a.id) ?? 0,
  }));
}

/** CMP-7: a phone number as roles without the right see it. */
export function maskPhone(phone: string | null): string | null {
  if (!phone) return phone;
  return phone.length >= 7 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : '****';
}

/** CRM-1: the buyer beside a conversation and their recent orders; the phone masked by role (CMP-7). */
export function presentBuyerProfile(buyer: Buyer, orders: Order[], viewer: AgentRole): BuyerProfileResponse {
  const phone = canSeeBuyerPii(viewer) ? buyer.phone : maskPhone(buyer.phone);
  return { buyer: { ...buyer, phone }, orders };
}

/** Issue #15: a shop's model settings as the console sees them: the key never leaves the server. */
export const presentModelSettings = (s: ModelSettings) => ({ ...s, apiKey: '', hasApiKey: s.apiKey !== '' });

/** AS-1: an order as the buyer picks it in the widget (to open a case about it). */
export function presentWidgetOrder(o: Order) {
  return {
    orderId: o.id,
    status: o.status,
    totalCents: o.totalCents,
    createdAt: o.createdAt,
    items: o.items.map((i) => ({
      productId: i.productId,
      title: i.title,
      quantity: i.quantity,
      priceCents: i.priceCents,
    })),
  };
}

/** MET-1 … MET-6: a day's agent figures as CSV rows, the header first. */
export function metricsDayRows(d: DayMetrics): (string | number | null)[][] {
  const header = [
    'date',
    'agent',
    'segment',
    'consultations',
    'replied',
    'reply_rate',
    'avg_response_ms',
    'first_response_ms',
    'inquirers',
    'converted',
    'conversion_rate',
    'satisfaction',
    'satisfaction_n',
    'quality',
    'quality_n',
    'score',
    'rank',
  ];
  const rows = d.agents.map((a) => [
    d.date,
    a.name,
    a.segment,
    a.consultations,
    a.replied,
    a.replyRate,
    a.avgResponseMs,
    a.firstResponseMs,
    a.conversion.inquirers,
    a.conversion.converted,
    a.conversion.rate,
    a.satisfaction.avg,
    a.satisfaction.n,
    a.quality.avg,
    a.quality.n,
    a.score,
    a.rank,
  ]);
  return [header, ...rows];
}
