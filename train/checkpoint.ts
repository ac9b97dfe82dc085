import * as tf from "@tensorflow/tfjs";
import type { LayersModel, NamedTensorMap } from "../core/tf_types.ts";
import type { PluginState } from "./hooks.ts";
import { recoverDir, replaceDirAtomic, writeFileSynced } from "../rundir/atomic.ts";
import { CHECKPOINT_SLOTS, checkpointDir } from "../rundir/layout.ts";
import {
  CHECKPOINT_FILES,
  CHECKPOINT_FORMAT,
  checkpointPath,
  readCheckpointManifest,
  snapshotFile,
  type TensorSpec,
} from "../rundir/checkpoint_manifest.ts";
import type { CheckpointState } from "../rundir/checkpoint_state.ts";
import { contentHash } from "../rundir/content_hash.ts";
import type { EpochMetrics, Row } from "./types.ts";
import { SeededDropout } from "../layers/seeded_dropout.ts";

/** Everything besides weights that a resumed run needs to continue exactly. */
export interface TrainState {
  /** Epoch to continue with (0-based). */
  readonly epoch: number;
  /** Step within that epoch to continue with. */
  readonly step: number;
  /** The optimiser's current learning rate. */
  readonly lr: number;
  /** Optimiser updates applied so far (drives Adam's bias correction). */
  readonly iterations: number;
  /** Running sums of the unfinished epoch: loss, correct, seen, seconds. */
  readonly partial: {
    readonly loss: number;
    readonly correct: number;
    readonly seen: number;
    readonly seconds: number;
  };
  /**
   * Running sums of the steps since the last `curve` point (train/_curve.ts);
   * absent in checkpoints written before it was saved, read as none.
   */
  readonly curve?: {
    readonly loss: number;
    readonly correct: number;
    readonly seen: number;
  };
  /** State of the per-step random stream (shuffling, augmentation). */
  readonly stepRng: number[];
  /** Mask-stream state of each seeded dropout layer, by layer name. */
  readonly dropoutRng: Record<string, number[]>;
  /** Saved state of each stateful plugin, by plugin name. */
  readonly plugins: Record<string, PluginState>;
  /** Metrics of the epochs finished so far. */
  readonly history: EpochMetrics[];
  /** Tables plugins have recorded so far, by table name. */
  readonly tables: Record<string, Row[]>;
  /** Why the run stopped, when a plugin requested a stop. */
  readonly stopReason?: string;
  /** The tfjs backend it trained on, which a resume of an `auto` run keeps; absent in older checkpoints. */
  readonly backend?: string;
}

// rundir/checkpoint_manifest.ts checks state.json against its own copy of this shape: each must be the other.
const _stateIsManifest: TrainState extends CheckpointState ? true : never = true;
const _manifestIsState: CheckpointState extends TrainState ? true : never = true;
void [_stateIsManifest, _manifestIsState];

/** A checkpoint as written to `checkpoints/<slot>/`. */
export interface Checkpoint {
  /** Counters, random streams and plugin states. */
  readonly state: TrainState;
  /** Model weights by original name (caller owns them). */
  readonly weights: NamedTensorMap;
  /** Optimiser slots by key (caller owns them). */
  readonly optimizer: NamedTensorMap;
  /** In-memory weight snapshots by slot, then weight name (caller owns them). */
  readonly snapshots: Record<string, NamedTensorMap>;
}

/**
 * Writes the model in tfjs format (`model.json` + `weights.bin`, loadable with
 * `tf.loadLayersModel`) plus `optimizer.bin`, `snapshots/*.bin` and
 * `state.json`, into `dir`, replacing it atomically: every file is synced
 * before the swap, so `kill -9` at any instant leaves the old or the new
 * checkpoint whole.
 */
export async function saveCheckpoint(
  dir: string,
  model: LayersModel,
  optimizer: NamedTensorMap,
  snapshots: Record<string, NamedTensorMap>,
  state: TrainState,
): Promise<void> {
  await replaceDirAtomic(dir, async (tmp) => {
    // Every file but state.json (which holds them) by its content hash, checked on load.
    const hashes: Record<string, string> = {};
    await model.save(tf.io.withSaveHandler(async (artifacts) => {
      const { weightData, ...rest } = artifacts;
      const json = {
        ...rest,
        weightsManifest: [{ paths: [CHECKPOINT_FILES.weights], weights: artifacts.weightSpecs }],
      };
      delete (json as { weightSpecs?: unknown }).weightSpecs;
      const modelBytes = new TextEncoder().encode(JSON.stringify(json));
      const weightBytes = new Uint8Array(weightData as ArrayBuffer);
      await writeFileSynced(checkpointPath(tmp, "model"), modelBytes);
      await writeFileSynced(checkpointPath(tmp, "weights"), weightBytes);
      hashes[CHECKPOINT_FILES.model] = await contentHash(modelBytes);
      hashes[CHECKPOINT_FILES.weights] = await contentHash(weightBytes);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }));
    const opt = await writeTensors(tmp, CHECKPOINT_FILES.optimizer, optimizer, hashes);
    const snaps: Record<string, tf.io.WeightsManifestEntry[]> = {};
    if (Object.keys(snapshots).length) await Deno.mkdir(checkpointPath(tmp, "snapshots"));
    for (const [slot, map] of Object.entries(snapshots)) {
      snaps[slot] = await writeTensors(tmp, snapshotFile(slot), map, hashes);
    }
    const doc = { format: CHECKPOINT_FORMAT, state, optimizer: opt, snapshots: snaps, hashes };
    await writeFileSynced(checkpointPath(tmp, "state"), JSON.stringify(doc));
  });
}

