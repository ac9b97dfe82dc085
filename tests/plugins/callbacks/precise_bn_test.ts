import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../../../backends/mod.ts";
import { BatchPipeline, sliceImageSet } from "../../../data/mod.ts";
import { createPluginRegistry, instantiatePlugin, type Plugin } from "../../../plugins/mod.ts";
import { buildModel, resnetSpec } from "../../../models/mod.ts";
import { train, type TrainOptions, type TrainResult } from "../../../train/mod.ts";
import { ConfigError, loadExperiment } from "../../../experiment/load.ts";
import {
  assertSameWeights,
  comparable,
  interruptAndResume,
  TINY_DATA,
  tinyModel,
} from "../../train/_tiny.ts";

await selectBackend("cpu");

const registry = createPluginRegistry();
const plugin = (name: string, options: Record<string, unknown> = {}) =>
  instantiatePlugin({ name, options }, registry);
const preciseBn = (mode: "report" | "apply", batches = 2) =>
  plugin("callbacks/precise-bn", { mode, batches });

// 96 training images in batches of 32: 3 steps per epoch, the first 2 batches re-estimate.
const options = (model: tf.LayersModel, plugins: Plugin[], runDir?: string): TrainOptions => ({
  model,
  train: TINY_DATA.train,
  val: TINY_DATA.val,
  epochs: 2,
  batchSize: 32,
  seed: 5,
  optimizer: { type: "adam", lr: 3e-3 },
  plugins,
  runDir,
});

async function weightsOf(model: tf.LayersModel): Promise<Float32Array[]> {
  return await Promise.all(model.weights.map((w) => w.read().data() as Promise<Float32Array>));
}

async function run(
  plugins: Plugin[],
): Promise<{ result: TrainResult; weights: Float32Array[]; model: tf.LayersModel }> {
  const model = tinyModel();
  const result = await train(options(model, plugins));
  return { result, weights: await weightsOf(model), model };
}

const tensors: number[] = [];
const count: Plugin = {
  name: "test/count",
  beforeValidation: () => void tensors.push(tf.memory().numTensors),
};
// One run without the plugin, one reporting, one applying; no callback reads val_loss here, so
// all three train the same weights.
let cached: Promise<Record<"plain" | "reported" | "applied", Awaited<ReturnType<typeof run>>>>;
const runs = () =>
  cached ??= (async () => ({
    plain: await run([await plugin("augment/flip")]),
    reported: await run([await plugin("augment/flip"), count, await preciseBn("report"), count]),
    applied: await run([await plugin("augment/flip"), await preciseBn("apply")]),
  }))();

Deno.test("callbacks/precise-bn in report mode leaves a run bit-identical and records precise_bn", async () => {
  const { plain, reported } = await runs();
  assert.deepEqual(comparable(reported.result.history), comparable(plain.result.history));
  assert.deepEqual(reported.weights, plain.weights);
  // Every tensor the re-estimation and its evaluation made is freed.
  assert.deepEqual(tensors, [tensors[0], tensors[0], tensors[2], tensors[2]]);
  const rows = reported.result.tables.precise_bn;
  assert.deepEqual(rows.map((r) => [r.epoch, r.batches]), [[0, 2], [1, 2]]);
  for (const [i, r] of rows.entries()) {
    assert.ok(Number.isFinite(r.val_loss_precise) && r.val_acc_precise as number >= 0, `${i}`);
    // The re-estimated statistics are not the moving ones, so the loss they give differs.
    assert.notEqual(r.val_loss_precise, plain.result.history[i].val_loss);
  }
});

Deno.test("callbacks/precise-bn in apply mode validates with what report mode reports", async () => {
  const { reported, applied } = await runs();
  const precise = reported.result.tables.precise_bn;
  assert.deepEqual(
    applied.result.history.map((h) => [h.loss, h.val_loss, h.val_acc]),
    reported.result.history.map((h, i) => [
      h.loss,
      precise[i].val_loss_precise,
      precise[i].val_acc_precise,
    ]),
  );
  assert.equal(applied.result.tables.precise_bn, undefined);
  // Only the moving statistics differ from the reporting run's.
  applied.model.weights.forEach((w, i) => {
    const moving = /moving_(mean|variance)$/.test(w.originalName);
    assert.equal(moving, !equal(applied.weights[i], reported.weights[i]), w.originalName);
  });
});

const equal = (a: Float32Array, b: Float32Array) => a.every((v, i) => v === b[i]);

/** The first `n` batches of 32 of the training split, in stored order. */
async function firstBatches(n: number): Promise<tf.Tensor4D[]> {
  const head = sliceImageSet(TINY_DATA.train, 0, 32 * n);
  const out: tf.Tensor4D[] = [];
  for await (
    const b of new BatchPipeline(head, { batchSize: 32, shuffle: false, seed: 0 }).epoch(0)
  ) {
    out.push(b.xs);
    b.ys.dispose();
  }
  return out;
}

const bnLayers = (m: tf.LayersModel) =>
  m.layers.filter((l) => l.getClassName() === "BatchNormalization");

