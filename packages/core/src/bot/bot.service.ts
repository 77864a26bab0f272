import type { ChatService } from '../conversations/conversation.service';
import type { RoutingService } from '../routing/routing.service';
import type { Conversation, Message } from '../conversations/conversation.types';
import { DomainError, KeyedMutex, type BuyerId, type ShopId } from '../kernel';
import type { Order } from '../orders/order.types';
import {
  decide,
  describeOrder,
  renderAnswer,
  type BotDecision,
  type BotLanguage,
  type BotSettings,
  type SmallTalk,
} from './bot.policy';
import type { FaqEntry, FaqIndex } from './faq-index';

/** A shop's FAQ as the bot needs it, kept up to date by the caller (incremental index). */
export interface ShopFaq {
  settings: BotSettings;
  index: FaqIndex;
  entries: ReadonlyMap<string, FaqEntry>;
  shop: { name: string; serviceHours: string };
}

/** What the bot needs from the world. */
export interface BotDeps {
  chat: ChatService;
  /** BOT-5: whether anyone could take the buyer now (RT-5, RT-8). */
  routing: Pick<RoutingService, 'hasAgentAvailable'>;
  /** The shop's FAQ and settings; undefined when the bot is off. */
  faqFor(shopId: ShopId): Promise<ShopFaq | undefined>;
  /** The buyer's recent orders, newest first (BOT-4). */
  ordersOf(shopId: ShopId, buyerId: BuyerId): Promise<Order[]>;
  ids: { next(): string };
  /** Issue #15: the shop's optional model provider; each call answers undefined when off, slow or down. */
  model?: BotModel;
}

/** Issue #15: what the bot asks of a shop's model provider (see ModelSettings). */
export interface BotModel {
  /** Cosine similarity of the text to each entry, and the shop's semantic threshold. */
  semantic(
    shopId: ShopId,
    text: string,
  ): Promise<{ scores: Map<string, number>; threshold: number } | undefined>;
  /** A draft answer grounded in these entries and orders (drafts switched on), or undefined. */
  draft(
    shopId: ShopId,
    input: { question: string; entries: FaqEntry[]; orders: Order[]; shopName: string },
  ): Promise<string | undefined>;
}

/** The bot's lines (zh-CN; the widget shows them as they are). */
export const BOT_LINES = {
  handoff: '好的，正在为您转接人工客服，请稍候～',
  handoffAfterMisses: '抱歉没能帮到您，正在为您转接人工客服，请稍候～',
  handoffUnhappy: '抱歉给您带来不好的体验，正在为您转接人工客服处理，请稍候～',
  whileWaiting: '（人工客服接入前，先为您解答）',
  miss: '抱歉，我没有理解您的问题。您可以换个说法，或回复“人工”转人工客服。',
  suggestions: (questions: string[]) => `您是想问：\n${questions.map((q, i) => `${i + 1}. ${q}`).join('\n')}`,
  clarifyHint: '回复序号即可，都不是的话可以换个说法，或回复“人工”。',
  smallTalk: {
    greeting: (shop: string) => `您好，欢迎光临${shop}～请问有什么可以帮您？`,
    thanks: () => '不客气～还有其他问题随时问我哦',
    bye: () => '感谢您的光临，祝您生活愉快～',
    affirm: () => '好的～还有其他问题随时问我哦',
    praise: () => '谢谢亲的认可，我们会继续努力的～',
    wait: () => '好的，不着急，您慢慢来～',
  } satisfies Record<SmallTalk, (shop: string) => string>,
  pickOrder: '您有多个订单，请问是哪一笔呢？',
  image: '已收到您的图片，正在为您转接人工客服，请稍候～',
};

