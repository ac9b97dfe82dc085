import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import type { Plugin } from "../../plugins/mod.ts";
import { loadCheckpoint, train, type TrainOptions, type TrainResult } from "../../train/mod.ts";
import { syntheticDataset } from "../../data/mod.ts";
import { buildModel, resnetSpec } from "../../models/mod.ts";
import type { Splits } from "../../data/mod.ts";

/** A tiny residual network (one 4-wide block) that trains in seconds on cpu. */
export function tinyModel(seed = 1): tf.LayersModel {
  return buildModel(resnetSpec({ name: "tiny_resnet", layers: [1], width: 4, dropout: 0.5 }), {
    seed,
  });
}

/** A small synthetic dataset, the same for every test. */
export const TINY_DATA: Splits = syntheticDataset({ seed: 3, train: 96, val: 32, test: 32 });

/** History without wall-clock and memory columns, which differ between identical runs. */
export function comparable(history: readonly Record<string, number>[]): Record<string, number>[] {
  return history.map(({ seconds: _s, images_per_sec: _i, memory_mb: _m, ...rest }) => rest);
}

/** Options of one tiny training: a model, its plugins and its run folder. */
export type TinyOptions = (
  model: tf.LayersModel,
  plugins: Plugin[],
  runDir: string,
) => TrainOptions;

/** The four runs of a resume check and the models they trained (the caller disposes `whole`, `resumed`). */
export interface ResumeCheck {
  /** The uninterrupted run. */
  readonly full: TrainResult;
  /** The resumed run's result (from the interruption to the end). */
  readonly rest: TrainResult;
  /** The uninterrupted run's model. */
  readonly whole: tf.LayersModel;
  /** The interrupted-then-resumed run's model. */
  readonly resumed: tf.LayersModel;
}

/**
 * Trains a tiny model once uninterrupted (in `dir/full`) and once interrupted
 * before global step `stopAt` and resumed from its `checkpoints/last` (in
 * `dir/cut`), each with a fresh `recipe()` of plugins.
 */
export async function interruptAndResume(
  options: TinyOptions,
  recipe: () => Promise<Plugin[]>,
  dir: string,
  stopAt: number,
): Promise<ResumeCheck> {
  const whole = tinyModel();
  const full = await train(options(whole, await recipe(), `${dir}/full`));
  const ctl = new AbortController();
  const interrupter: Plugin = {
    name: "test/interrupter",
    transformBatch: (b, ctx) => (ctx.globalStep === stopAt && ctl.abort(), b),
  };
  const first = tinyModel();
  const cut = await train({
    ...options(first, [...await recipe(), interrupter], `${dir}/cut`),
    signal: ctl.signal,
  });
  assert.equal(cut.interrupted, true);
  assert.equal(cut.test, undefined);
  first.dispose();
  const resumed = tinyModel();
  const checkpoint = await loadCheckpoint(`${dir}/cut/checkpoints/last`);
  const rest = await train({
    ...options(resumed, await recipe(), `${dir}/cut`),
    resume: checkpoint,
  });
  tf.dispose([...Object.values(checkpoint.weights), ...Object.values(checkpoint.optimizer)]);
  return { full, rest, whole, resumed };
}

/** Asserts two models of one architecture hold the same weights, within `tolerance`. */
export async function assertSameWeights(
  a: tf.LayersModel,
  b: tf.LayersModel,
  tolerance = 1e-6,
): Promise<void> {
  const read = (m: tf.LayersModel) =>
    Promise.all(m.weights.map((w) => w.read().data() as Promise<Float32Array>));
  const [x, y] = [await read(a), await read(b)];
  for (let i = 0; i < x.length; i++) {
    const diff = x[i].reduce((m, v, j) => Math.max(m, Math.abs(v - y[i][j])), 0);
    assert.ok(diff <= tolerance, `weight ${a.weights[i].originalName} differs by ${diff}`);
  }
}
