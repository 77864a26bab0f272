import {
  canSeeBuyerPii,
  complianceBySeq,
  conversationFacts,
  encodeHistoryCursor,
  HISTORY_EXPORT_MAX,
  HISTORY_TRANSCRIPT_MAX,
  maskedMessage,
  maskPii,
  normalizeHistoryFilter,
  previewOf,
  snippetAround,
  type AgentRole,
  type HistoryFilter,
  type HistoryPage,
  type HistoryQuery,
  type HistoryRow,
  type HistoryTranscript,
  type MessageContent,
  type ShopId,
} from '@xiaoer/core';
import type { Storage } from '../storage';
import type { HistoryConversation, HistoryMatchRow } from '../storage/history.repository';

/** Who reads the history, in which shop. */
export interface HistoryViewer {
  shop: { id: ShopId; timeZone: string };
  role: AgentRole;
}

/** The text a search matched, around the match (CMP-7: buyers' phones and addresses masked for roles without the right). */
function matchSnippet(m: HistoryMatchRow, needle: string | undefined, masked: boolean): string {
  const content = { kind: m.kind, body: JSON.parse(m.body) } as MessageContent;
  const text =
    content.kind === 'text'
      ? snippetAround(content.body.text, needle)
      : content.kind === 'order_card'
        ? `${previewOf(content)} ${content.body.orderId}`
        : previewOf(content);
  return masked && m.sender === 'buyer' ? maskPii(text).text : text;
}

/**
 * Issue #18: the chat history — search, CSV rows and transcripts — composed from the history's
 * storage reads and the core's pure parts (filter, MET-4 replay, tags, CMP-7 masking).
 */
export class HistoryService {
  constructor(private readonly storage: Storage) {}

  /** One page of the search, newest first. */
  async page(viewer: HistoryViewer, query: HistoryQuery): Promise<HistoryPage> {
    const filter = normalizeHistoryFilter(query, viewer.shop.timeZone);
    const found = await this.storage.history.search(viewer.shop.id, filter, filter.limit + 1);
    const more = found.length > filter.limit;
    const page = found.slice(0, filter.limit);
    const last = page.at(-1);
    return {
      rows: await this.rowsOf(viewer, page, filter),
      nextCursor: more && last ? encodeHistoryCursor({ createdAt: last.createdAt, id: last.id }) : null,
    };
  }

  /** The export: every row the filters find, newest first, up to HISTORY_EXPORT_MAX (the cursor ignored). */
  async exportRows(
    viewer: HistoryViewer,
    query: HistoryQuery,
  ): Promise<{ rows: HistoryRow[]; truncated: boolean }> {
    const { cursor: _ignored, ...rest } = query;
    const filter = normalizeHistoryFilter(rest, viewer.shop.timeZone);
    const found = await this.storage.history.search(viewer.shop.id, filter, HISTORY_EXPORT_MAX + 1);
    return {
      rows: await this.rowsOf(viewer, found.slice(0, HISTORY_EXPORT_MAX), filter),
      truncated: found.length > HISTORY_EXPORT_MAX,
    };
  }

