import {
  canSeeBuyerPii,
  DomainError,
  groundedPrompt,
  maskPii,
  type FaqEntry,
  type ModelSettings,
} from '@xiaoer/core';
import { z } from '@xiaoer/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { OpenAiCompatible, ProviderError } from '../../bot/model-provider';
import { actorOf } from '../auth';
import type { AppContext } from '../context';
import { parse } from '../errors';
import { conversationIdParams } from '../ids';
import { presentModelSettings } from '../presenters';
import { routeAuth } from '../route-auth';

const settingsBody = z
  .object({
    enabled: z.boolean(),
    // Only http(s): a local server (Ollama, vLLM) or a cloud API.
    baseUrl: z
      .string()
      .trim()
      .max(300)
      .refine((u) => u === '' || /^https?:\/\/[^\s]+$/i.test(u), 'must be an http(s) URL'),
    // Absent: the saved key is kept; '': removed.
    apiKey: z.string().trim().max(500).optional(),
    chatModel: z.string().trim().max(100),
    embeddingModel: z.string().trim().max(100),
    timeoutMs: z.number().int().min(500).max(30_000),
    semanticThreshold: z.number().min(0.3).max(0.99),
    draftAnswers: z.boolean(),
    suggestReplies: z.boolean(),
    summarizeTransfers: z.boolean().default(false),
    judgeCompliance: z.boolean().default(false),
  })
  .refine((s) => !s.enabled || s.baseUrl !== '', {
    path: ['baseUrl'],
    message: 'needed when the provider is on',
  });

/** What a provider failure means for the caller: 502, naming the provider. */
const unavailable = (error: unknown) =>
  new DomainError('provider_unavailable', `model provider: ${(error as Error).message}`, 'provider');

/**
 * Issue #15: a shop's optional OpenAI-compatible model provider — its settings and a test in the
 * console (admins), and suggested replies in the workbench (agents who may read the conversation).
 */
export async function modelRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { storage, clock, models, faq, chat } = ctx;
  const auth = routeAuth(ctx);

  app.get('/api/admin/model', { preHandler: auth('admin') }, async (req) => {
    const me = req.agent;
    return { settings: presentModelSettings(await storage.shops.findModelSettings(me.shop.id)) };
  });

  app.put('/api/admin/model', { preHandler: auth('admin') }, async (req) => {
    const me = req.agent;
    const body = parse(settingsBody, req.body);
    const before = await storage.shops.findModelSettings(me.shop.id);
    const settings: ModelSettings = { ...body, apiKey: body.apiKey ?? before.apiKey };
    await storage.shops.saveModelSettings(me.shop.id, settings);
    models.forget(me.shop.id);
    return { settings: presentModelSettings(settings) };
  });

  // Calls the provider as the saved settings say: the closest entries by embedding (to choose the
  // semantic threshold) and a draft, each with its time or its error.
  app.post('/api/admin/model/test', { preHandler: auth('admin') }, async (req) => {
    const me = req.agent;
    const { q } = parse(z.object({ q: z.string().trim().min(1).max(500) }), req.body);
    const s = await storage.shops.findModelSettings(me.shop.id);
    if (!s.baseUrl) throw new DomainError('conflict', 'set the provider’s base URL first', 'baseUrl');
    const shopFaq = await faq.indexFor(me.shop.id);
    const timed = async <T>(fn: () => Promise<T>) => {
      const t0 = performance.now();
      try {
        const value = await fn();
        return { ok: true as const, ms: Math.round(performance.now() - t0), value };
      } catch (error) {
        return {
          ok: false as const,
          ms: Math.round(performance.now() - t0),
          error: (error as Error).message,
        };
      }
    };
    const embeddings = s.embeddingModel
      ? await timed(async () => {
          const scores = await models.similarities(me.shop.id, s, q);
          return [...scores]
            .sort((a, b) => b[1] - a[1])
            .slice(0, 5)
            .map(([entryId, cosine]) => ({
              entryId,
              question: shopFaq.entries.get(entryId)?.question ?? '',
              cosine,
            }));
        })
      : undefined;
    const closest = shopFaq.index
      .search(q, 5)
      .map((m) => shopFaq.entries.get(m.entryId))
      .filter((e): e is FaqEntry => !!e);
    const draft = s.chatModel
      ? await timed(async () =>
          new OpenAiCompatible(s).chat(
            s.chatModel,
            groundedPrompt({ question: q, entries: closest, orders: [], shopName: shopFaq.shop.name }),
          ),
        )
      : undefined;
    return { embeddings, draft, threshold: s.semanticThreshold };
  });

  /** TEAM-4: an agent, in the shop of the conversation the route names (with their role there). */
  const inConversationShop = { preHandler: auth('agent', { shopOf: { conversation: 'params' } }) };
  /** The calling agent and the conversation of the route's `:conversationId`, if they may see it. */
  async function agentsConversation(req: FastifyRequest) {
    const me = req.agent;
    const { conversationId } = parse(conversationIdParams, req.params);
    const conversation = await chat.getConversationFor(me.shop.id, actorOf(me), conversationId);
    return { me, conversation };
  }

  // The model's summary of the conversation for its agent (issue #15); null when there is none.
  app.get('/api/conversations/:conversationId/summary', inConversationShop, async (req) => {
    const { me, conversation } = await agentsConversation(req);
    const [summary, note] = await Promise.all([
      storage.conversations.findSummary(me.shop.id, conversation.id),
      // Issue #18: the note the last transfer left for the next agent.
      storage.conversations.findNote(me.shop.id, conversation.id),
    ]);
    // CMP-7: phones and addresses in what a model or an agent wrote, masked for roles without the right.
    const masked = <T extends { text: string }>(x: T | undefined): T | null =>
      !x ? null : canSeeBuyerPii(me.agent.role) ? x : { ...x, text: maskPii(x.text).text };
    return { summary: masked(summary), note: masked(note) };
  });

  // A reply for the agent to edit and send (sent, it passes the compliance guard like any other).
  app.post('/api/conversations/:conversationId/suggest-reply', inConversationShop, async (req) => {
    const { me, conversation } = await agentsConversation(req);
    const s = await models.settingsOf(me.shop.id);
    if (!s.enabled || !s.suggestReplies || !s.chatModel)
      throw new DomainError(
        'conflict',
        'suggested replies are off for this shop (console → bot → model)',
        'provider',
      );
    const messages = await storage.conversations.listMessages(
      me.shop.id,
      conversation.id,
      Math.max(0, conversation.lastSeq - 20),
      20,
    );
    const history = messages.flatMap((m) =>
      m.kind === 'text' && m.sender !== 'system'
        ? [{ from: m.sender === 'buyer' ? ('buyer' as const) : ('shop' as const), text: m.body.text }]
        : [],
    );
    const question = [...history].reverse().find((h) => h.from === 'buyer')?.text;
    if (!question) throw new DomainError('conflict', 'the buyer has asked nothing yet', 'conversationId');
    const shopFaq = await faq.indexFor(me.shop.id);
    const entries = shopFaq.index
      .search(question, 5)
      .map((m) => shopFaq.entries.get(m.entryId))
      .filter((e): e is FaqEntry => !!e);
    const orders = await storage.orders.listBuyerOrders(
      me.shop.id,
      conversation.buyerId,
      clock.now() - 90 * 86_400_000,
    );
    try {
      const suggestion = await models.suggest(me.shop.id, {
        question,
        entries,
        orders,
        shopName: shopFaq.shop.name,
        history,
      });
      return { suggestion };
    } catch (error) {
      if (error instanceof ProviderError) throw unavailable(error);
      throw error;
    }
  });
}
