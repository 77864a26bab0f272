export * from './live-board';
