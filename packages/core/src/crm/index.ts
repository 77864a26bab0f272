export * from './journey.types';
export * from './journey.template';
export * from './journey.validate';
export * from './journey.engine';
export * from './journey.templates';
export * from './segment';
export * from './logistics-watch';
export * from './loyalty';
