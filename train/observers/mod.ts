/**
 * Observers: plugins that write or print a run from the trainer's events —
 * the progress printer, the run directory's tables and its summary.
 * @module
 */
export * from "./progress.ts";
export * from "./run_tables.ts";
export * from "./run_summary.ts";
export * from "./environment.ts";
export * from "./test_predictions.ts";
export * from "./heartbeat.ts";
export * from "./run_estimate.ts";
export * from "./step_table.ts";