/** The same lines in English, for a shop whose bot speaks English (BotSettings.language). */
export const BOT_LINES_EN: typeof BOT_LINES = {
  handoff: 'Sure, connecting you to a member of our team — one moment please.',
  handoffAfterMisses: 'Sorry I could not help. Connecting you to a member of our team — one moment please.',
  handoffUnhappy:
    'Sorry to hear that. Connecting you to a member of our team who will put it right — one moment please.',
  whileWaiting: '(Until a person joins, here is what I can tell you) ',
  miss: 'Sorry, I did not understand. Could you put it another way, or reply "agent" to talk to a person?',
  suggestions: (questions: string[]) =>
    `Did you mean:\n${questions.map((q, i) => `${i + 1}. ${q}`).join('\n')}`,
  clarifyHint: 'Reply with the number; if none fits, ask another way or reply "agent".',
  smallTalk: {
    greeting: (shop: string) => `Hello, welcome to ${shop}! How can I help you?`,
    thanks: () => 'You are welcome! Ask me anything else any time.',
    bye: () => 'Thank you for visiting — have a lovely day!',
    affirm: () => 'Great! Ask me anything else any time.',
    praise: () => 'Thank you, that means a lot to us!',
    wait: () => 'Sure, take your time.',
  },
  pickOrder: 'You have several orders — which one is it?',
  image: 'Got your picture. Connecting you to a member of our team — one moment please.',
};

/** The bot's lines in the shop's language. */
export function botLines(language: BotLanguage | undefined): typeof BOT_LINES {
  return language === 'en' ? BOT_LINES_EN : BOT_LINES;
}

/**
 * What the bot says for a decision, line by line, as the buyer sees it (the console's test box
 * shows the same, issue #15); order cards are listed by order id. Pure.
 */
export function botSays(
  decision: BotDecision,
  faq: Pick<ShopFaq, 'entries' | 'shop'> & { settings?: Pick<BotSettings, 'language'> },
  orders: readonly Order[],
): { lines: string[]; orderCards: string[]; handsOff: boolean } {
  const language = faq.settings?.language;
  const BOT_LINES = botLines(language);
  switch (decision.kind) {
    case 'handoff':
      return {
        lines: [
          decision.reason === 'requested'
            ? BOT_LINES.handoff
            : decision.reason === 'dissatisfied'
              ? BOT_LINES.handoffUnhappy
              : BOT_LINES.handoffAfterMisses,
        ],
        orderCards: [],
        handsOff: true,
      };
    case 'answer': {
      const order = orders.find((o) => o.status === 'paid' || o.status === 'shipped') ?? orders[0];
      return {
        lines: [renderAnswer(decision.entry.answer, { order, shop: faq.shop }, language)],
        orderCards: [],
        handsOff: false,
      };
    }
    case 'order_status':
      return { lines: [describeOrder(decision.order, language)], orderCards: [], handsOff: false };
    case 'pick_order':
      return { lines: [BOT_LINES.pickOrder], orderCards: decision.orders.map((o) => o.id), handsOff: false };
    case 'smalltalk':
      return {
        lines: [BOT_LINES.smallTalk[decision.intent](faq.shop.name)],
        orderCards: [],
        handsOff: false,
      };
    case 'clarify': {
      const questions = decision.choices
        .map((c) => faq.entries.get(c.entryId)?.question)
        .filter((q): q is string => !!q);
      return {
        lines: [`${BOT_LINES.suggestions(questions)}\n${BOT_LINES.clarifyHint}`],
        orderCards: [],
        handsOff: false,
      };
    }
    case 'miss':
      return { lines: [BOT_LINES.miss], orderCards: [], handsOff: false };
  }
}

/**
 * The first-line bot (BOT-1 … BOT-5): answers a buyer message in a conversation the bot holds,
 * or hands the buyer to routing. One message at a time per conversation.
 */
export class BotService {
  private readonly turns = new KeyedMutex();

  constructor(private readonly deps: BotDeps) {}

  /**
   * Called after a buyer message is stored in a conversation the bot holds, or one waiting in the
   * queue (BOT-5: the bot keeps answering what it knows while the buyer waits for a person).
   */
  async onBuyerMessage(conversation: Conversation, message: Message): Promise<void> {
    if (message.sender !== 'buyer') return;
    if (conversation.status !== 'bot' && !waitsForBot(conversation)) return;
    await this.turns.run(conversation.id, () => this.turn(conversation, message));
  }

