/**
 * The checks of an experiment that its schema cannot make alone: the model is
 * registered, each plugin exists and its options pass that plugin's own
 * schema, ablations apply to the model, and no two settings fight over the
 * learning rate. They run at load, so `--print-config` and a suite catch
 * them before any data is read or any model built.
 * @module
 */
import { createModelRegistry, type ModelSpec, modelVariant } from "../models/mod.ts";
import {
  createPluginRegistry,
  type Plugin,
  type PluginFactory,
  pluginFactoryOf,
  pluginOptionIssues,
} from "../plugins/mod.ts";

/** One problem of an experiment: where (a key path) and what. */
export interface ExperimentIssue {
  /** Key path in the experiment, e.g. `["plugins", 3, "options", "patience"]`. */
  readonly path: readonly PropertyKey[];
  /** What is wrong, naming the rule and the value. */
  readonly message: string;
  /** Key path of a second place the problem involves (a conflicting setting). */
  readonly also?: readonly PropertyKey[];
}

/** The plugin whose learning-rate changes a schedule would overwrite at the next step. */
const PLATEAU = "callbacks/reduce-lr-on-plateau";

const isPlain = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * Checks an experiment (merged, not yet validated by the schema) against the
 * model and plugin registries. Parts the schema rejects are skipped here, so
 * each problem is reported once.
 *
 * @example
 * ```ts
 * import { experimentIssues } from "./checks.ts";
 * const issues = await experimentIssues({ model: "resnt18", plugins: [] });
 * console.log(issues[0].message); // Unknown model 'resnt18'. Did you mean 'resnet18'? …
 * ```
 */
export async function experimentIssues(exp: Record<string, unknown>): Promise<ExperimentIssue[]> {
  const issues: ExperimentIssue[] = [];
  const models = createModelRegistry();
  let spec: ModelSpec | undefined;
  if (typeof exp.model === "string" && exp.model !== "") {
    try {
      spec = models.get(exp.model);
    } catch (e) {
      issues.push({ path: ["model"], message: (e as Error).message });
    }
  }
  if (spec && isPlain(exp.model_options)) {
    try {
      spec = modelVariant(spec, exp.model_options);
    } catch (e) {
      issues.push({ path: ["model_options"], message: (e as Error).message });
      spec = undefined;
    }
  }

  const registry = createPluginRegistry();
  const entries = Array.isArray(exp.plugins) ? exp.plugins : [];
  const plugins: { index: number; factory: PluginFactory; options: unknown }[] = [];
  for (const [index, entry] of entries.entries()) {
    if (!isPlain(entry) || (entry.name === undefined) === (entry.path === undefined)) continue;
    const where = `plugins[${index}]`;
    let factory: PluginFactory;
    try {
      factory = await pluginFactoryOf(entry, registry, where);
    } catch (e) {
      const key = entry.name !== undefined ? "name" : "path";
      issues.push({ path: ["plugins", index, key], message: unprefixed(e as Error, where) });
      continue;
    }
    const options = entry.options ?? {};
    const problems = pluginOptionIssues(factory, options);
    for (const p of problems) {
      issues.push({
        path: ["plugins", index, "options", ...p.path],
        message: `${p.message} — an option of '${factory.name}'`,
      });
    }
    if (!problems.length) plugins.push({ index, factory, options });
  }

  const schedule = isPlain(exp.schedule) ? exp.schedule.type : undefined;
  const plateau = plugins.find((p) => p.factory.name === PLATEAU);
  if (typeof schedule === "string" && schedule !== "constant" && plateau) {
    issues.push({
      path: ["plugins", plateau.index],
      also: ["schedule"],
      message: `'${PLATEAU}' cannot be combined with the '${schedule}' learning-rate schedule: ` +
        "the schedule sets the rate at every step and would undo each reduction; keep one of them",
    });
  }

  if (typeof exp.budget === "number" && exp.budget !== 1 && exp.iterations == null) {
    issues.push({
      path: ["budget"],
      message: `a budget of ${exp.budget} scales an iteration-based recipe: set 'iterations'`,
    });
  }

  // Ablations rewrite the spec; one that cannot apply (no-skip on a plain CNN) fails here, not
  // after the data has loaded.
  if (spec && !issues.length) {
    for (const { index, factory, options } of plugins) {
      let plugin: Plugin;
      try {
        plugin = factory.create(factory.schema.parse(options));
        if (plugin.transformModel) spec = plugin.transformModel(spec);
      } catch (e) {
        issues.push({ path: ["plugins", index], message: (e as Error).message });
        break;
      }
    }
  }
  return issues;
}

/** The message of a plugin-loading error without the `plugins[i].path: ` it starts with. */
function unprefixed(e: Error, where: string): string {
  const cause = e.cause instanceof RangeError ? e.cause : undefined;
  if (cause) return cause.message;
  const m = e.message;
  return m.startsWith(where) ? m.slice(where.length).replace(/^(\.name|\.path)?: /, "") : m;
}
