import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { averageSpeedOfAnswer, erlangB, erlangC, serversNeeded, serviceLevel } from './erlang-c';

/**
 * A second, independent Erlang C: the textbook closed form with powers and factorials,
 *   C(N, A) = (A^N/N! · N/(N−A)) / (Σ_{k<N} A^k/k! + A^N/N! · N/(N−A)),
 * fine for the small N these tests use (A^N/N! stays far from overflow below N ≈ 150).
 */
function erlangCDirect(n: number, a: number): number {
  let term = 1; // A^k / k!
  let sum = 0;
  for (let k = 0; k < n; k++) {
    sum += term;
    term = (term * a) / (k + 1);
  }
  const top = (term * n) / (n - a);
  return top / (sum + top);
}

const close = (actual: number, expected: number, tolerance: number, what: string) =>
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `${what}: ${actual} is not within ${tolerance} of ${expected}`,
  );

describe('Erlang C', () => {
  /*
   * Worked by hand. λ = 100 conversations an hour, AHT = 180 s ⇒ A = 100 · 180 / 3600 = 5 Erlangs.
   *
   * Erlang B by the recurrence B(k) = A·B(k−1) / (k + A·B(k−1)), B(0) = 1:
   *   B(1) = 5 / 6                          = 0.833333
   *   B(2) = 4.166667 / 6.166667            = 0.675676
   *   B(3) = 3.378378 / 6.378378            = 0.529661
   *   B(4) = 2.648305 / 6.648305            = 0.398345
   *   B(5) = 1.991726 / 6.991726            = 0.284868
   *   B(6) = 1.424340 / 7.424340            = 0.191847
   *   B(7) = 0.959235 / 7.959235            = 0.120518
   *   B(8) = 0.602590 / 8.602590            = 0.070047
   *   B(9) = 0.350235 / 9.350235            = 0.037457
   * Erlang C = N·B / (N − A·(1 − B)):
   *   C(7) = 0.843626 / (7 − 4.397410)      = 0.843626 / 2.602590 = 0.324148
   *   C(8) = 0.560376 / (8 − 4.649765)      = 0.560376 / 3.350235 = 0.167265
   *   C(9) = 0.337113 / (9 − 4.812715)      = 0.337113 / 4.187285 = 0.080509
   * Checked by the closed form with factorials: A^k/k! for k = 0…7 is 1, 5, 12.5, 20.8333,
   * 26.0417, 26.0417, 21.7014, 15.5010; Σ_{k<7} = 113.1181; top = 15.5010 · 7/2 = 54.2535;
   * C(7) = 54.2535 / 167.3716 = 0.32415 ✓. (Not the 0.1217 sometimes quoted for this case: that
   * is close to B(7), the probability of being blocked with no queue at all.)
   * Service level within t = 20 s, 1 − C·e^(−(N−A)·t/AHT):
   *   N = 7: 1 − 0.324148 · e^(−2·20/180 = −0.222222 → 0.800737) = 1 − 0.259557 = 0.740443
   *   N = 8: 1 − 0.167265 · e^(−0.333333 → 0.716531)             = 1 − 0.119851 = 0.880149
   *   N = 9: 1 − 0.080509 · e^(−0.444444 → 0.641180)             = 1 − 0.051621 = 0.948379
   * Average speed of answer C·AHT/(N−A): N = 7: 0.324148 · 180 / 2 = 29.17 s.
   * So 80 % within 20 s needs 8 slots (7 give 74 %).
   */
  it('matches the hand-worked example: A = 5 Erlangs, N = 7, 8, 9', () => {
    close(erlangB(7, 5), 0.120518, 5e-6, 'B(7)');
    close(erlangC(7, 5), 0.324148, 5e-6, 'C(7)');
    close(erlangC(8, 5), 0.167265, 5e-6, 'C(8)');
    close(erlangC(9, 5), 0.080509, 5e-6, 'C(9)');
    close(serviceLevel(7, 5, 180, 20), 0.740443, 5e-6, 'SL(7, 20 s)');
    close(serviceLevel(8, 5, 180, 20), 0.880149, 5e-6, 'SL(8, 20 s)');
    close(serviceLevel(9, 5, 180, 20), 0.948379, 5e-6, 'SL(9, 20 s)');
    close(averageSpeedOfAnswer(7, 5, 180), 29.17, 0.005, 'ASA(7)');
    const need = serversNeeded(5, 180, 20, 0.8);
    assert.equal(need.servers, 8);
    close(need.serviceLevel, 0.880149, 5e-6, 'SL at the servers found');
    close(need.waitProbability, 0.167265, 5e-6, 'C at the servers found');
  });

  it('agrees with the closed form with factorials wherever that one is safe', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 120 }),
        fc.double({ min: 0.01, max: 0.999, noNaN: true }),
        (n, load) => {
          const a = n * load; // 0 < A < N: a stable queue
          close(erlangC(n, a), erlangCDirect(n, a), 1e-9, `C(${n}, ${a})`);
        },
      ),
    );
  });

  it('stays finite where factorials overflow (2,000 slots, 1,950 Erlangs)', () => {
    const c = erlangC(2000, 1950);
    assert.ok(Number.isFinite(c) && c > 0 && c < 1, String(c));
    const sl = serviceLevel(2000, 1950, 600, 300);
    assert.ok(sl > 0 && sl < 1, String(sl));
  });

  it('N ≤ A is unstable: everyone waits, nobody is taken within any target, the wait is endless', () => {
    for (const [n, a] of [
      [5, 5],
      [4, 5],
      [1, 30],
    ] as const) {
      assert.equal(erlangC(n, a), 1);
      assert.equal(serviceLevel(n, a, 180, 300), 0);
      assert.equal(averageSpeedOfAnswer(n, a, 180), Infinity);
    }
  });

  it('no load: nobody waits', () => {
    assert.equal(erlangC(0, 0), 0);
    assert.equal(serviceLevel(0, 0, 180, 20), 1);
    assert.equal(serversNeeded(0, 180, 20, 0.9).servers, 0);
  });

  it('more slots: less waiting, a higher service level, a shorter average wait', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.1, max: 200, noNaN: true }),
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 10, max: 1200 }),
        fc.integer({ min: 0, max: 900 }),
        (a, extra, aht, t) => {
          const n = Math.floor(a) + 1 + extra;
          assert.ok(erlangC(n + 1, a) <= erlangC(n, a) + 1e-12);
          assert.ok(serviceLevel(n + 1, a, aht, t) >= serviceLevel(n, a, aht, t) - 1e-12);
          assert.ok(averageSpeedOfAnswer(n + 1, a, aht) <= averageSpeedOfAnswer(n, a, aht) + 1e-9);
        },
      ),
    );
  });

  it('serversNeeded is the fewest: it meets the level and one slot fewer does not', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.05, max: 300, noNaN: true }),
        fc.integer({ min: 30, max: 3600 }),
        fc.integer({ min: 0, max: 900 }),
        fc.double({ min: 0.5, max: 0.99, noNaN: true }),
        (a, aht, t, level) => {
          const { servers, serviceLevel: sl } = serversNeeded(a, aht, t, level);
          assert.ok(servers > a, 'more slots than Erlangs');
          assert.ok(sl >= level);
          close(sl, serviceLevel(servers, a, aht, t), 1e-9, 'the level it reports');
          assert.ok(serviceLevel(servers - 1, a, aht, t) < level, `${servers - 1} slots would do`);
        },
      ),
    );
  });
});
