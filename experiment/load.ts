/**
 * Experiment configs: YAML (errors carry line and column), one level of
 * `extends:`, the command line's overrides, then a strict zod schema and the
 * checks of models and plugins, whose errors name file, line and key path.
 * @module
 */
import { ConfigError, type Locate } from "./config_error.ts";
import { mergeExperiment, readExperimentFile, type Source } from "./parse.ts";
import { type ExperimentIssue, experimentIssues } from "./checks.ts";
import { type Experiment, ExperimentSchema } from "./schema.ts";

export { type Experiment, ExperimentSchema } from "./schema.ts";
export { ConfigError, type Locate } from "./config_error.ts";
export { mergeExperiment, type Parsed, parseFile } from "./parse.ts";

/**
 * Loads an experiment file, merges its `extends:` parent (one level; a child's
 * plugin with the same name replaces the parent's, new ones are appended),
 * applies `overrides` (the one merge of command-line flags) and validates the
 * whole: the schema, the model name, every plugin's options by that plugin's
 * own schema, and settings that contradict each other. Plugin `path`s are
 * resolved against the file that names them.
 *
 * @param overridesWhere Names where an overridden key path comes from (a flag
 *   such as `--batch-size`), for error messages.
 * @throws {ConfigError} listing every problem, each naming file, line, column
 *   (or flag) and key path.
 */
export async function loadExperiment(
  file: string,
  overrides: Record<string, unknown> = {},
  overridesWhere: Locate = () => "overrides",
): Promise<Experiment> {
  const { value, sources: files } = await readExperimentFile(file);
  const sources: Source[] = [{ value: overrides, locate: overridesWhere }, ...files];
  const merged = mergeExperiment(value, overrides);
  return await validate(merged, locator(merged, sources));
}

/**
 * Loads several experiments (a suite's members) with the same overrides and
 * reports the problems of all of them at once, so none is trained before
 * every one is known to be valid.
 *
 * @throws {ConfigError} listing every member's problems.
 */
export async function loadExperiments(
  files: readonly string[],
  overrides: Record<string, unknown> = {},
  overridesWhere?: Locate,
): Promise<Experiment[]> {
  const results = await Promise.allSettled(
    files.map((f) => loadExperiment(f, overrides, overridesWhere)),
  );
  const failed = results.flatMap((r) => r.status === "rejected" ? [r.reason as Error] : []);
  if (failed.some((e) => !(e instanceof ConfigError))) {
    throw failed.find((e) => !(e instanceof ConfigError));
  }
  if (failed.length) throw new ConfigError(failed.map((e) => e.message).join("\n"));
  return results.map((r) => (r as PromiseFulfilledResult<Experiment>).value);
}

/**
 * Validates an in-memory experiment as {@linkcode loadExperiment} validates a
 * file; `where` labels every error.
 */
export function validateExperiment(
  value: Record<string, unknown>,
  where = "experiment",
): Promise<Experiment> {
  return validate(value, (path) => `${where}: ${dotted(path) || "(top level)"}`);
}

/**
 * Validates a merged experiment; `locate` gives the prefix of each error: where
 * the key was set and its path there (`file:line:col: plugins[0].options.p`).
 */
async function validate(value: Record<string, unknown>, locate: Locate): Promise<Experiment> {
  const r = ExperimentSchema.safeParse(value);
  const issues: ExperimentIssue[] = (r.success ? [] : r.error.issues).map((issue) => {
    const keys = issue.code === "unrecognized_keys" ? issue.keys : [];
    return {
      path: [...issue.path, ...keys.slice(0, 1)],
      message: keys.length ? `unknown key '${keys.join("', '")}'` : issue.message,
    };
  });
  issues.push(...await experimentIssues(value));
  if (r.success && !issues.length) return Object.freeze(r.data) as Experiment;
  const lines = issues.map((i) =>
    `${locate(i.path)}: ${i.message}${i.also ? ` (see ${locate(i.also)})` : ""}`
  );
  throw new ConfigError([...new Set(lines)].join("\n"));
}

/** A key path as written in messages: `plugins[3].options.patience`. */
export function dotted(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").slice(1);
}

/**
 * Locates a key path of the merged experiment in the source that set it: the
 * overrides, then the file, then its parent; the path is given as that source
 * spells it. A plugin entry is followed by identity, since merging by name
 * moves entries to other indices.
 */
function locator(merged: Record<string, unknown>, sources: readonly Source[]): Locate {
  const at = (s: Source, path: readonly PropertyKey[]) =>
    `${s.locate(path)}: ${dotted(path) || "(top level)"}`;
  return (path) => {
    if (path[0] === "plugins" && typeof path[1] === "number" && Array.isArray(merged.plugins)) {
      const entry = merged.plugins[path[1]];
      for (const s of sources) {
        const j = Array.isArray(s.value.plugins) ? s.value.plugins.indexOf(entry) : -1;
        if (j >= 0) return at(s, ["plugins", j, ...path.slice(2)]);
      }
    }
    return at(sources.find((s) => hasPath(s.value, path)) ?? sources[1], path);
  };
}

/** Whether `path` (keys and indices) leads to a value inside `v`. */
export function hasPath(v: unknown, path: readonly PropertyKey[]): boolean {
  let cur = v;
  for (const k of path) {
    if (cur === null || typeof cur !== "object" || !(k in (cur as object))) return false;
    cur = (cur as Record<PropertyKey, unknown>)[k];
  }
  return true;
}
