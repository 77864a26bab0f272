export * from './aftersales.types';
export * from './aftersales.engine';
export * from './aftersales.simulate';
export * from './aftersales.workflow';
export * from './aftersales.metrics';
