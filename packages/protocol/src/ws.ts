/**
 * The Socket.IO contract: for each namespace, the events a client sends (with their acks) and the
 * events the server pushes. The server types its namespaces with these maps and the web and the
 * widget type their sockets with them (`Socket<ServerToClient, ClientToServer>`), so an event
 * sent with another payload, or listened to under another name, fails the typecheck.
 */
import type { z } from 'zod';
import type { BuyerCaseOut, CaseOut } from './aftersales';
import type { wsOrderCardSchema, wsReadSchema, wsSendSchema, wsSyncSchema, wsTypingSchema } from './index';
import type {
  AccessChangeDto,
  AgentStatusDto,
  ConversationDto,
  ConversationStateDto,
  ConversationStatusDto,
  ConversationSummaryDto,
  ErrorBody,
  MessageDto,
  MetricsAlert,
  PromiseDto,
  QueueWaiting,
  TransferNoteDto,
} from './responses';

/** A Socket.IO ack: the result or an error. */
export type Ack<T> = { ok: true; data: T } | ({ ok: false } & ErrorBody);
/** The callback a client passes for an ack. */
export type AckCallback<T> = (res: Ack<T>) => void;

/** A send's result: the stored message and the conversation's state after it. */
export interface SentMessage {
  message: MessageDto;
  conversation: ConversationStateDto;
}

/** Read receipts, pushed to the other side. */
export interface ReadPush {
  conversationId: string;
  reader: 'buyer' | 'agent';
  seq: number;
}
/** Typing, pushed to the other side. */
export interface TypingPush {
  conversationId: string;
  who: 'buyer' | 'agent';
  isTyping: boolean;
}

/** Events both sides send: sync after a reconnect, read receipts, typing. */
export interface ClientToServerCommonEvents {
  'messages:sync': (
    payload: z.input<typeof wsSyncSchema>,
    ack: AckCallback<{ messages: MessageDto[] }>,
  ) => void;
  'conversation:read': (payload: z.input<typeof wsReadSchema>, ack?: AckCallback<{ seq: number }>) => void;
  'conversation:typing': (
    payload: z.input<typeof wsTypingSchema>,
    ack?: AckCallback<Record<string, never>>,
  ) => void;
}

/** What an agent's workbench sends on `/agent`. */
export interface AgentClientToServerEvents extends ClientToServerCommonEvents {
  'message:send': (payload: z.input<typeof wsSendSchema>, ack: AckCallback<SentMessage>) => void;
  /** CRM-1: an order sent as a card. */
  'message:order-card': (payload: z.input<typeof wsOrderCardSchema>, ack: AckCallback<SentMessage>) => void;
}

/** What the widget sends on `/buyer` (`conversationId` of a send is ignored: the buyer's own). */
export interface BuyerClientToServerEvents extends ClientToServerCommonEvents {
  'message:send': (payload: z.input<typeof wsSendSchema>, ack: AckCallback<SentMessage>) => void;
}

/** What the server pushes on `/agent` (the workbench and the console). */
export interface AgentServerToClientEvents {
  'message:new': (payload: { message: MessageDto; conversation: ConversationDto }) => void;
  /** `removed`: it is no longer mine (transferred, ended by someone else). */
  'conversation:updated': (payload: { conversation: ConversationDto; removed?: boolean }) => void;
  /** To every agent of the shop: a conversation left the bot (taken over, handed off, assigned). */
  'conversation:claimed': (payload: {
    conversationId: string;
    status: ConversationStatusDto;
    agentId: string | null;
  }) => void;
  'conversation:read': (payload: ReadPush) => void;
  'conversation:typing': (payload: TypingPush) => void;
  /** Issue #15: the model's summary for whoever holds the conversation. */
  'conversation:summary': (payload: { conversationId: string; summary: ConversationSummaryDto }) => void;
  /** Issue #18: a transfer's note for the next agent. */
  'conversation:note': (payload: { conversationId: string; note: TransferNoteDto }) => void;
  /** RT-4 / RT-6: to every agent of the shop whenever the queue changes. */
  'queue:updated': (payload: { waiting: QueueWaiting[] }) => void;
  /** RT-8: an agent's status changed (to the shop's admins and the agent). */
  'agent:status': (payload: { agentId: string; status: AgentStatusDto }) => void;
  /** TEAM-1: my access changed; the socket is ended next. */
  'account:changed': (payload: { change: AccessChangeDto }) => void;
  /** Issue #18: the shop's live board changed (to the consoles watching it). */
  'live:changed': (payload: { shopId: string }) => void;
  /** MET-5: the reply rate is heading below the threshold (an agent: only the buyers they hold). */
  'metrics:alert': (payload: MetricsAlert) => void;
  /** MET-5: the alert is over. */
  'metrics:alert-cleared': (payload: Record<string, never>) => void;
  /** Issue #19: a case changed (to every agent of the shop). */
  'aftersales:changed': (payload: { case: CaseOut }) => void;
  /** AS-2: a case's deadline is near (its holder and the shop's supervisors). */
  'aftersales:alert': (payload: { case: CaseOut; kind: string; at: number }) => void;
  /** CMP-4: a promise went at risk or broken (the shop's admins and live boards). */
  'compliance:promise': (payload: { shopId: string; promise: PromiseDto }) => void;
}

/** What the server pushes on `/buyer` (the widget). */
export interface BuyerServerToClientEvents {
  'message:new': (payload: SentMessage) => void;
  'conversation:updated': (payload: { conversation: ConversationStateDto }) => void;
  'conversation:read': (payload: ReadPush) => void;
  'conversation:typing': (payload: TypingPush) => void;
  /** RT-4: the buyer's place in their queue and the estimated wait (null: no estimate yet). */
  'queue:position': (payload: {
    conversationId: string;
    position: number;
    etaMinutes: number | null;
  }) => void;
  /** Issue #19: a case of the buyer's moved. */
  'aftersales:changed': (payload: { case: BuyerCaseOut }) => void;
}
