export * from './compliance.types';
export * from './normalize';
export * from './checker';
export * from './evaluate';
export { extractPromises, dueAtOf } from './cmp4-promises.rule';
export { checkProactive, type ProactiveCheckInput, type ProactiveResult } from './cmp6-proactive.rule';
export { maskPii, type MaskResult, type MaskedSpan } from './cmp7-privacy.rule';
export { luhnValid, PLATFORM_DOMAINS, PLATFORM_NAMES } from './cmp3-off-platform.rule';
export type { LexRule } from './lexicon';
export * from './compliance.guard';
export { findCodeLinks, imageCodeFindings, IMAGE_CODE_LOG_PREFIX } from './image-codes.rule';
export { maskedMessage, maskedPreview } from './masking';
export * from './classifier';
export { addToAllowList, flaggedClauses, mergeAllowList } from './allow-list';
export {
  rulePrecision,
  PRECISION_DEFAULT_DAYS,
  PRECISION_MAX_ENTRIES,
  PRECISION_RULES,
  type RulePrecision,
} from './precision';
export * from './second-opinion';
export * from './promise-check';
