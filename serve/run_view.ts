/**
 * What the dashboard shows of one run, as JSON-ready objects: a row of the
 * runs table and the whole of a run's page, read through rundir/ only.
 * @module
 */
import { classificationReport } from "../analysis/mod.ts";
import {
  type ClassRow,
  type ConfusionData,
  type GradientRow,
  type Heartbeat,
  type HistoryRow,
  readConfig,
  readHeartbeat,
  readRunCore,
  readRunFiles,
  readRunStart,
  readStatusFacts,
  readSteps,
  type RunCore,
  runPath,
  type RunStart,
  type RunStatus,
  runStatus,
  type RunSummary,
  type StepRow,
  type TableRow,
  type WrongImages,
} from "../rundir/mod.ts";
import { maxOf } from "../core/extent.ts";

/** A row of the runs table. Numbers not known are null (JSON) or NaN (before serialising). */
export interface RunRow {
  /** Path under the served folder, `/`-separated. */
  readonly id: string;
  /** Run name. */
  readonly name: string;
  /** Id of the suite the run belongs to, if any. */
  readonly suite: string | null;
  /**
   * Status decided from the files (rundir/status.ts), or `damaged` when a
   * file of the run cannot be read (the reason is the error).
   */
  readonly status: RunStatus | "damaged";
  /** Why that status. */
  readonly statusReason: string;
  /** Model name. */
  readonly model: string;
  /** The recipe in a few words: optimizer, rate, batch, width, augmentations, ablations, data. */
  readonly recipe: string;
  /** Seed. */
  readonly seed: number | null;
  /**
   * The resolved experiment less its `seed`, `name` and `out` (what it is called and where it
   * was written, not how it trained; as the suite page groups seeds), as a short hash: runs that share it differ only in seed, and the compare view
   * draws them as one mean line with a band. Null when the run has no recipe to read.
   */
  readonly seedGroup: string | null;
  /** Epochs trained. */
  readonly epochs: number;
  /** Epochs planned by the experiment. */
  readonly plannedEpochs: number | null;
  /** Highest validation accuracy of an epoch. */
  readonly bestValAcc: number;
  /** Test accuracy (finished runs). */
  readonly testAcc: number;
  /** Training minutes (summary, else the sum of epoch seconds). */
  readonly minutes: number;
  /** ISO start time, when known. */
  readonly started: string | null;
}

/** Everything a run's page shows. */
export interface RunDetail extends RunRow {
  /** summary.json, if written. */
  readonly summary: RunSummary | null;
  /** history.csv rows. */
  readonly history: readonly HistoryRow[];
  /** gradients.csv rows. */
  readonly gradients: readonly GradientRow[];
  /** timing.csv rows (probes/timing-memory), if recorded. */
  readonly timing: readonly TableRow[];
  /** confusion.csv, if written. */
  readonly confusion: ConfusionData | null;
  /** classes.csv, or the report computed from the confusion matrix. */
  readonly classes: readonly ClassRow[] | null;
  /** config.yaml as written. */
  readonly config: string | null;
  /** wrong_images.json, if written. */
  readonly wrong: WrongImages | null;
  /** steps.csv rows (a run of an older writer has none). */
  readonly steps: readonly StepRow[];
  /** run_start.json, if written. */
  readonly start: RunStart | null;
  /** heartbeat.json, if written: where the training process was at its last beat. */
  readonly heartbeat: Heartbeat | null;
}

/** A file a run may not have yet (or never, from an older writer): null then. */
const optional = <T>(read: Promise<T>): Promise<T | null> =>
  read.catch((e) => {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  });

/**
 * The model as trained, for a person: the registered name, and what the
 * recipe changed about it (`resnet18 (no skip)`), from run_start.json's
 * built name or summary.json's architecture.
 */
export function effectiveModel(
  model: string,
  built: string | undefined,
  skip: boolean | undefined,
  family?: string,
): string {
  if (built && built !== model) return built;
  if (family === "resnet" && skip === false && !/noskip/.test(model)) return `${model} (no skip)`;
  return model;
}

type Recipe = Record<string, unknown>;
const rec = (v: unknown): Recipe => (v && typeof v === "object" ? v as Recipe : {});

/** The recipe in a few words, from the resolved experiment. */
export function recipeHighlights(recipe: Readonly<Record<string, unknown>>): string {
  const opt = rec(recipe.optimizer), data = rec(recipe.data), sched = rec(recipe.schedule);
  const width = rec(recipe.model_options).width;
  const plugins = Array.isArray(recipe.plugins) ? recipe.plugins.map((p) => rec(p).name) : [];
  const short = (prefix: string) =>
    plugins.filter((n): n is string => typeof n === "string" && n.startsWith(prefix))
      .map((n) => n.slice(prefix.length));
  const parts = [
    opt.type !== undefined ? `${opt.type} lr ${opt.lr}` : "",
    recipe.batch_size !== undefined ? `batch ${recipe.batch_size}` : "",
    width !== undefined && width !== 1 ? `width ×${width}` : "",
    sched.type && sched.type !== "constant" ? `${sched.type} schedule` : "",
    short("augment/").join("+"),
    short("ablations/").join("+"),
    data.source !== undefined ? `${data.source}${data.limit ? ` ${data.limit}` : ""}` : "",
  ];
  return parts.filter(Boolean).join(" · ");
}

