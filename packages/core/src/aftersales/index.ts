export * from './aftersales.types';
export * from './aftersales.engine';
export * from './aftersales.simulate';
