/**
 * The shop-domain knowledge catalogue (行业知识库, issue #15): the questions buyers of online shops
 * ask, each intent with many buyer phrasings. A shop's FAQ entries are linked to intents, so an
 * entry understands the catalogue's phrasings without the shop writing them.
 */
export interface CatalogueIntent {
  /** Stable id, `family.name` in kebab case: `shipping.when`, `refund.progress`. */
  id: string;
  /** The family the intent belongs to (see INTENT_FAMILIES). */
  family: IntentFamily;
  /** The intent as a shop would title it, zh-CN. */
  label: string;
  /** The same in English. */
  labelEn: string;
  /** How buyers ask it: colloquial, typos, pinyin initials, English — many per intent. */
  phrasings: readonly string[];
}

export const INTENT_FAMILIES = [
  'presale',
  'shipping',
  'logistics',
  'order-change',
  'cancel',
  'return-refund',
  'exchange',
  'invoice',
  'warranty',
  'usage',
  'service',
  'handoff',
  'smalltalk',
] as const;
export type IntentFamily = (typeof INTENT_FAMILIES)[number];
