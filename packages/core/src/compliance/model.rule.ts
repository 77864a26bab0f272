/**
 * Issue #17: what the checker says for a finding of the statistical layer — the rule's reason
 * ("reads as …": it is a reading, not a listed phrase) and a clause to put in place of the one
 * it read. Each replacement is itself clean, so a suggestion built from it passes the guard.
 */
import type { ClassifiedRule } from './classifier';
import type { LocalizedText } from './compliance.types';

export const MODEL_REASONS: Record<ClassifiedRule, LocalizedText> = {
  'CMP-1': {
    'zh-CN': '读起来像在推脱、拒绝帮助或让买家自己解决（禁用语一类）',
    en: 'Reads as stonewalling: refusing to help or leaving the buyer to sort it out alone',
  },
  'CMP-2': {
    'zh-CN': '读起来像在嘲讽、贬低或辱骂买家',
    en: 'Reads as contempt for or an insult to the buyer',
  },
  'CMP-3': {
    'zh-CN': '读起来像在引导买家到平台外付款、交易或联系',
    en: 'Reads as leading the buyer to pay, trade or talk off the platform',
  },
  'CMP-4': {
    'zh-CN': '读起来像在做店铺无法兑现的保证',
    en: 'Reads as a guarantee the shop cannot keep',
  },
  'CMP-5': {
    'zh-CN': '读起来像在拒开发票或对开发票设条件',
    en: 'Reads as refusing an invoice or putting conditions on it',
  },
  'AD-LAW': {
    'zh-CN': '读起来像广告法禁止的绝对化用语，请换成可证实的描述',
    en: 'Reads as an absolute claim the Advertising Law forbids; say something that can be shown',
  },
};

/**
 * The clause to put in place of the one the model read ('' drops it: there is nothing polite to
 * say instead of an insult). AD-LAW has none: only the agent knows what the product can claim.
 */
export const MODEL_REWRITES: Partial<Record<ClassifiedRule, string>> = {
  'CMP-1': '这个我马上帮您查一下，请稍等',
  'CMP-2': '',
  'CMP-3': '您在本店直接下单就可以，平台交易更有保障',
  'CMP-4': '我们会尽力为您处理好，具体以商品说明和平台规则为准',
  'CMP-5': '发票可以正常开具，不收额外费用，您在订单里申请就行',
};
