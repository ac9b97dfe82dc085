/**
 * Built-in probes: plugins that measure a run and record rows.
 * @module
 */
export * from "./gradient_norms.ts";
export * from "./timing_memory.ts";
