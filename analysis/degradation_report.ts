/**
 * The report of a degradation study: the Figure 6 analogue, final errors by
 * depth beside He et al. 2016's, the two orderings the study is about, and
 * the gradient flow at initialisation of the deepest plain and residual nets.
 * @module
 */
import { join } from "node:path";
import { writeFigure, writeFileAtomic } from "../rundir/mod.ts";
import {
  type DegradationRow,
  type DegradationRun,
  degradationTable,
  readDegradation,
} from "./degradation.ts";
import { architectureLabel, degradationFigure, initGradientFigure } from "./degradation_figures.ts";
import { maxOf } from "../core/extent.ts";

/** File name of the study's report inside the output directory. */
export const DEGRADATION_REPORT = "degradation.md";

/** What {@linkcode renderDegradationReport} wrote and found. */
export interface DegradationReport {
  /** Paths written: degradation.md and figures/degradation*.svg. */
  readonly files: string[];
  /** The table of final errors. */
  readonly table: readonly DegradationRow[];
  /** One line per family: does the deeper net end with the higher training error? */
  readonly verdicts: readonly string[];
  /** The report as Markdown (also in degradation.md). */
  readonly markdown: string;
}

const pct = (v: number, spread = 0) =>
  Number.isFinite(v)
    ? `${(100 * v).toFixed(2)}${spread > 0 ? ` ± ${(100 * spread).toFixed(2)}` : ""}`
    : "—";

/** Shallowest vs deepest net of a family: which ends with the higher training error. */
function verdict(rows: readonly DegradationRow[], family: "plain" | "resnet"): string | undefined {
  const of = rows.filter((r) => r.family === family);
  if (of.length < 2) return undefined;
  const [lo, hi] = [of[0], of.at(-1)!];
  const [a, b] = [architectureLabel(lo), architectureLabel(hi)];
  const diff = hi.trainError - lo.trainError;
  const overlap = Math.abs(diff) <= hi.trainSpread + lo.trainSpread && hi.seeds + lo.seeds > 2;
  const relation = diff > 0 ? "is above" : diff < 0 ? "is below" : "equals";
  return `${b}'s final training error ${relation} ${a}'s: ` +
    `${pct(hi.trainError, hi.trainSpread)}% vs ${pct(lo.trainError, lo.trainSpread)}%` +
    (overlap ? " (within the spread over seeds)" : "") +
    (family === "plain"
      ? ` — He et al.: above (degradation)`
      : ` — He et al.: below (deeper ResNets train better)`);
}

/** First-layer over last-layer gradient norm at initialisation, per architecture. */
function gradientLines(runs: readonly DegradationRun[]): string[] {
  const depth = maxOf(runs.map((r) => r.depth));
  const deepest = runs.filter((r) => r.depth === depth && r.initGradients.length > 1);
  const lines: string[] = [];
  for (const family of ["plain", "resnet"] as const) {
    const rs = deepest.filter((r) => r.family === family);
    if (rs.length === 0) continue;
    const ratios = rs.map((r) => r.initGradients[0].norm / r.initGradients.at(-1)!.norm);
    lines.push(
      `- ${architectureLabel(rs[0])}: stem / classifier gradient norm at initialisation ` +
        ratios.map((x) => x.toPrecision(3)).join(", ") + ` (seeds ${rs.map((r) => r.seed)})`,
    );
  }
  return lines;
}

/**
 * Reads the suites (one per seed, say), writes `degradation.md` and
 * `figures/degradation.svg`, `figures/degradation_gradients.svg` in `outDir`,
 * and returns what it found; undefined when no member recorded a curve.
 *
 * @example
 * ```ts ignore
 * const report = await renderDegradationReport(["runs/…-degradation"]);
 * console.log(report?.verdicts.join("\n"));
 * ```
 */
export async function renderDegradationReport(
  suiteDirs: readonly string[],
  outDir: string = suiteDirs[0],
): Promise<DegradationReport | undefined> {
  const runs = await readDegradation(suiteDirs);
  if (runs.length === 0) return undefined;
  const table = degradationTable(runs);
  const files = [
    await writeFigure(outDir, "degradation.svg", await degradationFigure(runs)),
  ];
  const withGradients = runs.filter((r) => r.initGradients.length > 0);
  if (withGradients.length > 0) {
    files.push(
      await writeFigure(
        outDir,
        "degradation_gradients.svg",
        await initGradientFigure(withGradients),
      ),
    );
  }
  const verdicts = [verdict(table, "plain"), verdict(table, "resnet")].filter((v) =>
    v !== undefined
  );
  const iterations = [...new Set(runs.map((r) => r.curve.at(-1)?.iteration))].join(", ");
  const rows = table.map((r) =>
    `| ${architectureLabel(r)} | ${r.depth} | ${r.seeds} | ${pct(r.trainError, r.trainSpread)} | ` +
    `${pct(r.valError)} | ${pct(r.testError, r.testSpread)} | ` +
    `${
      r.paperTestError !== undefined ? r.paperTestError.toFixed(2) : "— (Fig. 6: rises with depth)"
    } |`
  );
  const markdown = [
    "# The degradation problem (He et al. 2016, §4.2)\n",
    `Suites: ${suiteDirs.join(", ")}; ${runs.length} runs of ${iterations} iterations.\n`,
    "## Final errors by depth (%)\n",
    "Training error: the curve's last window of steps (augmented batches, training mode); " +
    "held-out: the 5,000 validation images; ± half the range over seeds. He et al. report test " +
    "errors of ResNets only (Table 6); their plain nets appear in Figure 6 alone.\n",
    "| Network | Layers | Seeds | Train error | Held-out error | Test error | He et al. test error |",
    "|---|---|---|---|---|---|---|",
    ...rows,
    "",
    "## Does depth degrade?\n",
    ...verdicts.map((v) => `- ${v}`),
    "",
    "## Figure 6 analogue\n",
    "![Training (thin) and held-out (bold) error against iterations](figures/degradation.svg)\n",
    ...(withGradients.length > 0
      ? [
        "## Gradient flow at initialisation\n",
        "![Gradient norm by main-path depth](figures/degradation_gradients.svg)\n",
        ...gradientLines(withGradients),
        "",
      ]
      : []),
  ].join("\n");
  const path = join(outDir, DEGRADATION_REPORT);
  await writeFileAtomic(path, markdown);
  files.unshift(path);
  return { files, table, verdicts, markdown };
}
