/**
 * CRM-1 interests: the shop's products a buyer asked about in chat — named in their messages
 * ("保温杯有蓝色的吗" → 不锈钢保温杯500ml) or sent as a product card — each with how often and
 * when last, so the next agent knows what they were after. Pure: words come through the
 * Segmenter port (jieba in the server), the catalogue is indexed once and reused.
 */
import type { Segmenter } from '../bot/text';

export interface InterestProduct {
  id: string;
  title: string;
}

export interface ProductInterest {
  productId: string;
  title: string;
  /** Messages that named it (or carried its card). */
  mentions: number;
  lastAt: number;
  /** The buyer's word that named it (a card: its title). */
  evidence: string;
}

/** Title words that name no product by themselves: sales talk, seasons, cuts, who it is for. */
const GENERIC = new Set([
  '新款',
  '正品',
  '包邮',
  '现货',
  '特价',
  '官方',
  '旗舰店',
  '旗舰',
  '专柜',
  '同款',
  '爆款',
  '网红',
  '家用',
  '加厚',
  '加绒',
  '大码',
  '男款',
  '女款',
  '男士',
  '女士',
  '男女',
  '儿童',
  '学生',
  '礼盒',
  '套装',
  '组合',
  '颜色',
  '尺码',
  '秋冬',
  '春秋',
  '春夏',
  '夏季',
  '冬季',
  '秋季',
  '春季',
  '款式',
  '时尚',
  '高档',
  '精品',
  '优质',
  '天然',
  '进口',
  '国产',
  '原装',
  '升级',
  '定制',
  '手工',
  '简约',
  '韩版',
  '宽松',
  '修身',
  '百搭',
  '一件',
  '两件',
  '两只',
  '一只',
  '送礼',
  '礼品',
  '批发',
  '清仓',
  '促销',
]);

/**
 * The words a buyer would name a product by: its title's words of two or more characters, and
 * where the segmenter knows no word (焖/烧/罐, t/恤) the 2–4 character pieces of that run
 * (`pieces`: looked for in a message's text, since the message's own cut splits them too).
 */
export function titleTerms(title: string, seg: Segmenter): { words: string[]; pieces: string[] } {
  const words: string[] = [];
  const pieces: string[] = [];
  const keep = (word: string, into: string[]) => {
    if ([...word].length < 2 || GENERIC.has(word)) return;
    // Sizes and amounts (500ml, 2斤, 3件) name no product.
    if (/^[\d.]+\p{Script=Han}?[a-z]*$/iu.test(word) || !/[\p{Script=Han}a-z]/iu.test(word)) return;
    if (!words.includes(word) && !pieces.includes(word)) into.push(word);
  };
  let run: string[] = [];
  const endRun = () => {
    for (let n = 2; n <= Math.min(4, run.length); n++)
      for (let i = 0; i + n <= run.length; i++) keep(run.slice(i, i + n).join(''), pieces);
    run = [];
  };
  for (const raw of seg.cut(fold(title))) {
    const word = raw.trim();
    if ([...word].length === 1 && /[\p{Script=Han}a-z]/iu.test(word)) {
      run.push(word);
      continue;
    }
    endRun();
    if (word) keep(word, words);
  }
  endRun();
  return { words, pieces };
}

const fold = (text: string) => text.normalize('NFKC').toLowerCase();

/** A shop's catalogue indexed by the words that name its products. */
export interface InterestIndex {
  products: Map<string, InterestProduct>;
  /** word or piece → the products whose titles carry it */
  byWord: Map<string, string[]>;
  /** The pieces (see titleTerms) by their first two characters, looked for in a message's text. */
  pieces: Map<string, string[]>;
}

export function buildInterestIndex(products: readonly InterestProduct[], seg: Segmenter): InterestIndex {
  const index: InterestIndex = { products: new Map(), byWord: new Map(), pieces: new Map() };
  const pieces = new Set<string>();
  for (const p of products) {
    index.products.set(p.id, p);
    const terms = titleTerms(p.title, seg);
    for (const w of terms.pieces) pieces.add(w);
    for (const w of [...terms.words, ...terms.pieces]) {
      const list = index.byWord.get(w) ?? [];
      list.push(p.id);
      index.byWord.set(w, list);
    }
  }
  for (const piece of pieces) {
    const head = [...piece].slice(0, 2).join('');
    const list = index.pieces.get(head) ?? [];
    list.push(piece);
    index.pieces.set(head, list);
  }
  return index;
}

/** At most this many products are credited by one message (a word shared wider names none). */
const MAX_TIED = 3;

/**
 * The products the buyer's messages (oldest first) named, most mentioned first (then the most
 * recent). A message names the products whose title words it uses, weighed by how rare each word
 * is in the catalogue (a word of many titles says little): the best-scoring products, when no
 * more than three tie and the score is at least one rare two-character word's.
 */
export function productInterests(
  messages: readonly { text: string; at: number; productId?: string }[],
  index: InterestIndex,
  seg: Segmenter,
  limit = 5,
): ProductInterest[] {
  const found = new Map<string, ProductInterest>();
  const credit = (id: string, at: number, evidence: string) => {
    const p = index.products.get(id);
    if (!p) return;
    const seen = found.get(id);
    if (seen) {
      seen.mentions++;
      seen.lastAt = Math.max(seen.lastAt, at);
    } else found.set(id, { productId: id, title: p.title, mentions: 1, lastAt: at, evidence });
  };
  for (const m of messages) {
    if (m.productId) {
      credit(m.productId, m.at, m.text);
      continue;
    }
    const scores = new Map<string, { score: number; word: string }>();
    const text = fold(m.text);
    const words = new Set(seg.cut(text).map((w) => w.trim()));
    // the pieces that start at each of the text's characters (a look-up per character, not a
    // scan of the catalogue per message)
    const chars = [...text];
    for (let i = 0; i + 1 < chars.length; i++)
      for (const piece of index.pieces.get(chars[i]! + chars[i + 1]!) ?? [])
        if (chars.slice(i, i + [...piece].length).join('') === piece) words.add(piece);
    for (const word of words) {
      const ids = index.byWord.get(word);
      if (!ids) continue;
      const weight = [...word].length / ids.length;
      for (const id of ids) {
        const s = scores.get(id) ?? { score: 0, word };
        s.score += weight;
        if ([...word].length > [...s.word].length) s.word = word;
        scores.set(id, s);
      }
    }
    let best = 0;
    for (const s of scores.values()) best = Math.max(best, s.score);
    if (best < 1) continue;
    const top = [...scores].filter(([, s]) => s.score === best);
    if (top.length > MAX_TIED) continue;
    for (const [id, s] of top) credit(id, m.at, s.word);
  }
  return [...found.values()].sort((a, b) => b.mentions - a.mentions || b.lastAt - a.lastAt).slice(0, limit);
}
