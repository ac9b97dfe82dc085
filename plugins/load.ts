/**
 * Turning a plugin entry of an experiment (`- name: …` or `- path: ./x.ts`,
 * with `options`) into a plugin: look the factory up or import the user's
 * module, validate the options with the factory's schema, create.
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Registry } from "../core/registry.ts";
import { importAtRunTime } from "../core/runtime_import.ts";
import { beforeUserCode } from "../core/user_code_guard.ts";
import type { Plugin, PluginFactory, SchemaIssue } from "./plugin.ts";

/** A plugin as an experiment names it: a registered name or a module path, and options. */
export interface PluginEntry {
  /** Registered name, e.g. `callbacks/early-stopping`. */
  readonly name?: string;
  /** Path of a module whose default export is the factory, e.g. `./my_probe.ts`. */
  readonly path?: string;
  /** Options checked by the factory's schema; omitted means `{}`. */
  readonly options?: unknown;
}

/**
 * Builds the plugin of an entry with validated options.
 *
 * @param entry Exactly one of `name` and `path`, and options.
 * @param registry Where names are looked up (see `createPluginRegistry`).
 * @param where Where the entry comes from, used to start every error message,
 *   e.g. `experiments/resnet18.yaml: plugins[2]`.
 * @param baseDir Directory a relative `path` is resolved against (the YAML
 *   file's directory); defaults to the working directory.
 * @throws {TypeError} for a malformed entry, invalid options (naming the option
 *   path and the rule) or a module that does not default-export a factory.
 * @throws {RangeError} for an unknown plugin name.
 *
 * @example
 * ```ts
 * import { instantiatePlugin } from "./load.ts";
 * import { createPluginRegistry } from "./registry.ts";
 * const plugin = await instantiatePlugin(
 *   { name: "callbacks/reduce-lr-on-plateau", options: { factor: 0.2, patience: 3 } },
 *   createPluginRegistry(),
 *   "paper-recipe.yaml: plugins[0]",
 * );
 * console.log(plugin.name); // callbacks/reduce-lr-on-plateau
 * ```
 */
export async function instantiatePlugin(
  entry: PluginEntry,
  registry: Registry<PluginFactory>,
  where = "plugin",
  baseDir?: string,
): Promise<Plugin> {
  const factory = await pluginFactoryOf(entry, registry, where, baseDir);
  const options = entry.options ?? {};
  const problems = pluginOptionIssues(factory, options);
  if (problems.length) {
    const list = problems.map((p) => `${formatPath(p.path)}: ${p.message}`);
    throw new TypeError(
      `${where}: invalid options for plugin '${factory.name}': ${list.join("; ")}`,
    );
  }
  let plugin: Plugin;
  try {
    plugin = factory.create(factory.schema.parse(options));
  } catch (e) {
    throw rethrow(`${where}: plugin '${factory.name}'`, e);
  }
  if (typeof plugin !== "object" || plugin === null || typeof plugin.name !== "string") {
    throw new TypeError(
      `${where}: plugin '${factory.name}': create() must return an object with a string 'name', ` +
        `got ${show(plugin)}`,
    );
  }
  return plugin;
}

/**
 * The factory an entry names: looked up in `registry`, or the default export
 * of the module at its `path`. Options are not looked at.
 *
 * @param where Prefix of error messages, e.g. `paper.yaml: plugins[2]`.
 * @throws {TypeError} for a malformed entry or a module without a factory.
 * @throws {RangeError} for an unknown name, with suggestions.
 */
export async function pluginFactoryOf(
  entry: PluginEntry,
  registry: Registry<PluginFactory>,
  where = "plugin",
  baseDir?: string,
): Promise<PluginFactory> {
  if (typeof entry !== "object" || entry === null) {
    throw new TypeError(`${where}: a plugin entry must be an object, got ${show(entry)}`);
  }
  const { name, path } = entry;
  if ((name === undefined) === (path === undefined)) {
    throw new TypeError(
      `${where}: a plugin entry needs exactly one of 'name' and 'path', got ${show(entry)}`,
    );
  }
  if (name !== undefined) {
    if (typeof name !== "string") {
      throw new TypeError(`${where}.name: must be a string, got ${show(name)}`);
    }
    try {
      return registry.get(name);
    } catch (e) {
      throw rethrow(where, e);
    }
  }
  if (typeof path !== "string" || path === "") {
    throw new TypeError(`${where}.path: must be a non-empty string, got ${show(path)}`);
  }
  return await loadPluginModule(path, baseDir, where);
}