/**
 * Finishes or undoes a checkpoint swap that a crash cut short and removes
 * stale temporary folders, for every slot of the run directory `runDir`.
 * Returns what it did, one line each.
 */
export async function recoverCheckpoints(runDir: string): Promise<string[]> {
  const done: string[] = [];
  for (const slot of CHECKPOINT_SLOTS) done.push(...await recoverDir(checkpointDir(runDir, slot)));
  return done;
}

/**
 * Reads the checkpoint in `dir` (e.g. `runs/x/checkpoints/last`) written by
 * {@linkcode saveCheckpoint}, after finishing a swap a crash cut short. Every
 * file is checked (see `readCheckpointManifest`) before any tensor is made;
 * the caller owns the tensors.
 *
 * @throws {CheckpointError} naming the file and the field that is wrong.
 */
export async function loadCheckpoint(dir: string): Promise<Checkpoint> {
  const m = await readCheckpointManifest(dir);
  const weights = await readTensors(checkpointPath(dir, "weights"), m.weights);
  const optimizer = await readTensors(checkpointPath(dir, "optimizer"), m.optimizer);
  const snapshots: Record<string, NamedTensorMap> = {};
  for (const [slot, specs] of Object.entries(m.snapshots)) {
    snapshots[slot] = await readTensors(`${dir}/${snapshotFile(slot)}`, specs);
  }
  return { state: m.state as TrainState, weights, optimizer, snapshots };
}

/** A checkpoint's model, ready for inference, with the training state it was saved at. */
export interface CheckpointModel {
  /** The model with the checkpoint's weights (caller disposes it). */
  readonly model: LayersModel;
  /** Epoch, history and counters when the checkpoint was saved. */
  readonly state: TrainState;
}

/**
 * Reads the trained model of the checkpoint in `dir` (e.g.
 * `runs/x/checkpoints/best`) for inference, after checking every file as
 * {@linkcode loadCheckpoint} does. Needs only Deno's file API, not
 * tfjs-node; the caller disposes the model.
 *
 * @throws {CheckpointError} naming the file and the field that is wrong.
 */
export async function loadCheckpointModel(dir: string): Promise<CheckpointModel> {
  const { state } = await readCheckpointManifest(dir, "load");
  return { model: await loadModelFolder(dir), state: state as TrainState };
}

/**
 * Reads a model in tfjs's LayersModel format from the folder `dir`:
 * `model.json` and the weight files its `weightsManifest` names (a
 * checkpoint, or an export). `tf.loadLayersModel("file://…")` needs
 * tfjs-node; this needs only Deno's file API. skiplab's own layer classes
 * (seeded dropout) are known to it. The caller disposes the model.
 *
 * @throws {SyntaxError} when model.json is not JSON or names a weight file outside `dir`.
 * @throws {Deno.errors.NotFound} naming the missing file.
 */
export async function loadModelFolder(dir: string): Promise<LayersModel> {
  // Referenced so its class is registered wherever a model is read.
  void SeededDropout.className;
  const file = `${dir}/model.json`;
  let json: tf.io.ModelJSON;
  try {
    json = JSON.parse(await Deno.readTextFile(file));
  } catch (e) {
    if (e instanceof SyntaxError) {
      throw new SyntaxError(`Cannot read model '${file}': not valid JSON (${e.message})`);
    }
    if (e instanceof Deno.errors.NotFound) {
      throw new Deno.errors.NotFound(`Cannot read model '${dir}': it has no model.json`);
    }
    throw e;
  }
  const groups = json.weightsManifest ?? [];
  const parts: Uint8Array[] = [];
  for (const path of groups.flatMap((g) => g.paths)) {
    if (!/^[\w.-]+$/.test(path) || path.startsWith(".")) {
      throw new SyntaxError(
        `Cannot read model '${file}': a weight file must be a plain name in its folder, got '${path}'`,
      );
    }
    try {
      parts.push(await Deno.readFile(`${dir}/${path}`));
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        throw new Deno.errors.NotFound(
          `Cannot read model '${dir}': ${path} (in model.json) is missing`,
        );
      }
      throw e;
    }
  }
  const data = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (data.set(p, at), at + p.length), 0);
  return await tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: groups.flatMap((g) => g.weights),
    weightData: data.buffer,
  }));
}

async function writeTensors(
  dir: string,
  file: string,
  map: NamedTensorMap,
  hashes: Record<string, string>,
): Promise<tf.io.WeightsManifestEntry[]> {
  const { data, specs } = await tf.io.encodeWeights(map);
  const bytes = new Uint8Array(data);
  await writeFileSynced(`${dir}/${file}`, bytes);
  hashes[file] = await contentHash(bytes);
  return specs;
}

async function readTensors(path: string, specs: TensorSpec[]): Promise<NamedTensorMap> {
  const bytes = await Deno.readFile(path);
  return tf.io.decodeWeights(bytes.buffer, specs);
}
