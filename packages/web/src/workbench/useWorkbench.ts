import type {
  ConversationDto,
  ConversationSummaryDto,
  ConversationStateDto as Conversation,
  MessageDto as Message,
  SendContent,
  TransferNoteDto,
} from '@xiaoer/protocol';
import {
  lastSeq,
  mergeMessages,
  type PendingMessage,
  type WidgetMessage,
} from '@xiaoer/protocol/message-list';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { CaseOut } from '@xiaoer/protocol/aftersales';
import { connectAgentSocket, type AgentSocket } from '../shared/agentSocket';
import { api, newClientId, errorMessage, ApiError } from '../shared/api';
import { complianceDetails, isComplianceCode, type ComplianceErrorDetails } from '../shared/compliance';
import type { MetricsAlert } from '../shared/metrics';
import { notifyBuyerMessage } from './notify';

/** How a send ended: sent, refused by compliance (with the findings), or failed. */
export type SendOutcome =
  { ok: true } | { ok: false; code: string; message: string; details?: ComplianceErrorDetails };

/** A conversation as the list shows it. */
export type ListConversation = ConversationDto;

/** Issue #15: what the shop's model wrote of a conversation for the agent who took it. */
export type ConversationSummary = ConversationSummaryDto;

/** Issue #18: the note the last transfer left for the next agent. */
export type TransferNote = TransferNoteDto;

/**
 * Everything the workbench shows, kept live over the /agent socket. `recheckAccess` asks the
 * server who I am now (false: the session is gone) when my access changed under the socket.
 * TEAM-4: the conversations of every shop I serve; `adminShops` are those where my role
 * administers (I see all of their conversations), `isAdmin` is my role in the current shop.
 */
