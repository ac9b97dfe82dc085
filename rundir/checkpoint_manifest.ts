/**
 * The format of a checkpoint folder (`checkpoints/best`, `checkpoints/last`),
 * beside the run's other files: its file names, and what it must hold
 * before a run may resume from it: `state.json` and `model.json` checked by
 * schemas, binary files of the sizes their manifests promise, and every file
 * of the content hash state.json records for it (rundir/content_hash.ts). A damaged
 * checkpoint fails here, with the file and the field, before any data is
 * read or any tensor made. train/checkpoint.ts writes and loads the tensors.
 *
 * The state is the trainer's own, so its epochs count from 0 as the
 * trainer's do: no person reads state.json.
 * @module
 */
import { UserError } from "../core/errors.ts";
import { join } from "node:path";
import { z } from "zod";
import { recoverDir } from "./atomic.ts";
import type { CheckpointState } from "./checkpoint_state.ts";
import { CONTENT_HASH, contentHash } from "./content_hash.ts";

/** A checkpoint that cannot be resumed from; the message names the file and the field. */
export class CheckpointError extends UserError {
  /** `"CheckpointError"`, as printed before the message. */
  override name = "CheckpointError";
}

/** The class name tfjs serialises `SeededDropout` layers under (layers/seeded_dropout.ts). */
const DROPOUT_CLASS = "SkiplabSeededDropout";

/** The `format` a checkpoint's `state.json` declares. */
export const CHECKPOINT_FORMAT = "skiplab-checkpoint/1";

/** File names inside a checkpoint folder. */
export const CHECKPOINT_FILES = {
  /** The training state and the tensor manifests of the binary files, JSON. */
  state: "state.json",
  /** The model in tfjs's format (topology and weights manifest). */
  model: "model.json",
  /** The model's weights, as `model.json` lists them. */
  weights: "weights.bin",
  /** The optimiser's slots, as `state.json` lists them. */
  optimizer: "optimizer.bin",
  /** Weight snapshots (`<slot>.bin`) plugins keep, e.g. the best epoch's. */
  snapshots: "snapshots",
} as const;

/** Path of `file` (a key of {@linkcode CHECKPOINT_FILES}) inside the checkpoint folder `dir`. */
export function checkpointPath(dir: string, file: keyof typeof CHECKPOINT_FILES): string {
  return join(dir, CHECKPOINT_FILES[file]);
}

/** One tensor of a binary file: name, shape and element type (a tfjs manifest entry). */
export interface TensorSpec {
  /** Tensor name, e.g. `stem_conv/kernel`. */
  readonly name: string;
  /** Shape; the product of its sizes times 4 bytes is the tensor's length in the file. */
  readonly shape: number[];
  /** Element type; both are four bytes wide. */
  readonly dtype: "float32" | "int32";
}

/** The checked contents of a checkpoint folder, without its tensors. */
export interface CheckpointManifest {
  /** Counters, random streams, plugin states, history. */
  readonly state: CheckpointState;
  /** `model.json` as written by tfjs (topology and weights manifest). */
  readonly model: Record<string, unknown>;
  /** Tensors of `weights.bin`, in order. */
  readonly weights: TensorSpec[];
  /** Tensors of `optimizer.bin`, in order. */
  readonly optimizer: TensorSpec[];
  /** Tensors of each `snapshots/<slot>.bin`, by slot. */
  readonly snapshots: Record<string, TensorSpec[]>;
}

const count = z.int().min(0);
const uint32 = z.int().min(0).max(2 ** 32 - 1);
const rngState = z.array(uint32).length(4);
const tensorSpec: z.ZodType<TensorSpec> = z.looseObject({
  name: z.string().min(1),
  shape: z.array(count),
  dtype: z.enum(["float32", "int32"]),
});
const epochMetrics = z.object({
  epoch: count,
  loss: z.number(),
  acc: z.number().min(0).max(1),
  val_loss: z.number(),
  val_acc: z.number().min(0).max(1),
  lr: z.number().positive(),
  seconds: z.number().min(0),
}).catchall(z.number());

