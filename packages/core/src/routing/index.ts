export * from './routing.types';
export * from './load-pool';
export * from './router';
export * from './wait-estimate';
export * from './simulate';
export * from './routing.ports';
export * from './routing.service';
