/**
 * The study's headline numbers: test-accuracy differences between settings
 * (ResNet-18 − its no-skip ablation, ResNet-18 − the baseline CNN) over
 * seeds, with Welch's 95% confidence interval, for each initialiser a suite
 * trained with.
 * @module
 */
import { paperKey } from "./paper_reference.ts";
import type { RunData } from "./run_files.ts";
import { mean, welch } from "./stats.ts";

/** One difference of mean test accuracy between two settings. */
export interface AccuracyEffect {
  /** What is compared, e.g. `ResNet-18 − no-skip`. */
  readonly label: string;
  /** The initialiser both settings trained with (the recipe's `init`), if recorded. */
  readonly init: string | undefined;
  /** The settings compared: mean(a) − mean(b). */
  readonly a: string;
  /** The setting subtracted. */
  readonly b: string;
  /** Seeds with a test accuracy in each. */
  readonly nA: number;
  /** Seeds with a test accuracy in `b`. */
  readonly nB: number;
  /** mean(a) − mean(b), a fraction. */
  readonly diff: number;
  /** The 95% Welch interval's ends; NaN when a setting has fewer than two seeds. */
  readonly low: number;
  /** Upper end of the interval. */
  readonly high: number;
  /** Welch–Satterthwaite degrees of freedom (NaN without an interval). */
  readonly df: number;
}

const PAIRS = [
  { label: "ResNet-18 − no-skip", a: "resnet18", b: "resnet18_noskip" },
  { label: "ResNet-18 − baseline", a: "resnet18", b: "baseline_cnn" },
] as const;

const initOf = (run: RunData) => {
  const v = run.summary?.recipe?.init;
  return typeof v === "string" ? v : undefined;
};

/**
 * The differences of {@link PAIRS} among `groups` (settings and their runs),
 * per initialiser: settings pair up when their runs are the paper's models
 * ({@link paperKey}) trained with the same `init`. A pair missing a setting
 * is left out.
 */
export function accuracyEffects(
  groups: readonly { setting: string; runs: readonly RunData[] }[],
): AccuracyEffect[] {
  const keyed = groups.flatMap((g) => {
    const key = g.runs.map(paperKey).find((k) => k !== undefined);
    if (key === undefined) return [];
    const accs = g.runs.map((r) => r.summary?.test_acc ?? NaN).filter(Number.isFinite);
    return accs.length ? [{ setting: g.setting, key, init: initOf(g.runs[0]), accs }] : [];
  });
  const inits = [...new Set(keyed.map((k) => k.init))];
  const out: AccuracyEffect[] = [];
  for (const init of inits) {
    for (const pair of PAIRS) {
      const a = keyed.find((k) => k.key === pair.a && k.init === init);
      const b = keyed.find((k) => k.key === pair.b && k.init === init);
      if (!a || !b) continue;
      const interval = a.accs.length >= 2 && b.accs.length >= 2
        ? welch(a.accs, b.accs)
        : { diff: mean(a.accs) - mean(b.accs), low: NaN, high: NaN, df: NaN };
      out.push({
        label: pair.label,
        init,
        a: a.setting,
        b: b.setting,
        nA: a.accs.length,
        nB: b.accs.length,
        diff: interval.diff,
        low: interval.low,
        high: interval.high,
        df: interval.df,
      });
    }
  }
  return out;
}

const points = (v: number) => `${v >= 0 ? "+" : "−"}${Math.abs(v * 100).toFixed(2)}`;

/**
 * One line per effect, in percentage points:
 * `ResNet-18 − no-skip (init keras): +2.10 points, 95% CI [−0.52, +4.72] (Welch, df 1.9; n 2 and 2)`.
 */
export function effectLines(effects: readonly AccuracyEffect[]): string[] {
  return effects.map((e) => {
    const where = e.init === undefined ? "" : ` (init ${e.init})`;
    const ci = Number.isFinite(e.low)
      ? `95% CI [${points(e.low)}, ${points(e.high)}] (Welch, df ${e.df.toFixed(1)}; ` +
        `n ${e.nA} and ${e.nB})`
      : `no interval: n ${e.nA} and ${e.nB} (it needs two seeds of each; give --seeds)`;
    return `${e.label}${where}: ${points(e.diff)} points, ${ci}`;
  });
}

/**
 * A Vega-Lite specification of `effects`: each difference as a point in
 * percentage points with its 95% interval as a bar (none where a setting has
 * one seed), and a rule at zero, so whether an interval crosses it reads at a
 * glance. The dashboard's suite page draws it beside {@linkcode effectLines}.
 */
export function effectSpec(effects: readonly AccuracyEffect[]): Record<string, unknown> {
  const values = effects.map((e) => ({
    effect: e.init === undefined ? e.label : `${e.label} (init ${e.init})`,
    diff: e.diff * 100,
    ...(Number.isFinite(e.low) && { low: e.low * 100, high: e.high * 100 }),
    n: `${e.nA} and ${e.nB}`,
  }));
  const x = { type: "quantitative", title: "difference in test accuracy (percentage points)" };
  const y = { field: "effect", type: "nominal", title: null, axis: { labelLimit: 320 } };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width: 420,
    height: { step: 34 },
    data: { values },
    layer: [
      { mark: { type: "rule", color: "#888" }, encoding: { x: { datum: 0, ...x } } },
      {
        transform: [{ filter: "isValid(datum.low)" }],
        mark: { type: "rule", strokeWidth: 3, color: "#4e79a7" },
        encoding: { y, x: { field: "low", ...x }, x2: { field: "high" } },
      },
      {
        mark: { type: "point", filled: true, size: 80, color: "#e15759" },
        encoding: {
          y,
          x: { field: "diff", ...x },
          tooltip: [
            { field: "effect" },
            { field: "diff", title: "difference (points)", format: "+.2f" },
            { field: "low", title: "95% CI low", format: "+.2f" },
            { field: "high", title: "95% CI high", format: "+.2f" },
            { field: "n", title: "seeds (n)" },
          ],
        },
      },
    ],
    config: { background: "white" },
  };
}