/** The schema of `CheckpointState`; typed by it, so the two cannot drift. Unknown keys are kept. */
const TrainStateSchema: z.ZodType<CheckpointState> = z.looseObject({
  epoch: count,
  step: count,
  lr: z.number().positive(),
  iterations: count,
  partial: z.object({
    loss: z.number().min(0),
    correct: count,
    seen: count,
    seconds: z.number().min(0),
  }),
  curve: z.object({ loss: z.number().min(0), correct: count, seen: count }).optional(),
  stepRng: z.union([rngState, z.array(uint32).length(0)]),
  dropoutRng: z.record(z.string(), rngState),
  plugins: z.record(z.string(), z.json()),
  history: z.array(epochMetrics),
  tables: z.record(z.string(), z.array(z.record(z.string(), z.union([z.number(), z.string()])))),
  stopReason: z.string().optional(),
  backend: z.string().min(1).max(64).optional(),
});

/**
 * `hashes` (every other file's content hash, by its path in the folder) came
 * after the format's first release: a checkpoint written before it has none
 * and loads unchecked, as it always did; one that has them is checked.
 */
const StateFile = z.object({
  format: z.literal(CHECKPOINT_FORMAT),
  state: TrainStateSchema,
  optimizer: z.array(tensorSpec),
  snapshots: z.record(z.string(), z.array(tensorSpec)),
  hashes: z.record(z.string(), z.string().regex(CONTENT_HASH, "expected sha256:<64 hex digits>"))
    .optional(),
});

const ModelFile = z.looseObject({
  modelTopology: z.looseObject({}),
  weightsManifest: z.tuple([
    z.looseObject({
      paths: z.tuple([z.literal(CHECKPOINT_FILES.weights)]),
      weights: z.array(tensorSpec),
    }),
  ]),
});

/** The file of slot `slot`'s weight snapshot inside a checkpoint folder. */
export const snapshotFile = (slot: string): string =>
  `${CHECKPOINT_FILES.snapshots}/${encodeURIComponent(slot)}.bin`;

/**
 * Reads and checks the checkpoint in `dir`: `state.json` and `model.json`
 * against their schemas, each binary file against the byte length its
 * manifest implies. `purpose` words the error ("resume from" for a run that
 * continues, "load" for evaluating or predicting with it).
 *
 * @throws {CheckpointError} naming the file, the field and what is wrong, e.g.
 *   `Cannot resume from 'runs/x/checkpoints/last': state.json: state.history[1].val_loss:
 *   Invalid input: expected number, received string`.
 */