/** JSON of `v` with object keys sorted, so equal recipes give equal text. */
const canonical = (v: unknown): string =>
  Array.isArray(v)
    ? `[${v.map(canonical).join(",")}]`
    : v && typeof v === "object"
    ? `{${
      Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Recipe)[k])}`).join(
        ",",
      )
    }}`
    : JSON.stringify(v) ?? "null";

/** {@link RunRow.seedGroup} of `recipe`: 16 hex digits of the SHA-256 of its canonical JSON. */
async function seedGroup(recipe: Recipe): Promise<string | null> {
  const { seed: _seed, name: _name, out: _out, ...rest } = recipe;
  if (Object.keys(rest).length === 0) return null;
  const bytes = new TextEncoder().encode(canonical(rest));
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...hash.subarray(0, 8)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

interface Core {
  run: RunCore;
  recipe: Recipe;
}

/** Parsed files by run folder, kept while their size and modification time stay the same. */
const CORE_CACHE = new Map<string, { signature: string; core: Core }>();

async function readCore(dir: string): Promise<Core> {
  const stats = await Promise.all(
    (["summary", "history", "config", "format"] as const).map((f) =>
      Deno.stat(runPath(dir, f)).then((s) => `${s.size}@${s.mtime?.getTime()}`, () => "-")
    ),
  );
  const signature = stats.join(",");
  const hit = CORE_CACHE.get(dir);
  if (hit?.signature === signature) return hit.core;
  const core = await parseCore(dir);
  CORE_CACHE.set(dir, { signature, core });
  return core;
}

async function parseCore(dir: string): Promise<Core> {
  const run = await readRunCore(dir);
  const recipe = run.summary
    ? { ...run.summary.recipe }
    : run.config !== undefined
    ? { ...await readConfig(dir) }
    : {};
  return { run, recipe };
}

async function rowOf(id: string, dir: string, suite: string | null, core: Core): Promise<RunRow> {
  const { run: { summary: s, history }, recipe } = core;
  const facts = await readStatusFacts(dir, s, history);
  const verdict = runStatus(facts, Date.now());
  const valAcc = history.map((h) => h.val_acc).filter(Number.isFinite);
  const seconds = history.reduce((a, h) => a + (Number.isFinite(h.seconds) ? h.seconds : 0), 0);
  const started = s?.started_at ??
    (await Deno.stat(runPath(dir, "config")).then(
      (st) => st.mtime?.toISOString(),
      () => null,
    ));
  const num = (v: unknown) => (typeof v === "number" ? v : null);
  return {
    id,
    name: s?.name ?? (typeof recipe.name === "string" ? recipe.name : id.split("/").pop()!),
    suite,
    status: verdict.status,
    statusReason: verdict.reason,
    model: effectiveModel(
      s?.model ?? String(recipe.model ?? "?"),
      undefined,
      s?.architecture.skip,
      s?.architecture.family,
    ),
    recipe: recipeHighlights(recipe),
    seed: s?.seed ?? num(recipe.seed),
    seedGroup: await seedGroup(recipe),
    epochs: history.length,
    plannedEpochs: num(recipe.epochs),
    bestValAcc: valAcc.length ? maxOf(valAcc) : NaN,
    testAcc: s?.test_acc ?? NaN,
    minutes: s?.train_minutes ?? seconds / 60,
    started: started ?? null,
  };
}

/**
 * The row of a run whose files cannot be read (a truncated summary.json, a
 * history.csv with a broken row): it stays in the table, marked damaged,
 * with the error as its reason, so one bad run never hides the others.
 */
function damagedRow(id: string, suite: string | null, e: unknown): RunRow {
  return {
    id,
    name: id.split("/").pop()!,
    suite,
    status: "damaged",
    statusReason: e instanceof Error ? e.message : String(e),
    model: "?",
    recipe: "",
    seed: null,
    seedGroup: null,
    epochs: 0,
    plannedEpochs: null,
    bestValAcc: NaN,
    testAcc: NaN,
    minutes: NaN,
    started: null,
  };
}

/** The runs-table row of the run in `dir` (id `id`, in suite `suite`); a damaged run's says so. */
export async function runRow(id: string, dir: string, suite: string | null): Promise<RunRow> {
  try {
    return await rowOf(id, dir, suite, await readCore(dir));
  } catch (e) {
    return damagedRow(id, suite, e);
  }
}

/** Everything the page of the run in `dir` shows; a damaged run's page shows its error. */
export async function runDetail(id: string, dir: string, suite: string | null): Promise<RunDetail> {
  try {
    return await readDetail(id, dir, suite);
  } catch (e) {
    return {
      ...damagedRow(id, suite, e),
      summary: null,
      history: [],
      gradients: [],
      timing: [],
      confusion: null,
      classes: null,
      config: await Deno.readTextFile(runPath(dir, "config")).catch(() => null),
      wrong: null,
      steps: [],
      start: null,
      heartbeat: null,
    };
  }
}

async function readDetail(id: string, dir: string, suite: string | null): Promise<RunDetail> {
  const core = await readCore(dir);
  const run = await readRunFiles(dir, { requireResults: false });
  const confusion = run.confusion ?? null;
  const classes = run.classes ??
    (confusion ? classificationReport(confusion.matrix, confusion.classNames) : null);
  const start = await optional(readRunStart(runPath(dir, "start")));
  const row = await rowOf(id, dir, suite, core);
  return {
    ...row,
    model: start
      ? effectiveModel(start.model, start.model_built, start.skip, start.family)
      : row.model,
    summary: run.summary ?? null,
    history: run.history,
    gradients: run.gradients,
    timing: run.tables.timing ?? [],
    confusion,
    classes,
    config: run.config ?? null,
    wrong: run.wrongImages ?? null,
    steps: (await optional(readSteps(runPath(dir, "steps")))) ?? [],
    start,
    heartbeat: await optional(readHeartbeat(runPath(dir, "heartbeat"))),
  };
}