export function useWorkbench(
  me: { agentId: string; isAdmin: boolean; adminShops: readonly string[] },
  recheckAccess: () => Promise<boolean>,
) {
  const [conversations, setConversations] = useState<Record<string, ListConversation>>({});
  const [messages, setMessages] = useState<Record<string, WidgetMessage[]>>({});
  const [typing, setTyping] = useState<Record<string, number>>({});
  // Issue #15: the shop's model's summary of a conversation handed to a person (agents only).
  const [summaries, setSummaries] = useState<Record<string, ConversationSummary | null>>({});
  const [notes, setNotes] = useState<Record<string, TransferNote | null>>({});
  const [connected, setConnected] = useState(false);
  /** RT-8: my status as the server has it now (opening the workbench gives me back the one I chose). */
  const [ownStatus, setOwnStatus] = useState<string | null>(null);
  const [loadingList, setLoadingList] = useState(true);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  /** Bumped whenever the queue changes (RT-4): the queue panel reloads on it. */
  const [queueVersion, setQueueVersion] = useState(0);
  /** MET-5: today's reply rate is heading below the threshold; who is about to break it (an agent: of theirs). */
  const [metricsAlert, setMetricsAlert] = useState<(MetricsAlert & { receivedAt: number }) | null>(null);
  /** The minutes a reply has (MET-1), for the alert's wording. */
  const [replyMinutes, setReplyMinutes] = useState(5);
  const socketRef = useRef<AgentSocket | null>(null);
  /** Issue #19: who listens to after-sales pushes (the buyer pane's cases, the 售后 list, alerts). */
  const aftersalesListeners = useRef(new Set<(e: AftersalesPush) => void>());
  const onAftersales = useCallback((listener: (e: AftersalesPush) => void) => {
    aftersalesListeners.current.add(listener);
    return () => void aftersalesListeners.current.delete(listener);
  }, []);
  const messagesRef = useRef(messages);
  messagesRef.current = messages;
  const selectedRef = useRef(selectedId);
  selectedRef.current = selectedId;
  const recheckRef = useRef(recheckAccess);
  recheckRef.current = recheckAccess;
  const conversationsRef = useRef(conversations);
  conversationsRef.current = conversations;
  const adminShopsRef = useRef(me.adminShops);
  adminShopsRef.current = me.adminShops;
  /** Whether I see all of this shop's conversations (my role there administers it). */
  const adminIn = (shopId: string | undefined) =>
    shopId !== undefined && adminShopsRef.current.includes(shopId);

  /** Conversations pushed while the list is being fetched (the fetch may predate them). */
  const pushedDuringLoad = useRef<Set<string> | null>(null);

  const upsertConversation = useCallback((c: ConversationDto | Conversation) => {
    pushedDuringLoad.current?.add(c.id);
    setConversations((prev) => {
      const old = prev[c.id];
      const buyer = 'buyer' in c ? c.buyer : (old?.buyer ?? { id: c.buyerId, nick: '' });
      return { ...prev, [c.id]: { ...c, buyer } };
    });
  }, []);

  const addMessages = useCallback((conversationId: string, incoming: Message[]) => {
    setMessages((prev) => ({
      ...prev,
      [conversationId]: mergeMessages(prev[conversationId] ?? [], incoming),
    }));
  }, []);

  const reloadList = useCallback(async () => {
    const pushed = new Set<string>();
    pushedDuringLoad.current = pushed;
    let open: { conversations: ConversationDto[] };
    let ended: { conversations: ConversationDto[] };
    try {
      [open, ended] = await Promise.all([
        api('GET', '/api/conversations?status=open'),
        api('GET', '/api/conversations?status=ended&limit=50'),
      ]);
    } finally {
      if (pushedDuringLoad.current === pushed) pushedDuringLoad.current = null;
    }
    setConversations((prev) => {
      const next: Record<string, ListConversation> = Object.fromEntries(
        [...ended.conversations, ...open.conversations].map((c) => [c.id, c]),
      );
      // A buyer pushed while the list was on its way is not lost to an answer read before it.
      for (const id of pushed) {
        const live = prev[id];
        const fetched = next[id];
        if (live && (!fetched || live.lastSeq >= fetched.lastSeq)) next[id] = live;
      }
      return next;
    });
    setLoadingList(false);
  }, []);

  const loadMessages = useCallback(
    async (conversationId: string) => {
      const after = lastSeq(messagesRef.current[conversationId] ?? []);
      const res = await api(
        'GET',
        `/api/conversations/${conversationId}/messages?after=${after}`,
        undefined,
        { shop: conversationsRef.current[conversationId]?.shopId ?? null },
      );
      addMessages(conversationId, res.messages);
      if (!(conversationId in summariesRef.current)) {
        const got = await api('GET', `/api/conversations/${conversationId}/summary`, undefined, {
          shop: conversationsRef.current[conversationId]?.shopId ?? null,
        }).catch(() => ({ summary: null, note: null }));
        setSummaries((prev) => (conversationId in prev ? prev : { ...prev, [conversationId]: got.summary }));
        setNotes((prev) => (conversationId in prev ? prev : { ...prev, [conversationId]: got.note ?? null }));
      }
    },
    [addMessages],
  );
  const summariesRef = useRef(summaries);
  summariesRef.current = summaries;

  useEffect(() => {
    const socket = connectAgentSocket('workbench');
    socketRef.current = socket;
    let closed = false;
    let rechecking = false;
    /**
     * TEAM-1: my access changed (role, disabled, password reset, logged out elsewhere) and the
     * server dropped the socket. Who am I now? Gone: the login form shows (this hook unmounts).
     * Still here: connect again, so the server applies what I may do now.
     */
    const recheck = (delayMs: number) => {
      if (rechecking) return;
      rechecking = true;
      void (async () => {
        if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
        let stillIn = true;
        try {
          stillIn = closed || (await recheckRef.current());
        } catch {
          // The server is out of reach: connect anyway; socket.io retries until it is back, and a
          // refusal then (no session) brings us here again.
        }
        rechecking = false;
        if (!closed && stillIn && !socket.connected && !socket.active) socket.connect();
      })();
    };
    socket.on('account:changed', () => recheck(0));
    socket.on('agent:status', (e) => {
      if (e.agentId === me.agentId) setOwnStatus(e.status);
    });
    socket.on('connect', () => {
      setConnected(true);
      setQueueVersion((v) => v + 1);
      // After any (re)connect: the list again, and every loaded conversation after its last seq.
      void reloadList();
      // MET-5: the alert may have been raised while this page was not listening (admins: the
      // shop's; an agent: the buyers they hold).
      api('GET', '/api/metrics/alert')
        .then((r) => {
          setMetricsAlert(r.alert ? { ...r.alert, receivedAt: Date.now() } : null);
          setReplyMinutes(r.replyMinutes);
        })
        .catch(() => undefined);
      // Issue #14: syncs past the server's budget (many conversations open) go again when it says.
      const sync = (id: string) =>
        void socket
          .timeout(10_000)
          .emitWithAck('messages:sync', {
            conversationId: id,
            afterSeq: lastSeq(messagesRef.current[id] ?? []),
          })
          .then((res) => {
            if (res.ok) addMessages(id, res.data.messages);
            else if (res.error.code === 'rate_limited' && socket.connected)
              setTimeout(() => sync(id), res.error.retryAfterMs ?? 1000);
          })
          .catch(() => undefined);
      for (const id of Object.keys(messagesRef.current)) sync(id);
    });
    socket.on('disconnect', (reason) => {
      setConnected(false);
      // Only the server ends a socket this way (account:changed precedes it); nothing reconnects it.
      if (reason === 'io server disconnect') recheck(0);
    });
    socket.on('connect_error', () => {
      // Refused by the server (no session any more): socket.io will not retry; we ask once more.
      if (!socket.active) recheck(2000);
    });
    socket.on('queue:updated', () => setQueueVersion((v) => v + 1));
    const pushAftersales = (e: AftersalesPush) => {
      for (const listener of aftersalesListeners.current) listener(e);
    };
    socket.on('aftersales:changed', (e) => pushAftersales({ type: 'changed', case: e.case }));
    socket.on('aftersales:alert', (e) => pushAftersales({ type: 'alert', ...e }));
    // After a reconnect the lists are read again: what changed meanwhile was not pushed.
    socket.on('connect', () => pushAftersales({ type: 'reconnected' }));
    socket.on('metrics:alert', (alert) => setMetricsAlert({ ...alert, receivedAt: Date.now() }));
    // One alert at a time, for today: cleared whole.
    socket.on('metrics:alert-cleared', () => setMetricsAlert(null));
    socket.on('message:new', ({ message, conversation }) => {
      upsertConversation(conversation);
      if (messagesRef.current[conversation.id] || selectedRef.current === conversation.id) {
        addMessages(conversation.id, [message]);
      }
      if (message.sender === 'buyer') {
        setTyping((prev) => ({ ...prev, [conversation.id]: 0 }));
        notifyBuyerMessage(conversation.buyer.nick, message, selectedRef.current === conversation.id);
      }
    });
    socket.on('conversation:updated', ({ conversation, removed }) => {
      // Not mine any more (transferred, taken over by someone else): drop it. The bot's are everyone's.
      if (
        removed ||
        (!adminIn(conversation.shopId) &&
          conversation.agentId !== me.agentId &&
          conversation.status !== 'bot' &&
          conversation.status !== 'spam')
      ) {
        setConversations((prev) => {
          const next = { ...prev };
          delete next[conversation.id];
          return next;
        });
        if (selectedRef.current === conversation.id) setSelectedId(null);
        return;
      }
      upsertConversation(conversation);
    });
    socket.on('conversation:note', (e) => {
      setNotes((prev) => ({ ...prev, [e.conversationId]: e.note }));
    });
    socket.on('conversation:summary', (e) => {
      setSummaries((prev) => ({ ...prev, [e.conversationId]: e.summary }));
    });
    socket.on('conversation:claimed', (e) => {
      if (e.agentId === me.agentId || e.status === 'bot') return;
      // An admin of the conversation's shop keeps seeing it.
      const held = conversationsRef.current[e.conversationId];
      if (!held || adminIn(held.shopId)) return;
      setConversations((prev) => {
        if (!prev[e.conversationId]) return prev;
        const next = { ...prev };
        delete next[e.conversationId];
        return next;
      });
      if (selectedRef.current === e.conversationId) setSelectedId(null);
    });
    socket.on('conversation:read', (e) => {
      if (e.reader !== 'buyer') return;
      setConversations((prev) => {
        const c = prev[e.conversationId];
        return c ? { ...prev, [c.id]: { ...c, buyerReadSeq: Math.max(c.buyerReadSeq, e.seq) } } : prev;
      });
    });
    socket.on('conversation:typing', (e) => {
      if (e.who === 'buyer')
        setTyping((prev) => ({ ...prev, [e.conversationId]: e.isTyping ? Date.now() : 0 }));
    });
    return () => {
      closed = true;
      socket.close();
    };
  }, [addMessages, me.agentId, reloadList, upsertConversation]);

  const select = useCallback(
    (id: string | null) => {
      setSelectedId(id);
      if (id) void loadMessages(id);
    },
    [loadMessages],
  );

  /**
   * Sends text or an image; pending until acked, retried with the same client id. Resolves with
   * the outcome: a compliance refusal (CMP-1 … CMP-5, the server is the authority) removes the
   * pending bubble, so the caller can put the text back and show why.
   */
  const send = useCallback(
    (
      conversationId: string,
      content: SendContent,
      options: { confirmWarnings?: boolean } = {},
    ): Promise<SendOutcome> => {
      const pending: PendingMessage = {
        pending: true,
        clientId: newClientId(),
        ...content,
        sender: 'agent',
        createdAt: Date.now(),
      };
      const isThis = (m: WidgetMessage) => m.pending && m.clientId === pending.clientId;
      setMessages((prev) => ({ ...prev, [conversationId]: [...(prev[conversationId] ?? []), pending] }));
      const fail = (error: string) =>
        setMessages((prev) => ({
          ...prev,
          [conversationId]: (prev[conversationId] ?? []).map((m) => (isThis(m) ? { ...m, error } : m)),
        }));
      return new Promise<SendOutcome>((resolve) => {
        const attempt = (tries: number): void => {
          const socket = socketRef.current;
          if (!socket) {
            fail('disconnected');
            return resolve({ ok: false, code: 'disconnected', message: 'disconnected' });
          }
          socket
            .timeout(10_000)
            .emitWithAck('message:send', {
              conversationId,
              clientId: pending.clientId,
              ...content,
              ...(options.confirmWarnings ? { confirmWarnings: true } : {}),
            })
            .then((res) => {
              if (res.ok) {
                addMessages(conversationId, [res.data.message]);
                upsertConversation(res.data.conversation);
                return resolve({ ok: true });
              }
              if (isComplianceCode(res.error.code)) {
                // Never sent: no bubble. The composer takes the text back and shows the findings.
                setMessages((prev) => ({
                  ...prev,
                  [conversationId]: (prev[conversationId] ?? []).filter((m) => !isThis(m)),
                }));
                const details = complianceDetails(res.error.details);
                return resolve({
                  ok: false,
                  code: res.error.code,
                  message: errorMessage(res.error),
                  ...(details ? { details } : {}),
                });
              }
              // Issue #18: the reader's language, never the server's English.
              const text = errorMessage(res.error);
              fail(text);
              resolve({ ok: false, code: res.error.code, message: text });
            })
            .catch(() => {
              // No ack (disconnected): try again with the same client id; the server stores it once.
              if (tries < 5) setTimeout(() => attempt(tries + 1), 1000 * (tries + 1));
              else {
                const text = errorMessage({ code: 'network' });
                fail(text);
                resolve({ ok: false, code: 'timeout', message: text });
              }
            });
        };
        attempt(0);
      });
    },
    [addMessages, upsertConversation],
  );

  const sendOrderCard = useCallback(
    async (conversationId: string, orderId: string) => {
      const res = await socketRef.current
        ?.timeout(10_000)
        .emitWithAck('message:order-card', { conversationId, clientId: newClientId(), orderId });
      if (res?.ok) addMessages(conversationId, [res.data.message]);
      else if (res)
        throw new ApiError(0, res.error.code, errorMessage(res.error), undefined, res.error.details);
    },
    [addMessages],
  );

  const markRead = useCallback((conversationId: string, seq: number) => {
    setConversations((prev) => {
      const c = prev[conversationId];
      if (!c || (c.agentReadSeq >= seq && c.agentUnread === 0)) return prev;
      socketRef.current?.emit('conversation:read', { conversationId, seq });
      return { ...prev, [conversationId]: { ...c, agentReadSeq: seq, agentUnread: 0 } };
    });
  }, []);

  const sendTyping = useCallback((conversationId: string) => {
    socketRef.current?.emit('conversation:typing', { conversationId, isTyping: true });
  }, []);

  return {
    ownStatus,
    conversations,
    messages,
    summaries,
    notes,
    typing,
    connected,
    loadingList,
    selectedId,
    queueVersion,
    metricsAlert,
    replyMinutes,
    select,
    send,
    sendOrderCard,
    markRead,
    sendTyping,
    upsertConversation,
    reloadList,
    onAftersales,
  };
}

/** Issue #19: a case as the agents' API and socket give it. */
export type AgentCase = CaseOut;
/** What the socket tells about cases. */
export type AftersalesPush =
  | { type: 'changed'; case: AgentCase }
  | { type: 'alert'; case: AgentCase; kind: string; at: number }
  | { type: 'reconnected' };
