/**
 * `xiaoer routing simulate --scenario <file.json>`: parses a scenario (zod, naming the field at
 * fault), replays it through the core routing engine with a virtual clock, and formats the result
 * as JSON lines: one per decision, then one summary line. Times print in the scenario's time zone.
 */
import {
  DEFAULT_ROUTING_SETTINGS,
  ROUTE_STATUSES,
  simulate,
  validateRoutingSettings,
  type Scenario,
  type ScenarioEvent,
  type SimulationResult,
} from '@xiaoer/core';
import { z } from 'zod';
import { parseScenarioFile, scenarioAt, ScenarioError, scenarioTime } from '../scenario-file';

const at = scenarioAt;
const agentId = z.string().min(1).max(64);
const status = z.enum(['online', 'hung_up', 'offline']);

const eventSchema = z.discriminatedUnion('type', [
  z.object({ at, type: z.literal('agent-status'), agent: agentId, status }),
  z.object({ at, type: z.literal('agent-cap'), agent: agentId, cap: z.number().int().min(1).max(500) }),
  z.object({
    at,
    type: z.literal('buyer-arrives'),
    buyer: z.string().min(1),
    orderStatus: z.enum(ROUTE_STATUSES as [string, ...string[]]).default('none'),
    newCustomer: z.boolean().default(false),
    /** CRM-6: the buyer's loyalty tier rank (0: none). */
    tierRank: z.number().int().min(0).max(10).default(0),
  }),
  z.object({ at, type: z.literal('agent-ends'), buyer: z.string().min(1) }),
  z.object({ at, type: z.literal('buyer-leaves'), buyer: z.string().min(1) }),
  z
    .object({
      at,
      type: z.literal('transfer'),
      buyer: z.string().min(1),
      to: agentId.optional(),
      toGroup: z.string().min(1).optional(),
      admin: z.boolean().default(false),
    })
    .refine((e) => (e.to === undefined) !== (e.toGroup === undefined), {
      path: ['to'],
      message: 'give to (an agent) or toGroup',
    }),
  z.object({ at, type: z.literal('assign'), buyer: z.string().min(1), to: agentId }),
  z.object({ at, type: z.literal('pull'), agent: agentId }),
]);

export const scenarioSchema = z
  .object({
    timezone: z
      .string()
      .default('Asia/Shanghai')
      .refine((tz) => {
        try {
          new Intl.DateTimeFormat('en', { timeZone: tz });
          return true;
        } catch {
          return false;
        }
      }, 'unknown IANA time zone'),
    settings: z
      .object({
        mode: z.enum(['basic', 'group']).default('basic'),
        offlineRouting: z.array(agentId).default([]),
        lingerMinutes: z.number().int().min(0).max(60).default(0),
        returningBuyerHours: z.number().int().min(0).max(720).default(72),
        newCustomerPriority: z.boolean().default(true),
        priorityTierRank: z.number().int().min(0).max(10).default(0),
        offlineChats: z.enum(['keep', 'requeue']).default('keep'),
        groups: z
          .array(
            z.object({
              id: z.string(),
              name: z.string().optional(),
              statuses: z.array(z.enum(ROUTE_STATUSES as [string, ...string[]])),
              agents: z.array(agentId),
            }),
          )
          .default([]),
      })
      .default({
        mode: 'basic',
        offlineRouting: [],
        lingerMinutes: 0,
        returningBuyerHours: 72,
        newCustomerPriority: true,
        priorityTierRank: 0,
        offlineChats: 'keep',
        groups: [],
      }),
    agents: z
      .array(
        z.object({
          id: agentId,
          cap: z.number().int().min(1).max(500),
          routing: z.boolean().default(true),
          owner: z.boolean().default(false),
          status: status.default('offline'),
        }),
      )
      .min(1),
    events: z.array(eventSchema),
  })
  .superRefine((s, ctx) => {
    const ids = new Set<string>();
    for (const [i, a] of s.agents.entries()) {
      if (ids.has(a.id))
        ctx.addIssue({ code: 'custom', path: ['agents', i, 'id'], message: `duplicate agent ${a.id}` });
      ids.add(a.id);
    }
    const groups = new Set(s.settings.groups.map((g) => g.id));
    for (const [i, e] of s.events.entries()) {
      const named = 'agent' in e ? e.agent : 'to' in e ? e.to : undefined;
      if (named !== undefined && !ids.has(named))
        ctx.addIssue({
          code: 'custom',
          path: ['events', i, 'agent' in e ? 'agent' : 'to'],
          message: `unknown agent ${named}`,
        });
      if (e.type === 'transfer' && e.toGroup !== undefined && !groups.has(e.toGroup))
        ctx.addIssue({
          code: 'custom',
          path: ['events', i, 'toGroup'],
          message: `unknown group ${e.toGroup}`,
        });
    }
  });

export type ScenarioFile = z.output<typeof scenarioSchema>;

/** Parses and checks a scenario; throws ScenarioError naming the first bad field. */
export function parseScenario(input: unknown): { scenario: Scenario; timezone: string } {
  const s = parseScenarioFile(scenarioSchema, input);
  const settings = {
    ...DEFAULT_ROUTING_SETTINGS,
    ...s.settings,
    groups: s.settings.groups.map((g) => ({
      id: g.id,
      name: g.name ?? g.id,
      statuses: g.statuses as Scenario['settings']['groups'][number]['statuses'],
      agentIds: g.agents,
    })),
  };
  try {
    validateRoutingSettings(settings, new Set(s.agents.map((a) => a.id)));
  } catch (error) {
    const field = (error as { field?: string }).field;
    throw new ScenarioError(
      `settings.${(field ?? '').replace('agentIds', 'agents')}: ${(error as Error).message}`,
    );
  }
  return {
    timezone: s.timezone,
    scenario: { settings, agents: s.agents, events: s.events as ScenarioEvent[] },
  };
}

/** The simulator's output lines: decisions (and refused events) in time order, then the summary. */
export function formatSimulation(result: SimulationResult, timezone: string): string[] {
  const time = (ms: number) => scenarioTime(ms, timezone);
  const lines: { at: number; order: number; text: string }[] = [];
  result.decisions.forEach((d, i) =>
    lines.push({
      at: d.at,
      order: i,
      text: JSON.stringify({
        at: time(d.at),
        buyer: d.buyer,
        agent: d.agent,
        queued: d.queued,
        position: d.position,
        reason: d.reason,
        queue: d.queue,
        event: d.event,
      }),
    }),
  );
  result.errors.forEach((e, i) =>
    lines.push({
      at: e.at,
      order: result.decisions.length + i,
      text: JSON.stringify({
        at: time(e.at),
        error: e.code,
        field: e.field,
        message: e.message,
        event: e.event,
      }),
    }),
  );
  lines.sort((a, b) => a.at - b.at || a.order - b.order);
  return [...lines.map((l) => l.text), JSON.stringify({ summary: result.summary })];
}

/** Runs a scenario object end to end (the CLI's work, callable from tests and the bench). */
export function runScenario(input: unknown): string[] {
  const { scenario, timezone } = parseScenario(input);
  return formatSimulation(simulate(scenario), timezone);
}
