import type { Order } from '../orders/order.types';
import type { FaqEntry, FaqIndex, FaqMatch } from './faq-index';
import { normalizeText } from './text';

/** BOT-2: phrases that ask for a person, zh-CN and en (a shop may replace the list). */
export const DEFAULT_HANDOFF_PHRASES = [
  '人工',
  '转人工',
  '人工客服',
  '真人',
  '找客服',
  '客服在吗',
  '有人吗',
  '换个人',
  '换人',
  '负责人',
  '主管',
  'manual service',
  'human',
  'agent',
  'real person',
  'talk to a person',
];

/** Words that look like a handoff phrase but are not ("人工智能" is a topic, not a request). */
const NOT_HANDOFF = ['人工智能', '人工费', 'user agent', 'agent fee'];

/** The bot's settings for a shop. */
export interface BotSettings {
  enabled: boolean;
  /** At or above: answer from the FAQ. */
  answerThreshold: number;
  /** Issue #15: the best entry must lead the next by this much to answer; else the bot asks which. */
  answerMargin?: number;
  handoffPhrases: string[];
  /** Misses in a row before the bot hands off (BOT-3; 1 hands off at the first miss). */
  maxMisses: number;
  /** SPAM-1: the shop's block list: buyer ids or the shop's own buyer ids (external ids). */
  blockedBuyers?: string[];
  /** The shop's own synonym groups, added to the shipped ones (first word of a group leads). */
  synonyms?: string[][];
  /** The language of the bot's own lines (its FAQ answers are the shop's words). zh-CN unless set. */
  language?: BotLanguage;
}

/** The languages the bot's own lines come in. */
export const BOT_LANGUAGES = ['zh-CN', 'en'] as const;
export type BotLanguage = (typeof BOT_LANGUAGES)[number];

export const DEFAULT_BOT_SETTINGS: BotSettings = {
  enabled: true,
  answerThreshold: 0.5,
  answerMargin: 0,
  handoffPhrases: DEFAULT_HANDOFF_PHRASES,
  maxMisses: 2,
};

/** BOT-2: does the buyer ask for a person? */
export function asksForHuman(text: string, phrases: readonly string[] = DEFAULT_HANDOFF_PHRASES): boolean {
  const lower = text.normalize('NFKC').toLowerCase();
  const norm = normalizeText(text);
  if (NOT_HANDOFF.some((w) => lower.includes(w))) return false;
  // Nothing but calls for someone ("客服客服客服", "人工？？", "在吗在吗有人吗").
  if (/^(?:客服|人工|小二|在吗|有人吗|人呢)+$/u.test(norm) && /客服|人工|小二|人/u.test(norm)) return true;
  return phrases.some((p) => {
    const phrase = p.toLowerCase();
    // Latin phrases must stand as words ("agent" not in "agentur"); Chinese ones anywhere.
    if (/^[a-z ]+$/.test(phrase)) return new RegExp(`(^|[^a-z])${phrase}([^a-z]|$)`).test(lower);
    return norm.includes(normalizeText(phrase));
  });
}

const SHIPPING_WORDS = [
  '发货',
  '物流',
  '快递',
  '到哪',
  '几天到',
  '单号',
  '什么时候到',
  '还没到',
  '没收到',
  '到了吗',
  '派送',
  '签收',
  'shipping',
  'shipped',
  'tracking',
  'delivery',
  'parcel',
];

/** BOT-4: is this a question about the buyer's own parcel? */
export function asksAboutShipping(text: string): boolean {
  const lower = text.normalize('NFKC').toLowerCase();
  return SHIPPING_WORDS.some((w) => lower.includes(w));
}

/** BOT-4: the orders a shipping question can be about: paid and not yet received, newest first. */
export function ordersInPlay(orders: readonly Order[]): Order[] {
  return orders
    .filter((o) => o.status === 'paid' || o.status === 'shipped')
    .sort((a, b) => b.createdAt - a.createdAt);
}

/** What the bot does with one buyer message. */
export type BotDecision =
  | { kind: 'handoff'; reason: 'requested' | 'repeated_miss' | 'dissatisfied' }
  | { kind: 'answer'; match: FaqMatch; entry: FaqEntry }
  | { kind: 'order_status'; order: Order }
  | { kind: 'pick_order'; orders: Order[] }
  /** Issue #15: two or three entries are close — "您是想问：" with them as choices. */
  | { kind: 'clarify'; choices: FaqMatch[] }
  /** Issue #15: a greeting, thanks, goodbye… (a catalogue small-talk intent) gets its line. */
  | { kind: 'smalltalk'; intent: SmallTalk }
  | { kind: 'miss' };

