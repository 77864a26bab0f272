export * from './metrics.types';
export * from './ledger';
export * from './figures';
export * from './definitions';
export * from './trend';
