/** Issue #18: the chat history supervisors search — filter, per-conversation facts (MET-4), tags. */
export * from './history.types';
export * from './history.filter';
export * from './history.facts';
