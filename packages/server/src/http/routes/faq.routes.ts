import {
  BOT_LANGUAGES,
  botSays,
  DEFAULT_BOT_SETTINGS,
  DomainError,
  decide,
  notFound,
  type AgentId,
  type FaqEntry,
  type ShopId,
} from '@xiaoer/core';
import { z } from '@xiaoer/protocol';
import { parse as parseCsv } from 'csv-parse/sync';
import { stringify as stringifyCsv } from 'csv-stringify/sync';
import type { FastifyInstance } from 'fastify';
import { createHash, randomUUID } from 'node:crypto';
import { readTable } from '../../integration/table-file';
import { intentIdsSchema, kbFileSchema } from '../../bot/bot-eval';
import { sharedCatalogue } from '../../bot/catalogue';
import type { AppContext } from '../context';
import { parse } from '../errors';
import { routeAuth } from '../route-auth';

const entryBody = z.object({
  question: z.string().trim().min(1).max(200),
  similar: z.array(z.string().trim().min(1).max(200)).max(200).default([]),
  answer: z.string().trim().min(1).max(2000),
  category: z.string().trim().max(40).default(''),
  enabled: z.boolean().default(true),
  // Issue #15: the catalogue intents the entry answers; null: suggested from its wording; absent
  // on an edit: kept as they were.
  intents: intentIdsSchema.nullable().optional(),
});
const idParams = z.object({ id: z.string().min(1).max(64) });
const botSettingsBody = z.object({
  enabled: z.boolean(),
  answerThreshold: z.number().min(0.05).max(0.99),
  handoffPhrases: z.array(z.string().trim().min(1).max(40)).min(1).max(100),
  maxMisses: z.number().int().min(1).max(10),
  /** The language of the bot's own lines (greetings, hand-over, "did you mean"). */
  language: z.enum(BOT_LANGUAGES).default('zh-CN'),
  /** SPAM-1: buyer ids or the shop's own buyer ids whose conversations go to suspected spam. */
  blockedBuyers: z.array(z.string().trim().min(1).max(64)).max(5000).default([]),
  synonyms: z
    .array(z.array(z.string().trim().min(1).max(20)).min(2).max(30))
    .max(500)
    .default([]),
});
const CSV_COLUMNS = ['id', 'question', 'similar', 'answer', 'category', 'enabled', 'intents'] as const;

/** Issue #14: the ' the export put before a would-be formula (= + - @ tab CR) is taken off. */
function unescapeFormulas(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record).map(([k, v]) => [
      k,
      /^'[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/.test(v) ? v.slice(1) : v,
    ]),
  );
}

/** Issue #16: FAQ columns as shops name them, in Chinese or English. */
const FAQ_HEADERS: Record<(typeof CSV_COLUMNS)[number], readonly string[]> = {
  id: ['id', '编号', '序号', '条目编号'],
  question: ['question', '问题', '标准问题', '标准问', '问'],
  similar: ['similar', '相似问法', '相似问题', '相似问', '扩展问'],
  answer: ['answer', '答案', '回答', '回复', '答'],
  category: ['category', '分类', '类别', '类目'],
  enabled: ['enabled', '启用', '是否启用', '状态'],
  intents: ['intents', '意图'],
};
const headerKey = (h: string) =>
  h
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase()
    .replace(/[\s*＊]/g, '');

/**
 * Issue #16: a FAQ file uploaded as it is (CSV in UTF-8 or GBK, or Excel), headers in Chinese or
 * English, as the records the CSV path reads. An entry without an id gets one from its question,
 * so the same file imported again replaces its entries rather than adding them twice.
 */