  /** A conversation's transcript with its MET-4 figures; undefined when the shop has no such conversation. */
  async transcript(viewer: HistoryViewer, id: string): Promise<HistoryTranscript | undefined> {
    const shopId = viewer.shop.id;
    const conversation = await this.storage.history.findConversation(shopId, id);
    if (!conversation) return undefined;
    const [rows, messages, log, names] = await Promise.all([
      this.rowsOf(viewer, [conversation], {}),
      this.storage.history.transcript(shopId, id, HISTORY_TRANSCRIPT_MAX + 1),
      this.storage.history.complianceLog(shopId, id),
      this.agentNames(shopId),
    ]);
    const row = rows[0]!;
    const shown = messages.slice(0, HISTORY_TRANSCRIPT_MAX);
    const outcomes = complianceBySeq(
      shown.map((m) => ({
        seq: m.seq,
        sender: m.sender,
        senderId: m.senderId,
        text: m.kind === 'text' ? m.body.text : null,
        at: m.createdAt,
      })),
      log,
    );
    const masked = !canSeeBuyerPii(viewer.role);
    const facts = await this.storage.history.messageFacts(shopId, [id]);
    const { times } = conversationFacts(conversation, facts.get(id) ?? [], {
      compliance: false,
      ...(await this.metricsContext(viewer)),
    });
    return {
      conversation: row,
      messages: shown.map((m) => {
        // CMP-7: what the buyer typed of phones and addresses, masked for a role without the right.
        const {
          id: _id,
          shopId: _shop,
          conversationId: _conversation,
          clientId: _client,
          ...seen
        } = masked ? maskedMessage(m) : m;
        return {
          ...seen,
          agentName: seen.sender === 'agent' && seen.senderId ? (names.get(seen.senderId) ?? null) : null,
          compliance: outcomes.get(seen.seq) ?? null,
        };
      }),
      blocked: log
        .filter((e) => e.action !== 'confirmed')
        .map((e) => ({
          id: e.id,
          action: e.action,
          verdict: e.verdict,
          rules: e.rules,
          agentId: e.agentId,
          agentName: names.get(e.agentId) ?? null,
          text: e.text,
          createdAt: e.createdAt,
        })),
      responseTimes: {
        ...times,
        turns: times.turns.map((t) => ({
          ...t,
          responderName: t.responder === 'bot' ? null : (names.get(t.responder) ?? null),
        })),
      },
      truncated: messages.length > HISTORY_TRANSCRIPT_MAX,
    };
  }

  private async metricsContext(viewer: HistoryViewer) {
    return { settings: await this.storage.metrics.settings(viewer.shop.id), timeZone: viewer.shop.timeZone };
  }

  /** The names of the shop's agents (disabled ones included: their history stays theirs). */
  private async agentNames(shopId: ShopId): Promise<Map<string, string>> {
    return new Map((await this.storage.agents.listAgents(shopId)).map((a) => [a.id as string, a.name]));
  }

  /** The rows of these conversations: facts of their messages, the match, names, CMP-7 masking. */
  private async rowsOf(
    viewer: HistoryViewer,
    conversations: readonly HistoryConversation[],
    filter: Pick<HistoryFilter, 'text' | 'order'>,
  ): Promise<HistoryRow[]> {
    if (conversations.length === 0) return [];
    const shopId = viewer.shop.id;
    const ids = conversations.map((c) => c.id as string);
    const search = filter.text
      ? { pattern: filter.text.pattern, kinds: ['text'], needle: filter.text.needle }
      : filter.order
        ? { pattern: filter.order.pattern, kinds: ['text', 'order_card'], needle: filter.order.number }
        : undefined;
    const [facts, logged, matches, names, context] = await Promise.all([
      this.storage.history.messageFacts(shopId, ids),
      this.storage.history.withComplianceLog(shopId, ids),
      search
        ? this.storage.history.firstMatches(shopId, ids, search.pattern, search.kinds)
        : Promise.resolve(new Map<string, HistoryMatchRow>()),
      this.agentNames(shopId),
      this.metricsContext(viewer),
    ]);
    const masked = !canSeeBuyerPii(viewer.role);
    return conversations.map((c) => {
      const f = conversationFacts(c, facts.get(c.id) ?? [], { compliance: logged.has(c.id), ...context });
      const match = matches.get(c.id);
      return {
        conversationId: c.id,
        buyer: { id: c.buyerId, nick: c.buyerNick, externalId: c.buyerExternalId },
        agents: f.agentIds.map((id) => ({ id, name: names.get(id) ?? id })),
        startedAt: c.createdAt,
        endedAt: c.endedAt,
        lastMessageAt: c.lastMessageAt,
        status: c.status,
        channel: c.channel,
        tags: f.tags,
        rating: c.rating,
        firstResponseMs: f.times.firstResponseMs,
        avgResponseMs: f.times.avgResponseMs,
        messageCount: f.messageCount,
        preview: masked ? maskPii(c.preview).text : c.preview,
        match: match
          ? {
              seq: match.seq,
              sender: match.sender,
              at: match.at,
              snippet: matchSnippet(match, search?.needle, masked),
            }
          : null,
      };
    });
  }
}
