/**
 * An evaluation of a saved checkpoint, written beside the run and never over
 * its files: `evaluations/<name>/` holds `evaluation.json` (what was
 * evaluated, on what, and the metrics), `confusion.csv` and `classes.csv`
 * in the run's own formats.
 * @module
 */
import { join } from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "./atomic.ts";
import { RUN_FILES } from "./layout.ts";
import { readJsonFile } from "./_json.ts";

/** The folder of a run directory that holds its evaluations, one folder each. */
export const EVALUATIONS_DIR = "evaluations";

/** File names inside one evaluation's folder. */
export const EVALUATION_FILES = {
  /** The {@linkcode EvaluationRecord}, JSON. */
  record: "evaluation.json",
  /** Confusion matrix, as the run's confusion.csv. */
  confusion: RUN_FILES.confusion,
  /** Per-class report, as the run's classes.csv. */
  classes: RUN_FILES.classes,
} as const;

const measured = z.number().nullable().transform((v) => v ?? NaN);

const RECORD_SCHEMA = z.strictObject({
  name: z.string().min(1),
  checkpoint: z.enum(["best", "last"]),
  epochs_trained: z.int().min(0),
  data: z.string().min(1),
  split: z.string().min(1),
  count: z.int().min(0),
  loss: measured,
  acc: measured,
  top5_acc: measured,
  backend: z.string().min(1),
  evaluated_at: z.iso.datetime(),
});

/** What one evaluation of a checkpoint measured (`evaluation.json`). */
export interface EvaluationRecord {
  /** Folder name under `evaluations/`, e.g. `best-test`. */
  readonly name: string;
  /** The checkpoint slot evaluated. */
  readonly checkpoint: "best" | "last";
  /** Epochs the checkpoint had trained when it was saved. */
  readonly epochs_trained: number;
  /** The data source, as in config.yaml's `data.source` (or `--data`). */
  readonly data: string;
  /** The split evaluated, e.g. `test`. */
  readonly split: string;
  /** Images evaluated. */
  readonly count: number;
  /** Mean cross-entropy (NaN, written as null, for an empty set). */
  readonly loss: number;
  /** Top-1 accuracy, a fraction. */
  readonly acc: number;
  /** Top-5 accuracy, a fraction (NaN with fewer than six classes). */
  readonly top5_acc: number;
  /** The tfjs backend that ran it. */
  readonly backend: string;
  /** When, ISO 8601. */
  readonly evaluated_at: string;
}

/**
 * The folder of evaluation `name` of the run `runDir`.
 * @throws {RangeError} for a name that is not a plain folder name.
 */
export function evaluationDir(runDir: string, name: string): string {
  if (!/^[\w.-]+$/.test(name) || name.startsWith(".")) {
    throw new RangeError(
      `Cannot name an evaluation: the name must be letters, digits, '_', '-' or '.', got '${name}'`,
    );
  }
  return join(runDir, EVALUATIONS_DIR, name);
}

/** Writes `evaluation.json` in `dir` (an evaluation folder, created when missing). */
export async function writeEvaluation(dir: string, record: EvaluationRecord): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  // A measure that is not a number (an empty set; weights that give NaN) is written as null, as
  // JSON can hold it, and read back as NaN: never a schema error at the end of an evaluation.
  const orNull = (v: number) => Number.isFinite(v) ? v : null;
  const doc = {
    ...record,
    loss: orNull(record.loss),
    acc: orNull(record.acc),
    top5_acc: orNull(record.top5_acc),
  };
  RECORD_SCHEMA.parse(doc);
  await writeFileAtomic(join(dir, EVALUATION_FILES.record), JSON.stringify(doc, null, 2) + "\n");
}

/**
 * Reads `evaluation.json` of the evaluation folder `dir`.
 * @throws {SyntaxError} naming the file and the field that is wrong.
 */
export async function readEvaluation(dir: string): Promise<EvaluationRecord> {
  const path = join(dir, EVALUATION_FILES.record);
  const r = RECORD_SCHEMA.safeParse(await readJsonFile(path));
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new SyntaxError(`Cannot read '${path}': ${issue.path.join(".")}: ${issue.message}`);
}