  private async turn(conversation: Conversation, message: Message): Promise<void> {
    const { chat } = this.deps;
    const { shopId, id } = conversation;
    const current = await chat.getConversationFor(shopId, { type: 'system' }, id);
    const faq = await this.deps.faqFor(shopId);
    if (waitsForBot(current))
      return void (faq && (await unlessBlocked(this.whileQueued(current, message, faq))));
    if (current.status !== 'bot') return; // an agent took over meanwhile
    if (!faq) return void (await this.handOff(current, BOT_LINES.handoff, faq));
    const lines = botLines(faq.settings.language);
    // The guard refused what the bot was about to say (logged): a person answers instead.
    if (!(await unlessBlocked(this.answer(current, message, faq))))
      await this.handOff(current, lines.handoff, faq);
  }

  /** The bot's answer to a buyer message in a conversation it holds. */
  private async answer(current: Conversation, message: Message, faq: ShopFaq): Promise<void> {
    const { chat } = this.deps;
    const { shopId, id } = current;
    const say = (text: string) =>
      chat.sendBotMessage(shopId, id, `bot-${this.deps.ids.next()}`, { kind: 'text', body: { text } });
    if (message.kind !== 'text')
      return void (await this.handOff(current, botLines(faq.settings.language).image, faq));

    const text = message.body.text;
    const [orders, asked, semantic] = await Promise.all([
      this.deps.ordersOf(shopId, current.buyerId),
      this.lastAsked(current, message),
      this.deps.model?.semantic(shopId, text),
    ]);
    const decision = decide({
      text,
      settings: faq.settings,
      index: faq.index,
      entries: faq.entries,
      orders,
      misses: current.botMisses,
      ...(asked ? { asked } : {}),
      ...(semantic ? { semantic } : {}),
    });
    // Issue #15: unsure, the bot may draft an answer from the closest entries and the orders (the
    // shop switched drafts on); the guard checks it like any bot line. No draft: as decided.
    if (this.deps.model && (decision.kind === 'miss' || decision.kind === 'clarify')) {
      const closest = faq.index
        .search(text, 5)
        .map((m) => faq.entries.get(m.entryId))
        .filter((e): e is FaqEntry => !!e);
      const draft = await this.deps.model.draft(shopId, {
        question: text,
        entries: closest,
        orders,
        shopName: faq.shop.name,
      });
      if (draft) {
        await say(draft);
        if (current.botMisses !== 0) await chat.setBotMisses(shopId, id, 0);
        return;
      }
    }
    const says = botSays(decision, faq, orders);
    if (says.handsOff) return void (await this.handOff(current, says.lines[0]!, faq));
    if (decision.kind === 'clarify') {
      // The choices travel with the text: the widget shows them as buttons.
      const choices = decision.choices
        .map((c) => faq.entries.get(c.entryId))
        .filter((e): e is FaqEntry => !!e)
        .map((e) => ({ entryId: e.id, question: e.question }));
      await chat.sendBotMessage(shopId, id, `bot-${this.deps.ids.next()}`, {
        kind: 'text',
        body: { text: says.lines[0]!, choices },
      });
    } else for (const line of says.lines) await say(line);
    if (decision.kind === 'pick_order')
      for (const order of decision.orders) {
        await chat.sendBotMessage(shopId, id, `bot-${this.deps.ids.next()}`, {
          kind: 'order_card',
          body: {
            orderId: order.id,
            status: order.status,
            totalCents: order.totalCents,
            items: order.items.map((i) => ({ title: i.title, quantity: i.quantity })),
            carrier: order.carrier,
            trackingNo: order.trackingNo,
          },
        });
      }
    // BOT-3: an answer resets the misses in a row; a miss or choices (until picked) add one.
    if (decision.kind === 'clarify' || decision.kind === 'miss')
      await chat.setBotMisses(shopId, id, current.botMisses + 1);
    else if (decision.kind !== 'pick_order' && current.botMisses !== 0)
      await chat.setBotMisses(shopId, id, 0);
  }

