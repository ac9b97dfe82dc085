/**
 * The paper's own Table I ("ResNet: Enabling Deep Convolutional Neural
 * Networks through Residual Learning", Table I), to print beside skiplab's
 * numbers, and which of its rows a run reproduces.
 * @module
 */
import type { RunData } from "./run_files.ts";

/** One row of the paper's Table I. */
export interface PaperRow {
  /** The row's label in the paper. */
  readonly label: string;
  /** Test accuracy, a fraction. */
  readonly testAcc: number;
  /** Training time in minutes (the paper's hardware, not stated). */
  readonly trainMinutes: number;
  /** Parameters as the paper rounds them. */
  readonly params: number;
}

/** The paper's Table I by skiplab model name. */
export const PAPER_TABLE: Readonly<Record<string, PaperRow>> = {
  baseline_cnn: { label: "Baseline CNN", testAcc: 0.841, trainMinutes: 2, params: 392_000 },
  mini_resnet: { label: "Mini-ResNet", testAcc: 0.870, trainMinutes: 7, params: 2_800_000 },
  resnet18: {
    label: "ResNet-18 (With Skip)",
    testAcc: 0.899,
    trainMinutes: 24,
    params: 11_200_000,
  },
  resnet18_noskip: {
    label: "ResNet-18 (No Skip)",
    testAcc: 0.860,
    trainMinutes: 210,
    params: 11_000_000,
  },
};

/**
 * The paper's row a run reproduces, from its summary.json: the model, as
 * `<model>_noskip` when its residual network was built without skip
 * connections (the `ablations/no-skip` plugin or a `*_noskip` model).
 * Undefined for a run without a summary or a model the paper does not have.
 * @example
 * ```ts
 * import { paperKey } from "./paper_reference.ts";
 * paperKey({ summary: undefined } as never); // undefined
 * ```
 */
export function paperKey(run: RunData): string | undefined {
  const s = run.summary;
  if (!s) return undefined;
  const noSkip = s.architecture.family === "resnet" && !s.architecture.skip;
  const key = noSkip ? `${s.model.replace(/_noskip$/, "")}_noskip` : s.model;
  return key in PAPER_TABLE ? key : undefined;
}
