/**
 * Statistics over repeated runs (seeds): mean, sample standard deviation,
 * Student's t quantiles and Welch's confidence interval for a difference of
 * means. The one place skiplab computes spread; tables, reports and sweeps
 * read it from here.
 *
 * ```ts
 * import { spread, welch } from "./stats.ts";
 * const resnet = [0.71, 0.73, 0.72], plain = [0.66, 0.69, 0.67];
 * spread(resnet); // { n: 3, mean: 0.72, std: 0.01 }
 * const ci = welch(resnet, plain); // diff 0.0467, 95% interval ≈ [0.0155, 0.0779], df 3.45
 * ```
 * @module
 */

/** n, mean and sample standard deviation (n − 1 in the denominator) of some values. */
export interface Spread {
  /** How many values. */
  n: number;
  /** Their mean; NaN when there are none. */
  mean: number;
  /** Their sample standard deviation; NaN for fewer than two values. */
  std: number;
}

/** The mean of `values` (NaN for none). */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

/**
 * The median of `values`: the middle one, or the mean of the two middle ones
 * for an even count (NaN for none).
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b), mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The sample standard deviation of `values` (NaN for fewer than two). */
export function sampleStd(values: readonly number[]): number {
  if (values.length < 2) return NaN;
  const m = mean(values);
  let s = 0;
  for (const v of values) s += (v - m) ** 2;
  return Math.sqrt(s / (values.length - 1));
}

/** n, mean and sample standard deviation of `values`. */
export function spread(values: readonly number[]): Spread {
  return { n: values.length, mean: mean(values), std: sampleStd(values) };
}

// ln Γ(x) for x > 0: Stirling's series once the argument is shifted to ≥ 15,
// where its first omitted term is below 1e-16.
function logGamma(x: number): number {
  let shift = 0;
  for (; x < 15; x += 1) shift -= Math.log(x);
  const x2 = x * x;
  const series = (1 / 12 - (1 / 360 - (1 / 1260 - (1 / 1680 - 1 / (1188 * x2)) / x2) / x2) / x2) /
    x;
  return shift + (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + series;
}

// The continued fraction of the regularised incomplete beta function,
// evaluated with the modified Lentz method; converges fast for x < (a+1)/(a+b+2).
function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1, d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < tiny ? tiny : d);
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    for (
      const num of [
        (m * (b - m) * x) / ((a + m2 - 1) * (a + m2)),
        -((a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1)),
      ]
    ) {
      d = 1 + num * d;
      d = 1 / (Math.abs(d) < tiny ? tiny : d);
      c = 1 + num / c;
      if (Math.abs(c) < tiny) c = tiny;
      h *= d * c;
    }
    if (Math.abs(d * c - 1) < 1e-15) break;
  }
  return h;
}

/** The regularised incomplete beta function I_x(a, b), for 0 ≤ x ≤ 1 and a, b > 0. */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(
    logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x),
  );
  return x < (a + 1) / (a + b + 2)
    ? (front * betaFraction(x, a, b)) / a
    : 1 - (front * betaFraction(1 - x, b, a)) / b;
}

/** P(T ≤ t) for Student's t with `df` degrees of freedom (df = Infinity: the normal). */
export function studentTCdf(t: number, df: number): number {
  if (!Number.isFinite(df)) return 0.5 * (1 + erf(t / Math.SQRT2));
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

// erf(x) = P(1/2, x²), the regularised lower incomplete gamma function: its
// series for small x², the continued fraction of the upper function for large.
function erf(x: number): number {
  const z = x * x;
  if (z === 0) return 0;
  // Lower regularised gamma P(1/2, z): series for small z, continued fraction for large.
  let p: number;
  if (z < 1.5) {
    let term = 1 / 0.5, sum = term;
    for (let k = 1; k < 200; k++) {
      term *= z / (0.5 + k);
      sum += term;
      if (term < sum * 1e-16) break;
    }
    p = sum * Math.exp(-z + 0.5 * Math.log(z) - logGamma(0.5));
  } else {
    let b = z + 0.5, c = 1e300, d = 1 / b, h = d;
    for (let i = 1; i < 300; i++) {
      const an = -i * (i - 0.5);
      b += 2;
      d = 1 / (an * d + b);
      c = b + an / c;
      h *= d * c;
      if (Math.abs(d * c - 1) < 1e-15) break;
    }
    p = 1 - Math.exp(-z + 0.5 * Math.log(z) - logGamma(0.5)) * h;
  }
  return x < 0 ? -p : p;
}

/**
 * The `p` quantile of Student's t with `df` degrees of freedom (df may be
 * fractional, as Welch's is, or Infinity), found by bisection on the CDF.
 */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`studentTQuantile: p must lie in (0, 1), got ${p}`);
  if (!(df > 0)) throw new RangeError(`studentTQuantile: df must be > 0, got ${df}`);
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  let lo = 0, hi = 1;
  while (studentTCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, hi); i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** A difference of two means with its Welch confidence interval. */
export interface WelchInterval {
  /** mean(a) − mean(b). */
  diff: number;
  /** Lower end of the interval. */
  low: number;
  /** Upper end of the interval. */
  high: number;
  /** Welch–Satterthwaite degrees of freedom. */
  df: number;
  /** Standard error of the difference. */
  se: number;
  /** The confidence level, e.g. 0.95. */
  level: number;
}

/**
 * Welch's confidence interval for mean(a) − mean(b), not assuming equal
 * variances. Each sample needs at least two values; when both have zero
 * spread the interval collapses to the difference.
 */
export function welch(a: readonly number[], b: readonly number[], level = 0.95): WelchInterval {
  if (a.length < 2 || b.length < 2) {
    throw new RangeError(
      `welch: each sample needs at least 2 values (seeds), got ${a.length} and ${b.length}`,
    );
  }
  if (!(level > 0 && level < 1)) {
    throw new RangeError(`welch: level must lie in (0, 1), got ${level}`);
  }
  const va = sampleStd(a) ** 2 / a.length, vb = sampleStd(b) ** 2 / b.length;
  const diff = mean(a) - mean(b), se = Math.sqrt(va + vb);
  if (se === 0) return { diff, low: diff, high: diff, df: a.length + b.length - 2, se, level };
  const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  const half = studentTQuantile(0.5 + level / 2, df) * se;
  return { diff, low: diff - half, high: diff + half, df, se, level };
}
