/**
 * Experiments as a library: the schema of an experiment file, loading with
 * `extends` and overrides (one merge, one validation, errors naming file,
 * line and key), iteration budgets, the rules of an exact resume, data
 * loading, {@linkcode runExperiment} (one run into its run directory) and
 * suites (Table I over members and seeds). The CLI is a thin shell over this.
 *
 * ```ts ignore
 * import { loadExperiment, runExperiment } from "@skiplab/skiplab";
 * const exp = await loadExperiment("my.yaml", { epochs: 2, data: { source: "synthetic" } });
 * const { dir, result } = await runExperiment(exp);
 * console.log(dir, result.test?.acc);
 * ```
 * @module
 */
export * from "./schema.ts";
export * from "./load.ts";
export * from "./overrides.ts";
export * from "./target.ts";
export * from "./budget.ts";
export * from "./resume.ts";
export * from "./run.ts";
export * from "./backend_choice.ts";
export * from "./backend_report.ts";
export * from "./suite.ts";
export * from "./suite_members.ts";
export * from "./keys.ts";
export * from "./checks.ts";
export * from "./untrusted.ts";