async function faqTableRecords(bytes: Buffer): Promise<Record<string, string>[]> {
  const table = await readTable(bytes);
  const keys = table.header.map(
    (h) =>
      (Object.entries(FAQ_HEADERS).find(([, names]) =>
        names.some((n) => headerKey(n) === headerKey(h)),
      )?.[0] ?? null) as string | null,
  );
  if (!keys.includes('question') || !keys.includes('answer'))
    throw new DomainError(
      'validation_failed',
      'file: needs the columns 问题 (question) and 答案 (answer)',
      'file',
    );
  return table.rows
    .filter((cells) => cells.some((c) => c.trim() !== ''))
    .map((cells) => {
      const record: Record<string, string> = {};
      keys.forEach((k, i) => {
        if (k) record[k] = (cells[i] ?? '').trim();
      });
      if (!record.id)
        record.id = `q-${createHash('sha256')
          .update(record.question ?? '')
          .digest('hex')
          .slice(0, 12)}`;
      return record;
    });
}

/** Reads an import body: a JSON array, a table file, or CSV text with a header row (similar questions joined by "|"). */
async function importRows(body: unknown, contentType: string | undefined): Promise<unknown> {
  const isCsvText = typeof body === 'string' && /csv/.test(contentType ?? '');
  if (isCsvText || Buffer.isBuffer(body)) {
    let records: Record<string, string>[];
    if (Buffer.isBuffer(body)) records = await faqTableRecords(body);
    else
      try {
        records = parseCsv(body as string, { columns: true, skip_empty_lines: true, trim: true, bom: true });
      } catch (error) {
        throw new DomainError('validation_failed', `csv: ${(error as Error).message}`, 'csv');
      }
    return records.map(unescapeFormulas).map((r) => ({
      ...r,
      similar: (r.similar ?? '')
        .split(/[|｜\n]/)
        .map((s) => s.trim())
        .filter(Boolean),
      enabled: !r.enabled ? true : !/^(0|false|no|否|停用|禁用)$/i.test(r.enabled),
      // Issue #15: intents joined by "|"; an empty cell (or none) leaves them to the suggestion.
      intents: r.intents?.trim()
        ? r.intents
            .split('|')
            .map((s) => s.trim())
            .filter(Boolean)
        : null,
    }));
  }
  return body;
}

