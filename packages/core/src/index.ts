/** @xiaoer/core — the pure domain: no I/O, dependencies come in as ports. */
export * from './kernel';
export * from './shops/shop.types';
export * from './agents/agent.types';
export * from './buyers/buyer.types';
export * from './orders/order.types';
export * from './conversations/conversation.types';
export * from './conversations/conversation.events';
export * from './conversations/buyer-lines';
export * from './conversations/conversation.ports';
export * from './conversations/conversation.service';
export * from './routing';
export * from './quick-replies/quick-reply.types';
export * from './quick-replies/quick-reply.search';
export * from './bot';
export * from './compliance';
export * from './metrics';
export * from './team';
