import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_PROACTIVE_SETTINGS } from '../compliance/compliance.types';
import { DomainError } from '../kernel';
import { journeyTemplates } from './journey.templates';
import { validateJourney, type JourneyRules } from './journey.validate';
import { inSegment, validateSegment } from './segment';

const rules: JourneyRules = { proactive: DEFAULT_PROACTIVE_SETTINGS, couponMinValidDays: 30 };

/** The field and issue a refusal names. */
function refusal(fn: () => unknown): { field?: string; issue?: string } {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof DomainError, String(error));
    assert.equal(error.code, 'validation_failed');
    return { field: error.field, issue: (error.details as { issue?: string } | undefined)?.issue };
  }
  assert.fail('was accepted');
}

const journey = (steps: unknown[], extra: Record<string, unknown> = {}) => ({
  name: '测试旅程',
  trigger: { kind: 'order_received' },
  steps,
  ...extra,
});

describe('journeys are checked whole when saved', () => {
  it('CRM-2 … CRM-8: every shipped template passes the default rules, in both languages', () => {
    for (const locale of ['zh-CN', 'en'] as const)
      for (const t of journeyTemplates(locale)) {
        const checked = validateJourney(t.definition, rules);
        assert.deepEqual(checked, t.definition, `${locale} ${t.id}`);
      }
    assert.deepEqual(
      journeyTemplates().map((t) => t.rule),
      ['CRM-2', 'CRM-3', 'CRM-4', 'CRM-5', 'CRM-5', 'CRM-8', 'CRM-7'],
    );
  });

  it('CRM-7: a rating condition needs a journey started by a review, and 1 to 5 stars', () => {
    const care = (test: unknown, trigger = 'review_posted') =>
      journey(
        [
          { kind: 'condition', test },
          { kind: 'message', template: '您好' },
        ],
        { trigger: { kind: trigger } },
      );
    assert.deepEqual(validateJourney(care({ kind: 'rating_at_most', rating: 2 }), rules).steps[0], {
      kind: 'condition',
      test: { kind: 'rating_at_most', rating: 2 },
    });
    assert.deepEqual(
      refusal(() => validateJourney(care({ kind: 'rating_at_most', rating: 2 }, 'order_received'), rules)),
      {
        field: 'steps[0].test.kind',
        issue: 'trigger',
      },
    );
    assert.deepEqual(
      refusal(() => validateJourney(care({ kind: 'rating_at_least', rating: 6 }), rules)),
      {
        field: 'steps[0].test.rating',
        issue: 'range',
      },
    );
  });

  it('refuses a template with an unknown variable, naming the step and the variable', () => {
    assert.deepEqual(
      refusal(() => validateJourney(journey([{ kind: 'message', template: '您好{buyerName}' }]), rules)),
      { field: 'steps[0].template', issue: 'unknown_variable' },
    );
  });

  it("refuses a variable the trigger does not supply, and a coupon's amount before any coupon", () => {
    const arrival = { trigger: { kind: 'new_arrival' } };
    assert.deepEqual(
      refusal(() =>
        validateJourney(journey([{ kind: 'message', template: '{orderItem}到了' }], arrival), rules),
      ),
      { field: 'steps[0].template', issue: 'variable_unavailable' },
    );
    assert.deepEqual(
      refusal(() => validateJourney(journey([{ kind: 'message', template: '送您{couponAmount}元' }]), rules)),
      { field: 'steps[0].template', issue: 'variable_unavailable' },
    );
    const coupon = { kind: 'coupon', coupon: { amountCents: 500, minSpendCents: 0, validDays: 30 } };
    assert.equal(
      validateJourney(journey([coupon, { kind: 'message', template: '送您{couponAmount}元' }]), rules).steps
        .length,
      2,
    );
  });

  it('AS-5: refuses a coupon valid for less than the shop floor', () => {
    const short = { kind: 'coupon', coupon: { amountCents: 3000, minSpendCents: 0, validDays: 3 } };
    assert.deepEqual(
      refusal(() => validateJourney(journey([short, { kind: 'message', template: 'hi' }]), rules)),
      { field: 'steps[0].coupon.validDays', issue: 'coupon_validity' },
    );
    const threshold = { kind: 'coupon', coupon: { amountCents: 3000, minSpendCents: 2000, validDays: 30 } };
    assert.equal(
      refusal(() => validateJourney(journey([threshold, { kind: 'message', template: 'hi' }]), rules)).field,
      'steps[0].coupon.minSpendCents',
    );
  });

  it('CMP-6: refuses a journey whose own messages exceed the daily or weekly cap', () => {
    const msg = { kind: 'message', template: '您好' };
    assert.deepEqual(
      refusal(() => validateJourney(journey([msg, { kind: 'wait', hours: 2 }, msg]), rules)),
      { field: 'steps[2]', issue: 'proactive_cap' },
    );
    // Four messages a day apart: the daily cap holds, the weekly one (3) does not.
    const daily = [
      msg,
      { kind: 'wait', hours: 24 },
      msg,
      { kind: 'wait', hours: 24 },
      msg,
      { kind: 'wait', hours: 24 },
      msg,
    ];
    assert.deepEqual(
      refusal(() => validateJourney(journey(daily), rules)),
      {
        field: 'steps[6]',
        issue: 'proactive_cap',
      },
    );
    const spaced = [
      msg,
      { kind: 'wait', hours: 72 },
      msg,
      { kind: 'wait', hours: 72 },
      msg,
      { kind: 'wait', hours: 72 },
      msg,
    ];
    assert.equal(validateJourney(journey(spaced), rules).steps.length, 7);
    const none = { ...rules, proactive: { ...rules.proactive, maxPerDay: 0 } };
    assert.deepEqual(
      refusal(() => validateJourney(journey([msg]), none)),
      { field: 'steps[0]', issue: 'proactive_cap' },
    );
  });

  it('refuses steps after a stop, a journey without a message, bad triggers and bad waits', () => {
    assert.equal(
      refusal(() =>
        validateJourney(
          journey([{ kind: 'message', template: 'a' }, { kind: 'stop' }, { kind: 'wait', hours: 1 }]),
          rules,
        ),
      ).issue,
      'unreachable',
    );
    assert.equal(
      refusal(() => validateJourney(journey([{ kind: 'wait', hours: 5 }]), rules)).issue,
      'no_message',
    );
    assert.equal(
      refusal(() =>
        validateJourney(
          journey([{ kind: 'message', template: 'a' }], { trigger: { kind: 'birthday' } }),
          rules,
        ),
      ).field,
      'trigger.kind',
    );
    assert.equal(
      refusal(() =>
        validateJourney(
          journey([{ kind: 'message', template: 'a' }], {
            trigger: { kind: 'date', date: '2027-02-30', holiday: 'x' },
          }),
          rules,
        ),
      ).field,
      'trigger.date',
    );
    assert.equal(
      refusal(() =>
        validateJourney(
          journey([
            { kind: 'wait', hours: -1 },
            { kind: 'message', template: 'a' },
          ]),
          rules,
        ),
      ).field,
      'steps[0].hours',
    );
    assert.equal(
      refusal(() => validateJourney(journey([{ kind: 'message', template: '  ' }]), rules)).field,
      'steps[0].template',
    );
    assert.equal(
      refusal(() => validateJourney({ ...journey([{ kind: 'message', template: 'a' }]), name: '' }, rules))
        .field,
      'name',
    );
  });

  it('CRM-1: refuses a segment with an unknown field or one no buyer can be in', () => {
    assert.deepEqual(
      refusal(() =>
        validateJourney(journey([{ kind: 'message', template: 'a' }], { audience: { tag: ['x'] } }), rules),
      ),
      { field: 'audience.tag', issue: 'unknown_field' },
    );
    assert.equal(
      refusal(() => validateSegment({ orderedWithinDays: 30, notOrderedForDays: 60 })).issue,
      'empty_segment',
    );
  });
});

