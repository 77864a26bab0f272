import { IntentCatalogue } from '@xiaoer/core';
import { jiebaSegmenter } from './jieba.segmenter';

let shared: IntentCatalogue | undefined;

/**
 * The shipped shop-domain catalogue (issue #15), built once per process on first use (about half a
 * second: every phrasing segmented and indexed, the classifier counted) and shared by every shop.
 */
export function sharedCatalogue(): IntentCatalogue {
  return (shared ??= new IntentCatalogue(jiebaSegmenter()));
}
