/** A string id that carries the kind of thing it names, so a BuyerId never passes as an AgentId. */
export type Brand<T, B extends string> = T & { readonly __brand: B };

export type ShopId = Brand<string, 'ShopId'>;
export type AgentId = Brand<string, 'AgentId'>;
export type BuyerId = Brand<string, 'BuyerId'>;
export type ConversationId = Brand<string, 'ConversationId'>;
export type MessageId = Brand<string, 'MessageId'>;
export type OrderId = Brand<string, 'OrderId'>;
export type ProductId = Brand<string, 'ProductId'>;
export type QuickReplyId = Brand<string, 'QuickReplyId'>;

/** Makes new ids; a port so tests can make predictable ones. */
export interface IdGenerator {
  next(): string;
}

/** Ids from the platform's UUID v4 source. */
export const randomIds: IdGenerator = { next: () => globalThis.crypto.randomUUID() };