/** The small talk the bot answers itself (issue #15). */
export const SMALL_TALK = ['greeting', 'thanks', 'bye', 'affirm', 'praise', 'wait'] as const;
export type SmallTalk = (typeof SMALL_TALK)[number];

/** Catalogue intents that ask for a person: a buyer who complains or vents wants one. */
/** Intents that are a call for a person (BOT-2), wherever in the message they are read. */
const CALLS_FOR_A_PERSON = new Set([
  'handoff.human',
  'handoff.callback',
  'service.complaint',
  'smalltalk.angry-vent',
]);
/**
 * Intents the bot hands off itself when no entry of the shop's reads clearer: the calls, and
 * asking for after-sales people (a person handles it unless the shop wrote an answer).
 */
const HANDOFF_INTENTS = new Set([...CALLS_FOR_A_PERSON, 'warranty.after-sales-contact']);
/**
 * A buyer unhappy with what they got ("不太满意", "质量太差了", "用了两天就坏了") — often the
 * answer to CRM-2's follow-up "用着还满意吗？": never thanked for praise or passed off with an OK
 * (the words carry 满意, 好), nor asked to rephrase: a person takes it. ("好不好用" asks; "不好意思"
 * apologises.) Entries of the shop's that come close are still offered first. A question is not a
 * complaint: "会漏水吗", "能不能用", "舒不舒服", "质量差不差" ask before buying.
 */
const DISSATISFIED =
  /(?<![好行满意喜欢合适])不(?:太|是很|是太|怎么|够|大|是特别)?(?:满意|好用|喜欢|舒服|合适)|很不满意|(?<![好满意])不太?好(?!意思|说|弄|找|买)|(?:太|很|真|好|挺|质量|做工|东西)差(?!不多|价|评)|失望|坑人|上当|垃圾(?![袋桶分])|(?:有点|有些|出了)问题(?!想|要问|请教|咨询)|(?:质量|东西|货|宝贝|商品)有问题|坏了|破了|裂了|漏水了|不能用了|用不了(?!多久)/;
const ASKS = /[吗嘛么呢?？]|会不会|能不能|是不是|有没有|(\p{Script=Han}{1,2})不\1/u;

/** Catalogue intents about the buyer's own parcel (BOT-4 answers them from their orders). */
const PARCEL_INTENTS = new Set([
  'logistics.track',
  'logistics.stalled',
  'shipping.when',
  'shipping.delivery-time',
  'shipping.urge',
]);
/** A catalogue intent the bot handles itself (handoff, small talk) must read at least this clearly… */
const OWN_INTENT_THRESHOLD = 0.3;
/** A hand-off intent read this clearly in any clause hands off, even beside a FAQ question. */
const HANDOFF_ANYWHERE = 0.6;
/** …and a parcel intent this clearly, for BOT-4 to answer from the orders. */
const PARCEL_THRESHOLD = 0.3;
/** Below the answer threshold, entries at this share of it are offered as choices (clarify). */
const CLARIFY_SHARE = 0.6;

/**
 * Decides the bot's move for a buyer message, on one path (issue #15): a request for a person —
 * said outright (BOT-2) or read as a handoff or complaint intent — hands off; a question about the
 * buyer's own parcel is answered from their orders (BOT-4), asking which order when several are in
 * play, unless a strong FAQ answer is about something else ("显示签收但没收到" is the FAQ's, not the
 * tracking line); an FAQ entry at or above the threshold, clear of the next one by the margin,
 * answers (BOT-1); greetings and thanks get their line; entries close together or just below the
 * threshold are offered as choices; otherwise the bot misses, and after `maxMisses` misses (choices
 * count) in a row it hands off (BOT-3). Pure.
 */
