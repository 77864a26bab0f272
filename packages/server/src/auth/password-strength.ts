import { createRequire } from 'node:module';
import type { ZxcvbnFactory } from '@zxcvbn-ts/core';

// zxcvbn and its word lists (~20 MB of heap) are loaded at the first password checked, not at
// start (issue #20); both packages are CommonJS, so a plain require keeps this function sync.
const require = createRequire(import.meta.url);

/**
 * Passwords Chinese users pick that the common (English) lists miss: pinyin names and words, love
 * numbers (5201314), and words of this trade. zxcvbn finds them inside longer passwords too.
 */
const CHINESE_COMMON = [
  'woaini',
  'aini',
  '5201314',
  '1314520',
  '1314',
  '520',
  'iloveyou',
  'zhang',
  'wang',
  'li',
  'liu',
  'chen',
  'yang',
  'huang',
  'zhao',
  'zhou',
  'wu',
  'xu',
  'sun',
  'ma',
  'qq',
  'taobao',
  'tmall',
  'jd',
  'pdd',
  'pinduoduo',
  'douyin',
  'kuaishou',
  'weixin',
  'wechat',
  'alipay',
  'zhifubao',
  'xiaoer',
  'dianxiaoer',
  'kefu',
  'shop',
  'dianpu',
  'mima',
  'admin',
  'qwe',
  'asd',
  'zxc',
  'abc',
];

let factory: ZxcvbnFactory | undefined;

/**
 * Why a password is too easy to guess, or null. zxcvbn (the maintained TypeScript port) scores it
 * against common passwords, keyboard walks, dates and the account's own words; 2 of 4 is the bar.
 */
export function passwordProblem(password: string, related: string[]): string | null {
  const common = require('@zxcvbn-ts/language-common') as typeof import('@zxcvbn-ts/language-common');
  factory ??= new (require('@zxcvbn-ts/core') as typeof import('@zxcvbn-ts/core')).ZxcvbnFactory({
    dictionary: { ...common.dictionary, chinese: CHINESE_COMMON },
    graphs: common.adjacencyGraphs,
  });
  const words = related.flatMap((r) => r.toLowerCase().split(/[@.\s_-]+/)).filter((w) => w.length >= 2);
  const { score } = factory.check(password.slice(0, 100), words);
  return score >= 2
    ? null
    : 'too easy to guess: use a longer password that is not a common word, name or number';
}
