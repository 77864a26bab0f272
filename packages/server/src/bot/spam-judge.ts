import { judgeSpam, type Clock, type Conversation, type ShopId } from '@xiaoer/core';
import type { Storage } from '../storage';
import type { FaqCache } from './faq-cache';

/** How many of a buyer's latest texts the judge weighs (SPAM-1: repeats and bursts). */
const SAMPLES = 10;
/** Conversations whose samples are kept in memory; the oldest goes first past this. */
const MAX_CONVERSATIONS = 10_000;

/**
 * SPAM-1: the judge the chat service asks about each buyer text — the buyer's latest text messages
 * in the conversation (kept in memory, loaded once from the database) and the shop's block list
 * (from the FAQ cache, which learns its changes on every node). `stored`: the text is already the
 * conversation's last message (so it is not read back as an earlier sample).
 */
export function spamJudge(deps: { storage: Storage; faq: FaqCache; clock: Clock }) {
  const { storage, faq, clock } = deps;
  const samples = new Map<string, { text: string; at: number }[]>();
  return async (
    shopId: ShopId,
    conversation: Conversation,
    text: string,
    stored?: boolean,
  ): Promise<string | null> => {
    const { settings } = await faq.indexFor(shopId);
    const blockList = settings.blockedBuyers ?? [];
    const buyer =
      blockList.length > 0 ? await storage.buyers.findBuyer(shopId, conversation.buyerId) : undefined;
    const blocked =
      !!buyer &&
      (blockList.includes(buyer.id) || (buyer.externalId !== null && blockList.includes(buyer.externalId)));
    let recent = samples.get(conversation.id);
    if (!recent) {
      const upTo = conversation.lastSeq - (stored ? 1 : 0);
      const rows = await storage.conversations.listMessages(
        shopId,
        conversation.id,
        Math.max(0, upTo - SAMPLES),
        SAMPLES,
      );
      recent = rows.flatMap((m) =>
        m.sender === 'buyer' && m.kind === 'text' && m.seq <= upTo
          ? [{ text: m.body.text, at: m.createdAt }]
          : [],
      );
      if (samples.size > MAX_CONVERSATIONS) samples.delete(samples.keys().next().value as string);
    }
    recent = [...recent, { text, at: clock.now() }].slice(-SAMPLES);
    // Most recently used last, so the oldest conversation is the one dropped.
    samples.delete(conversation.id);
    samples.set(conversation.id, recent);
    return judgeSpam({ recent, blocked });
  };
}
