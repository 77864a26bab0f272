export * from './team.rules';
export * from './team.ports';
export * from './team.service';
