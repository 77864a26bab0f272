import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { checkProactive } from '../compliance/cmp6-proactive.rule';
import { DEFAULT_PROACTIVE_SETTINGS } from '../compliance/compliance.types';
import { DAY, HOUR, MINUTE } from '../kernel';
import { advanceRun, planRun, runKey, startRun, type JourneyShop } from './journey.engine';
import { journeyTemplates } from './journey.templates';
import type { JourneyBuyerFacts, JourneyDefinition, JourneyEffect, JourneyRun } from './journey.types';
import { validateJourney } from './journey.validate';

const shop: JourneyShop = {
  name: '小二旗舰店',
  timeZone: 'Asia/Shanghai',
  proactive: DEFAULT_PROACTIVE_SETTINGS,
};
// 2026-12-01 10:00 in Shanghai.
const T0 = Date.UTC(2026, 11, 1, 2, 0);
const template = (id: string): JourneyDefinition => journeyTemplates().find((t) => t.id === id)!.definition;
const facts = (over: Partial<JourneyBuyerFacts> = {}): JourneyBuyerFacts => ({
  nick: '小王',
  orderTimes: [T0 - 5 * DAY],
  reviewedOrder: false,
  tierRank: 0,
  tierName: '',
  tags: [],
  optedOut: false,
  proactiveSent: [],
  ...over,
});
const order = { orderId: 'T1001', orderItem: '保温杯 500ml', carrier: '中通', trackingNo: 'ZT123' };

/** Drives a run with a fake clock: advances at every due time up to `until`, keeping the sends. */
function drive(
  def: JourneyDefinition,
  run: JourneyRun,
  until: number,
  buyer: (now: number) => JourneyBuyerFacts = () => facts(),
): { run: JourneyRun; sends: { at: number; effect: JourneyEffect }[] } {
  const sends: { at: number; effect: JourneyEffect }[] = [];
  let sent: number[] = [];
  for (let i = 0; i < 100 && run.status === 'active' && run.dueAt <= until; i++) {
    const now = run.dueAt;
    const out = advanceRun(def, run, { ...buyer(now), proactiveSent: sent }, now, shop);
    for (const e of out.effects) {
      sends.push({ at: now, effect: e });
      if (e.kind === 'send') sent = [...sent, now];
    }
    run = out.run;
  }
  return { run, sends };
}

