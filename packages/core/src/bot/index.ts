export * from './text';
export * from './similarity';
export * from './scorer';
