/**
 * skiplab's import rules (docs/9-development.md, Import rules) as data, and the checker that
 * applies them to every import {@link findImports} finds. Paths are POSIX and
 * relative to the project root; a file's folder is its first path segment
 * (`plugins/probes/x.ts` is in `plugins`), and `mod.ts` at the root is `root`.
 * @module
 */
import { findImports, findStrings } from "./scan.ts";

/** What one folder may import. Its own files are always allowed. */
export interface FolderRule {
  /** Folders it may import any file of. */
  readonly folders: readonly string[];
  /** Single files (or folders, when ending in "/") of other folders it may import. */
  readonly files?: readonly string[];
  /** Only `<folder>/mod.ts` files, the public API, may be imported from other folders. */
  readonly publicOnly?: boolean;
  /** Packages (npm:, node:, bare names) only through `import type`. */
  readonly packagesAsTypesOnly?: boolean;
  /** The rule in words, quoted in a violation's message. */
  readonly text: string;
}

/** An import that breaks a rule today and is being fixed elsewhere. */
export interface KnownException {
  /** Importing file, or a folder prefix ending in "/". */
  readonly from: string;
  /** The imported file. */
  readonly to: string;
  /** Why it is allowed for now, and who removes it. */
  readonly why: string;
}

/** One broken rule. */
export interface Violation {
  /** The importing file. */
  readonly file: string;
  /** Line of the import. */
  readonly line: number;
  /** The specifier as written. */
  readonly specifier: string;
  /** The resolved project file, or the package specifier. */
  readonly target: string;
  /** The rule in words. */
  readonly rule: string;
}

const LIBRARY = [
  "core",
  "rundir",
  "layers",
  "models",
  "data",
  "backends",
  "train",
  "plugins",
  "analysis",
  "inference",
];

/** The plugin API of train/: the only train files a plugin may import (the contexts and the hooks). */
export const PLUGIN_API: readonly string[] = ["train/types.ts", "train/hooks.ts"];

/** How epochs are numbered for people (rundir/epochs.ts): plugins number their log lines by it. */
export const EPOCH_NUMBERING = "rundir/epochs.ts";

/** The module that owns the run-directory format, through which analysis reads runs. */
export const RUN_DIRECTORY: readonly string[] = ["rundir/"];

/**
 * Folders whose files are private to their top-level folder, but for their
 * `mod.ts`: a backend's internals, named for what they hold (`relu.ts`), not
 * with a leading underscore each.
 */
export const PRIVATE_FOLDERS: readonly string[] = ["backends/native/", "backends/wasm/"];

/** The rules, by folder. */
export const RULES: Readonly<Record<string, FolderRule>> = {
  core: {
    folders: [],
    packagesAsTypesOnly: true,
    text: "core is dependency-free: it imports no other folder, and packages only as types",
  },
  rundir: {
    folders: ["core"],
    text: "rundir (the run directory's format) depends on core only",
  },
  layers: { folders: ["core"], text: "layers may import only core" },
  models: { folders: ["core", "layers"], text: "models may import only core and layers" },
  data: { folders: ["core"], text: "data depends on core only" },
  backends: { folders: ["core"], text: "backends depend on core only" },
  train: {
    folders: ["core", "rundir", "layers", "models", "data", "backends"],
    text: "train may import core, rundir, layers, models, data and backends",
  },
  plugins: {
    folders: ["core"],
    files: ["models/spec.ts", ...PLUGIN_API, EPOCH_NUMBERING],
    text: `plugins see only core, the types train exports for them (${PLUGIN_API.join(", ")}), ` +
      `the model spec they transform (models/spec.ts) and how epochs are numbered for people ` +
      `(${EPOCH_NUMBERING})`,
  },
  analysis: {
    folders: ["core"],
    files: RUN_DIRECTORY,
    text: `analysis reads run directories through the run-directory module (${
      RUN_DIRECTORY.join(", ")
    }), never the trainer`,
  },
  serve: {
    folders: ["core", "rundir", "analysis"],
    text: "serve (the dashboard) reads runs through rundir and analysis, never the trainer",
  },
  inference: {
    folders: ["core", "rundir", "layers", "models", "data", "backends", "train"],
    text: "inference (using trained models) may import what train may, and train",
  },
  experiment: {
    folders: LIBRARY,
    text: "experiment (schema, loading, resume rules, runs and suites) may import the library " +
      "folders, never the CLI",
  },
  root: {
    folders: [...LIBRARY, "experiment"],
    publicOnly: true,
    text: "the root mod.ts re-exports only the library folders' mod.ts",
  },
  sweep: {
    folders: [...LIBRARY, "experiment"],
    text: "sweep (expansion, planning, member processes, the job queue) may import the library " +
      "folders and experiment, never the CLI",
  },
  tasks: {
    folders: [...LIBRARY, "experiment", "serve", "sweep"],
    files: ["bench/main.ts"],
    text: "tasks (the CLI) may import the library folders, experiment, serve, sweep and " +
      "bench/main.ts (the bench command)",
  },
  bench: {
    folders: [...LIBRARY, "serve"],
    text: "bench may import the library folders and serve, not tasks or tests",
  },
  examples: {
    folders: [...LIBRARY, "experiment", "root"],
    publicOnly: true,
    text: "examples use only the public API (@skiplab/skiplab or a folder's mod.ts)",
  },
  tests: {
    folders: [...LIBRARY, "experiment", "serve", "sweep", "tasks", "bench", "examples", "root"],
    text: "",
  },
};

