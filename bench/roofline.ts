/**
 * The roofline of a training step: how long it would take if every
 * convolution and matrix product ran at the rate oneDNN reaches on its own
 * shape here (`deno task bench peak`, stored by bench/peak_store.ts). A
 * measured step's share of its roofline is `rooflineMs / measured ms`; an
 * algorithm cheaper than direct convolution (Winograd, FFT) could pass 100%.
 * FLOPs are direct convolution's (bench/training_cost.ts); everything else
 * (batch norm, ReLU, pooling, Adam) counts zero time, so the roofline bounds
 * the step from below.
 * @module
 */
import type { ConvPass, PeakPrecision } from "../backends/native/mod.ts";
import type { LayersModel } from "../core/tf_types.ts";
import { buildModel } from "../models/mod.ts";
import { needKey, needsOf, type PeakRateOptions, peakRates } from "./peak_rates.ts";
import { opKey, type PeakEntry } from "./peak_store.ts";
import { type TrainingCost, trainingCost } from "./training_cost.ts";

export { type CostPass, type TrainingCost, trainingCost } from "./training_cost.ts";

/** A step at the peak rates. */
export interface Roofline {
  /** One training step, ms. */
  readonly trainMs: number;
  /** One inference pass of the batch (its forward passes at training's forward rates), ms. */
  readonly inferMs: number;
  /** The convolutions' ms by pass (what `bench profile` compares its kernels with). */
  readonly convMs: Readonly<Record<ConvPass, number>>;
  /** FLOPs of the training step (bench/training_cost.ts). */
  readonly trainFlops: number;
  /** FLOPs of its forward passes. */
  readonly inferFlops: number;
}

/**
 * The roofline of one training step (and one inference) of `model` on a batch
 * of `batch`, convolutions in `precision`, on `threads` oneDNN threads.
 *
 * @throws {Error} when the native backend cannot run here
 */
export async function rooflineMs(
  model: LayersModel,
  batch: number,
  precision: PeakPrecision,
  threads: number,
  o: PeakRateOptions = {},
): Promise<Roofline> {
  const cost = trainingCost(model, batch);
  return priceCost(cost, precision, await peakRates(needsOf(cost, precision), threads, o));
}

/**
 * `cost` at `rates` ({@link peakRates}'s answer for `needsOf(cost, precision)`).
 *
 * @throws {RangeError} when `rates` lacks one of the passes
 */
export function priceCost(
  cost: TrainingCost,
  precision: PeakPrecision,
  rates: ReadonlyMap<string, PeakEntry>,
): Roofline {
  const needs = needsOf(cost, precision);
  let trainMs = 0, inferMs = 0;
  const convMs = { forward: 0, backwardData: 0, backwardWeights: 0 };
  cost.passes.forEach((p, i) => {
    const rate = rates.get(needKey(needs[i]));
    if (rate === undefined) {
      const n = needs[i];
      throw new RangeError(
        `roofline: no ${n.precision} rate for ${opKey(n.op)} ${n.pass} (layer '${p.layer}')`,
      );
    }
    const ms = p.flops / (rate.gflops * 1e6);
    trainMs += ms;
    if (p.pass === "forward") inferMs += ms;
    if (p.op.kind === "conv") convMs[p.pass] += ms;
  });
  return { trainMs, inferMs, convMs, trainFlops: cost.trainFlops, inferFlops: cost.inferFlops };
}

/** Achieved GFLOP/s (direct-convolution FLOPs) and shares of the roofline of a measured model. */
export interface RooflineShare {
  /** Training FLOPs per second measured, in billions. */
  train_gflops: number;
  /** Inference FLOPs per second measured, in billions. */
  infer_gflops: number;
  /** rooflineMs / measured ms of a training step. */
  train_roofline_share: number;
  /** The same for inference. */
  infer_roofline_share: number;
}

/**
 * What `bench train` adds to a model's row: the GFLOP/s its measured images/s
 * mean and their share of the roofline, with one line to `log`; undefined,
 * with a line saying why, where the roofline cannot be had (no oneDNN).
 */
export async function rooflineShare(
  name: string,
  batch: number,
  precision: PeakPrecision,
  threads: number,
  imagesPerS: { readonly train: number; readonly inference: number },
  log: (line: string) => void,
): Promise<RooflineShare | undefined> {
  const model = buildModel(name, { seed: 0 });
  try {
    let r: Roofline;
    try {
      r = await rooflineMs(model, batch, precision, threads, { log });
    } catch (e) {
      log(`${name}: no roofline: ${(e as Error).message.split("\n")[0]}`);
      return undefined;
    }
    const stepMs = 1000 * batch / imagesPerS.train, inferMs = 1000 * batch / imagesPerS.inference;
    const share: RooflineShare = {
      train_gflops: Number((r.trainFlops / stepMs / 1e6).toFixed(1)),
      infer_gflops: Number((r.inferFlops / inferMs / 1e6).toFixed(1)),
      train_roofline_share: Number((r.trainMs / stepMs).toFixed(3)),
      infer_roofline_share: Number((r.inferMs / inferMs).toFixed(3)),
    };
    const pct = (v: number) => `${(100 * v).toFixed(0)}%`;
    log(
      `${name}: ${share.train_gflops} GFLOP/s training, ${share.infer_gflops} inference ` +
        `(direct-conv FLOPs); share of the ${precision} roofline on ${threads} thread` +
        `${threads === 1 ? "" : "s"}: training ${pct(share.train_roofline_share)} ` +
        `(${r.trainMs.toFixed(0)} of ${stepMs.toFixed(0)} ms), inference ` +
        `${pct(share.infer_roofline_share)} (${r.inferMs.toFixed(0)} of ${inferMs.toFixed(0)} ms)`,
    );
    return share;
  } finally {
    model.dispose();
  }
}
