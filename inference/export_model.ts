/**
 * Export of a trained model to tfjs's LayersModel format, loadable by stock
 * tfjs anywhere (`tf.loadLayersModel(url)` in a web page or Node), plus
 * `skiplab.json`: class names and the input normalisation a page must apply.
 *
 * skiplab's one layer class of its own, seeded dropout, is the identity in
 * inference; the export writes it as tfjs's stock `Dropout` of the same rate
 * and name (no weights either way), so a page needs no skiplab code. Batch
 * norm is tfjs's stock layer already (layers/batch_norm.ts).
 * @module
 */
import { UserError } from "../core/errors.ts";
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import type { LayersModel } from "../core/tf_types.ts";
import { INPUT_NORMALIZATION, type InputNormalization } from "../data/pipeline.ts";
import { writeFileAtomic } from "../rundir/atomic.ts";
import { SeededDropout } from "../layers/seeded_dropout.ts";

/** The `format` of skiplab.json. */
export const EXPORT_FORMAT = "skiplab-export/1";

/** Bytes per weight file, tfjs's own default, so browsers cache shards well. */
const SHARD_BYTES = 4 * 1024 * 1024;

/** The contents of an export's `skiplab.json`. */
export interface ExportMetadata {
  /** {@linkcode EXPORT_FORMAT}. */
  readonly format: string;
  /** Name of each output class, in output order. */
  readonly class_names: readonly string[];
  /** What the model takes, and how a pixel byte `x` becomes an input value. */
  readonly input: {
    /** `[height, width, channels]`. */
    readonly shape: readonly number[];
    /** Channel order of the last axis. */
    readonly channels: "RGB";
    /** Mean and std of `(x/255 − mean)/std`. */
    readonly normalization: InputNormalization;
  };
  /** Where the weights came from (run directory, checkpoint slot, epoch), when known. */
  readonly source?: Readonly<Record<string, string | number>>;
}

/** Options of {@linkcode exportModel}. */
export interface ExportOptions {
  /** Class names, in output order. */
  readonly classNames: readonly string[];
  /** Facts of the source recorded in skiplab.json. */
  readonly source?: Readonly<Record<string, string | number>>;
}

/**
 * Writes `model` to the folder `outDir` as `model.json` (LayersModel
 * topology and weights manifest), `group1-shard<i>of<n>.bin` and
 * `skiplab.json` (each file replaced whole; model.json after the weights
 * it names). A folder that holds anything but an earlier export is refused,
 * so an export never mixes with or deletes other files.
 *
 * @example Export, then read it back with the checkpoint loader
 * ```ts
 * import { buildModel, exportModel, loadModelFolder, resnetSpec } from "@skiplab/skiplab";
 * const model = buildModel(resnetSpec({ name: "tiny", layers: [1], width: 4 }), { seed: 1 });
 * const dir = `${await Deno.makeTempDir()}/web`;
 * const names = Array.from({ length: 10 }, (_, i) => `c${i}`);
 * const meta = await exportModel(model, dir, { classNames: names });
 * const back = await loadModelFolder(dir);
 * console.log(meta.input.shape, back.countParams() === model.countParams()); // [ 32, 32, 3 ] true
 * model.dispose();
 * back.dispose();
 * ```
 * @throws {RangeError} when `classNames` does not match the model's outputs,
 *   or `outDir` holds files that are not an export.
 */
export async function exportModel(
  model: LayersModel,
  outDir: string,
  options: ExportOptions,
): Promise<ExportMetadata> {
  const [, h, w, c] = model.inputs[0].shape as number[];
  const classes = (model.outputs[0].shape as number[]).at(-1);
  if (options.classNames.length !== classes) {
    throw new RangeError(
      `Cannot export: 'classNames' must name the model's ${classes} classes, got ${options.classNames.length}`,
    );
  }
  await refuseForeign(outDir);
  const meta: ExportMetadata = {
    format: EXPORT_FORMAT,
    class_names: [...options.classNames],
    input: { shape: [h, w, c], channels: "RGB", normalization: INPUT_NORMALIZATION },
    ...(options.source ? { source: options.source } : {}),
  };
  await Deno.mkdir(outDir, { recursive: true });
  let shards: string[] = [];
  // Weights first and model.json after them, each file whole (written aside, then renamed),
  // so a page never finds a model.json whose shards are not all there.
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const data = new Uint8Array(artifacts.weightData as ArrayBuffer);
    const n = Math.max(1, Math.ceil(data.length / SHARD_BYTES));
    shards = Array.from({ length: n }, (_, i) => `group1-shard${i + 1}of${n}.bin`);
    for (const [i, p] of shards.entries()) {
      await writeFileAtomic(join(outDir, p), data.subarray(i * SHARD_BYTES, (i + 1) * SHARD_BYTES));
    }
    const json = {
      format: "layers-model",
      generatedBy: artifacts.generatedBy,
      convertedBy: "skiplab export",
      modelTopology: stockTopology(artifacts.modelTopology),
      weightsManifest: [{ paths: shards, weights: artifacts.weightSpecs }],
    };
    await writeFileAtomic(join(outDir, "model.json"), JSON.stringify(json));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
  }));
  await writeFileAtomic(join(outDir, "skiplab.json"), JSON.stringify(meta, null, 2) + "\n");
  // Shards of an earlier, larger export that the new model.json does not name.
  for await (const e of Deno.readDir(outDir)) {
    if (/^group1-shard\d+of\d+\.bin$/.test(e.name) && !shards.includes(e.name)) {
      await Deno.remove(join(outDir, e.name));
    }
  }
  return meta;
}

/** The topology with each seeded dropout written as stock `Dropout` (both are the identity in inference). */
function stockTopology(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(stockTopology);
  if (node === null || typeof node !== "object") return node;
  const o = node as Record<string, unknown>;
  if (o.class_name === SeededDropout.className) {
    const { rate, name, trainable } = o.config as Record<string, unknown>;
    return { ...o, class_name: "Dropout", config: { rate, name, trainable } };
  }
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, stockTopology(v)]));
}

async function refuseForeign(dir: string): Promise<void> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) names.push(e.name);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw e;
  }
  if (names.length > 0 && !names.includes("skiplab.json")) {
    throw new UserError(
      `Cannot export to '${dir}': it holds files that are not a skiplab export ` +
        `(${names.slice(0, 3).join(", ")}${
          names.length > 3 ? ", …" : ""
        }); give an empty or new folder`,
    );
  }
}
