import type { ComplianceLogEntry } from '../compliance/compliance.guard';
import type { ConversationStatus } from '../conversations/conversation.types';
import { applyMessage, type ConversationTiming } from '../metrics/ledger';
import type { MetricsSettings } from '../metrics/metrics.types';
import type {
  ConversationFacts,
  ConversationResponseTimes,
  HistoryMessageFact,
  HistoryTag,
  LoggedOutcome,
  ResponseTurn,
} from './history.types';

/**
 * MET-4 for one conversation: its messages (in seq order) replayed through the same transition
 * the dashboard's roll-ups use (`applyMessage`), so a conversation's figures are the ones the
 * shop's first and average response times are made of. System lines do not count; a bot's
 * holding line ends a turn only when the shop's settings say so (issue #15).
 */
export function conversationResponseTimes(
  messages: readonly Pick<HistoryMessageFact, 'sender' | 'senderId' | 'at' | 'holding'>[],
  settings: MetricsSettings,
  timeZone: string,
): ConversationResponseTimes {
  let timing: ConversationTiming | undefined;
  const turns: ResponseTurn[] = [];
  for (const m of messages) {
    if (m.sender === 'system') continue;
    const effect = applyMessage(
      {
        conversationId: '',
        buyerId: '',
        sender: m.sender,
        agentId: m.sender === 'agent' ? m.senderId : null,
        at: m.at,
        ...(m.holding ? { holding: true } : {}),
      },
      [],
      timing,
      settings,
      timeZone,
    );
    timing = effect.timing;
    const r = effect.response;
    if (r)
      turns.push({
        askedAt: m.at - r.ms,
        answeredAt: m.at,
        ms: r.ms,
        responder: r.responder,
        first: r.first,
      });
  }
  const first = turns.find((t) => t.first);
  return {
    firstResponseMs: first ? first.ms : null,
    avgResponseMs: turns.length > 0 ? Math.round(turns.reduce((s, t) => s + t.ms, 0) / turns.length) : null,
    turns,
    waitingSince: timing?.waitingSince ?? null,
  };
}

/** Whose hands a conversation went through: the agents who wrote in it or were given it, in order. */
function agentsOf(holder: string | null, messages: readonly HistoryMessageFact[]): string[] {
  const seen = new Set<string>();
  for (const m of messages) {
    if (m.sender === 'agent' && m.senderId) seen.add(m.senderId);
    if (m.sender === 'system' && m.systemAgentId) seen.add(m.systemAgentId);
  }
  if (holder) {
    // The one holding it now comes last, whatever order the lines came in.
    seen.delete(holder);
    seen.add(holder);
  }
  return [...seen];
}

/**
 * Issue #18: what the history shows of a conversation, from its row and its messages: the agents,
 * the number of messages, MET-4 and the derived tags (HISTORY_TAGS). `compliance`: whether the
 * log holds an entry about it (read apart: blocked messages never became messages).
 */
export function conversationFacts(
  conversation: { status: ConversationStatus; agentId: string | null; spamReason: string | null },
  messages: readonly HistoryMessageFact[],
  options: { compliance: boolean; settings: MetricsSettings; timeZone: string },
): ConversationFacts {
  const agentIds = agentsOf(conversation.agentId, messages);
  const tags: HistoryTag[] = [];
  // SPAM-1: set aside now, or once (released conversations keep their reason).
  if (conversation.status === 'spam' || conversation.spamReason) tags.push('spam');
  if (agentIds.length === 0 && messages.some((m) => m.sender === 'bot')) tags.push('bot');
  if (messages.some((m) => m.systemCode === 'conversation_transferred')) tags.push('transferred');
  if (options.compliance) tags.push('compliance');
  return {
    agentIds,
    messageCount: messages.filter((m) => m.sender !== 'system').length,
    times: conversationResponseTimes(messages, options.settings, options.timeZone),
    tags,
  };
}

/**
 * CMP-1 … CMP-6 in a transcript: each warning an agent sent anyway is logged with the text it
 * sent, and is put on that message (the same agent's message with the same text, the first one
 * at or after it was logged — or the nearest when clocks disagree); blocked messages were never
 * sent and stay apart. Returns the outcome per message seq.
 */
export function complianceBySeq(
  messages: readonly {
    seq: number;
    sender: string;
    senderId: string | null;
    text: string | null;
    at: number;
  }[],
  entries: readonly ComplianceLogEntry[],
): Map<number, LoggedOutcome> {
  const out = new Map<number, LoggedOutcome>();
  const confirmed = entries.filter((e) => e.action === 'confirmed').sort((a, b) => a.createdAt - b.createdAt);
  for (const e of confirmed) {
    const candidates = messages.filter(
      (m) => m.sender === 'agent' && m.senderId === e.agentId && m.text === e.text && !out.has(m.seq),
    );
    const after = candidates.find((m) => m.at >= e.createdAt);
    const nearest =
      after ??
      candidates.reduce<(typeof candidates)[number] | undefined>(
        (best, m) => (!best || Math.abs(m.at - e.createdAt) < Math.abs(best.at - e.createdAt) ? m : best),
        undefined,
      );
    if (nearest) out.set(nearest.seq, { id: e.id, action: e.action, verdict: e.verdict, rules: e.rules });
  }
  return out;
}
