import type { Message } from '../conversations/conversation.types';
import { maskPii } from './cmp7-privacy.rule';

/**
 * CMP-7: a buyer's message as a role without the right sees it: phone numbers, ID-card numbers
 * and addresses masked. Other messages (the shop's own, cards, images) are returned as they are.
 */
export function maskedMessage<M extends Message>(message: M): M {
  if (message.sender !== 'buyer' || message.kind !== 'text') return message;
  const masked = maskPii(message.body.text);
  if (masked.spans.length === 0) return message;
  return { ...message, body: { ...message.body, text: masked.text } };
}

/** CMP-7: a conversation's last-message preview, masked the same way. */
export function maskedPreview<C extends { lastMessagePreview: string }>(conversation: C): C {
  const masked = maskPii(conversation.lastMessagePreview);
  return masked.spans.length === 0 ? conversation : { ...conversation, lastMessagePreview: masked.text };
}