export function decide(input: {
  text: string;
  settings: BotSettings;
  index: FaqIndex;
  entries: ReadonlyMap<string, FaqEntry>;
  orders: readonly Order[];
  /** Misses in a row before this message. */
  misses: number;
  /** Issue #15: what the bot's last message asked — the entries offered, the orders to pick from. */
  asked?: { choices?: readonly string[]; orders?: readonly string[] };
  /**
   * Issue #15: a model's embedding evidence — cosine per entry — and the similarity at or above
   * which it alone may answer (the optional provider; absent when off, slow or down).
   */
  semantic?: { scores: ReadonlyMap<string, number>; threshold: number };
}): BotDecision {
  const { text, settings, index } = input;
  if (asksForHuman(text, settings.handoffPhrases)) return { kind: 'handoff', reason: 'requested' };
  // The buyer answers the bot's question: a choice by its number or its words, an order by its
  // number or its product (issue #15, BOT-4).
  const picked = input.asked?.choices && pickChoice(text, input.asked.choices, input.entries);
  if (picked)
    return {
      kind: 'answer',
      match: { entryId: picked.id, matchedQuestion: picked.question, score: 1 },
      entry: picked,
    };
  const inPlay = ordersInPlay(input.orders);
  const named = pickOrder(
    text,
    input.asked?.orders ? inPlay.filter((o) => input.asked!.orders!.includes(o.id)) : inPlay,
    !!input.asked?.orders,
  );
  if (named) return { kind: 'order_status', order: named };
  const { entries: matches, intents } = index.understand(text, 3);
  const live = withSemantic(
    matches.filter((m) => input.entries.has(m.entryId)),
    input.semantic,
    input.entries,
    settings.answerThreshold,
  );
  const [top, second] = live;
  const intent = intents[0];
  // The bot's own intents count when they read clearer than any entry of the shop's.
  const own =
    intent && intent.score >= OWN_INTENT_THRESHOLD && (!top || intent.score > top.score)
      ? intent.intentId
      : undefined;
  if (own && HANDOFF_INTENTS.has(own)) return { kind: 'handoff', reason: 'requested' };
  // BOT-2: a clear call for a person (投诉, 给我回电话) in any part of the message is a call,
  // whatever else the message also asks.
  if (intents.some((i) => CALLS_FOR_A_PERSON.has(i.intentId) && i.score >= HANDOFF_ANYWHERE))
    return { kind: 'handoff', reason: 'requested' };

  const margin = settings.answerMargin ?? DEFAULT_BOT_SETTINGS.answerMargin ?? 0;
  const sure =
    top && top.score >= settings.answerThreshold && (!second || top.score - second.score >= margin);
  const parcelIntent = intents.some((i) => PARCEL_INTENTS.has(i.intentId) && i.score >= PARCEL_THRESHOLD);
  if (asksAboutShipping(text) || parcelIntent) {
    // A strong answer about something else wins (the FAQ's refund, not the tracking line).
    const answerIsParcel = sure && index.intentsOf(top.entryId).some((i) => PARCEL_INTENTS.has(i));
    if (inPlay.length > 0 && (!sure || answerIsParcel)) {
      if (inPlay.length === 1) return { kind: 'order_status', order: inPlay[0]! };
      return { kind: 'pick_order', orders: inPlay.slice(0, 5) };
    }
  }
  if (sure) return { kind: 'answer', match: top, entry: input.entries.get(top.entryId)! };
  const unhappy = DISSATISFIED.test(text) && !ASKS.test(text);
  if (own?.startsWith('smalltalk.') && !unhappy) {
    const talk = own.slice('smalltalk.'.length) as SmallTalk;
    if ((SMALL_TALK as readonly string[]).includes(talk)) return { kind: 'smalltalk', intent: talk };
  }
  const close = live.filter((m) => m.score >= settings.answerThreshold * CLARIFY_SHARE);
  if (input.misses + 1 >= settings.maxMisses) return { kind: 'handoff', reason: 'repeated_miss' };
  if (close.length > 0) return { kind: 'clarify', choices: close.slice(0, 3) };
  if (unhappy) return { kind: 'handoff', reason: 'dissatisfied' };
  return { kind: 'miss' };
}

/**
 * Issue #15: entries the embeddings put at or above the semantic threshold reach the answer
 * threshold (and rise with their similarity); the rest keep their lexical and catalogue score.
 */
function withSemantic(
  matches: FaqMatch[],
  semantic: { scores: ReadonlyMap<string, number>; threshold: number } | undefined,
  entries: ReadonlyMap<string, FaqEntry>,
  answerThreshold: number,
): FaqMatch[] {
  if (!semantic) return matches;
  const merged = new Map(matches.map((m) => [m.entryId, m]));
  for (const [entryId, cos] of semantic.scores) {
    const entry = entries.get(entryId);
    if (!entry || cos < semantic.threshold) continue;
    const score = Math.min(1, answerThreshold + (cos - semantic.threshold));
    const current = merged.get(entryId);
    if (!current || score > current.score)
      merged.set(entryId, { entryId, matchedQuestion: current?.matchedQuestion ?? entry.question, score });
  }
  return [...merged.values()].sort((a, b) => b.score - a.score);
}

const CHOICE_NUMBERS: Record<string, number> = { '1': 0, '2': 1, '3': 2, 一: 0, 二: 1, 三: 2 };

/** A reply that picks one of the offered entries: "2", "第二个", "２", or the entry's question. */
function pickChoice(
  text: string,
  choices: readonly string[],
  entries: ReadonlyMap<string, FaqEntry>,
): FaqEntry | undefined {
  const norm = normalizeText(text);
  const number = /^(?:第)?([123一二三])(?:个|条)?$/u.exec(norm)?.[1];
  const id = number !== undefined ? choices[CHOICE_NUMBERS[number]!] : undefined;
  if (id) return entries.get(id);
  return choices.map((c) => entries.get(c)).find((e) => e && normalizeText(e.question) === norm);
}

