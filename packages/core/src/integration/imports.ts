import { TZDate } from '@date-fns/tz';
import type { OrderStatus } from '../orders/order.types';

/**
 * Issue #16: spreadsheets a shop already has (its platform's export, its ERP's, our template) read
 * as products, buyers or orders. Headers in Chinese or English are matched to fields; money in
 * yuan (¥, commas) becomes cents; times without an offset are the shop's wall clock; an order of
 * several items is several rows with the same order number. Pure: the rows come in as text.
 */
export type ImportKind = 'products' | 'buyers' | 'orders';
export const IMPORT_KINDS: readonly ImportKind[] = ['products', 'buyers', 'orders'];

interface Column {
  field: string;
  /** The template's headers. */
  zh: string;
  en: string;
  /** Other headers that mean the same (platform exports, common wording); compared loosely. */
  aliases: readonly string[];
  required: boolean;
}

const col = (field: string, zh: string, en: string, aliases: string[], required = false): Column => ({
  field,
  zh,
  en,
  aliases,
  required,
});

export const IMPORT_COLUMNS: Record<ImportKind, readonly Column[]> = {
  products: [
    col(
      'externalId',
      '商品编号',
      'externalId',
      ['商品id', '商品编码', '货号', 'sku', 'skuid', '宝贝id', 'productid', 'id'],
      true,
    ),
    col('title', '商品名称', 'title', ['名称', '标题', '宝贝标题', '商品标题', 'name', 'productname'], true),
    col('price', '价格', 'price', ['单价', '售价', '价格(元)', '一口价', 'priceyuan'], true),
    col('imageUrl', '图片链接', 'imageUrl', ['图片', '主图', '图片地址', 'image', 'imageurl']),
  ],
  buyers: [
    col(
      'externalId',
      '买家编号',
      'externalId',
      ['买家id', '买家账号', '会员id', '会员编号', '用户id', '客户编号', 'buyerid', 'id'],
      true,
    ),
    col('nick', '昵称', 'nick', ['买家昵称', '会员名', '客户名称', '姓名', 'name', 'nickname'], true),
    col('phone', '手机号', 'phone', ['手机', '电话', '联系电话', '手机号码', 'mobile', 'tel']),
  ],
  orders: [
    col(
      'externalId',
      '订单号',
      'externalId',
      ['订单编号', '订单id', '主订单编号', 'orderid', 'orderno', 'id'],
      true,
    ),
    col(
      'buyerExternalId',
      '买家编号',
      'buyerExternalId',
      ['买家id', '买家账号', '会员id', '用户id', '买家会员名', 'buyerid', 'buyer'],
      true,
    ),
    col('status', '订单状态', 'status', ['状态', '交易状态', 'orderstatus'], true),
    col(
      'total',
      '订单金额',
      'total',
      ['实付金额', '实付款', '买家实付', '总金额', '金额', '支付金额', 'amount', 'totalyuan'],
      true,
    ),
    col('productExternalId', '商品编号', 'productExternalId', [
      '商品id',
      '商品编码',
      '货号',
      'sku',
      '宝贝id',
      'productid',
    ]),
    col('productTitle', '商品名称', 'productTitle', [
      '宝贝标题',
      '商品标题',
      '标题',
      'producttitle',
      'title',
    ]),
    col('quantity', '数量', 'quantity', ['购买数量', '件数', 'qty']),
    col('price', '单价', 'price', ['商品单价', '价格', 'unitprice']),
    col('carrier', '快递公司', 'carrier', ['物流公司', '快递', '承运商']),
    col('trackingNo', '快递单号', 'trackingNo', [
      '运单号',
      '物流单号',
      '快递号',
      'tracking',
      'trackingnumber',
    ]),
    col(
      'createdAt',
      '下单时间',
      'createdAt',
      ['订单创建时间', '创建时间', '下单日期', 'created', 'ordertime'],
      true,
    ),
    col('paidAt', '付款时间', 'paidAt', ['支付时间', '订单付款时间', 'paid', 'paytime']),
    col('shippedAt', '发货时间', 'shippedAt', ['shipped', 'shiptime']),
  ],
};