describe('CRM-1 segments', () => {
  const now = Date.UTC(2026, 11, 1);
  const day = 86_400_000;
  const buyer = { tags: ['宝妈', '复购'], spentCents: 50_000, lastOrderAt: now - 40 * day, tierRank: 2 };

  it('holds when every given part holds; tags match any', () => {
    assert.equal(inSegment({}, buyer, now), true);
    assert.equal(inSegment({ tags: ['学生', '宝妈'] }, buyer, now), true);
    assert.equal(inSegment({ tags: ['学生'] }, buyer, now), false);
    assert.equal(inSegment({ minSpendCents: 50_000, minTierRank: 2 }, buyer, now), true);
    assert.equal(inSegment({ minSpendCents: 50_001 }, buyer, now), false);
    assert.equal(inSegment({ minTierRank: 3 }, buyer, now), false);
  });

  it('orders: within N days, or not for N days (never-buyers are in neither)', () => {
    assert.equal(inSegment({ orderedWithinDays: 30 }, buyer, now), false);
    assert.equal(inSegment({ orderedWithinDays: 45 }, buyer, now), true);
    assert.equal(inSegment({ notOrderedForDays: 30 }, buyer, now), true);
    assert.equal(inSegment({ notOrderedForDays: 45 }, buyer, now), false);
    const never = { ...buyer, lastOrderAt: null };
    assert.equal(inSegment({ notOrderedForDays: 30 }, never, now), false);
    assert.equal(inSegment({ orderedWithinDays: 30 }, never, now), false);
  });
});
