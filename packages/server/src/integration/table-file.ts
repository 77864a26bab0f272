import { DomainError } from '@xiaoer/core';
import { parse as parseCsv } from 'csv-parse/sync';

/** How a file's bytes were read. */
export type TableEncoding = 'xlsx' | 'utf-8' | 'gb18030' | 'utf-16le';

/** The most rows one import reads. */
export const MAX_IMPORT_ROWS = 10_000;

const pad = (n: number) => String(n).padStart(2, '0');

/** A spreadsheet cell as text (a date cell is its wall-clock time, as Excel shows it). */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) {
    // Excel keeps no time zone: the reader gives the wall clock as if it were UTC.
    const d = value;
    const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
    const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
    return time === '00:00:00' ? date : `${date} ${time}`;
  }
  return String(value);
}

/**
 * Issue #16: reads an uploaded table — an Excel workbook (its first sheet) or CSV/TSV text in UTF-8
 * (with or without a BOM), UTF-16 (Excel's "Unicode text") or GBK/GB18030 (what Excel on Chinese
 * Windows saves as CSV): UTF-8 is tried strictly first, so a GBK file is never read as garbage.
 * Returns the header row and the rows as text; refuses an empty or unreadable file naming `file`.
 */
export async function readTable(
  bytes: Buffer,
): Promise<{ encoding: TableEncoding; header: string[]; rows: string[][] }> {
  if (bytes.length === 0) throw new DomainError('validation_failed', 'file: is empty', 'file');
  let encoding: TableEncoding;
  let grid: string[][];
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) {
    encoding = 'xlsx';
    try {
      // Loaded when a spreadsheet comes in, not at start (issue #20).
      const { readSheet } = await import('read-excel-file/node');
      grid = (await readSheet(bytes)).map((row) => row.map(cellText));
    } catch (error) {
      throw new DomainError(
        'validation_failed',
        `file: not a readable Excel workbook (${(error as Error).message})`,
        'file',
      );
    }
  } else {
    let text: string;
    if (bytes[0] === 0xff && bytes[1] === 0xfe) {
      encoding = 'utf-16le';
      text = new TextDecoder('utf-16le').decode(bytes.subarray(2));
    } else {
      try {
        text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
        encoding = 'utf-8';
      } catch {
        text = new TextDecoder('gb18030').decode(bytes);
        encoding = 'gb18030';
      }
    }
    if (text.includes('\u0000'))
      throw new DomainError('validation_failed', 'file: not a CSV or Excel file', 'file');
    const firstLine = text.slice(0, text.search(/\r?\n|$/));
    const delimiter = firstLine.includes('\t') && !firstLine.includes(',') ? '\t' : ',';
    try {
      grid = parseCsv(text, {
        delimiter,
        bom: true,
        relax_column_count: true,
        skip_empty_lines: true,
      }) as string[][];
    } catch (error) {
      throw new DomainError(
        'validation_failed',
        `file: not readable as CSV (${(error as Error).message})`,
        'file',
      );
    }
  }
  const [header, ...rows] = grid;
  if (!header || header.every((h) => h.trim() === ''))
    throw new DomainError('validation_failed', 'file: has no header row', 'file');
  if (rows.length > MAX_IMPORT_ROWS)
    throw new DomainError(
      'validation_failed',
      `file: has ${rows.length} rows; import at most ${MAX_IMPORT_ROWS} at a time`,
      'file',
    );
  // Cells Excel would run as formulas were written with a leading ' by our exports (issue #14).
  const unescape = (v: string) => (/^'[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/.test(v) ? v.slice(1) : v);
  return {
    encoding,
    header: header.map((h) => h.trim()),
    rows: rows.map((r) => r.map(unescape)),
  };
}