/** A header as compared: lower case, without spaces, brackets' units, BOM or `*` (required marks). */
function headerKey(header: string): string {
  return header
    .replace(/^\uFEFF/, '')
    .toLowerCase()
    .replace(/[\s*＊_-]/g, '')
    .replace(/[(（](元|yuan|rmb|¥|￥)[)）]/g, '');
}

/** Which field each of a file's columns is (null: not one we read), and the required ones missing. */
export function matchHeaders(
  kind: ImportKind,
  headers: readonly string[],
): { fields: (string | null)[]; missing: Column[] } {
  const columns = IMPORT_COLUMNS[kind];
  const used = new Set<string>();
  const fields = headers.map((h) => {
    const key = headerKey(h);
    if (!key) return null;
    const column = columns.find(
      (c) =>
        !used.has(c.field) && [c.zh, c.en, c.field, ...c.aliases].some((name) => headerKey(name) === key),
    );
    if (!column) return null;
    used.add(column.field);
    return column.field;
  });
  return { fields, missing: columns.filter((c) => c.required && !used.has(c.field)) };
}

/** A problem with one cell (or row): the spreadsheet's row number (the header is row 1) and column. */
export interface ImportProblem {
  row: number;
  /** The column as the file names it (or the field, when the file lacks the column). */
  column: string;
  /** What is wrong, for the console to say in its language; `message` says it in English. */
  code: ImportProblemCode;
  /** The cell as written, when a cell is at fault. */
  value?: string;
  message: string;
}
export type ImportProblemCode =
  'missing_column' | 'empty' | 'amount' | 'time' | 'status' | 'whole_number' | 'invalid';

class CellError extends Error {
  constructor(
    readonly code: ImportProblemCode,
    message: string,
  ) {
    super(message);
  }
}

/** Yuan as written (128, 128.5, ¥1,280.00, 128元) to cents. */
export function parseYuan(raw: string): number {
  const text = raw.replace(/[¥￥,，\s]|元$/g, '');
  if (!/^\d+(\.\d{1,2})?$/.test(text))
    throw new CellError('amount', `"${raw}" is not an amount in yuan (such as 128.00)`);
  const [whole, fraction = ''] = text.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}

/**
 * A moment as written: ISO 8601 with an offset, or a wall-clock time (2026-12-01 10:00[:00],
 * 2026/12/1 10:00, 2026-12-01) in `timeZone` — to an ISO string with its offset.
 */
export function parseMoment(raw: string, timeZone: string): string {
  const text = raw.trim();
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(text)) {
    const ms = Date.parse(text);
    if (Number.isNaN(ms)) throw new CellError('time', `"${raw}" is not a time`);
    return new Date(ms).toISOString();
  }
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(text);
  if (!m) throw new CellError('time', `"${raw}" is not a time (such as 2026-12-01 10:00:00)`);
  const [y, mo, d, h = '0', mi = '0', s = '0'] = m.slice(1) as [
    string,
    string,
    string,
    string?,
    string?,
    string?,
  ];
  const at = new TZDate(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), timeZone);
  if (at.getMonth() !== Number(mo) - 1 || at.getDate() !== Number(d))
    throw new CellError('time', `"${raw}" is not a date`);
  return new Date(at.getTime()).toISOString();
}

/** Statuses as platforms and shops write them. */
const STATUS_WORDS: Record<string, OrderStatus> = {
  unpaid: 'unpaid',
  待付款: 'unpaid',
  等待买家付款: 'unpaid',
  未付款: 'unpaid',
  paid: 'paid',
  已付款: 'paid',
  待发货: 'paid',
  买家已付款: 'paid',
  等待卖家发货: 'paid',
  shipped: 'shipped',
  已发货: 'shipped',
  待收货: 'shipped',
  卖家已发货: 'shipped',
  等待买家确认收货: 'shipped',
  completed: 'completed',
  已完成: 'completed',
  交易成功: 'completed',
  已签收: 'completed',
  after_sales: 'after_sales',
  aftersales: 'after_sales',
  售后中: 'after_sales',
  退款中: 'after_sales',
  售后: 'after_sales',
  closed: 'closed',
  已关闭: 'closed',
  交易关闭: 'closed',
  已取消: 'closed',
  交易取消: 'closed',
};

