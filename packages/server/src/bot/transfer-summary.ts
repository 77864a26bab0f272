import type { ChatEvent, ConversationId, EventSink, Logger, ShopId } from '@xiaoer/core';
import type { Storage } from '../storage';
import type { ShopModels } from './model-provider';

/** The system lines that mean a person now has the conversation (BOT-3, RT-5, RT-8). */
const HANDED_TO_A_PERSON = new Set(['agent_joined', 'conversation_transferred', 'agent_later']);

/**
 * Issue #15, summary on transfer: when a conversation goes to a person — from the bot, the queue
 * or another agent — and the shop has summaries on, its model writes what the buyer wants, what
 * they were told and what is open. Stored for agents (the workbench shows it) and pushed to
 * whoever may read the conversation; never a message, so never sent to the buyer. Off, slow or
 * failing, nothing happens: the agent reads the conversation as before.
 */
export class TransferSummaries {
  /** Conversations being summarised now: a burst of hand-overs makes one call, not several. */
  private readonly running = new Set<string>();

  constructor(
    private readonly storage: Storage,
    private readonly models: ShopModels,
    private readonly events: EventSink,
    private readonly now: () => number,
    private readonly logger: Logger,
  ) {}

  /** Whether `event` hands a conversation to a person; if so summarises it (never throws). */
  async onEvent(event: ChatEvent): Promise<void> {
    if (
      event.type !== 'message.created' ||
      event.message.kind !== 'system' ||
      !HANDED_TO_A_PERSON.has(event.message.body.code)
    )
      return;
    await this.summarize(event.shopId, event.conversation.id);
  }

  async summarize(shopId: ShopId, conversationId: ConversationId): Promise<void> {
    const key = `${shopId}:${conversationId}`;
    if (this.running.has(key)) return;
    this.running.add(key);
    try {
      const settings = await this.models.settingsOf(shopId);
      if (!settings.enabled || !settings.summarizeTransfers || !settings.chatModel) return;
      const conversation = await this.storage.conversations.findConversation(shopId, conversationId);
      if (!conversation) return;
      const messages = await this.storage.conversations.listMessages(
        shopId,
        conversationId,
        Math.max(0, conversation.lastSeq - 60),
        60,
      );
      const history = messages.flatMap((m) =>
        m.kind === 'text' && m.sender !== 'system' && !(m.sender === 'bot' && m.body.holding)
          ? [{ from: m.sender as 'buyer' | 'bot' | 'agent', text: m.body.text }]
          : [],
      );
      // Nothing the buyer said: nothing to summarise.
      if (!history.some((h) => h.from === 'buyer')) return;
      const [shop, orders] = await Promise.all([
        this.storage.shops.findShop(shopId),
        this.storage.orders.listBuyerOrders(shopId, conversation.buyerId, this.now() - 90 * 86_400_000),
      ]);
      const text = await this.models.summarize(shopId, {
        shopName: shop?.name ?? '',
        history,
        orders,
      });
      if (!text) return;
      const summary = { text, uptoSeq: conversation.lastSeq, createdAt: this.now() };
      await this.storage.conversations.saveSummary(shopId, conversationId, summary);
      const latest =
        (await this.storage.conversations.findConversation(shopId, conversationId)) ?? conversation;
      this.events.publish({ type: 'conversation.summary', shopId, conversation: latest, summary });
    } catch (error) {
      this.logger.error('transfer summary failed', {
        shop: shopId,
        conversation: conversationId,
        err: error,
      });
    } finally {
      this.running.delete(key);
    }
  }
}