Deno.test("callbacks/precise-bn in apply mode sets the moving statistics to the batches' average", async () => {
  const model = (await runs()).applied.model;
  const xs = await firstBatches(2);

  // Independently: tfjs's own batch-norm layer in training mode on a copy, each layer's momentum
  // set to (k−1)/k for the k-th batch, makes its moving statistics the plain average. (Dropout
  // comes after every batch norm here, so its masks change no statistic.)
  const copy = tinyModel();
  copy.setWeights(model.getWeights());
  xs.forEach((x, k) => {
    for (const l of bnLayers(copy)) (l as unknown as { momentum: number }).momentum = k / (k + 1);
    tf.dispose(tf.tidy(() => copy.apply(x, { training: true }) as tf.Tensor));
  });
  const layers = bnLayers(model);
  assert.ok(layers.length >= 3, `${layers.length} batch-norm layers`);
  for (const [i, l] of layers.entries()) {
    const got = await Promise.all(l.getWeights().slice(-2).map((t) => t.data()));
    const want = await Promise.all(bnLayers(copy)[i].getWeights().slice(-2).map((t) => t.data()));
    for (const j of [0, 1]) {
      got[j].forEach((v, c) => {
        const w = want[j][c];
        assert.ok(
          Math.abs(v - w) <= 1e-5 * (1 + Math.abs(w)),
          `${l.name}[${j}][${c}]: ${v} ≠ ${w}`,
        );
      });
    }
  }

  // And by hand for the stem: its input is the stem convolution's output, before any batch norm.
  const conv = tf.model({ inputs: model.inputs, outputs: model.getLayer("stem_conv").output });
  const channels = 4;
  const sums = { mean: new Float64Array(channels), variance: new Float64Array(channels) };
  for (const x of xs) {
    const y = conv.predict(x) as tf.Tensor;
    const v = await y.data();
    y.dispose();
    const n = v.length / channels;
    for (let c = 0; c < channels; c++) {
      let s = 0, s2 = 0;
      for (let i = c; i < v.length; i += channels) s += v[i];
      const mean = s / n;
      for (let i = c; i < v.length; i += channels) s2 += (v[i] - mean) ** 2;
      sums.mean[c] += mean / xs.length;
      sums.variance[c] += s2 / n / xs.length;
    }
  }
  const [mean, variance] = await Promise.all(
    model.getLayer("stem_bn").getWeights().slice(-2).map((t) => t.data()),
  );
  for (let c = 0; c < channels; c++) {
    assert.ok(Math.abs(mean[c] - sums.mean[c]) <= 1e-5 * (1 + Math.abs(sums.mean[c])), `mean ${c}`);
    assert.ok(Math.abs(variance[c] - sums.variance[c]) <= 1e-5 * sums.variance[c], `var ${c}`);
  }
  tf.dispose(xs);
  copy.dispose();
  model.dispose();
});

Deno.test("callbacks/precise-bn: a run interrupted mid-epoch and resumed equals an uninterrupted one", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const recipe = async () => [
      await plugin("augment/flip"),
      await preciseBn("report"),
      await preciseBn("apply"),
      await plugin("callbacks/reduce-lr-on-plateau", { factor: 0.5, patience: 1 }),
      await plugin("callbacks/model-checkpoint"),
    ];
    const { full, rest, whole, resumed } = await interruptAndResume(
      (m, p, d) => options(m, p, d),
      recipe,
      dir,
      4,
    );
    assert.deepEqual(comparable(rest.history), comparable(full.history));
    assert.deepEqual(rest.tables.precise_bn, full.tables.precise_bn);
    assert.equal(full.tables.precise_bn.length, 2);
    await assertSameWeights(resumed, whole);
    whole.dispose();
    resumed.dispose();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("callbacks/precise-bn rejects bad options at their line and column in the experiment", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/p.yaml`,
      "name: p\nmodel: resnet18\nplugins:\n" +
        "  - name: callbacks/precise-bn\n    options: { batches: 0, mode: fix }\n",
    );
    await assert.rejects(() => loadExperiment(`${dir}/p.yaml`), (e: Error) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.match(e.message, /p\.yaml:5:16: plugins\[0\]\.options\.batches: .*>=1/);
      assert.match(e.message, /p\.yaml:5:28: plugins\[0\]\.options\.mode: .*"report".*"apply"/);
      return true;
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("callbacks/precise-bn leaves a model without batch norm alone, saying so once", async () => {
  const logs: string[] = [];
  const spec = { ...resnetSpec({ name: "tiny_plain", layers: [1], width: 4 }), batchNorm: false };
  const model = buildModel(spec, { seed: 1 });
  const result = await train(options(model, [
    await preciseBn("report"),
    { name: "test/logs", onLog: (m: string) => void logs.push(m) },
  ]));
  assert.equal(result.tables.precise_bn, undefined);
  assert.deepEqual(logs.filter((l) => l.includes("precise-bn")), [
    "callbacks/precise-bn: the model has no batch-norm layer; nothing to re-estimate",
  ]);
  model.dispose();
});
