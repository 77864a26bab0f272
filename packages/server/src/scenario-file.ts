/**
 * What the simulators' scenario files share (`xiaoer routing simulate`, `xiaoer aftersales
 * simulate`): times written with their offset, errors naming the field path, and times printed in
 * the scenario's own time zone.
 */
import { TZDate } from '@date-fns/tz';
import { formatISO } from 'date-fns';
import { z } from 'zod';

/** An ISO 8601 time with its offset ("2026-11-23T09:00:00+08:00"); a bare local time is ambiguous. */
export const scenarioAt = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/,
    'must be an ISO time with an offset',
  )
  .transform((s, ctx) => {
    const ms = Date.parse(s);
    if (Number.isNaN(ms)) ctx.addIssue({ code: 'custom', message: 'not a real time' });
    return ms;
  });

/** A scenario problem, naming the field path ("events[3].agent"). */
export class ScenarioError extends Error {}

function pathOf(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');
}

/** Parses a scenario file with its schema; throws ScenarioError naming the first bad field. */
export function parseScenarioFile<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ScenarioError(`${pathOf(issue.path) || '(scenario)'}: ${issue.message}`);
  }
  return parsed.data;
}

/** A time as the scenario's time zone reads it (ISO 8601 with that zone's offset). */
export function scenarioTime(ms: number, timezone: string): string {
  return formatISO(new TZDate(ms, timezone));
}
