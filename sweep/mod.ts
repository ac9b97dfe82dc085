/**
 * Sweeps: the sweep file, its expansion into settings and members, members
 * trained in child processes side by side, and the job queue that spreads
 * them over machines.
 * @module
 */
export * from "./spec.ts";
export * from "./expand.ts";
export * from "./child.ts";
export * from "./pool.ts";
