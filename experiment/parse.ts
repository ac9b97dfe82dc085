/**
 * Reading an experiment file as written: its YAML (errors carry line and
 * column, bounded in size and aliases), its `extends:` parent (one level)
 * merged in, and plugin paths resolved against the file naming them, without
 * validation. The loader (load.ts) validates what this returns; the launcher
 * (tasks/permissions.ts) reads from it the files a run will touch, without
 * loading the models.
 * @module
 */
import { dirname, resolve } from "node:path";
import { isMap, isScalar, LineCounter, parseDocument } from "yaml";
import {
  FILE_BOUNDS,
  FileBoundError,
  MAX_YAML_ALIASES,
  readBoundedText,
} from "../core/bounded_read.ts";
import { ConfigError, type Locate } from "./config_error.ts";

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

/** One source of an experiment's keys: its values and where each key path is. */
export interface Source {
  /** Its keys and values. */
  readonly value: Record<string, unknown>;
  /** Where a key path of it was set. */
  readonly locate: Locate;
  /** The file it was read from, if it was (not for overrides). */
  readonly file?: string;
}

/**
 * The experiment `file` as written: its mapping merged over its `extends:`
 * parent (one level; a child's plugin with the same name replaces the
 * parent's), plugin paths resolved, and the sources that set each key (the
 * file, then its parent) for error messages.
 * @throws {ConfigError} naming the file, line and column of invalid YAML or a bad `extends`.
 */
export async function readExperimentFile(
  file: string,
): Promise<{ value: Record<string, unknown>; sources: Source[] }> {
  const child = await parseFile(file);
  const sources: Source[] = [
    { value: resolvePaths(child.value, file), locate: child.locate, file },
  ];
  let merged = sources[0].value;
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
    sources.push({ value, locate: parent.locate, file: parentFile });
    merged = mergeExperiment(value, merged);
  }
  delete merged.extends;
  return { value: merged, sources };
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
