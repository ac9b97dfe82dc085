/**
 * A run directory read as a whole, the one reader that analysis, inference
 * and the dashboard share, and the writers of its text files (config.yaml,
 * report.md, figures/*.svg). Epochs come numbered from 1 whatever the
 * directory's format (rundir/format.ts).
 * @module
 */
import { join } from "node:path";
import { parse } from "yaml";
import { writeFileAtomic } from "./atomic.ts";
import { readRunFormat, type RunFormat } from "./format.ts";
import { RUN_FILES, type RunFile, runPath } from "./layout.ts";
import { readWrongImages, type WrongImages } from "./predictions.ts";
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
  readRecordedTable,
  type TableRow,
} from "./tables.ts";

/** What lists a run: its summary, history and config (cheap enough to read for every run). */
export interface RunCore {
  /** The run directory. */
  readonly dir: string;
  /** The run's name (summary.json `name`, else the directory name). */
  readonly name: string;
  /** The directory's format (1: written before format.json; read as the current one). */
  readonly format: RunFormat;
  /** summary.json, if present. */
  readonly summary: RunSummary | undefined;
  /** history.csv; empty when the file is missing. */
  readonly history: readonly HistoryRow[];
  /** config.yaml as written (the resolved experiment), if present. */
  readonly config: string | undefined;
}

/** Everything a run directory holds for analysis, inference and the dashboard, typed. */
export interface RunFiles extends RunCore {
  /** gradients.csv; empty when the file is missing. */
  readonly gradients: readonly GradientRow[];
  /** confusion.csv, if present. */
  readonly confusion: ConfusionData | undefined;
  /** classes.csv, if present. */
  readonly classes: readonly ClassRow[] | undefined;
  /** Every other table plugins recorded (timing, curve, …), by table name. */
  readonly tables: Readonly<Record<string, readonly TableRow[]>>;
  /** wrong_images.json, if present. */
  readonly wrongImages: WrongImages | undefined;
}

/** Options of {@linkcode readRunFiles}. */
export interface ReadRunOptions {
  /**
   * Require history.csv or summary.json (results to analyse); false also
   * accepts a run that has written only config.yaml so far. @default true
   */
  readonly requireResults?: boolean;
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

/** Whether the run directory `dir` holds `file`. */
export async function hasRunFile(dir: string, file: RunFile): Promise<boolean> {
  return await exists(runPath(dir, file));
}

/** The files that mark a folder as a run directory: any one of them. */
export const RUN_MARKERS: readonly RunFile[] = ["config", "history", "summary"];

/** Whether `dir` is a run directory: it holds config.yaml, history.csv or summary.json. */
export async function isRunDir(dir: string): Promise<boolean> {
  for (const f of RUN_MARKERS) if (await hasRunFile(dir, f)) return true;
  return false;
}

/**
 * Reads what lists a run: summary.json, history.csv and config.yaml, each optional.
 * @throws {Deno.errors.NotFound} when `dir` holds none of them.
 * @throws {SyntaxError} when a file does not have its format (naming the file and the problem).
 */
export async function readRunCore(dir: string): Promise<RunCore> {
  if (!(await isRunDir(dir))) {
    throw new Deno.errors.NotFound(
      `Cannot read run '${dir}': it holds none of ${
        RUN_MARKERS.map((f) => RUN_FILES[f]).join(", ")
      }`,
    );
  }
  const summary = await optional(runPath(dir, "summary"), readSummary);
  return {
    dir,
    name: summary?.name ?? dir.replace(/[\\/]+$/, "").split(/[\\/]/).pop() ?? dir,
    format: await readRunFormat(dir),
    summary,
    history: await optional(runPath(dir, "history"), readHistory) ?? [],
    config: await readConfigText(dir),
  };
}

/** The CSV files of a run that are not tables plugins record. */
const OWN_CSV: readonly string[] = [
  RUN_FILES.history,
  RUN_FILES.gradients,
  RUN_FILES.confusion,
  RUN_FILES.classes,
  RUN_FILES.predictions,
];

/**
 * Reads a run directory whole: summary, history and config ({@linkcode
 * readRunCore}), gradients, confusion matrix, class report, the other tables
 * plugins recorded and the wrongly predicted images, each optional.
 * @throws {Deno.errors.NotFound} when the directory holds neither history.csv
 *   nor summary.json (with `requireResults: false`, none of config.yaml,
 *   history.csv and summary.json).
 * @throws {SyntaxError} when a file does not have its format (naming the file and the problem).
 */
export async function readRunFiles(dir: string, options: ReadRunOptions = {}): Promise<RunFiles> {
  const results = (await hasRunFile(dir, "history")) || (await hasRunFile(dir, "summary"));
  if (options.requireResults !== false && !results) {
    throw new Deno.errors.NotFound(
      `Cannot read run '${dir}': it holds neither ${RUN_FILES.history} nor ${RUN_FILES.summary}`,
    );
  }
  const core = await readRunCore(dir);
  const tables: Record<string, TableRow[]> = {};
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && e.name.endsWith(".csv") && !OWN_CSV.includes(e.name)) names.push(e.name);
  }
  for (const name of names.sort()) {
    tables[name.slice(0, -".csv".length)] = await readRecordedTable(join(dir, name));
  }
  return {
    ...core,
    gradients: await optional(runPath(dir, "gradients"), readGradients) ?? [],
    confusion: await optional(runPath(dir, "confusion"), readConfusion),
    classes: await optional(runPath(dir, "classes"), readClasses),
    tables,
    wrongImages: await optional(runPath(dir, "wrongImages"), readWrongImages),
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
