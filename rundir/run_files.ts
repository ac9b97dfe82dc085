/**
 * A run directory read as a whole, and the writers of its text files
 * (config.yaml, report.md, figures/*.svg).
 * @module
 */
import { join } from "node:path";
import { parse } from "yaml";
import { writeFileAtomic } from "./atomic.ts";
import { RUN_FILES } from "./layout.ts";
import { readSummary, type RunSummary } from "./summary.ts";
import {
  type ClassRow,
  type ConfusionData,
  type GradientRow,
  type HistoryRow,
  readClasses,
  readConfusion,
  readGradients,
  readHistory,
} from "./tables.ts";

/** Everything a run directory holds for analysis, typed. */
export interface RunFiles {
  /** The run directory. */
  readonly dir: string;
  /** The run's name (summary.json `name`, else the directory name). */
  readonly name: string;
  /** summary.json, if present. */
  readonly summary: RunSummary | undefined;
  /** history.csv; empty when the file is missing. */
  readonly history: readonly HistoryRow[];
  /** gradients.csv; empty when the file is missing. */
  readonly gradients: readonly GradientRow[];
  /** confusion.csv, if present. */
  readonly confusion: ConfusionData | undefined;
  /** classes.csv, if present. */
  readonly classes: readonly ClassRow[] | undefined;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/** Reads `path` with `read` when the file exists. */
async function optional<T>(path: string, read: (p: string) => Promise<T>): Promise<T | undefined> {
  return (await exists(path)) ? await read(path) : undefined;
}

/**
 * Reads a run directory; history.csv or summary.json must exist, the other files are optional.
 * @throws {Deno.errors.NotFound} when the directory holds neither history.csv nor summary.json.
 * @throws {SyntaxError} when a file does not have its format (naming the file and the problem).
 */
export async function readRunFiles(dir: string): Promise<RunFiles> {
  const at = (f: string) => join(dir, f);
  const summary = await optional(at(RUN_FILES.summary), readSummary);
  const history = await optional(at(RUN_FILES.history), readHistory);
  if (!summary && !history) {
    throw new Deno.errors.NotFound(
      `Cannot read run '${dir}': it holds neither ${RUN_FILES.history} nor ${RUN_FILES.summary}`,
    );
  }
  return {
    dir,
    name: summary?.name ?? dir.replace(/[\\/]+$/, "").split(/[\\/]/).pop() ?? dir,
    summary,
    history: history ?? [],
    gradients: await optional(at(RUN_FILES.gradients), readGradients) ?? [],
    confusion: await optional(at(RUN_FILES.confusion), readConfusion),
    classes: await optional(at(RUN_FILES.classes), readClasses),
  };
}

/** Writes config.yaml (the resolved experiment, as YAML text) in `dir`. */
export async function writeConfig(dir: string, yaml: string): Promise<void> {
  await writeFileAtomic(join(dir, RUN_FILES.config), yaml);
}

/** The text of config.yaml in `dir` (the resolved experiment), or undefined when there is none. */
export async function readConfigText(dir: string): Promise<string | undefined> {
  return await optional(join(dir, RUN_FILES.config), (p) => Deno.readTextFile(p));
}

/**
 * Reads config.yaml (the resolved experiment) of the run `dir`, as plain data;
 * tasks/ validates it against the experiment schema.
 * @throws {Deno.errors.NotFound} naming the run when it has no config.yaml.
 * @throws {SyntaxError} naming the file when it is not a YAML mapping.
 */
export async function readConfig(dir: string): Promise<Readonly<Record<string, unknown>>> {
  const path = join(dir, RUN_FILES.config);
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    throw new Deno.errors.NotFound(`Cannot read run '${dir}': it has no ${RUN_FILES.config}`);
  }
  let value: unknown;
  try {
    value = parse(text);
  } catch (e) {
    throw new SyntaxError(`Cannot read '${path}': invalid YAML (${(e as Error).message})`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new SyntaxError(`Cannot read '${path}': expected a mapping of keys to values`);
  }
  return value as Record<string, unknown>;
}

/** Writes report.md in `dir` (a run's or a suite's); returns its path. */
export async function writeReport(dir: string, markdown: string): Promise<string> {
  const path = join(dir, RUN_FILES.report);
  await writeFileAtomic(path, markdown);
  return path;
}

/** Writes one SVG figure under `dir/figures/`; returns its path. */
export async function writeFigure(dir: string, file: string, svg: string): Promise<string> {
  if (!/^[\w.-]+\.svg$/.test(file)) {
    throw new RangeError(
      `Cannot write a figure: the file must be a plain name ending in .svg, got '${file}'`,
    );
  }
  await Deno.mkdir(join(dir, RUN_FILES.figures), { recursive: true });
  const path = join(dir, RUN_FILES.figures, file);
  await writeFileAtomic(path, svg);
  return path;
}