/**
 * What is wrong with `options` by the factory's schema: one issue per
 * problem, its path relative to the options and a message that names the
 * rule and the value (or, for an unknown key, the known ones). Empty when the
 * options are valid.
 *
 * @example
 * ```ts
 * import { pluginOptionIssues } from "./load.ts";
 * import { createPluginRegistry } from "./registry.ts";
 * const factory = createPluginRegistry().get("callbacks/early-stopping");
 * const [issue] = pluginOptionIssues(factory, { patience: "seven" });
 * console.log(issue.path, issue.message); // ["patience"] "Invalid input: … (got \"seven\")"
 * ```
 */
export function pluginOptionIssues(factory: PluginFactory, options: unknown): SchemaIssue[] {
  const parsed = factory.schema.safeParse(options);
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) => {
    // An unknown key is reported at the key itself, so a config can point at its line.
    const keys = (issue as { keys?: unknown }).keys;
    const first = issue.code === "unrecognized_keys" && Array.isArray(keys) ? [keys[0]] : [];
    return {
      code: issue.code,
      path: [...issue.path, ...first],
      message: describeIssue(issue, options, factory),
    };
  });
}

/**
 * Imports a user plugin module and returns its default export, checked to be
 * a plugin factory (`name`, a `schema` with `safeParse`, `create`).
 *
 * @param path File path or `file:` URL; a relative path is resolved against `baseDir`.
 * @param baseDir Defaults to the working directory.
 * @param where Prefix of error messages.
 * @throws {TypeError} when the file is missing, fails to load or exports no factory.
 */
export async function loadPluginModule(
  path: string,
  baseDir?: string,
  where = "plugin",
): Promise<PluginFactory> {
  let url: URL;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    url = new URL(path);
    if (url.protocol !== "file:") {
      throw new TypeError(`${where}.path: only local files can be loaded, got '${path}'`);
    }
  } else {
    url = pathToFileURL(isAbsolute(path) ? path : resolve(baseDir ?? Deno.cwd(), path));
  }
  let mod: Record<string, unknown>;
  try {
    await Deno.stat(url);
    // Code not skiplab's own: whatever the process must do first (seal FFI) happens now.
    await beforeUserCode();
    mod = await importAtRunTime(url.href);
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound ? "no such file" : (e as Error).message;
    throw new TypeError(
      `${where}.path: cannot load plugin module '${path}' (${url.href}): ${why}`,
      {
        cause: e,
      },
    );
  }
  const factory = mod.default;
  if (!isPluginFactory(factory)) {
    throw new TypeError(
      `${where}.path: module '${path}' must default-export a plugin factory ` +
        `(definePlugin({ name, description, schema, create })), got ${
          "default" in mod ? show(factory) : "no default export"
        }`,
    );
  }
  return factory;
}

/** Whether a value has the shape of a {@linkcode PluginFactory}. */
export function isPluginFactory(value: unknown): value is PluginFactory {
  if (typeof value !== "object" || value === null) return false;
  const f = value as Record<string, unknown>;
  const schema = f.schema as { safeParse?: unknown } | undefined;
  return typeof f.name === "string" && f.name !== "" && typeof f.create === "function" &&
    typeof schema === "object" && schema !== null && typeof schema.safeParse === "function";
}

function describeIssue(issue: SchemaIssue, options: unknown, factory: PluginFactory): string {
  if (issue.code === "unrecognized_keys") {
    const shape = issue.path.length === 0
      ? (factory.schema as { shape?: object }).shape
      : undefined;
    const known = shape ? ` (known options: ${Object.keys(shape).join(", ") || "none"})` : "";
    return `${issue.message}${known}`;
  }
  let value: unknown = options;
  for (const key of issue.path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
  return `${issue.message}${value === undefined ? "" : ` (got ${show(value)})`}`;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (s, k) => typeof k === "number" ? `${s}[${k}]` : `${s}.${String(k)}`,
    "options",
  );
}

function rethrow(prefix: string, e: unknown): Error {
  const message = `${prefix}: ${e instanceof Error ? e.message : String(e)}`;
  const Ctor = e instanceof TypeError ? TypeError : e instanceof RangeError ? RangeError : Error;
  return new Ctor(message, { cause: e });
}

function show(value: unknown): string {
  if (typeof value === "function") return `function ${value.name || "(anonymous)"}`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
