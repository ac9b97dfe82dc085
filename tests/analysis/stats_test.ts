import assert from "node:assert/strict";
import {
  incompleteBeta,
  mean,
  sampleStd,
  spread,
  studentTCdf,
  studentTQuantile,
  welch,
} from "../../analysis/stats.ts";

const close = (got: number, want: number, tol: number, what: string) =>
  assert.ok(Math.abs(got - want) <= tol, `${what}: got ${got}, want ${want} ± ${tol}`);

// Student's t density, integrated by composite Simpson's rule: a computation
// independent of the incomplete beta function the CDF goes through.
function tDensity(x: number, df: number): number {
  const lg = (z: number) => {
    // Stirling series, accurate for z ≥ 8; shift smaller arguments up.
    let shift = 0;
    while (z < 8) shift -= Math.log(z), z += 1;
    return shift + (z - 0.5) * Math.log(z) - z + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * z) -
      1 / (360 * z ** 3) + 1 / (1260 * z ** 5);
  };
  const c = Math.exp(lg((df + 1) / 2) - lg(df / 2)) / Math.sqrt(df * Math.PI);
  return c * (1 + (x * x) / df) ** (-(df + 1) / 2);
}
function simpson(f: (x: number) => number, a: number, b: number, n = 20000): number {
  const h = (b - a) / n;
  let s = f(a) + f(b);
  for (let i = 1; i < n; i++) s += f(a + i * h) * (i % 2 ? 4 : 2);
  return (s * h) / 3;
}

Deno.test("mean, sample std and spread", () => {
  assert.equal(mean([1, 2, 3, 4]), 2.5);
  close(sampleStd([2, 4, 4, 4, 5, 5, 7, 9]), Math.sqrt(32 / 7), 1e-12, "std");
  assert.deepEqual(spread([3]), { n: 1, mean: 3, std: NaN });
  assert.ok(Number.isNaN(mean([])));
});

Deno.test("incomplete beta: closed forms", () => {
  // I_x(1, b) = 1 − (1 − x)^b and I_x(a, 1) = x^a.
  close(incompleteBeta(0.3, 1, 4), 1 - 0.7 ** 4, 1e-13, "I(1,4)");
  close(incompleteBeta(0.8, 2.5, 1), 0.8 ** 2.5, 1e-13, "I(2.5,1)");
  close(incompleteBeta(0.5, 3.7, 3.7), 0.5, 1e-13, "symmetric");
});

Deno.test("t quantiles: the printed table and df = ∞", () => {
  // Two-sided 95% critical values as printed in every statistics table.
  const table: [number, number][] = [[1, 12.706], [2, 4.303], [5, 2.571], [10, 2.228], [30, 2.042]];
  for (const [df, t] of table) close(studentTQuantile(0.975, df), t, 5e-4, `t(0.975, ${df})`);
  close(studentTQuantile(0.975, Infinity), 1.959964, 1e-6, "normal");
  close(studentTQuantile(0.025, 10), -studentTQuantile(0.975, 10), 1e-12, "symmetry");
});

Deno.test("t CDF and quantile agree with integrating the density (fractional df)", () => {
  for (const df of [1.7, 3.3, 5.882, 17.5]) {
    const q = studentTQuantile(0.975, df);
    close(0.5 + simpson((x) => tDensity(x, df), 0, q), 0.975, 1e-7, `∫ density to q, df ${df}`);
    close(studentTCdf(q, df), 0.975, 1e-10, `cdf(q), df ${df}`);
  }
});

Deno.test("welch: the textbook computation, step by step", () => {
  const a = [1, 2, 3, 4, 5], b = [2, 4, 6, 8, 10];
  // var a = 2.5, var b = 10; se² = 2.5/5 + 10/5 = 2.5; df = 2.5² / (0.5²/4 + 2²/4) = 6.25/1.0625.
  const w = welch(a, b);
  close(w.diff, -3, 1e-12, "diff");
  close(w.se, Math.sqrt(2.5), 1e-12, "se");
  close(w.df, 6.25 / 1.0625, 1e-12, "df");
  const half = studentTQuantile(0.975, 6.25 / 1.0625) * Math.sqrt(2.5);
  close(w.low, -3 - half, 1e-9, "low");
  close(w.high, -3 + half, 1e-9, "high");
  // The interval is wider than the normal one and narrower than df = 4's.
  assert.ok(half > 1.96 * Math.sqrt(2.5) && half < 2.776 * Math.sqrt(2.5));
});

Deno.test("welch: zero spread collapses, too few seeds is an error naming the rule", () => {
  const w = welch([0.5, 0.5], [0.4, 0.4]);
  close(w.low, 0.1, 1e-12, "low");
  close(w.high, 0.1, 1e-12, "high");
  assert.throws(() => welch([0.7], [0.6, 0.65]), /at least 2 values \(seeds\), got 1 and 2/);
});
