/**
 * Client-side message lists, shared by the widget and the workbench: stored messages by seq,
 * pending ones by client id. Pure, and free of zod so the widget bundle stays small.
 */
import type { SendContent } from './index';
import type { MessageDto } from './responses';

/** A message as the widget holds it: stored ones by seq, pending ones by client id. */
export type WidgetMessage = (MessageDto & { pending?: false }) | PendingMessage;

/** A message the buyer sent that the server has not acknowledged yet: text or an image, as sent. */
export type PendingMessage = SendContent & {
  pending: true;
  clientId: string;
  sender: 'buyer' | 'agent';
  createdAt: number;
  error?: string;
};

/**
 * Merges stored messages into the list: each seq once (a stored message replaces the pending one
 * with its client id), stored messages in seq order, pending ones after them.
 */
export function mergeMessages(
  current: readonly WidgetMessage[],
  incoming: readonly MessageDto[],
): WidgetMessage[] {
  const bySeq = new Map<number, MessageDto>();
  const pending: PendingMessage[] = [];
  for (const m of current) {
    if (m.pending) pending.push(m);
    else bySeq.set(m.seq, m);
  }
  for (const m of incoming) bySeq.set(m.seq, m);
  const storedClientIds = new Set([...bySeq.values()].map((m) => m.clientId));
  const stored = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  return [...stored, ...pending.filter((p) => !storedClientIds.has(p.clientId))];
}

/** The highest stored seq, 0 when none. */
export function lastSeq(messages: readonly WidgetMessage[]): number {
  let max = 0;
  for (const m of messages) if (!m.pending && m.seq > max) max = m.seq;
  return max;
}

/** Shop messages (agent or bot) after the given seq: the unread count. */
export function unreadAfter(messages: readonly WidgetMessage[], readSeq: number): number {
  return messages.filter((m) => !m.pending && m.seq > readSeq && (m.sender === 'agent' || m.sender === 'bot'))
    .length;
}
