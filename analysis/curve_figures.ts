/**
 * The curve figures analogous to the ResNet paper's Figures 1, 2, 4 and 5:
 * training and validation accuracy and loss per epoch, and the skip/no-skip
 * ablation curves; one line per setting, the mean over its seeds with a
 * band of ± one standard deviation.
 * @module
 */
import { checkRuns, runColor } from "./_figure_parts.ts";
import { type FigureSpec, isNoSkip, renderSvg } from "./figures.ts";
import { groupBySetting, type SettingOptions } from "./paper_table.ts";
import type { RunData } from "./run_files.ts";
import { mean, sampleStd } from "./stats.ts";

/**
 * Per setting, epoch and metric: the mean over its runs and the band mean ± SD (none for one
 * run); with `members`, each run's own value too, marked with its seed (else its name).
 */
function historyValues(
  runs: readonly RunData[],
  split: "train" | "val",
  settings: readonly string[] | undefined,
  members: boolean,
): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const group of groupBySetting(runs, settings)) {
    const skip = group.runs.some(isNoSkip) ? "without skips" : "with skips";
    const cells = new Map<string, { epoch: number; metric: string; values: number[] }>();
    for (const run of group.runs) {
      for (const row of run.history.objects() as Record<string, number>[]) {
        for (const metric of ["accuracy", "loss"] as const) {
          const key = (split === "val" ? "val_" : "") + (metric === "accuracy" ? "acc" : "loss");
          const value = row[key];
          if (!Number.isFinite(value)) continue;
          const id = `${row.epoch}|${metric}`;
          if (!cells.has(id)) cells.set(id, { epoch: row.epoch, metric, values: [] });
          cells.get(id)!.values.push(value);
          if (members && group.runs.length > 1) {
            const seed = run.summary?.seed;
            const member = seed === undefined ? run.name : `seed ${seed}`;
            out.push({ run: group.setting, epoch: row.epoch, metric, value, member, skip });
          }
        }
      }
    }
    for (const { epoch, metric, values } of cells.values()) {
      const m = mean(values), sd = sampleStd(values);
      out.push({
        run: group.setting,
        epoch,
        metric,
        value: m,
        n: values.length,
        ...(Number.isFinite(sd) && { low: m - sd, high: m + sd }),
        skip,
      });
    }
  }
  return out;
}

/** Options of {@linkcode curveSpec}. */
export interface CurveSpecOptions extends SettingOptions {
  /** The figure's title. */
  readonly title?: string;
  /** Dash the settings without skip connections (the ablation figures). @default false */
  readonly dashed?: boolean;
  /**
   * Add each run of a setting with several as a thin line, drawn while the spec's signal
   * `seeds` is true (the dashboard's "show each seed"; off in a rendered figure). @default false
   */
  readonly members?: boolean;
}

/**
 * The Vega-Lite specification of the curve figures: accuracy and loss per
 * epoch of `split`, one line per setting (the mean over its seeds) with a
 * band of ± one standard deviation, hover values on each point. The report's
 * figures render it to SVG; the dashboard's suite page draws it live.
 */
export function curveSpec(
  runs: readonly RunData[],
  split: "train" | "val",
  options: CurveSpecOptions = {},
): FigureSpec {
  const { settings, dashed = false, members = false } = options;
  const main = members ? [{ filter: "!isValid(datum.member)" }] : [];
  const title = options.title ?? (split === "train" ? "Training" : "Validation") +
      " accuracy and loss";
  const label = split === "train" ? "training" : "validation";
  const names = groupBySetting(runs, settings).map((g) => g.setting);
  const y = (field: string) => ({
    field,
    type: "quantitative" as const,
    title: `${label} ${field === "value" ? "" : ""}`.trim(),
    scale: { zero: false },
  });
  const panel = (metric: "accuracy" | "loss") => ({
    width: 320,
    height: 220,
    title: `${label} ${metric}`,
    transform: [{ filter: { field: "metric", equal: metric } }],
    encoding: {
      x: {
        field: "epoch",
        type: "quantitative" as const,
        title: "epoch",
        axis: { tickMinStep: 1 },
      },
      color: runColor(names),
    },
    layer: [
      {
        // The spread over seeds: mean ± one sample standard deviation.
        transform: [{ filter: "isValid(datum.low)" }],
        mark: { type: "area" as const, opacity: 0.2 },
        encoding: { y: { ...y("low"), title: `${label} ${metric}` }, y2: { field: "high" } },
      },
      ...(members
        ? [{
          transform: [{ filter: "seeds && isValid(datum.member)" }],
          mark: { type: "line" as const, point: true, strokeWidth: 1, opacity: 0.5 },
          encoding: {
            y: { ...y("value"), title: `${label} ${metric}` },
            detail: { field: "member" },
            tooltip: [{ field: "run", title: "setting" }, { field: "member", title: "run" }, {
              field: "epoch",
            }, { field: "value", title: metric, format: metric === "accuracy" ? ".2%" : ".4f" }],
          },
        }]
        : []),
      {
        transform: main,
        mark: { type: "line" as const, point: true },
        encoding: {
          y: { ...y("value"), title: `${label} ${metric}` },
          tooltip: [
            { field: "run", title: "setting" },
            { field: "epoch" },
            {
              field: "value",
              title: `mean ${metric}`,
              format: metric === "accuracy" ? ".2%" : ".4f",
            },
            { field: "n", title: "seeds" },
          ],
          ...(dashed
            ? {
              strokeDash: {
                field: "skip",
                type: "nominal" as const,
                title: "skip connections",
                legend: {
                  symbolType: "stroke",
                  symbolStrokeWidth: 2,
                  encode: { symbols: { update: { stroke: { value: "#444" } } } },
                },
              },
            }
            : {}),
        },
      },
    ],
  });
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    ...(members && { params: [{ name: "seeds", value: false }] }),
    data: { values: historyValues(runs, split, settings, members) },
    hconcat: [panel("accuracy"), panel("loss")],
    config: { background: "white" },
  } as FigureSpec;
}

/**
 * Figure 1: training accuracy and loss per epoch (1-based on the axis), one
 * line per setting: the mean over its seeds, with a band of ± one standard deviation.
 */
export async function trainingFigure(
  runs: readonly RunData[],
  options: SettingOptions = {},
): Promise<string> {
  checkRuns(runs, "the training curves");
  return await renderSvg(
    curveSpec(runs, "train", { settings: options.settings }),
  );
}

/** Figure 2: validation accuracy and loss per epoch, one line (mean, ± SD band) per setting. */
export async function validationFigure(
  runs: readonly RunData[],
  options: SettingOptions = {},
): Promise<string> {
  checkRuns(runs, "the validation curves");
  return await renderSvg(
    curveSpec(runs, "val", { settings: options.settings }),
  );
}

/**
 * Figures 4 and 5: training (`split` "train") or validation curves of all
 * settings (mean, ± SD band), those without skip connections dashed.
 */
export async function ablationFigure(
  runs: readonly RunData[],
  split: "train" | "val",
  options: SettingOptions = {},
): Promise<string> {
  checkRuns(runs, "the ablation curves");
  if (split !== "train" && split !== "val") {
    throw new RangeError(
      `Cannot draw the ablation curves: 'split' must be "train" or "val", got ${split}`,
    );
  }
  const what = split === "train" ? "Training" : "Validation";
  return await renderSvg(
    curveSpec(runs, split, {
      settings: options.settings,
      title: `Ablation: ${what.toLowerCase()} curves, with and without skip connections`,
      dashed: true,
    }),
  );
}
