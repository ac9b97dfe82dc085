/**
 * The run directory's format, owned in one place: file names and columns,
 * the typed `summary.json`, and the writer and reader of every file. The
 * trainer's observers and the tasks write through it; analysis reads
 * through it.
 * @module
 */
export * from "./layout.ts";
export * from "./csv.ts";
export * from "./atomic.ts";
export * from "./summary.ts";
export * from "./tables.ts";
export * from "./run_files.ts";
export * from "./suite.ts";
export * from "./prepare.ts";
export * from "./predictions.ts";
export * from "./heartbeat.ts";
export * from "./steps.ts";
export * from "./run_start.ts";
export * from "./status.ts";
export * from "./scan.ts";
export * from "./sweep.ts";
export * from "./run_lock.ts";
export * from "./evaluation.ts";
export * from "./epochs.ts";
export * from "./format.ts";
export * from "./checkpoint_manifest.ts";
export * from "./checkpoint_state.ts";
export * from "./content_hash.ts";
