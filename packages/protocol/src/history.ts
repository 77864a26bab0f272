/**
 * Issue #18: the chat history's query — what GET /api/admin/history, its CSV export and the
 * console's filter form send. Every field is optional; an empty one is as if absent.
 */
import { z } from 'zod';
import type { HistoryStatus, HistoryTag } from '@xiaoer/core';

const TAGS = ['spam', 'bot', 'transferred', 'compliance'] as const satisfies readonly HistoryTag[];
const STATUSES = [
  'open',
  'bot',
  'queued',
  'assigned',
  'spam',
  'ended',
] as const satisfies readonly HistoryStatus[];

/** A form's empty field is no filter. */
const blankless = <S extends z.ZodType>(schema: S) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());
const text = (max: number) => blankless(z.string().trim().max(max));
const day = blankless(z.iso.date('must be a real date YYYY-MM-DD'));

/** `rating=1,2` (any of these scores) or `none` (not rated), comma-separated. */
const rating = blankless(
  z
    .string()
    .max(40)
    .transform((v, ctx) => {
      const out: (number | 'none')[] = [];
      for (const part of v.split(',').map((p) => p.trim())) {
        if (part === 'none') out.push('none');
        else if (/^[1-5]$/.test(part)) out.push(Number(part));
        else {
          ctx.addIssue({ code: 'custom', message: 'scores 1–5 or none, comma-separated' });
          return z.NEVER;
        }
      }
      return out;
    }),
);

/** The history's filters (all optional) and paging. */
export const historyQuery = z.object({
  buyer: text(64),
  agent: text(64),
  text: text(100),
  from: day,
  to: day,
  order: text(64),
  tag: blankless(z.enum(TAGS)),
  rating,
  status: blankless(z.enum(STATUSES)),
  cursor: text(100),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
export type HistoryQueryInput = z.infer<typeof historyQuery>;

/** The conversation a transcript is of. */
export const historyParams = z.object({ id: z.string().min(1).max(64) });
