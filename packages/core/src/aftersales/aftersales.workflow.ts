/**
 * After-sales workflows with compensation (issue #19, modelled on Medusa v2's return and exchange
 * workflows). A decision that the shop's platform must carry out — approve, reject, refund,
 * restock, reserve and ship a replacement, issue a coupon — is a sequence of steps. Each step goes
 * out as an `aftersales.step` webhook event for the shop's connector to perform on the platform,
 * and the case waits for its confirmation. When every step is confirmed the decision is applied
 * to the case through the engine (one state change, never half of one). When a step fails (or
 * times out), the steps already confirmed are undone in reverse order (`aftersales.undo`) and the
 * case stays where it was, flagged, so nothing is left inconsistent.
 *
 * Steps that cannot be undone (a refund: money sent is not taken back) come last, so a failure
 * never needs to undo them. Pure: every function returns a new workflow.
 */
import { DomainError, notFound } from '../kernel';
import type { AftersalesCase, AftersalesEvent, AftersalesStatus } from './aftersales.types';

/** A platform action the connector performs. */
export type AftersalesStepName =
  'approve' | 'reject' | 'restock' | 'refund' | 'reserve' | 'ship' | 'coupon' | 'gift';

/** Whether each step has an undo (`aftersales.undo`); a refund has none and so always runs last. */
export const STEP_UNDOABLE: Readonly<Record<AftersalesStepName, boolean>> = {
  approve: false,
  reject: false,
  restock: true,
  refund: false,
  reserve: true,
  ship: false,
  coupon: true,
  gift: true,
};

export type AftersalesStepStatus = 'pending' | 'waiting' | 'confirmed' | 'failed' | 'undone';

export interface AftersalesStep {
  /** `<workflow id>.<index>`: what the connector confirms. */
  id: string;
  name: AftersalesStepName;
  status: AftersalesStepStatus;
  /** Who confirmed it: the shop's connector, or xiaoer when the shop has none listening. */
  confirmedBy?: 'connector' | 'manual';
  error?: string;
  at?: number;
  /** Sent and never answered before its workflow ended: the connector was told to drop it. */
  cancelled?: boolean;
}

/** The decisions a workflow carries (the engine event applied when every step is confirmed). */
export type WorkflowEvent = Extract<
  AftersalesEvent,
  { type: 'approve' | 'reject' | 'refund' | 'reship' | 'compensate' }
>;

export interface AftersalesWorkflow {
  id: string;
  /** The decision, applied to the case when the last step is confirmed. */
  event: WorkflowEvent;
  steps: AftersalesStep[];
  status: 'running' | 'done' | 'compensated' | 'superseded';
  startedAt: number;
  finishedAt: number | null;
  /** Why it was compensated or superseded. */
  error: string | null;
  /** The status the decision takes the case to (a case that got there anyway needs no undo). */
  target?: AftersalesStatus;
}

/** The steps a decision needs on the platform, in order (undoable ones first). */
export function planSteps(c: Pick<AftersalesCase, 'kind'>, event: WorkflowEvent): AftersalesStepName[] {
  switch (event.type) {
    case 'approve':
      return ['approve'];
    case 'reject':
      return ['reject'];
    // approve → refund → restock, ordered so the refund (no undo) goes last.
    case 'refund':
      return c.kind === 'return-refund' ? ['restock', 'refund'] : ['refund'];
    // exchange → reserve → ship.
    case 'reship':
      return ['reserve', 'ship'];
    case 'compensate': {
      const steps: AftersalesStepName[] = [];
      if (event.coupon) steps.push('coupon');
      if (event.gift) steps.push('gift');
      if (event.amountCents !== undefined && event.amountCents > 0) steps.push('refund');
      return steps;
    }
  }
}

/** A new workflow: its first step waiting for the connector, the rest pending. */
export function startWorkflow(
  c: Pick<AftersalesCase, 'kind'>,
  event: WorkflowEvent,
  id: string,
  now: number,
): AftersalesWorkflow {
  const names = planSteps(c, event);
  return {
    id,
    event,
    steps: names.map((name, i) => ({
      id: `${id}.${i + 1}`,
      name,
      status: i === 0 ? 'waiting' : 'pending',
      ...(i === 0 ? { at: now } : {}),
    })),
    status: names.length === 0 ? 'done' : 'running',
    startedAt: now,
    finishedAt: names.length === 0 ? now : null,
    error: null,
  };
}

/** The step waiting for its confirmation, if any. */
export function waitingStep(w: AftersalesWorkflow | null | undefined): AftersalesStep | undefined {
  return w?.status === 'running' ? w.steps.find((s) => s.status === 'waiting') : undefined;
}