describe('journey engine (fake clock)', () => {
  it('CRM-2: asks after receipt, thanks with a coupon, invites a review only if none was written', () => {
    const def = template('follow-up');
    const run = startRun('r1', 'j1', 's1', 'b1', order, T0);
    const first = advanceRun(def, run, facts(), T0, shop);
    assert.deepEqual(first.effects, [], 'nothing on receipt: the first step waits a day');
    assert.equal(first.run.dueAt, T0 + DAY);

    const { run: end, sends } = drive(def, run, T0 + 30 * DAY);
    assert.deepEqual(
      sends.map((s) => [s.effect.kind, (s.at - T0) / HOUR]),
      [
        ['send', 24],
        ['coupon', 96],
        ['send', 96],
        ['send', 168],
      ],
    );
    const texts = sends.flatMap((s) => (s.effect.kind === 'send' ? [s.effect.text] : []));
    assert.match(texts[0]!, /^小王您好，您的「保温杯 500ml」已经签收了/);
    assert.match(texts[1]!, /5元无门槛券，1月4日前/);
    assert.equal(end.status, 'done');

    const reviewed = drive(def, run, T0 + 30 * DAY, () => facts({ reviewedOrder: true }));
    assert.equal(reviewed.sends.filter((s) => s.effect.kind === 'send').length, 2);
    assert.deepEqual([reviewed.run.status, reviewed.run.stopReason], ['stopped', 'condition_failed']);
  });

  it('CRM-7: the review care asks after a poor review an hour later, and leaves a good one alone', () => {
    const def = template('review-care');
    const poor = drive(def, startRun('r9', 'j9', 's1', 'b1', { ...order, reviewRating: 2 }, T0), T0 + DAY);
    assert.deepEqual(
      poor.sends.map((s) => (s.at - T0) / MINUTE),
      [60],
    );
    assert.match((poor.sends[0]!.effect as { text: string }).text, /看到您对「保温杯 500ml」的评价/);
    const good = drive(def, startRun('r10', 'j9', 's1', 'b1', { ...order, reviewRating: 5 }, T0), T0 + DAY);
    assert.deepEqual(good.sends, []);
    assert.deepEqual([good.run.status, good.run.stopReason], ['stopped', 'condition_failed']);
  });

  it('CRM-4: the win-back sends a coupon after 30 days, an offer after 60, then stops', () => {
    const def = template('win-back');
    const run = startRun('r2', 'j2', 's1', 'b1', { orderId: 'T1' }, T0);
    const { run: end, sends } = drive(def, run, T0 + 200 * DAY);
    const messages = sends.filter((s) => s.effect.kind === 'send');
    assert.deepEqual(
      messages.map((s) => (s.at - T0) / DAY),
      [30, 60],
    );
    assert.match((messages[0]!.effect as { text: string }).text, /满99减10元券/);
    assert.match((messages[1]!.effect as { text: string }).text, /满129减20元/);
    assert.equal(end.status, 'done');
  });

  it('CRM-4: a purchase stops the win-back, whatever step it is at', () => {
    const def = template('win-back');
    const run = startRun('r3', 'j2', 's1', 'b1', { orderId: 'T1' }, T0);
    const orderAt = T0 + 40 * DAY;
    const buyer = (now: number) => facts({ orderTimes: now >= orderAt ? [T0, orderAt] : [T0] });
    const { run: end, sends } = drive(def, run, T0 + 200 * DAY, buyer);
    assert.deepEqual(
      sends.filter((s) => s.effect.kind === 'send').map((s) => (s.at - T0) / DAY),
      [30],
    );
    assert.deepEqual([end.status, end.stopReason], ['stopped', 'ordered']);
  });

  it('CMP-6: a message due in quiet hours waits for the morning; one over the cap waits for the window', () => {
    const def = template('logistics-notice');
    // 23:30 in Shanghai.
    const night = Date.UTC(2026, 11, 1, 15, 30);
    const run = startRun('r4', 'j3', 's1', 'b1', { ...order, parcelIssue: '因暴雪停运' }, night);
    const held = advanceRun(def, run, facts(), night, shop);
    assert.deepEqual(held.effects, []);
    assert.equal(held.run.dueAt, Date.UTC(2026, 11, 2, 0, 0), '08:00 the next morning');
    assert.equal(held.run.step, 0);
    const sent = advanceRun(def, held.run, facts(), held.run.dueAt, shop);
    assert.equal(sent.effects.length, 1);
    assert.match((sent.effects[0] as { text: string }).text, /中通 ZT123）因暴雪停运/);

    // Another journey (or an agent) wrote to the buyer two hours ago: CMP-6 counts it.
    const capped = advanceRun(
      def,
      startRun('r5', 'j3', 's1', 'b1', order, T0),
      facts({ proactiveSent: [T0 - 2 * HOUR] }),
      T0,
      shop,
    );
    assert.deepEqual(capped.effects, []);
    assert.equal(capped.run.dueAt, T0 + 22 * HOUR);
  });

  it('an opted-out buyer gets nothing more; a shop with a cap of 0 stops the run as blocked', () => {
    const def = template('logistics-notice');
    const run = startRun('r6', 'j3', 's1', 'b1', order, T0);
    const out = advanceRun(def, run, facts({ optedOut: true }), T0, shop);
    assert.deepEqual([out.effects, out.run.status, out.run.stopReason], [[], 'stopped', 'opted_out']);
    const none = { ...shop, proactive: { ...shop.proactive, maxPerDay: 0 } };
    const blocked = advanceRun(def, run, facts(), T0, none);
    assert.deepEqual(
      [blocked.effects, blocked.run.status, blocked.run.stopReason],
      [[], 'stopped', 'blocked'],
    );
  });

  it('a step run again (a crash before the run was saved) yields the same keys; a saved run yields nothing', () => {
    const def = template('follow-up');
    const run = { ...startRun('r7', 'j1', 's1', 'b1', order, T0), step: 1, dueAt: T0 + DAY };
    const a = advanceRun(def, run, facts(), T0 + DAY, shop);
    const b = advanceRun(def, run, facts(), T0 + DAY + MINUTE, shop);
    assert.deepEqual(
      a.effects.map((e) => e.key),
      ['r7:1'],
    );
    assert.deepEqual(
      b.effects.map((e) => e.key),
      a.effects.map((e) => e.key),
    );
    assert.deepEqual(advanceRun(def, a.run, facts(), T0 + DAY, shop).effects, []);
  });

  it('one run per journey, buyer and triggering thing', () => {
    assert.equal(runKey('j', 'b', { orderId: 'T1' }), 'j:b:T1');
    assert.notEqual(runKey('j', 'b', { orderId: 'T1' }), runKey('j', 'b', { orderId: 'T2' }));
    assert.equal(runKey('j', 'b', { date: '2027-01-01', holiday: '元旦' }), 'j:b:2027-01-01');
  });

  it('dry run: who would get what and when, with quiet hours applied, and nothing changed', () => {
    const def = template('win-back');
    // A first purchase at 23:00: thirty days later falls in quiet hours, so the coupon goes at 08:00,
    // and the second wait is counted from when the first message really went.
    const late = Date.UTC(2026, 11, 1, 15, 0); // 23:00 Shanghai
    const run = startRun('r8', 'j2', 's1', 'b1', { orderId: 'T1' }, late);
    const plan = planRun(def, run, facts(), shop, late + 90 * DAY);
    assert.deepEqual(
      plan.sends.map((s) => new Date(s.at).toISOString()),
      ['2027-01-01T00:00:00.000Z', '2027-01-31T00:00:00.000Z'],
    );
    assert.deepEqual(
      plan.sends.map((s) => s.coupon?.amountCents),
      [1000, 2000],
    );
    assert.equal(run.status, 'active', 'the run given is not changed');
    const short = planRun(def, run, facts(), shop, late + 45 * DAY);
    assert.equal(short.sends.length, 1, 'a horizon cuts the plan');
  });
});

