import {
  IMPORT_COLUMNS,
  readImport,
  type ImportKind,
  type ImportProblem,
  type ImportRecord,
  type ShopId,
  type UpsertOutcome,
} from '@xiaoer/core';
import { buyerBody, externalId, orderBody, productBody } from '@xiaoer/protocol/v1';
import type { z } from 'zod';
import type { Storage } from '../storage';
import { readTable, type TableEncoding } from './table-file';
import { writeBuyer, writeOrder, writeProduct } from './v1-writes';

/** What the console shows before an import is written. */
export interface ImportPreview {
  kind: ImportKind;
  encoding: TableEncoding;
  /** The file's columns, and the field each is read as (null: ignored). */
  columns: { header: string; field: string | null }[];
  /** Data rows in the file (blank ones not counted). */
  rows: number;
  /** Records read without a problem (an order of several item rows is one). */
  valid: number;
  /** Of those, how many the shop has already (they are replaced) and how many are new. */
  existing: number;
  fresh: number;
  /** Every problem, by row and column (the first 500). */
  problems: ImportProblem[];
  problemCount: number;
  /** The first valid records as they will be written. */
  sample: { externalId: string; rows: number[]; body: Record<string, unknown> }[];
}

const BODY = { products: productBody, buyers: buyerBody, orders: orderBody } as const;

/** A body field's column in the file (money fields are read from the yuan columns). */
const FIELD_OF: Record<string, string> = {
  priceCents: 'price',
  totalCents: 'total',
  'items.productExternalId': 'productExternalId',
  'items.title': 'productTitle',
  'items.quantity': 'quantity',
  'items.priceCents': 'price',
};

function columnFor(
  kind: ImportKind,
  field: string,
  headers: readonly string[],
  fields: readonly (string | null)[],
) {
  const at = fields.indexOf(field);
  if (at >= 0) return headers[at]!;
  return IMPORT_COLUMNS[kind].find((c) => c.field === field)?.zh ?? field;
}

/**
 * Issue #16: reads an uploaded file as `kind` for the shop and checks every record with the same
 * schema the v1 API checks it with: the records ready to write, and the preview.
 */
export async function prepareImport(
  storage: Storage,
  shopId: ShopId,
  timeZone: string,
  kind: ImportKind,
  bytes: Buffer,
): Promise<{ preview: ImportPreview; ready: ImportRecord[] }> {
  const table = await readTable(bytes);
  const read = readImport(kind, table.header, table.rows, timeZone);
  const problems = [...read.problems];
  const ready: ImportRecord[] = [];
  for (const record of read.records) {
    const issues: { path: PropertyKey[]; message: string }[] = [];
    const id = externalId.safeParse(record.externalId);
    if (!id.success) issues.push({ path: ['externalId'], message: id.error.issues[0]!.message });
    const body = (BODY[kind] as z.ZodType).safeParse(record.body);
    if (!body.success) issues.push(...body.error.issues);
    if (issues.length === 0) {
      ready.push({ ...record, body: body.data as Record<string, unknown> });
      continue;
    }
    for (const issue of issues) {
      const [first, index, second] = issue.path;
      const isItem = first === 'items' && typeof index === 'number' && typeof second === 'string';
      const field = isItem
        ? (FIELD_OF[`items.${second}`] ?? second)
        : (FIELD_OF[String(first)] ?? String(first));
      const row = isItem ? record.rows[Math.min(index, record.rows.length - 1)]! : record.rows[0]!;
      const column = columnFor(kind, field, table.header, read.fields);
      // What the record held there: nothing (an empty cell) is said as such.
      const held = issue.path.reduce<unknown>(
        (at, key) => (at && typeof at === 'object' ? (at as Record<PropertyKey, unknown>)[key] : undefined),
        first === 'externalId' ? { externalId: record.externalId } : record.body,
      );
      const empty = held === undefined || held === null || held === '';
      problems.push({
        row,
        column,
        code: empty ? 'empty' : 'invalid',
        message: empty ? 'is empty' : issue.message,
      });
    }
  }
  problems.sort((a, b) => a.row - b.row);
  const ids = ready.map((r) => r.externalId);
  const existing =
    kind === 'buyers'
      ? await storage.buyers.existingExternalIds(shopId, ids)
      : await storage.orders.existingIds(shopId, kind, ids);
  return {
    ready,
    preview: {
      kind,
      encoding: table.encoding,
      columns: table.header.map((header, i) => ({ header, field: read.fields[i] ?? null })),
      rows: table.rows.filter((r) => r.some((c) => c.trim() !== '')).length,
      valid: ready.length,
      existing: existing.size,
      fresh: ready.length - existing.size,
      problems: problems.slice(0, 500),
      problemCount: problems.length,
      sample: ready.slice(0, 20),
    },
  };
}

/** Writes the records (each as the v1 API writes it: idempotent, one transaction each). */
export async function applyImport(
  storage: Storage,
  shopId: ShopId,
  kind: ImportKind,
  records: readonly ImportRecord[],
  now: number,
): Promise<Record<UpsertOutcome, number>> {
  const counts: Record<UpsertOutcome, number> = { created: 0, updated: 0, unchanged: 0 };
  for (const r of records) {
    const outcome =
      kind === 'products'
        ? await writeProduct(storage, shopId, r.externalId, r.body as never, now)
        : kind === 'buyers'
          ? await writeBuyer(storage, shopId, r.externalId, r.body as never, now)
          : (await writeOrder(storage, shopId, r.externalId, r.body as never, now)).outcome;
    counts[outcome]++;
  }
  return counts;
}

/** The template of `kind`: its headers (in Chinese or English) and one example row. */
export function importTemplate(kind: ImportKind, lang: 'zh' | 'en'): string[][] {
  const header = IMPORT_COLUMNS[kind].map((c) => (lang === 'zh' ? c.zh : c.en));
  const example: Record<ImportKind, string[]> = {
    products: ['longjing-250', '明前龙井 250g', '128.00', ''],
    buyers: ['tb-8801', '茶友小李', '13800138000'],
    orders: [
      'T-20261201-1',
      'tb-8801',
      lang === 'zh' ? '已付款' : 'paid',
      '128.00',
      'longjing-250',
      '明前龙井 250g',
      '1',
      '128.00',
      '',
      '',
      '2026-12-01 10:00:00',
      '2026-12-01 10:02:00',
      '',
    ],
  };
  return [header, example[kind]];
}
