export * from './text';
export * from './similarity';
export * from './scorer';
export * from './faq-index';
export * from './bot.policy';
export * from './bot.service';
export * from './spam';
export * from './synonyms';