/**
 * BOT-4 (issue #15): the order a buyer names — by its number (all of it, or its last 4+ characters
 * when the bot has just asked which), or when the bot has just asked, by a product in it.
 */
function pickOrder(text: string, orders: readonly Order[], asked: boolean): Order | undefined {
  if (orders.length === 0) return undefined;
  const norm = normalizeText(text);
  const byId = orders.filter((o) => {
    const id = normalizeText(o.id);
    return norm.includes(id) || (asked && norm.length >= 4 && /^[a-z0-9-]+$/.test(norm) && id.endsWith(norm));
  });
  if (byId.length === 1) return byId[0];
  if (!asked || norm.length < 2) return undefined;
  // The product named: the order sharing the longest run of characters (2 or more) with the text.
  const overlap = orders.map((o) =>
    Math.max(0, ...o.items.map((i) => commonRun(norm, normalizeText(i.title)))),
  );
  const best = Math.max(...overlap);
  if (best < 2 || overlap.filter((n) => n === best).length > 1) return undefined;
  return orders[overlap.indexOf(best)];
}

/** The length of the longest run of characters two texts share. */
function commonRun(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  let best = 0;
  let prev = new Array<number>(y.length + 1).fill(0);
  for (let i = 1; i <= x.length; i++) {
    const row = new Array<number>(y.length + 1).fill(0);
    for (let j = 1; j <= y.length; j++)
      if (x[i - 1] === y[j - 1]) best = Math.max(best, (row[j] = prev[j - 1]! + 1));
    prev = row;
  }
  return best;
}

const STATUS_TEXT: Record<BotLanguage, Record<string, string>> = {
  'zh-CN': {
    unpaid: '待付款',
    paid: '已付款，等待发货',
    shipped: '已发货',
    completed: '已完成',
    after_sales: '售后处理中',
    closed: '已关闭',
  },
  en: {
    unpaid: 'awaiting payment',
    paid: 'paid, waiting to ship',
    shipped: 'shipped',
    completed: 'completed',
    after_sales: 'in after-sales',
    closed: 'closed',
  },
};

/** One line about an order's parcel: status, carrier and number, last tracking event. */
export function describeOrder(order: Order, language: BotLanguage = 'zh-CN'): string {
  const en = language === 'en';
  const status = STATUS_TEXT[language][order.status] ?? order.status;
  const parts = [en ? `Order ${order.id}: ${status}` : `订单 ${order.id}：${status}`];
  if (order.carrier) parts.push(`${order.carrier}${order.trackingNo ? ` ${order.trackingNo}` : ''}`);
  const last = order.logistics[0];
  if (last) parts.push(en ? `latest tracking: ${last.description}` : `最新物流：${last.description}`);
  else if (order.status === 'paid')
    parts.push(
      en
        ? 'the warehouse is packing it; tracking shows as soon as it ships'
        : '仓库正在备货，发货后会第一时间更新物流',
    );
  return parts.join(en ? ', ' : '，');
}

/**
 * Fills an answer's variables: {{order.status}}, {{order.logistics}}, {{order.id}},
 * {{shop.serviceHours}}, {{shop.name}}. Unknown variables are left out, never shown raw.
 */
export function renderAnswer(
  template: string,
  context: { order?: Order | undefined; shop: { name: string; serviceHours: string } },
  language: BotLanguage = 'zh-CN',
): string {
  const o = context.order;
  const values: Record<string, string> = {
    'order.id': o?.id ?? '',
    'order.status': o ? (STATUS_TEXT[language][o.status] ?? o.status) : '',
    'order.logistics': o ? describeOrder(o, language) : '',
    'shop.serviceHours': context.shop.serviceHours,
    'shop.name': context.shop.name,
  };
  return template.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_m, key: string) => values[key] ?? '');
}

/**
 * RT-7 new-customer priority (the Kuaishou rule: 近30天内购买过1次、且首次支付在180天内): exactly one
 * purchase in the last 30 days and the first payment ever within the last 180 days. Such buyers
 * skip the bot. `orders` must hold all the buyer's orders (the first payment ever counts).
 */
export function isNewCustomerPriority(orders: readonly Order[], now: number): boolean {
  const paid = orders.filter((o) => o.paidAt !== null);
  if (paid.length === 0) return false;
  const first = Math.min(...paid.map((o) => o.paidAt!));
  const recent = paid.filter((o) => now - o.paidAt! <= 30 * DAY_MS).length;
  return now - first <= 180 * DAY_MS && recent === 1;
}

const DAY_MS = 86_400_000;