export async function readCheckpointManifest(
  dir: string,
  purpose: "resume from" | "load" = "resume from",
): Promise<CheckpointManifest> {
  // A swap a kill cut short is finished first, so a whole checkpoint is what gets checked.
  await recoverDir(dir);
  const fail = (file: string, what: string): never => {
    throw new CheckpointError(`Cannot ${purpose} '${dir}': ${file}: ${what}`);
  };
  const readJson = async <T>(file: string, schema: z.ZodType<T>): Promise<T> => {
    let text: string;
    try {
      text = await Deno.readTextFile(join(dir, file));
    } catch (e) {
      return fail(file, e instanceof Deno.errors.NotFound ? "missing" : (e as Error).message);
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      return fail(file, `not valid JSON (${(e as Error).message})`);
    }
    const r = schema.safeParse(doc);
    if (r.success) return r.data;
    const issue = r.error.issues[0];
    return fail(file, `${fieldOf(issue.path)}: ${describe(issue, doc)}`);
  };
  const doc = await readJson(CHECKPOINT_FILES.state, StateFile);
  const model = await readJson(CHECKPOINT_FILES.model, ModelFile);
  if (doc.state.step > 0) {
    // Mid-epoch, the trainer restores the step's random stream and each dropout layer's.
    if (doc.state.stepRng.length !== 4) {
      fail(
        CHECKPOINT_FILES.state,
        `state.stepRng: a checkpoint at step ${doc.state.step} needs 4 words, got []`,
      );
    }
    for (const name of dropoutLayers(model.modelTopology)) {
      if (!(name in doc.state.dropoutRng)) {
        fail(
          CHECKPOINT_FILES.state,
          `state.dropoutRng.${name}: missing (model.json has dropout layer '${name}')`,
        );
      }
    }
  }
  const weights = model.weightsManifest[0].weights;
  const { state, model: modelFile, weights: weightsFile, optimizer } = CHECKPOINT_FILES;
  await checkSize(dir, weightsFile, weights, modelFile, fail);
  await checkSize(dir, optimizer, doc.optimizer, state, fail);
  for (const [slot, specs] of Object.entries(doc.snapshots)) {
    await checkSize(dir, snapshotFile(slot), specs, state, fail);
  }
  if (doc.hashes) {
    const files = [
      modelFile,
      weightsFile,
      optimizer,
      ...Object.keys(doc.snapshots).map(snapshotFile),
    ];
    for (const file of files) await checkHash(dir, file, doc.hashes[file], fail);
  }
  return { state: doc.state, model, weights, optimizer: doc.optimizer, snapshots: doc.snapshots };
}

async function checkSize(
  dir: string,
  file: string,
  specs: readonly TensorSpec[],
  manifest: string,
  fail: (file: string, what: string) => never,
): Promise<void> {
  const expected = specs.reduce((n, s) => n + 4 * s.shape.reduce((a, b) => a * b, 1), 0);
  let size: number;
  try {
    size = (await Deno.stat(join(dir, file))).size;
  } catch (e) {
    return fail(file, e instanceof Deno.errors.NotFound ? "missing" : (e as Error).message);
  }
  if (size !== expected) {
    fail(
      file,
      `${size} bytes, expected ${expected} for the ${specs.length} tensors ${manifest} lists`,
    );
  }
}

/** Fails unless `file` in `dir` has the content hash `expected` that state.json records. */
async function checkHash(
  dir: string,
  file: string,
  expected: string | undefined,
  fail: (file: string, what: string) => never,
): Promise<void> {
  if (expected === undefined) {
    fail(CHECKPOINT_FILES.state, `hashes: no content hash of ${file} (it lists the others)`);
  }
  const got = await contentHash(await Deno.readFile(join(dir, file)));
  if (got !== expected) {
    fail(
      file,
      `damaged: its content does not match the hash state.json records (${
        expected!.slice(0, 19)
      }…, the file's is ${got.slice(0, 19)}…); the file was changed after it was saved`,
    );
  }
}

/** Names of the seeded dropout layers anywhere in a tfjs model topology. */
function dropoutLayers(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => dropoutLayers(n, out));
  else if (node !== null && typeof node === "object") {
    const o = node as { class_name?: unknown; config?: { name?: unknown } };
    if (o.class_name === DROPOUT_CLASS && typeof o.config?.name === "string") {
      out.push(o.config.name);
    }
    Object.values(o).forEach((v) => dropoutLayers(v, out));
  }
  return out;
}

function fieldOf(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").slice(1) ||
    "(top level)";
}

function describe(issue: z.core.$ZodIssue, doc: unknown): string {
  let value: unknown = doc;
  for (const k of issue.path) {
    value = value !== null && typeof value === "object"
      ? (value as Record<PropertyKey, unknown>)[k]
      : undefined;
  }
  if (value === undefined && issue.code === "invalid_type") {
    return `missing (expected ${issue.expected})`;
  }
  const got = value === undefined ? "" : `, got ${JSON.stringify(value)?.slice(0, 80)}`;
  return `${issue.message}${got}`;
}