/** Imports that break the rules today, each with the reason it may, for now. */
export const KNOWN_EXCEPTIONS: readonly KnownException[] = [];

/** The folder a project path belongs to. */
export function folderOf(path: string): string {
  const slash = path.indexOf("/");
  return slash < 0 ? "root" : path.slice(0, slash);
}

function normalize(parts: string[]): string | undefined {
  const out: string[] = [];
  for (const p of parts) {
    if (p === "" || p === ".") continue;
    if (p === "..") {
      if (out.length === 0) return undefined;
      out.pop();
    } else out.push(p);
  }
  return out.join("/");
}

/**
 * Resolves a specifier of `file` to a project path, or returns it unchanged
 * as a package (npm:, node:, jsr:, URLs, bare names the import map sends to a
 * package). undefined means the path leaves the project.
 */
export function resolveSpecifier(
  file: string,
  specifier: string,
  importMap: Readonly<Record<string, string>>,
): { project: string | undefined } | { package: string } {
  let spec = specifier;
  const mapped = importMap[spec];
  if (mapped !== undefined) {
    if (!mapped.startsWith("./") && !mapped.startsWith("../")) return { package: specifier };
    return { project: normalize(mapped.split("/")) };
  }
  if (!spec.startsWith("./") && !spec.startsWith("../")) return { package: specifier };
  spec = spec.replace(/[?#].*$/, "");
  const dir = file.split("/").slice(0, -1);
  return { project: normalize([...dir, ...spec.split("/")]) };
}

function allowedFile(rule: FolderRule, target: string): boolean {
  return (rule.files ?? []).some((f) => f.endsWith("/") ? target.startsWith(f) : target === f);
}

function isPrivate(path: string): boolean {
  if ((path.split("/").pop() ?? "").startsWith("_")) return true;
  return PRIVATE_FOLDERS.some((f) => path.startsWith(f) && path !== `${f}mod.ts`);
}

/** Options of {@link checkImports}. */
export interface CheckOptions {
  /** deno.json `imports`, to resolve bare specifiers. @default {} */
  readonly importMap?: Readonly<Record<string, string>>;
  /** Allowed breaks. @default KNOWN_EXCEPTIONS */
  readonly exceptions?: readonly KnownException[];
  /** The rules. @default RULES */
  readonly rules?: Readonly<Record<string, FolderRule>>;
}

/** What {@link checkImports} found. */
export interface CheckResult {
  /** Broken rules, in file order. */
  readonly violations: Violation[];
  /** Exceptions that matched no import: fixed, so they must be removed from the list. */
  readonly unusedExceptions: KnownException[];
}

/** Checks the imports of `files` (project path → source) against the rules. */
export function checkImports(
  files: ReadonlyMap<string, string>,
  options: CheckOptions = {},
): CheckResult {
  const importMap = options.importMap ?? {};
  const exceptions = options.exceptions ?? KNOWN_EXCEPTIONS;
  const rules = options.rules ?? RULES;
  const used = new Set<KnownException>();
  const violations: Violation[] = [];
  for (const [file, source] of [...files].sort(([a], [b]) => a < b ? -1 : 1)) {
    const from = folderOf(file);
    const rule = rules[from];
    for (const ref of findImports(source)) {
      if (ref.specifier === undefined) continue; // import(expr): nothing to check statically
      const at = { file, line: ref.line, specifier: ref.specifier };
      if (rule === undefined) {
        violations.push({
          ...at,
          target: ref.specifier,
          rule: `folder '${from}' has no import rule`,
        });
        continue;
      }
      const resolved = resolveSpecifier(file, ref.specifier, importMap);
      if ("package" in resolved) {
        if (rule.packagesAsTypesOnly && !ref.typeOnly) {
          violations.push({ ...at, target: resolved.package, rule: rule.text });
        }
        continue;
      }
      const target = resolved.project;
      if (target === undefined) {
        violations.push({ ...at, target: ref.specifier, rule: "imports stay inside the project" });
        continue;
      }
      const to = folderOf(target);
      if (to === from) continue;
      const broken = to === "tasks" && from !== "tests"
        ? "nothing imports tasks"
        : isPrivate(target) && from !== "tests"
        ? "no folder imports another folder's _private.ts, nor a private folder's files " +
          `other than its mod.ts (${PRIVATE_FOLDERS.join(", ")})`
        : rule.publicOnly && !/^([a-z_]+\/)?mod\.ts$/.test(target)
        ? rule.text
        : rule.folders.includes(to) || allowedFile(rule, target)
        ? undefined
        : rule.text;
      if (broken === undefined) continue;
      const exception = exceptions.find((e) =>
        e.to === target && (e.from.endsWith("/") ? file.startsWith(e.from) : file === e.from)
      );
      if (exception) {
        used.add(exception);
        continue;
      }
      violations.push({ ...at, target, rule: broken });
    }
  }
  return { violations, unusedExceptions: exceptions.filter((e) => !used.has(e)) };
}

/** A violation as one line: file, line, import, resolved target and the rule. */
export function formatViolation(v: Violation): string {
  return `${v.file}:${v.line}: import "${v.specifier}" (${v.target}) breaks the rule: ${v.rule}`;
}

/**
 * The statements of a `mod.ts` that are not re-exports (`export * from`,
 * `export { … } from`, `export type { … } from`): a mod.ts only re-exports.
 */
export function nonReexports(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  return code.split(";").map((s) => s.trim()).filter((s) =>
    s !== "" && !/^export\s+(type\s+)?(\*(\s+as\s+\w+)?|\{[^}]*\})\s+from\s+["'][^"']+["']$/.test(s)
  );
}

/**
 * Where a run directory's file names may be spelled: rundir/ owns them, and
 * tests look at the files a run wrote. Anywhere else a path inside a run
 * comes from rundir's functions (`runPath`, `checkpointDir`, …).
 */
export const RUN_FILE_NAMES_ALLOWED_IN: readonly string[] = [...RUN_DIRECTORY, "tests/"];

/** A run file's name spelled as a path outside rundir/. */
export interface RunFileLiteral {
  /** The file. */
  readonly file: string;
  /** Line of the literal. */
  readonly line: number;
  /** The literal (or template piece) as written. */
  readonly literal: string;
  /** The run file's name it spells. */
  readonly name: string;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The string literals and template pieces of `files` (outside
 * {@linkcode RUN_FILE_NAMES_ALLOWED_IN}) that begin with one of `names` as a
 * path: a file name as the whole literal (`"summary.json"`) or after a
 * leading `/` (`${dir}/config.yaml`), a file or folder name followed by `/`
 * (`"checkpoints/last"`) or after a leading one (`${dir}/checkpoints`). A
 * name inside a sentence ("it has no config.yaml", "RUN/evaluations/") and a
 * bare word ("checkpoints", a key of rundir's tables) are not paths and pass.
 */
export function findRunFileLiterals(
  files: ReadonlyMap<string, string>,
  names: readonly string[],
): RunFileLiteral[] {
  const any = names.map(escape).join("|");
  const files_ = names.filter((n) => n.includes(".")).map(escape).join("|");
  const segment = new RegExp(`^(?:/?(${files_})$|/?(${any})/|/(${any})$)`);
  const out: RunFileLiteral[] = [];
  for (const [file, source] of [...files].sort(([a], [b]) => a < b ? -1 : 1)) {
    if (RUN_FILE_NAMES_ALLOWED_IN.some((dir) => file.startsWith(dir))) continue;
    if (!/\.(ts|tsx|mts|js|mjs)$/.test(file)) continue;
    for (const piece of findStrings(source)) {
      const m = segment.exec(piece.value);
      if (m) {
        out.push({ file, line: piece.line, literal: piece.value, name: m[1] ?? m[2] ?? m[3] });
      }
    }
  }
  return out;
}

/** A run-file literal as one line: file, line, the literal and what to use instead. */
export function formatRunFileLiteral(v: RunFileLiteral): string {
  return `${v.file}:${v.line}: "${v.literal}" spells the run file '${v.name}': ` +
    "paths inside a run come from rundir/ (runPath, checkpointDir, checkpointPath, …)";
}
