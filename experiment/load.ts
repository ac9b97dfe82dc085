/**
 * Experiment configs: YAML (errors carry line and column), one level of
 * `extends:`, the command line's overrides, then a strict zod schema and the
 * checks of models and plugins, whose errors name file, line and key path.
 * @module
 */
import { dirname, resolve } from "node:path";
import {
  FILE_BOUNDS,
  FileBoundError,
  MAX_YAML_ALIASES,
  readBoundedText,
} from "../core/bounded_read.ts";
import { ConfigError, type Locate } from "./config_error.ts";
import { isMap, isScalar, LineCounter, parseDocument } from "yaml";
import { type ExperimentIssue, experimentIssues } from "./checks.ts";
import { type Experiment, ExperimentSchema } from "./schema.ts";

export { type Experiment, ExperimentSchema } from "./schema.ts";
export { ConfigError, type Locate } from "./config_error.ts";

const isUrl = (file: string) => /^https?:\/\//i.test(file);

/** A file's text; an http(s) URL is fetched (the built-in experiments of a package run from JSR). */
async function readText(file: string, what: string): Promise<string> {
  if (!isUrl(file)) return await readBoundedText(file, FILE_BOUNDS.yaml, what);
  const res = await fetch(file);
  if (!res.ok) {
    await res.body?.cancel();
    throw new Deno.errors.NotFound(`HTTP ${res.status} ${res.statusText}`);
  }
  return await res.text();
}

/** The document's value; an alias bomb is a {@linkcode ConfigError} naming the file and the bound. */
function toJS(doc: ReturnType<typeof parseDocument>, file: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_YAML_ALIASES }) ?? {};
  } catch (e) {
    // npm:yaml throws a ReferenceError: "Excessive alias count indicates a resource exhaustion attack".
    if (!(e instanceof ReferenceError) || !/alias count/i.test(e.message)) throw e;
    throw new ConfigError(
      `${file}: its aliases expand too far (more than ${MAX_YAML_ALIASES} times one node's ` +
        `size, npm:yaml's bound against alias bombs)`,
      { cause: e },
    );
  }
}

/** `name` relative to the folder of `file` (a path or an http(s) URL). */
const besideFile = (file: string, name: string) =>
  isUrl(file) ? new URL(name, file).href : resolve(dirname(file), name);

/** A parsed YAML file: its mapping, and where each key path of it is (`file:line:col`). */
export interface Parsed {
  /** The file. */
  readonly file: string;
  /** Its top-level mapping. */
  readonly value: Record<string, unknown>;
  /** Where a key path is in the file. */
  readonly locate: Locate;
}

/**
 * Reads a YAML file that must hold a mapping (an experiment, or a sweep file:
 * `what` names it in errors).
 * @throws {ConfigError} naming the file, line and column of invalid YAML.
 */
export async function parseFile(file: string, what = "experiment"): Promise<Parsed> {
  let text: string;
  try {
    text = await readText(file, what);
  } catch (e) {
    if (e instanceof FileBoundError) throw e;
    throw new ConfigError(`Cannot read ${what} '${file}': ${(e as Error).message}`, {
      cause: e,
    });
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const { line, col } = lines.linePos(e.pos[0]);
    throw new ConfigError(`${file}:${line}:${col}: invalid YAML: ${e.message.split("\n")[0]}`);
  }
  const value = toJS(doc, file);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ConfigError(`${file}:1:1: ${article(what)} must be a mapping of keys to values`);
  }
  const locate = (path: readonly PropertyKey[]) => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n) as unknown[], true);
      const key = n > 0
        ? keyNode(doc.getIn(path.slice(0, n - 1) as unknown[], true), path[n - 1])
        : undefined;
      const range = (key ?? node as { range?: [number] } | undefined)?.range;
      if (range) {
        const { line, col } = lines.linePos(range[0]);
        return `${file}:${line}:${col}`;
      }
    }
    return file;
  };
  return { file, value: value as Record<string, unknown>, locate };
}

const article = (what: string) => `${/^[aeiou]/.test(what) ? "an" : "a"} ${what}`;

function keyNode(parent: unknown, key: PropertyKey): { range?: [number] } | undefined {
  if (!isMap(parent)) return undefined;
  const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === key);
  return pair?.key as { range?: [number] } | undefined;
}

interface Source {
  readonly value: Record<string, unknown>;
  readonly locate: Locate;
}

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
  const child = await parseFile(file);
  const sources: Source[] = [
    { value: overrides, locate: overridesWhere },
    { value: resolvePaths(child.value, file), locate: child.locate },
  ];
  let merged = sources[1].value;
  const parentName = child.value.extends;
  if (parentName !== undefined) {
    if (typeof parentName !== "string") {
      throw new ConfigError(
        `${child.locate(["extends"])}: 'extends' must be a file name, got ${
          JSON.stringify(parentName)
        }`,
      );
    }
    const parentFile = besideFile(file, parentName);
    const parent = await parseFile(parentFile);
    if (parent.value.extends !== undefined) {
      throw new ConfigError(`${parent.locate(["extends"])}: 'extends' may go one level deep only`);
    }
    const value = resolvePaths(parent.value, parentFile);
    sources.push({ value, locate: parent.locate });
    merged = mergeExperiment(value, merged);
  }
  merged = mergeExperiment(merged, overrides);
  delete merged.extends;
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

function resolvePaths(v: Record<string, unknown>, file: string): Record<string, unknown> {
  if (!Array.isArray(v.plugins)) return { ...v };
  const plugins = v.plugins.map((p) =>
    p && typeof p === "object" && typeof (p as { path?: unknown }).path === "string"
      ? { ...p, path: besideFile(file, (p as { path: string }).path) }
      : p
  );
  return { ...v, plugins };
}

/** Merges `over` into `base`: mappings deeply, plugin lists by name, everything else replaced. */
export function mergeExperiment(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    if (k === "plugins" && Array.isArray(b) && Array.isArray(v)) {
      const list = [...b];
      for (const p of v) {
        const name = (p as { name?: string })?.name;
        const i = name === undefined
          ? -1
          : list.findIndex((q) => (q as { name?: string })?.name === name);
        if (i >= 0) list[i] = p;
        else list.push(p);
      }
      out[k] = list;
    } else if (isPlain(b) && isPlain(v)) out[k] = mergeExperiment(b, v);
    else out[k] = v;
  }
  return out;
}

const isPlain = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);
