import type { ComplianceLogEntry } from '../compliance/compliance.guard';
import type { ConversationStatus, Message, MessageContent } from '../conversations/conversation.types';

/**
 * Issue #18: labels a conversation carries in the history, derived from what happened in it (the
 * system has no hand-set conversation tags): set aside as suspected spam (SPAM-1), served by the
 * bot alone (BOT-1 … BOT-5), transferred between agents (RT-10), a compliance block or an
 * overridden warning logged in it (CMP-1 … CMP-6).
 */
export const HISTORY_TAGS = ['spam', 'bot', 'transferred', 'compliance'] as const;
/** One of HISTORY_TAGS. */
export type HistoryTag = (typeof HISTORY_TAGS)[number];

/** The statuses the history filters by: a conversation's own, or `open` (any not ended). */
export const HISTORY_STATUSES = ['open', 'bot', 'queued', 'assigned', 'spam', 'ended'] as const;
/** One of HISTORY_STATUSES. */
export type HistoryStatus = (typeof HISTORY_STATUSES)[number];

/** The most rows one page of the history answers. */
export const HISTORY_MAX_PAGE = 100;
/** The most rows one CSV export holds (the newest first; `truncated` says when there were more). */
export const HISTORY_EXPORT_MAX = 10_000;
/** The most messages a transcript shows (the first ones; `truncated` says when there were more). */
export const HISTORY_TRANSCRIPT_MAX = 5_000;

/** A supervisor's search as the API takes it (already checked field by field by the protocol). */
export interface HistoryQuery {
  /** The buyer: part of the nick (any case), or the shop's own buyer id, or ours, exactly. */
  buyer?: string;
  /** An agent id: conversations the agent held or wrote in (or was transferred in). */
  agent?: string;
  /** Part of a text message (any case). */
  text?: string;
  /** Local days YYYY-MM-DD in the shop's time zone, both inclusive: when the conversation began. */
  from?: string;
  to?: string;
  /** An order number: an order of the conversation's buyer, or written in its messages. */
  order?: string;
  tag?: HistoryTag;
  /** Buyers' scores 1–5 (any of them), and/or `none` (not rated). */
  rating?: (number | 'none')[];
  status?: HistoryStatus;
  /** The `nextCursor` of the page before. */
  cursor?: string;
  limit: number;
}

/** Where a page ends: the last row's start and id (rows go newest first). */
export interface HistoryCursor {
  createdAt: number;
  id: string;
}

/**
 * The search as storage runs it: days turned into the shop's [since, until) in epoch ms, text
 * lowered and turned into LIKE patterns with their wildcards escaped (`\` is the escape).
 */
export interface HistoryFilter {
  buyer?: { exact: string; nickPattern: string };
  agent?: { id: string; systemPattern: string };
  text?: { needle: string; pattern: string };
  order?: { number: string; pattern: string };
  since?: number;
  until?: number;
  tag?: HistoryTag;
  ratings?: number[];
  unrated?: boolean;
  status?: HistoryStatus;
  after?: HistoryCursor;
  limit: number;
}

/** MET-4: one buyer turn and the shop's answer to it. */
export interface ResponseTurn {
  /** The turn's first buyer message. */
  askedAt: number;
  /** The shop's reply that ended the turn. */
  answeredAt: number;
  ms: number;
  /** An agent id, or 'bot'. */
  responder: string;
  /** The conversation's first response. */
  first: boolean;
}

/** MET-4 for one conversation, as the dashboard counts it (the same transitions). */
export interface ConversationResponseTimes {
  firstResponseMs: number | null;
  /** The mean over every answered turn, the first included. */
  avgResponseMs: number | null;
  turns: ResponseTurn[];
  /** A buyer turn still unanswered: when it began (null: nobody waits). */
  waitingSince: number | null;
}

/** A message as the history reads it for a conversation's facts (bodies of system and bot lines only). */
export interface HistoryMessageFact {
  seq: number;
  sender: Message['sender'];
  senderId: string | null;
  kind: string;
  at: number;
  /** Issue #15: a bot's holding line. */
  holding: boolean;
  /** System lines: their code (`conversation_transferred`, …) and the agent they name. */
  systemCode?: string;
  systemAgentId?: string;
}

/** What the history computes of a conversation from its messages. */
export interface ConversationFacts {
  /** Agents who held it or wrote in it, in the order they came (the holder last when it has one). */
  agentIds: string[];
  /** Buyer, agent and bot messages (system lines not counted). */
  messageCount: number;
  times: ConversationResponseTimes;
  tags: HistoryTag[];
}

/** The message a text or order-number search matched in a conversation. */
export interface HistoryMatch {
  seq: number;
  sender: Message['sender'];
  at: number;
  /** Around the match (CMP-7: masked for roles without the right). */
  snippet: string;
}

/** One row of the history. */
export interface HistoryRow {
  conversationId: string;
  buyer: { id: string; nick: string; externalId: string | null };
  agents: { id: string; name: string }[];
  startedAt: number;
  endedAt: number | null;
  lastMessageAt: number;
  status: ConversationStatus;
  /** Issue #16: the platform channel; null: the web widget. */
  channel: string | null;
  tags: HistoryTag[];
  rating: { score: number; comment: string | null } | null;
  firstResponseMs: number | null;
  avgResponseMs: number | null;
  messageCount: number;
  /** The last message's preview (CMP-7 masked as the snippet). */
  preview: string;
  match: HistoryMatch | null;
}

/** A page of the history, newest first. */
export interface HistoryPage {
  rows: HistoryRow[];
  /** Pass as `cursor` for the next page; null on the last. */
  nextCursor: string | null;
}

/** A compliance outcome logged about a message (CMP-1 … CMP-6). */
export type LoggedOutcome = Pick<ComplianceLogEntry, 'id' | 'action' | 'verdict' | 'rules'>;

/** One message of a transcript. */
export type TranscriptMessage = MessageContent &
  Pick<Message, 'seq' | 'sender' | 'senderId' | 'createdAt'> & {
    /** An agent's name (agent messages). */
    agentName: string | null;
    /** A warning the agent sent anyway, as logged. */
    compliance: LoggedOutcome | null;
  };

/** A conversation's transcript with its MET-4 figures. */
export interface HistoryTranscript {
  conversation: HistoryRow;
  messages: TranscriptMessage[];
  /** Messages refused before they were sent (blocked), with when and what was tried. */
  blocked: (LoggedOutcome & { agentId: string; agentName: string | null; text: string; createdAt: number })[];
  responseTimes: Omit<ConversationResponseTimes, 'turns'> & {
    turns: (ResponseTurn & { responderName: string | null })[];
  };
  truncated: boolean;
}