/** What a confirmation did: the workflow, the next step to send, the steps to undo. */
export interface StepOutcome {
  workflow: AftersalesWorkflow;
  /** The step now waiting (to send to the connector), if the workflow goes on. */
  next: AftersalesStep | null;
  /** Confirmed steps to undo, newest first (after a failure). */
  undo: AftersalesStep[];
  /** True when the last step was confirmed: apply `workflow.event` to the case. */
  done: boolean;
  /**
   * The step that was waiting when the workflow ended without the connector's answer (a timeout, or
   * the case moved on): the connector must not perform it, or take it back if it already has.
   */
  cancel?: AftersalesStep;
  /** The same report again (a retry of the connector's call): nothing changed. */
  repeat?: boolean;
  /**
   * A step confirmed after its workflow ended (a timeout, or the case moved on): it happened on
   * the platform. An undoable one is to be undone; any other is for a person to reconcile.
   */
  late?: AftersalesStep;
}

/**
 * The connector (or xiaoer, for a shop without one) reports a step: done, or failed with why.
 * Throws naming `step` for a step that is not the one waiting.
 */
export function reportStep(
  w: AftersalesWorkflow,
  stepId: string,
  report: { ok: true; by: 'connector' | 'manual' } | { ok: false; error: string },
  now: number,
): StepOutcome {
  const index = w.steps.findIndex((s) => s.id === stepId);
  if (index < 0) throw notFound('step', 'step');
  const step = w.steps[index]!;
  // The connector's retry of a report already taken: answered the same, nothing changes.
  if (
    (report.ok && (step.status === 'confirmed' || (step.cancelled && step.status === 'undone'))) ||
    (!report.ok && step.status === 'failed')
  )
    return { workflow: w, next: null, undo: [], done: false, repeat: true };
  // Done after all, once the workflow had ended without it: the platform did it; say so.
  if (report.ok && step.status === 'failed' && step.cancelled && w.status !== 'running') {
    const late: AftersalesStep = { ...step, status: 'confirmed', confirmedBy: 'connector', at: now };
    const undone: AftersalesStep = { ...late, status: 'undone' };
    const kept = STEP_UNDOABLE[step.name] ? undone : late;
    return {
      workflow: { ...w, steps: w.steps.map((s, i) => (i === index ? kept : s)) },
      next: null,
      undo: STEP_UNDOABLE[step.name] ? [undone] : [],
      done: false,
      late: kept,
    };
  }
  if (w.status !== 'running' || step.status !== 'waiting')
    throw new DomainError(
      'conflict',
      `step: step ${stepId} (${step.name}) is ${w.status === 'running' ? step.status : `in a ${w.status} workflow`}; only the waiting step can be reported`,
      'step',
      { issue: 'aftersales_step_not_waiting', status: step.status, workflow: w.status },
    );
  const steps = w.steps.slice();
  if (report.ok) {
    steps[index] = { ...step, status: 'confirmed', confirmedBy: report.by, at: now };
    const following = steps[index + 1];
    if (following) {
      steps[index + 1] = { ...following, status: 'waiting', at: now };
      return { workflow: { ...w, steps }, next: steps[index + 1]!, undo: [], done: false };
    }
    return {
      workflow: { ...w, steps, status: 'done', finishedAt: now },
      next: null,
      undo: [],
      done: true,
    };
  }
  steps[index] = { ...step, status: 'failed', error: report.error.slice(0, 500), at: now };
  return compensate({ ...w, steps }, 'compensated', `${step.name}: ${report.error}`.slice(0, 500), now);
}

/**
 * Ends a running workflow and undoes what it did: after a failure ("compensated"), or because the
 * case moved on before it finished ("superseded": a deadline acted first).
 */
export function compensate(
  w: AftersalesWorkflow,
  status: 'compensated' | 'superseded',
  error: string,
  now: number,
): StepOutcome {
  const undo: AftersalesStep[] = [];
  let cancel: AftersalesStep | undefined;
  const steps = w.steps.map((s) => {
    if (s.status === 'confirmed' && STEP_UNDOABLE[s.name]) {
      const undone: AftersalesStep = { ...s, status: 'undone', at: now };
      undo.unshift(undone);
      return undone;
    }
    if (s.status === 'waiting') {
      // Sent and not answered: the connector is told not to perform it (or to take it back).
      cancel = { ...s, status: 'failed' as const, error, at: now, cancelled: true };
      return cancel;
    }
    if (s.status === 'pending') return { ...s, status: 'failed' as const, error: 'not started', at: now };
    return s;
  });
  return {
    workflow: { ...w, steps, status, finishedAt: now, error },
    next: null,
    undo,
    done: false,
    ...(cancel ? { cancel } : {}),
  };
}

/** Refuses a second decision while one is waiting for the shop's system (AS-7: one at a time). */
export function assertNoRunningWorkflow(w: AftersalesWorkflow | null | undefined): void {
  const step = waitingStep(w);
  if (step)
    throw new DomainError(
      'conflict',
      `workflow: waiting for the shop's system to confirm "${step.name}" (step ${step.id})`,
      'workflow',
      { issue: 'aftersales_workflow_running', step: step.name },
    );
}
