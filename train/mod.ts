/**
 * The training loop and what it shares with plugins: one custom step per
 * batch (so probes see per-layer gradients), validation per epoch, callbacks,
 * checkpoints with exact resume, and the optimisers and schedules.
 * @module
 */
export * from "./types.ts";
export * from "./trainer.ts";
export * from "./optimizer.ts";
export * from "./schedule.ts";
export * from "./step.ts";
export * from "./evaluate.ts";
export * from "./checkpoint.ts";
export * from "./checkpoint_schema.ts";
export * from "./progress.ts";
export * from "./recorder.ts";
export * from "./weight_store.ts";