/** BOT-1 knowledge base in the console (CRUD, import/export, test box, settings) and learning from handoffs. */
export async function faqRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { storage, clock, faq } = ctx;
  const auth = routeAuth(ctx);
  app.addContentTypeParser(
    'text/csv',
    { parseAs: 'string', bodyLimit: 5 * 1024 * 1024 },
    (_req, body, done) => done(null, body),
  );

  const save = async (shopId: ShopId, entries: FaqEntry[]) => {
    await storage.faq.saveEntries(shopId, entries, clock.now());
    await faq.upserted(shopId, entries);
  };
  /**
   * Every text that leaves the shop passes the guard (issue #14): an entry's answer is what the
   * bot says, its question what the bot offers ("您是不是想问"). `at` prefixes the field named
   * (an import's row); `by` is the agent whose refused attempt is logged.
   */
  const screen = async (
    shopId: ShopId,
    entry: Pick<FaqEntry, 'question' | 'answer'>,
    by: { agentId: AgentId },
    at = '',
  ) => {
    // The question is in the buyer's words: the lexicons read it, not the statistical layer.
    await ctx.compliance.screenShopText(shopId, entry.question, `${at}question`, by, 'buyer');
    await ctx.compliance.screenShopText(shopId, entry.answer, `${at}answer`, by);
  };

  app.get('/api/admin/faq', { preHandler: auth('admin') }, async (req) => {
    const me = req.agent;
    const { q } = parse(z.object({ q: z.string().max(100).default('') }), req.query);
    const entries = await storage.faq.listEntries(me.shop.id);
    const needle = q.trim().toLowerCase();
    const shown = needle
      ? entries.filter((e) =>
          [e.id, e.question, e.answer, e.category, ...e.similar].some((t) =>
            t.toLowerCase().includes(needle),
          ),
        )
      : entries;
    // Issue #15: each entry with the intents it is linked to now (its own, or the suggestion).
    const { index } = await faq.indexFor(me.shop.id);
    return { entries: shown.map((e) => ({ ...e, linkedIntents: index.intentsOf(e.id) })) };
  });

  // Issue #15: the shipped catalogue's intents, for linking entries in the console.
  app.get('/api/admin/faq/intents', { preHandler: auth('admin') }, async () => {
    return {
      intents: sharedCatalogue().intents.map(({ id, family, label, labelEn }) => ({
        id,
        family,
        label,
        labelEn,
      })),
    };
  });

  app.post('/api/admin/faq', { preHandler: auth('admin') }, async (req, reply) => {
    const me = req.agent;
    const entry: FaqEntry = { id: randomUUID(), ...parse(entryBody, req.body) };
    await screen(me.shop.id, entry, { agentId: me.agent.id });
    await save(me.shop.id, [entry]);
    return reply.status(201).send({ entry });
  });

  app.put('/api/admin/faq/:id', { preHandler: auth('admin') }, async (req) => {
    const me = req.agent;
    const { id } = parse(idParams, req.params);
    const before = await storage.faq.findEntry(me.shop.id, id);
    if (!before) throw notFound('FAQ entry');
    const body = parse(entryBody, req.body);
    const entry: FaqEntry = {
      id,
      ...body,
      intents: body.intents === undefined ? before.intents : body.intents,
    };
    await screen(me.shop.id, entry, { agentId: me.agent.id });
    await save(me.shop.id, [entry]);
    return { entry };
  });

  app.delete('/api/admin/faq/:id', { preHandler: auth('admin') }, async (req, reply) => {
    const me = req.agent;
    const { id } = parse(idParams, req.params);
    if (!(await storage.faq.deleteEntry(me.shop.id, id))) throw notFound('FAQ entry');
    await faq.removed(me.shop.id, id);
    return reply.status(204).send();
  });

  // All or nothing: a bad row is reported by its number and field, and nothing is stored.
  app.post(
    '/api/admin/faq/import',
    { bodyLimit: 5 * 1024 * 1024, preHandler: auth('admin') },
    async (req) => {
      const me = req.agent;
      const rows = await importRows(req.body, req.headers['content-type']);
      const result = kbFileSchema.safeParse(rows);
      if (!result.success) {
        const issue = result.error.issues[0]!;
        const [row, ...field] = issue.path;
        const where = typeof row === 'number' ? `row ${row + 1}` : 'body';
        throw new DomainError(
          'validation_failed',
          `${where}${field.length ? `, ${field.join('.')}` : ''}: ${issue.message}`,
          field.join('.') || 'body',
        );
      }
      const ids = new Set<string>();
      for (const [i, e] of result.data.entries()) {
        if (ids.has(e.id))
          throw new DomainError('validation_failed', `row ${i + 1}, id: "${e.id}" appears twice`, 'id');
        ids.add(e.id);
      }
      // All or nothing here too: the first row the guard refuses is named, nothing is stored.
      for (const [i, e] of result.data.entries())
        await screen(me.shop.id, e, { agentId: me.agent.id }, `row ${i + 1}, `);
      await save(me.shop.id, result.data);
      return { imported: result.data.length };
    },
  );

  app.get('/api/admin/faq/export', { preHandler: auth('admin') }, async (req, reply) => {
    const me = req.agent;
    const { format } = parse(z.object({ format: z.enum(['json', 'csv']).default('json') }), req.query);
    const entries = (await storage.faq.listEntries(me.shop.id)).map(({ updatedAt: _u, ...e }) => e);
    reply.header('content-disposition', `attachment; filename="faq.${format}"`);
    if (format === 'json') return reply.type('application/json').send(JSON.stringify(entries, null, 2));
    const csv = stringifyCsv(
      entries.map((e) => ({
        ...e,
        similar: e.similar.join('|'),
        enabled: e.enabled ? 'true' : 'false',
        intents: e.intents ? e.intents.join('|') : '',
      })),
      // Issue #14: cells starting = + - @ tab CR are prefixed with ' so a spreadsheet shows them
      // as text instead of running them (OWASP CSV injection); the import takes the ' off again.
      { header: true, columns: [...CSV_COLUMNS], bom: true, escape_formulas: true },
    );
    return reply.type('text/csv; charset=utf-8').send(csv);
  });

  // The console's "test the bot" box (issue #15: the live decision path, as a buyer with no orders
  // gets it): the top matches, the intents read, the decision and what the bot would say.
  app.get('/api/admin/faq/test', { preHandler: auth('admin') }, async (req) => {
    const me = req.agent;
    const { q } = parse(z.object({ q: z.string().min(1).max(2000) }), req.query);
    const shopFaq = await faq.indexFor(me.shop.id);
    const { entries: found, intents } = shopFaq.index.understand(q, 5);
    const matches = found.map((m) => ({ ...m, question: shopFaq.entries.get(m.entryId)?.question ?? '' }));
    const decision = decide({
      text: q,
      settings: { ...shopFaq.settings, enabled: true },
      index: shopFaq.index,
      entries: shopFaq.entries,
      orders: [],
      misses: 0,
    });
    const says = botSays(decision, shopFaq, []);
    return {
      matches,
      intents: intents.map((i) => ({ ...i, label: sharedCatalogue().intent(i.intentId)?.label ?? '' })),
      decision: decision.kind,
      entryId: decision.kind === 'answer' ? decision.entry.id : undefined,
      choices: decision.kind === 'clarify' ? decision.choices.map((c) => c.entryId) : undefined,
      reply: says.lines,
      threshold: shopFaq.settings.answerThreshold,
    };
  });

  app.get('/api/admin/bot', { preHandler: auth('admin') }, async (req) => {
    const me = req.agent;
    return {
      settings: (await storage.shops.findBotSettings(me.shop.id)) ?? {
        ...DEFAULT_BOT_SETTINGS,
        enabled: false,
      },
    };
  });

  app.put('/api/admin/bot', { preHandler: auth('admin') }, async (req) => {
    const me = req.agent;
    const settings = parse(botSettingsBody, req.body);
    await storage.shops.saveBotSettings(me.shop.id, settings);
    await faq.settingsChanged(me.shop.id, settings);
    return { settings };
  });

  // Learning from handoffs: an agent adds the buyer's question to an entry, or makes a new entry, in one click.
  app.post('/api/faq/learn', { preHandler: auth('agent') }, async (req, reply) => {
    const me = req.agent;
    if (me.agent.role === 'outsourced')
      throw new DomainError('forbidden', 'outsourced agents cannot edit the FAQ');
    const body = parse(
      z.union([
        z.object({ entryId: z.string().min(1).max(64), question: z.string().trim().min(1).max(200) }),
        z.object({
          question: z.string().trim().min(1).max(200),
          answer: z.string().trim().min(1).max(2000),
          category: z.string().trim().max(40).default(''),
        }),
      ]),
      req.body,
    );
    if ('entryId' in body) {
      const entry = await storage.faq.findEntry(me.shop.id, body.entryId);
      if (!entry) throw new DomainError('validation_failed', 'entryId: no such FAQ entry', 'entryId');
      const updated = {
        ...entry,
        similar: entry.similar.includes(body.question) ? entry.similar : [...entry.similar, body.question],
      };
      await save(me.shop.id, [updated]);
      return { entry: updated };
    }
    const entry: FaqEntry = {
      id: randomUUID(),
      question: body.question,
      similar: [],
      answer: body.answer,
      category: body.category,
      enabled: true,
    };
    await screen(me.shop.id, entry, { agentId: me.agent.id });
    await save(me.shop.id, [entry]);
    return reply.status(201).send({ entry });
  });

  // The entries an agent may pick from when teaching the bot (matches for the question first).
  app.get('/api/faq/suggest', { preHandler: auth('agent') }, async (req) => {
    const me = req.agent;
    const { q } = parse(z.object({ q: z.string().min(1).max(2000) }), req.query);
    const shopFaq = await faq.indexFor(me.shop.id);
    return {
      entries: shopFaq.index.search(q, 5).map((m) => ({
        id: m.entryId,
        question: shopFaq.entries.get(m.entryId)?.question ?? '',
        score: m.score,
      })),
    };
  });
}
