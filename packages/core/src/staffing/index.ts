export * from './staffing.types';
export * from './erlang-c';
export * from './simulated-hour';
export * from './staffing.plan';
export * from './staffing.history';
