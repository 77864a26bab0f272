import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DomainError } from '../kernel';
import type { AftersalesBy } from './aftersales.types';
import {
  assertNoRunningWorkflow,
  compensate,
  planSteps,
  reportStep,
  startWorkflow,
  STEP_UNDOABLE,
  waitingStep,
  type AftersalesWorkflow,
  type WorkflowEvent,
} from './aftersales.workflow';

const boss: AftersalesBy = { by: 'agent', agent: 'li', role: 'cs_admin' };
const T = Date.parse('2026-12-03T10:00:00+08:00');

const refund: WorkflowEvent = { type: 'refund', ...boss };
const compensateAll: WorkflowEvent = {
  type: 'compensate',
  amountCents: 500,
  coupon: { amountCents: 3000, validDays: 30, scope: 'store' },
  gift: '茶具',
  ...boss,
};

describe('after-sales workflows', () => {
  it('plans approve → restock → refund with the refund (no undo) last', () => {
    assert.deepEqual(planSteps({ kind: 'return-refund' }, refund), ['restock', 'refund']);
    assert.deepEqual(planSteps({ kind: 'refund-only' }, refund), ['refund']);
    assert.deepEqual(planSteps({ kind: 'exchange' }, { type: 'reship', ...boss }), ['reserve', 'ship']);
    assert.deepEqual(planSteps({ kind: 'compensation' }, compensateAll), ['coupon', 'gift', 'refund']);
  });

  it('confirms step by step and is done at the last', () => {
    let w = startWorkflow({ kind: 'return-refund' }, refund, 'wf1', T);
    assert.equal(waitingStep(w)?.name, 'restock');
    assert.throws(
      () => assertNoRunningWorkflow(w),
      (e: DomainError) => e.field === 'workflow',
    );
    const first = reportStep(w, 'wf1.1', { ok: true, by: 'connector' }, T + 1);
    assert.equal(first.next?.name, 'refund');
    assert.equal(first.done, false);
    w = first.workflow;
    const last = reportStep(w, 'wf1.2', { ok: true, by: 'connector' }, T + 2);
    assert.equal(last.done, true);
    assert.equal(last.workflow.status, 'done');
    assert.doesNotThrow(() => assertNoRunningWorkflow(last.workflow));
  });

  it('a failure undoes the confirmed steps, newest first; the step cannot be reported again', () => {
    let w = startWorkflow({ kind: 'compensation' }, compensateAll, 'wf2', T);
    w = reportStep(w, 'wf2.1', { ok: true, by: 'connector' }, T).workflow;
    w = reportStep(w, 'wf2.2', { ok: true, by: 'connector' }, T).workflow;
    const failed = reportStep(w, 'wf2.3', { ok: false, error: '余额不足' }, T);
    assert.equal(failed.workflow.status, 'compensated');
    assert.deepEqual(
      failed.undo.map((s) => s.name),
      ['gift', 'coupon'],
    );
    assert.match(failed.workflow.error ?? '', /refund: 余额不足/);
    assert.throws(
      () => reportStep(failed.workflow, 'wf2.3', { ok: true, by: 'connector' }, T),
      (e: DomainError) => e.code === 'conflict' && e.field === 'step',
    );
    assert.throws(
      () => reportStep(failed.workflow, 'nope', { ok: true, by: 'connector' }, T),
      (e: DomainError) => e.code === 'not_found' && e.field === 'step',
    );
  });

  it('property: whatever fails where, every undoable confirmed step is undone once, nothing else', () => {
    const events: WorkflowEvent[] = [refund, compensateAll, { type: 'reship', ...boss }];
    fc.assert(
      fc.property(
        fc.constantFrom(...events),
        fc.constantFrom('return-refund', 'exchange', 'compensation', 'refund-only', 'reship' as const),
        fc.nat(5),
        (event, kind, failAt) => {
          let w: AftersalesWorkflow = startWorkflow({ kind }, event, 'wf', T);
          const confirmed: string[] = [];
          let undo: string[] = [];
          for (let i = 0; w.status === 'running'; i++) {
            const step = waitingStep(w)!;
            if (i === failAt) {
              const out = reportStep(w, step.id, { ok: false, error: 'x' }, T);
              undo = out.undo.map((s) => s.id);
              w = out.workflow;
            } else {
              confirmed.push(step.id);
              w = reportStep(w, step.id, { ok: true, by: 'manual' }, T).workflow;
            }
          }
          const expectedUndo =
            w.status === 'compensated'
              ? confirmed.filter((id) => STEP_UNDOABLE[w.steps.find((s) => s.id === id)!.name]).reverse()
              : [];
          assert.deepEqual(undo, expectedUndo);
          // A refund is never undone: it is last, so a failure never follows a confirmed one.
          assert.ok(!undo.some((id) => w.steps.find((s) => s.id === id)!.name === 'refund'));
          assert.ok(w.steps.every((s) => s.status !== 'waiting' && s.status !== 'pending'));
        },
      ),
    );
  });

  it('superseded by the case moving on: the running step fails, confirmed undoable steps are undone', () => {
    let w = startWorkflow({ kind: 'exchange' }, { type: 'reship', ...boss }, 'wf3', T);
    w = reportStep(w, 'wf3.1', { ok: true, by: 'connector' }, T).workflow;
    const out = compensate(w, 'superseded', 'case became closed', T);
    assert.equal(out.workflow.status, 'superseded');
    assert.deepEqual(
      out.undo.map((s) => s.name),
      ['reserve'],
    );
    assert.equal(out.workflow.steps[1]!.status, 'failed');
  });

  it('a step left unanswered is called off; confirmed late, an undoable one is undone, a refund is reported late', () => {
    const w = startWorkflow({ kind: 'refund-only' }, refund, 'wf4', T);
    const timedOut = compensate(w, 'compensated', 'refund: timeout', T + 1);
    assert.equal(timedOut.cancel?.id, 'wf4.1');
    assert.equal(timedOut.cancel?.cancelled, true);
    const late = reportStep(timedOut.workflow, 'wf4.1', { ok: true, by: 'connector' }, T + 2);
    assert.equal(late.late?.name, 'refund');
    assert.equal(late.late?.status, 'confirmed');
    assert.deepEqual(late.undo, []);
    assert.equal(reportStep(late.workflow, 'wf4.1', { ok: true, by: 'connector' }, T + 3).repeat, true);
    let c = startWorkflow({ kind: 'compensation' }, compensateAll, 'wf5', T);
    c = compensate(c, 'superseded', 'case became closed', T).workflow;
    const coupon = reportStep(c, 'wf5.1', { ok: true, by: 'connector' }, T);
    assert.deepEqual(
      coupon.undo.map((x) => x.name),
      ['coupon'],
    );
    // A step never sent (pending when the workflow ended) cannot be confirmed.
    assert.throws(
      () => reportStep(c, 'wf5.2', { ok: true, by: 'connector' }, T),
      (e: DomainError) => e.field === 'step',
    );
  });
});
