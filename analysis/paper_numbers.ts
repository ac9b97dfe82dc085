/**
 * The numbers the paper reports in its Table I, for setting a reproduction
 * beside them.
 * @module
 */

/** One model's row of the paper's Table I. */
export interface PaperResult {
  /** Registered model (run) name. */
  readonly model: string;
  /** Test accuracy, a fraction. */
  readonly testAcc: number;
  /** Training time in minutes. */
  readonly trainMinutes: number;
  /** Trainable parameters of the paper's architecture. */
  readonly params: number;
}

/** The paper's Table I (the Models table of the README), by model. */
export const PAPER_RESULTS: readonly PaperResult[] = [
  { model: "baseline_cnn", testAcc: 0.841, trainMinutes: 2, params: 391_946 },
  { model: "mini_resnet", testAcc: 0.870, trainMinutes: 7, params: 2_797_610 },
  { model: "resnet18", testAcc: 0.899, trainMinutes: 24, params: 11_173_962 },
  { model: "resnet18_noskip", testAcc: 0.860, trainMinutes: 210, params: 11_000_138 },
];

/** The paper's row for a run named `name` (or of model `model`), if the paper has one. */
export function paperResult(name: string, model?: string): PaperResult | undefined {
  return PAPER_RESULTS.find((r) => r.model === name) ??
    PAPER_RESULTS.find((r) => r.model === model);
}
