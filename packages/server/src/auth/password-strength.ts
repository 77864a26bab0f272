import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';

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
  factory ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, chinese: CHINESE_COMMON },
    graphs: common.adjacencyGraphs,
  });
  const words = related.flatMap((r) => r.toLowerCase().split(/[@.\s_-]+/)).filter((w) => w.length >= 2);
  const { score } = factory.check(password.slice(0, 100), words);
  return score >= 2
    ? null
    : 'too easy to guess: use a longer password that is not a common word, name or number';
}
