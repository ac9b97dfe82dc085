/**
 * An experiment from a file someone else may have written (a run directory's
 * config.yaml, read by `evaluate`): its plugin files are not imported, since
 * importing a module runs its code. Registered plugins are kept; `extends`
 * is refused (a run's config.yaml is already resolved).
 * @module
 */
import { resolve } from "node:path";
import { parse } from "yaml";
import { FILE_BOUNDS, MAX_YAML_ALIASES, readBoundedText } from "../core/bounded_read.ts";
import { ConfigError, mergeExperiment, validateExperiment } from "./load.ts";
import type { Experiment } from "./schema.ts";

/** An experiment loaded without its plugin files, and the files left out. */
export interface UntrustedExperiment {
  readonly experiment: Experiment;
  /** Plugin files the file names, resolved, none of them imported. */
  readonly skipped: readonly string[];
}

/**
 * Loads `file` with `overrides` as `loadExperiment` does, but drops every
 * plugin given by `path` instead of importing it.
 * @throws {ConfigError} for a file that is not a mapping, one with `extends:`,
 *   or an invalid experiment (naming the file).
 */
export async function loadExperimentWithoutPluginFiles(
  file: string,
  overrides: Record<string, unknown> = {},
): Promise<UntrustedExperiment> {
  const text = await readBoundedText(file, FILE_BOUNDS.yaml, "experiment");
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: MAX_YAML_ALIASES });
  } catch (e) {
    throw new ConfigError(`${file}: not valid YAML: ${(e as Error).message.split("\n")[0]}`);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw new ConfigError(`${file}: must be a mapping of experiment settings`);
  }
  const value = { ...doc as Record<string, unknown> };
  if ("extends" in value) {
    throw new ConfigError(`${file}: a run's config.yaml is resolved and may not have 'extends:'`);
  }
  const skipped: string[] = [];
  if (Array.isArray(value.plugins)) {
    value.plugins = value.plugins.filter((p) => {
      const path = (p as { path?: unknown } | null)?.path;
      if (typeof path !== "string") return true;
      skipped.push(resolve(file, "..", path));
      return false;
    });
  }
  const experiment = await validateExperiment(mergeExperiment(value, overrides), file);
  return { experiment, skipped };
}
