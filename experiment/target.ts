/**
 * What a `train` or `suite` target names: a YAML file of the user's, a
 * built-in experiment of that name (experiment/builtin/, inside the package
 * when skiplab runs from JSR), or a registered model trained with the paper's
 * recipe.
 * @module
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError, type Experiment, loadExperiment, type Locate } from "./load.ts";
import { flagOfPath } from "./overrides.ts";

const BUILTIN = new URL("./builtin/", import.meta.url);

/** The path (or, from a package, the URL) of the built-in experiment file `file`. */
export function builtinExperiment(file: string): string {
  const url = new URL(file, BUILTIN);
  return url.protocol === "file:" ? fileURLToPath(url) : url.href;
}

/** The recipe a bare model name trains with: the paper's. */
export const RECIPE: string = builtinExperiment("paper-recipe.yaml");

const exists = (p: string) => Deno.stat(p).then(() => true, () => false);

/**
 * The file a YAML target names: the user's (a path, or a file in the working
 * folder), else the built-in experiment of that name.
 */
export async function experimentFile(target: string): Promise<string> {
  const local = /[\\/]/.test(target) || await exists(target);
  return local ? target : builtinExperiment(target);
}

/** Where a target's experiment comes from: a file and the overrides a model name adds. */
export interface TargetSource {
  /** The experiment file. */
  readonly file: string;
  /** Keys the target itself sets (a model name sets `model` and `name`). */
  readonly overrides: Record<string, unknown>;
}

/**
 * The source of `target`: a YAML file as it is, or a model name as the
 * paper's recipe with `model` (and `name`, unless `overrides` name the run).
 */
export async function targetSource(
  target: string,
  overrides: Record<string, unknown> = {},
): Promise<TargetSource> {
  if (/\.ya?ml$/.test(target)) {
    return { file: resolve(await experimentFile(target)), overrides: {} };
  }
  return { file: RECIPE, overrides: { model: target, name: overrides.name ?? target } };
}

/**
 * The experiment a `train` target names, with `overrides` (from flags or a
 * caller) merged once and the whole validated once.
 *
 * @example
 * ```ts
 * import { experimentFor } from "./target.ts";
 * const exp = await experimentFor("baseline_cnn", { epochs: 2 });
 * console.log(exp.model, exp.epochs); // baseline_cnn 2
 * ```
 * @throws {ConfigError} naming the file, line and key (or the flag) of every problem.
 */
export async function experimentFor(
  target: string,
  overrides: Record<string, unknown> = {},
): Promise<Experiment> {
  if (/\.ya?ml$/.test(target)) {
    const file = await experimentFile(target);
    return await loadExperiment(file, overrides, flagOfPath).catch((e: Error) => {
      if (!(e.cause instanceof Deno.errors.NotFound) || /[\\/]/.test(target)) throw e;
      throw new ConfigError(
        `Cannot read experiment '${target}': no such file in ${Deno.cwd()}, nor a built-in ` +
          "experiment of that name (baseline_cnn.yaml, resnet18.yaml, … in experiment/builtin/)",
      );
    });
  }
  const source = await targetSource(target, overrides);
  // A model name is one more override of the recipe; `--name` still names the run.
  const where: Locate = (path) =>
    path[0] === "model" || (path[0] === "name" && overrides.name === undefined)
      ? `train ${target}`
      : flagOfPath(path);
  return await loadExperiment(source.file, { ...overrides, ...source.overrides }, where);
}
