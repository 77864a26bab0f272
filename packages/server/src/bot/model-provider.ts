import { createHash } from 'node:crypto';
import {
  cosine,
  groundedPrompt,
  readDraft,
  summaryPrompt,
  type BotModel,
  type ChatTurn,
  type FaqEntry,
  type Logger,
  type ModelSettings,
  type Order,
  type ShopId,
} from '@xiaoer/core';
import { complianceSecondOpinion, type SecondOpinionJudge } from '../compliance/second-opinion';
import type { Storage } from '../storage';
import type { FaqCache } from './faq-cache';

/** A call to the provider that failed: slow, down, or an answer not in the expected shape. */
export class ProviderError extends Error {}

/**
 * An OpenAI-compatible HTTP API (issue #15): `POST {base}/embeddings` and
 * `POST {base}/chat/completions`, as OpenAI, Ollama, vLLM and most local servers speak it. Node's
 * own fetch with a timeout per call; no SDK (two requests do not need one).
 */
export class OpenAiCompatible {
  constructor(private readonly settings: Pick<ModelSettings, 'baseUrl' | 'apiKey' | 'timeoutMs'>) {}

  private async post(path: string, body: unknown): Promise<unknown> {
    const url = `${this.settings.baseUrl.replace(/\/+$/, '')}${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.settings.apiKey ? { authorization: `Bearer ${this.settings.apiKey}` } : {}),
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.settings.timeoutMs),
        redirect: 'error',
      });
    } catch (error) {
      const e = error as Error;
      throw new ProviderError(
        e.name === 'TimeoutError' ? `no answer within ${this.settings.timeoutMs} ms` : e.message,
      );
    }
    if (!res.ok) throw new ProviderError(`${path} answered ${res.status}`);
    try {
      return await res.json();
    } catch {
      throw new ProviderError(`${path} answered something that is not JSON`);
    }
  }

  /** One vector per text, in order. */
  async embed(model: string, texts: readonly string[]): Promise<number[][]> {
    const body = (await this.post('/embeddings', { model, input: texts })) as {
      data?: { embedding?: unknown; index?: number }[];
    };
    const data = body.data;
    if (!Array.isArray(data) || data.length !== texts.length)
      throw new ProviderError('embeddings: wrong count');
    const sorted = [...data].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    return sorted.map((d) => {
      if (!Array.isArray(d.embedding) || !d.embedding.every((x) => typeof x === 'number'))
        throw new ProviderError('embeddings: not a vector');
      return d.embedding as number[];
    });
  }

  /** The model's reply to a conversation. */
  async chat(model: string, turns: readonly ChatTurn[]): Promise<string> {
    const body = (await this.post('/chat/completions', { model, messages: turns, temperature: 0.2 })) as {
      choices?: { message?: { content?: unknown } }[];
    };
    const content = body.choices?.[0]?.message?.content;
    if (typeof content !== 'string') throw new ProviderError('chat: no reply text');
    return content;
  }
}

/** How long a shop's settings are trusted before they are read again (a cluster's other nodes). */
const SETTINGS_TTL_MS = 5_000;
/** Entries embedded per request. */
const EMBED_BATCH = 64;

const textOf = (e: FaqEntry) => [e.question, ...e.similar].join('\n');
const hashOf = (s: string) => createHash('sha256').update(s).digest('base64url');

/**
 * Each shop's model provider, as the bot and the workbench use it (issue #15): settings read
 * from the database (briefly cached), entry embeddings computed once per entry text and kept,
 * every call bounded by the shop's timeout. A failure is logged once per shop and minute and
 * answered as "no evidence" / "no draft": the bot goes on as without a provider.
 */
export class ShopModels implements BotModel {
  private readonly settings = new Map<ShopId, { at: number; value: ModelSettings }>();
  private readonly vectors = new Map<ShopId, Map<string, { hash: string; vector: number[] }>>();
  private readonly warned = new Map<ShopId, number>();

  /**
   * Issue #17: the compliance guard's second opinion on a warning it is unsure of, from the shop's
   * chat model (`judgeCompliance` switched on); the guard's own result when off or failing.
   */
  readonly secondOpinion: SecondOpinionJudge;

  constructor(
    private readonly storage: Storage,
    private readonly faq: FaqCache,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.secondOpinion = complianceSecondOpinion(
      {
        settingsOf: (shopId) => this.settingsOf(shopId),
        chat: (s, turns) => new OpenAiCompatible(s).chat(s.chatModel, turns),
      },
      logger,
      () => this.now(),
    );
  }

  /** After the console saved a shop's settings: read them again, and re-embed with a new model. */
  forget(shopId: ShopId): void {
    this.settings.delete(shopId);
    this.vectors.delete(shopId);
  }

  async settingsOf(shopId: ShopId): Promise<ModelSettings> {
    const cached = this.settings.get(shopId);
    if (cached && this.now() - cached.at < SETTINGS_TTL_MS) return cached.value;
    const value = await this.storage.shops.findModelSettings(shopId);
    this.settings.set(shopId, { at: this.now(), value });
    return value;
  }

  private warn(shopId: ShopId, what: string, error: unknown): void {
    const last = this.warned.get(shopId) ?? 0;
    if (this.now() - last < 60_000) return;
    this.warned.set(shopId, this.now());
    this.logger.warn(`model provider (${what}) failed`, { shop: shopId, reason: (error as Error).message });
  }

  async semantic(
    shopId: ShopId,
    text: string,
  ): Promise<{ scores: Map<string, number>; threshold: number } | undefined> {
    const s = await this.settingsOf(shopId);
    if (!s.enabled || !s.baseUrl || !s.embeddingModel) return undefined;
    try {
      const scores = await this.similarities(shopId, s, text);
      return { scores, threshold: s.semanticThreshold };
    } catch (error) {
      this.warn(shopId, 'embeddings', error);
      return undefined;
    }
  }

  /** Cosine of the text to each enabled entry of the shop (entries embedded once per text). */
  async similarities(shopId: ShopId, s: ModelSettings, text: string): Promise<Map<string, number>> {
    const client = new OpenAiCompatible(s);
    const { entries } = await this.faq.indexFor(shopId);
    let kept = this.vectors.get(shopId);
    if (!kept) this.vectors.set(shopId, (kept = new Map()));
    const live = [...entries.values()].filter((e) => e.enabled);
    for (const id of kept.keys()) if (!entries.has(id)) kept.delete(id);
    const stale = live.filter((e) => kept.get(e.id)?.hash !== hashOf(textOf(e)));
    for (let i = 0; i < stale.length; i += EMBED_BATCH) {
      const batch = stale.slice(i, i + EMBED_BATCH);
      const vectors = await client.embed(s.embeddingModel, batch.map(textOf));
      batch.forEach((e, j) => kept.set(e.id, { hash: hashOf(textOf(e)), vector: vectors[j]! }));
    }
    const [query] = await client.embed(s.embeddingModel, [text.slice(0, 1000)]);
    const scores = new Map<string, number>();
    for (const e of live) {
      const v = kept.get(e.id);
      if (v) scores.set(e.id, cosine(query!, v.vector));
    }
    return scores;
  }

  async draft(
    shopId: ShopId,
    input: { question: string; entries: FaqEntry[]; orders: Order[]; shopName: string },
  ): Promise<string | undefined> {
    const s = await this.settingsOf(shopId);
    if (!s.enabled || !s.draftAnswers || !s.baseUrl || !s.chatModel) return undefined;
    try {
      const reply = await new OpenAiCompatible(s).chat(s.chatModel, groundedPrompt(input));
      return readDraft(reply);
    } catch (error) {
      this.warn(shopId, 'draft', error);
      return undefined;
    }
  }

  /**
   * A summary for the agent who takes a conversation (summaries switched on); undefined when
   * they are off, the provider fails or says nothing usable (the agent reads the conversation).
   */
  async summarize(shopId: ShopId, input: Parameters<typeof summaryPrompt>[0]): Promise<string | undefined> {
    const s = await this.settingsOf(shopId);
    if (!s.enabled || !s.summarizeTransfers || !s.baseUrl || !s.chatModel) return undefined;
    try {
      const reply = await new OpenAiCompatible(s).chat(s.chatModel, summaryPrompt(input));
      return readDraft(reply, 600);
    } catch (error) {
      this.warn(shopId, 'summary', error);
      return undefined;
    }
  }

  /** A reply for an agent to edit (suggestions switched on); throws ProviderError when it fails. */
  async suggest(
    shopId: ShopId,
    input: {
      question: string;
      entries: FaqEntry[];
      orders: Order[];
      shopName: string;
      history: { from: 'buyer' | 'shop'; text: string }[];
    },
  ): Promise<string> {
    const s = await this.settingsOf(shopId);
    if (!s.enabled || !s.suggestReplies || !s.baseUrl || !s.chatModel)
      throw new ProviderError('suggested replies are off for this shop');
    const reply = await new OpenAiCompatible(s).chat(
      s.chatModel,
      groundedPrompt({ ...input, forAgent: true }),
    );
    const text = readDraft(reply, 1000);
    if (!text) throw new ProviderError('the model gave no usable reply');
    return text;
  }
}
