import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Jieba } from '@node-rs/jieba';
import type { Segmenter } from '@xiaoer/core';

/** Shop-domain words jieba's stock dictionary splits or glues wrongly ("花呗" → 花/呗, "开发票" as one). */
const DOMAIN_WORDS = [
  '花呗',
  '借呗',
  '余额宝',
  '发票',
  '退货',
  '退款',
  '换货',
  '补发',
  '运费险',
  '包邮',
  '尺码',
  '快递',
  '物流',
];

let shared: Jieba | undefined;

/** jieba (@node-rs/jieba: native, in-process, ships its dictionary) with the shop-domain words. */
export function jiebaSegmenter(extraWords: readonly string[] = []): Segmenter {
  const jieba = extraWords.length === 0 ? (shared ??= load([])) : load(extraWords);
  return { cut: (text) => jieba.cut(text, false) };
}

function load(extra: readonly string[]): Jieba {
  const user = [...DOMAIN_WORDS, ...extra].map((w) => `${w} 100000`).join('\n');
  // The stock dictionary read here rather than through '@node-rs/jieba/dict', which also reads
  // the 6 MB IDF table we never use and keeps both buffers for the life of the process (issue
  // #20); once jieba has built its tables the 5 MB file is garbage.
  const dict = readFileSync(createRequire(import.meta.url).resolve('@node-rs/jieba/dict.txt'));
  const jieba = Jieba.withDict(dict);
  jieba.loadDict(Buffer.from(user));
  return jieba;
}
