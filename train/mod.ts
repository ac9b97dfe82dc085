/**
 * The training loop and what it shares with plugins: one custom step per
 * batch (so probes see per-layer gradients), validation per epoch, callbacks,
 * checkpoints with exact resume, and the optimisers and schedules. The loop
 * emits its events to one hook system (hooks.ts, run by compose.ts); the
 * observers that print and write a run are plugins of it (observers/).
 * @module
 */
export * from "./types.ts";
export * from "./trainer.ts";
export * from "./optimizer.ts";
export * from "./schedule.ts";
export * from "./step.ts";
export * from "./evaluate.ts";
export * from "./forward.ts";
export * from "./estimate.ts";
export * from "./throughput.ts";
export * from "./checkpoint.ts";
export * from "./observers/mod.ts";
export * from "./recorder.ts";
export * from "./weight_store.ts";
export * from "./hooks.ts";
export * from "./compose.ts";
export * from "./confusion.ts";