export function parseStatus(raw: string): OrderStatus {
  const status = STATUS_WORDS[raw.trim().toLowerCase().replace(/\s/g, '')];
  if (!status)
    throw new CellError(
      'status',
      `"${raw}" is not an order status (待付款, 已付款, 已发货, 已完成, 售后中, 已关闭, or unpaid…closed)`,
    );
  return status;
}

/** What one record of the file becomes: the v1 API's body for it, and the rows it came from. */
export interface ImportRecord {
  externalId: string;
  body: Record<string, unknown>;
  /** The spreadsheet rows (1-based, the header being 1) it was read from. */
  rows: number[];
}

/**
 * Reads a file's rows as records of `kind`. Rows with problems are left out and their problems
 * named; an order's item rows are gathered under its number (order-level cells from its first row).
 */
export function readImport(
  kind: ImportKind,
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  timeZone: string,
): { records: ImportRecord[]; problems: ImportProblem[]; fields: (string | null)[] } {
  const { fields, missing } = matchHeaders(kind, headers);
  if (missing.length > 0)
    return {
      records: [],
      fields,
      problems: missing.map((c) => ({
        row: 1,
        column: c.zh,
        code: 'missing_column' as const,
        message: `the column ${c.zh} (${c.en}) is missing`,
      })),
    };
  const problems: ImportProblem[] = [];
  const byId = new Map<string, ImportRecord>();
  const failed = new Set<string>();
  rows.forEach((cells, i) => {
    const row = i + 2;
    if (cells.every((c) => c.trim() === '')) return;
    const get = (field: string) => {
      const at = fields.indexOf(field);
      const value = at < 0 ? '' : (cells[at] ?? '').trim();
      return value;
    };
    const columnOf = (field: string) => {
      const at = fields.indexOf(field);
      return at < 0 ? field : headers[at]!;
    };
    const cell = <T>(field: string, read: (raw: string) => T): T | undefined => {
      const raw = get(field);
      if (raw === '') return undefined;
      try {
        return read(raw);
      } catch (error) {
        if (!(error instanceof CellError)) throw error;
        problems.push({ row, column: columnOf(field), code: error.code, value: raw, message: error.message });
        throw error;
      }
    };
    const externalId = get('externalId');
    try {
      if (kind === 'products') {
        byId.set(externalId, {
          externalId,
          rows: [row],
          body: {
            title: get('title'),
            priceCents: cell('price', parseYuan),
            imageUrl: get('imageUrl') || null,
          },
        });
      } else if (kind === 'buyers') {
        byId.set(externalId, {
          externalId,
          rows: [row],
          body: { nick: get('nick'), phone: get('phone') || null },
        });
      } else {
        const item =
          get('productExternalId') || get('productTitle')
            ? {
                productExternalId: get('productExternalId') || externalId,
                title: get('productTitle') || get('productExternalId'),
                quantity:
                  cell('quantity', (raw) => {
                    if (!/^\d+$/.test(raw))
                      throw new CellError('whole_number', `"${raw}" is not a whole number`);
                    return Number(raw);
                  }) ?? 1,
                priceCents: cell('price', parseYuan) ?? 0,
              }
            : undefined;
        const existing = byId.get(externalId);
        if (existing) {
          // Another item of an order already read.
          existing.rows.push(row);
          if (item) (existing.body.items as unknown[]).push(item);
          return;
        }
        byId.set(externalId, {
          externalId,
          rows: [row],
          body: {
            buyerExternalId: get('buyerExternalId'),
            status: cell('status', parseStatus),
            totalCents: cell('total', parseYuan),
            items: item ? [item] : [],
            carrier: get('carrier') || null,
            trackingNo: get('trackingNo') || null,
            createdAt: cell('createdAt', (raw) => parseMoment(raw, timeZone)),
            paidAt: cell('paidAt', (raw) => parseMoment(raw, timeZone)) ?? null,
            shippedAt: cell('shippedAt', (raw) => parseMoment(raw, timeZone)) ?? null,
          },
        });
      }
    } catch (error) {
      if (!(error instanceof CellError)) throw error;
      failed.add(externalId);
    }
  });
  // An order one of whose rows failed is left out whole (never half its items).
  for (const id of failed) byId.delete(id);
  return { records: [...byId.values()], problems, fields };
}
