export * from './ids';
export * from './clock';
export * from './errors';
export * from './keyed-mutex';
export * from './logger';
