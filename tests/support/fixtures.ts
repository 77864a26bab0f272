import { randomUUID } from 'node:crypto';
import type { Agent, AgentId, Buyer, BuyerId, Conversation, ConversationId, ShopId } from '@xiaoer/core';
import { newConversation as openedConversation } from '@xiaoer/core';
import type { Storage } from '../../packages/server/src/storage';
import { hashPassword } from '../../packages/server/src/auth/password';

/** Inserts a shop and returns its id. */
export async function makeShop(storage: Storage, slug = `shop-${randomUUID().slice(0, 8)}`): Promise<ShopId> {
  const id = randomUUID() as ShopId;
  await storage.shops.insertShop({
    id,
    slug,
    name: `测试店 ${slug}`,
    secret: `secret-${slug}`,
    timeZone: 'Asia/Shanghai',
    serviceHours: '09:00–23:00',
    createdAt: Date.now(),
    orgId: `org-${id}`,
    isDemo: false,
    welcomeMessage: null,
  });
  return id;
}

/** Inserts a buyer. */
export async function makeBuyer(storage: Storage, shopId: ShopId, nick = '买家'): Promise<Buyer> {
  const buyer: Buyer = {
    id: randomUUID() as BuyerId,
    shopId,
    externalId: null,
    visitorId: randomUUID(),
    nick,
    phone: null,
    createdAt: Date.now(),
    lastSeenAt: Date.now(),
  };
  await storage.buyers.insertBuyer(buyer);
  return buyer;
}

/** Inserts an agent with a password ("password123" unless told). */
export async function makeAgent(
  storage: Storage,
  shopId: ShopId,
  fields: Partial<Agent> & { password?: string } = {},
): Promise<Agent> {
  const id = randomUUID() as AgentId;
  const agent: Agent = {
    id,
    shopId,
    email: fields.email ?? `agent-${id.slice(0, 8)}@example.com`,
    name: fields.name ?? `客服${id.slice(0, 4)}`,
    role: fields.role ?? 'agent',
    status: fields.status ?? 'online',
    chosenStatus: fields.chosenStatus ?? fields.status ?? 'online',
    disabledAt: fields.disabledAt ?? null,
    maxConcurrent: fields.maxConcurrent ?? 10,
    takesRouting: fields.takesRouting ?? true,
    createdAt: fields.createdAt ?? Date.now(),
  };
  await storage.agents.insertAgent(agent, await hashPassword(fields.password ?? 'password123'));
  return agent;
}

/** A new open conversation row. */
export function newConversation(shopId: ShopId, buyerId: BuyerId, at = Date.now()): Conversation {
  return openedConversation(randomUUID() as ConversationId, shopId, buyerId, at, { status: 'queued' });
}
