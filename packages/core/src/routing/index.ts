export * from './routing.types';
export * from './load-pool';
export * from './router';
export * from './wait-estimate';
export * from './simulate';