describe('journey engine properties', () => {
  const msg = (t: string) => ({ kind: 'message', template: t });
  const stepArb = fc.oneof(
    fc.integer({ min: 1, max: 24 * 40 }).map((hours) => ({ kind: 'wait', hours })),
    fc.constant(msg('{buyerNick}，您好')),
    fc.constant({ kind: 'condition', test: { kind: 'no_order_since_start' } }),
    fc.constant({ kind: 'coupon', coupon: { amountCents: 500, minSpendCents: 0, validDays: 30 } }),
  );
  const settingsArb = fc.record({
    maxPerDay: fc.integer({ min: 1, max: 3 }),
    maxPerWeek: fc.integer({ min: 3, max: 6 }),
    quietStart: fc.constantFrom('22:00', '21:30', '00:00'),
    quietEnd: fc.constantFrom('08:00', '07:00', '00:00'),
  });

  it('CMP-6 holds for every send (with other senders too), each step sends at most once, runs end', () => {
    fc.assert(
      fc.property(
        fc.array(stepArb, { minLength: 1, maxLength: 12 }),
        settingsArb,
        fc.array(fc.integer({ min: 0, max: 90 * 24 }), { maxLength: 6 }),
        fc.integer({ min: 0, max: 24 * 60 - 1 }),
        (rawSteps, proactive, otherHours, startMinute) => {
          const s = { ...shop, proactive };
          let def: JourneyDefinition;
          try {
            def = validateJourney(
              { name: 'p', trigger: { kind: 'first_purchase' }, steps: [...rawSteps, msg('再见')] },
              { proactive, couponMinValidDays: 30 },
            );
          } catch {
            return; // a journey the rules refuse never runs
          }
          const start = T0 + startMinute * MINUTE;
          // Other journeys' and agents' proactive messages to the same buyer, already sent.
          const others = otherHours.map((h) => start - h * HOUR).filter((t) => t < start);
          let run = startRun('p', 'j', 's', 'b', {}, start);
          let sent = [...others];
          const keys = new Set<string>();
          for (let i = 0; i < 200 && run.status === 'active'; i++) {
            const now = run.dueAt;
            const out = advanceRun(def, run, facts({ proactiveSent: sent }), now, s);
            for (const e of out.effects) {
              assert.ok(!keys.has(e.key), `step ${e.key} ran twice`);
              keys.add(e.key);
              if (e.kind !== 'send') continue;
              const verdict = checkProactive({
                sentTimestamps: sent,
                now,
                tz: s.timeZone,
                settings: proactive,
              });
              assert.equal(verdict.verdict, 'pass', `send at ${new Date(now).toISOString()} broke CMP-6`);
              sent = [...sent, now];
            }
            assert.ok(out.run.status !== 'active' || out.run.dueAt > now, 'an active run is due later');
            run = out.run;
          }
          assert.notEqual(run.status, 'active', 'the run ended');
        },
      ),
      { numRuns: 300 },
    );
  });
});