  /**
   * Issue #15: what the bot asked in its messages just before this buyer message — the entries it
   * offered ("您是想问") and the orders it showed to pick from (BOT-4).
   */
  private async lastAsked(
    conversation: Conversation,
    message: Message,
  ): Promise<{ choices?: string[]; orders?: string[] } | undefined> {
    const recent = await this.deps.chat.syncMessages(
      conversation.shopId,
      { type: 'system' },
      conversation.id,
      Math.max(0, message.seq - 12),
      12,
    );
    const before = recent.filter((m) => m.seq < message.seq);
    const lastBuyer = before.filter((m) => m.sender === 'buyer').at(-1)?.seq ?? 0;
    const fromBot = before.filter((m) => m.sender === 'bot' && m.seq > lastBuyer);
    const choices = fromBot.flatMap((m) =>
      m.kind === 'text' && m.body.choices ? m.body.choices.map((c) => c.entryId) : [],
    );
    const orders = fromBot.flatMap((m) => (m.kind === 'order_card' ? [m.body.orderId as string] : []));
    if (choices.length === 0 && orders.length === 0) return undefined;
    return { ...(choices.length ? { choices } : {}), ...(orders.length ? { orders } : {}) };
  }

  /**
   * BOT-5: a buyer waiting in the queue gets the bot's sure answers (an FAQ hit, their order);
   * anything else waits for the person they are queued for, without another handoff line.
   */
  private async whileQueued(conversation: Conversation, message: Message, faq: ShopFaq): Promise<void> {
    if (message.kind !== 'text') return;
    const orders = await this.deps.ordersOf(conversation.shopId, conversation.buyerId);
    const decision = decide({
      text: message.body.text,
      settings: faq.settings,
      index: faq.index,
      entries: faq.entries,
      orders,
      misses: 0,
    });
    let text: string | undefined;
    if (decision.kind === 'answer') {
      const order = orders.find((o) => o.status === 'paid' || o.status === 'shipped') ?? orders[0];
      text = renderAnswer(decision.entry.answer, { order, shop: faq.shop }, faq.settings.language);
    } else if (decision.kind === 'order_status') text = describeOrder(decision.order, faq.settings.language);
    if (!text) return;
    await this.deps.chat.sendBotMessage(conversation.shopId, conversation.id, `bot-${this.deps.ids.next()}`, {
      kind: 'text',
      body: { text: `${botLines(faq.settings.language).whileWaiting}${text}` },
    });
  }

  /**
   * Tells the buyer, then hands off. BOT-5: with nobody available the bot promises no transfer;
   * routing tells the buyer they wait, their place and when people are back (BUYER_LINES).
   */
  private async handOff(conversation: Conversation, line: string, _faq: ShopFaq | undefined): Promise<void> {
    const { chat, routing } = this.deps;
    if (await routing.hasAgentAvailable(conversation.shopId))
      await unlessBlocked(
        chat.sendBotMessage(conversation.shopId, conversation.id, `bot-${this.deps.ids.next()}`, {
          kind: 'text',
          // Issue #15: "请稍候" is no answer (the workbench's wait goes on; MET-1 per the setting).
          body: { text: line, holding: true },
        }),
      );
    await chat.handOff(conversation.shopId, conversation.id);
  }
}

/**
 * Runs a step that sends bot messages; false when the compliance guard refused one of them (the
 * refusal is logged by the guard), any other error is thrown on.
 */
async function unlessBlocked(step: Promise<unknown>): Promise<boolean> {
  try {
    await step;
    return true;
  } catch (error) {
    if (error instanceof DomainError && error.code === 'compliance_blocked') return false;
    throw error;
  }
}

/** BOT-5: queued and routed (RT-7 new customers skip the bot, in the queue too). */
function waitsForBot(c: Conversation): boolean {
  return c.status === 'queued' && c.queuedAt !== null && !c.queuePriority;
}
