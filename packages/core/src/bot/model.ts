/**
 * Issue #15: an optional language-model provider (any OpenAI-compatible endpoint: a cloud API, or
 * a local server such as Ollama or vLLM). Everything works without it; with it, embeddings are one
 * more piece of matching evidence, and — each switched on by the shop — the bot drafts answers
 * grounded only in the shop's FAQ and the buyer's orders, and agents get suggested replies. Pure:
 * the settings, the prompts and the reading of what the model says; the HTTP client is the server's.
 */
import type { Order } from '../orders/order.types';
import type { FaqEntry } from './faq-index';

export interface ModelSettings {
  enabled: boolean;
  /** The API's base URL, e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1 (Ollama). */
  baseUrl: string;
  /** Sent as a bearer token; never shown again once saved. Empty: none (local servers). */
  apiKey: string;
  /** The chat model (drafts, suggestions). Empty: no drafts or suggestions. */
  chatModel: string;
  /** The embedding model. Empty: no embedding evidence. */
  embeddingModel: string;
  /** A call slower than this is abandoned and the bot goes on without it. */
  timeoutMs: number;
  /**
   * At or above this cosine similarity between a buyer's message and an entry, the embedding
   * evidence alone may answer with that entry (models differ: set it from the console's test box).
   */
  semanticThreshold: number;
  /** Off by default: the bot drafts an answer from the FAQ and the orders when it has none. */
  draftAnswers: boolean;
  /** Agents may ask for a suggested reply in the workbench. */
  suggestReplies: boolean;
  /**
   * When a conversation goes to a person (from the bot, or another agent), the model writes a
   * short summary for them: shown in the workbench only, never sent to the buyer.
   */
  summarizeTransfers: boolean;
  /**
   * Issue #17: a warning the compliance guard's statistical layer is unsure of is judged once more
   * by the chat model before the agent's message goes (a block, a warning to confirm, or a pass).
   * Off by default; any failure keeps the guard's own verdict.
   */
  judgeCompliance: boolean;
}

export const DEFAULT_MODEL_SETTINGS: ModelSettings = {
  enabled: false,
  baseUrl: '',
  apiKey: '',
  chatModel: '',
  embeddingModel: '',
  timeoutMs: 3000,
  semanticThreshold: 0.8,
  draftAnswers: false,
  suggestReplies: false,
  summarizeTransfers: false,
  judgeCompliance: false,
};

/** One chat message to the model. */
export interface ChatTurn {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** What the model must say when the facts it was given do not answer the question. */
export const NO_ANSWER = 'NO_ANSWER';

const STATUS: Record<string, string> = {
  unpaid: '待付款',
  paid: '已付款待发货',
  shipped: '已发货',
  completed: '已完成',
  after_sales: '售后中',
  closed: '已关闭',
};

/** The buyer's orders as plain facts (no phone, no address). */
function orderFacts(orders: readonly Order[]): string {
  if (orders.length === 0) return '（该买家近期没有订单）';
  return orders
    .slice(0, 5)
    .map((o) => {
      const items = o.items.map((i) => `${i.title}×${i.quantity}`).join('、');
      const parcel = o.carrier ? `，${o.carrier}${o.trackingNo ? ` ${o.trackingNo}` : ''}` : '';
      const last = o.logistics[0] ? `，最新物流：${o.logistics[0].description}` : '';
      return `- 订单 ${o.id}：${STATUS[o.status] ?? o.status}，${items}${parcel}${last}`;
    })
    .join('\n');
}

/**
 * The prompt for a grounded draft (the bot's, or an agent's suggestion): the shop's FAQ entries
 * closest to the question and the buyer's orders are the only facts; anything else is NO_ANSWER.
 * Never invents policy, prices, promises or contact details.
 */
export function groundedPrompt(input: {
  shopName: string;
  question: string;
  entries: readonly Pick<FaqEntry, 'question' | 'answer'>[];
  orders: readonly Order[];
  /** The conversation so far, oldest first (suggestions for agents). */
  history?: readonly { from: 'buyer' | 'shop'; text: string }[];
  /** For an agent: always propose a reply (asking the buyer for what is missing) instead of NO_ANSWER. */
  forAgent?: boolean;
}): ChatTurn[] {
  const faq = input.entries.map((e, i) => `${i + 1}. 问：${e.question}\n   答：${e.answer}`).join('\n');
  const rules = [
    `你是网店「${input.shopName}」的客服。只能依据下面的「店铺问答」和「买家订单」回答，用简短、礼貌的中文（称呼“亲”）。`,
    '不得编造政策、价格、赠品、赔付、时效或联系方式；不得承诺资料里没有的事；不得引导买家到站外交易或加微信、QQ、电话。',
    input.forAgent
      ? '资料不足时，写一句请买家补充信息或说明会核实后回复的话。'
      : `资料里没有答案时，只回复 ${NO_ANSWER}，不要解释。`,
  ].join('\n');
  const history = (input.history ?? [])
    .slice(-8)
    .map((h) => `${h.from === 'buyer' ? '买家' : '客服'}：${h.text}`)
    .join('\n');
  return [
    {
      role: 'system',
      content: `${rules}\n\n店铺问答：\n${faq || '（无）'}\n\n买家订单：\n${orderFacts(input.orders)}`,
    },
    {
      role: 'user',
      content: history ? `对话记录：\n${history}\n\n买家最新的问题：${input.question}` : input.question,
    },
  ];
}

/**
 * The prompt for a summary on transfer (issue #15): the conversation so far, for the agent who
 * takes it — what the buyer wants, what they were told, what is still open. Facts only.
 */
export function summaryPrompt(input: {
  shopName: string;
  history: readonly { from: 'buyer' | 'bot' | 'agent'; text: string }[];
  orders: readonly Order[];
}): ChatTurn[] {
  const who = { buyer: '买家', bot: '机器人', agent: '客服' } as const;
  const history = input.history
    .slice(-40)
    .map((h) => `${who[h.from]}：${h.text.slice(0, 500)}`)
    .join('\n');
  return [
    {
      role: 'system',
      content: [
        `你在帮网店「${input.shopName}」的客服接手一段对话。用不超过三行的中文写给客服看的摘要：`,
        '1. 买家要什么（涉及的订单或商品）；2. 已经答复或做过什么；3. 还没解决、客服接下来要做什么。',
        '只写对话和订单里有的事实，不要猜测，不要写给买家的话，不要写手机号、地址等个人信息。',
        `\n买家订单：\n${orderFacts(input.orders)}`,
      ].join('\n'),
    },
    { role: 'user', content: `对话记录：\n${history}` },
  ];
}

/** A model's draft as the bot may use it: trimmed, not NO_ANSWER, not empty, not overlong. */
export function readDraft(reply: string | undefined, maxLength = 500): string | undefined {
  const text = reply?.trim();
  if (!text || text.includes(NO_ANSWER) || text.length > maxLength) return undefined;
  return text;
}

/** Cosine similarity of two vectors (0 when either is empty or zero, or their lengths differ). */
export function cosine(a: readonly number[], b: readonly number[]): number {
  if (a.length === 0 || a.length !== b.length) return 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}
