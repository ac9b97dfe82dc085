/**
 * skiplab's SGD step (train/optimizer.ts) against PyTorch's
 * torch.optim.SGD(momentum=0.9, weight_decay=1e-4) on the same numbers, on
 * the cpu backend and on the native one (whose oneDNN elementwise kernels
 * take the large tensor). The references in
 * tests/fixtures/references/sgd.json were computed by
 * make_sgd_reference.py beside it; the test needs no Python.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../../backends/mod.ts";
import { Optimizer } from "../../train/optimizer.ts";
import { ignore } from "../backends/native/_compare.ts";
import { xorshift } from "../_xorshift.ts";

interface ReferenceTensor {
  name: string;
  shape: number[];
  weight: { seed: number; scale: number; offset: number };
  gradient: { seeds: number[]; scale: number };
  stride: number;
  first_weights: number[];
  first_gradients: number[];
  torch_float32: number[];
  torch_float32_momentum: number[];
  torch_float64: number[];
  caffe_float64: number[];
}

const fixture = JSON.parse(
  await Deno.readTextFile(new URL("../fixtures/references/sgd.json", import.meta.url)),
) as {
  lr: number[];
  optimizer: { momentum: number; weight_decay: number };
  tensors: ReferenceTensor[];
};

/** xorshift32 values in [-1, 1), scaled and offset, rounded once to float32 (as the script does). */
function scaled(size: number, seed: number, scale: number, offset = 0): Float32Array {
  return xorshift(size, seed, (v) => offset + scale * v);
}

const size = (t: ReferenceTensor) => t.shape.reduce((p, v) => p * v, 1);
const picked = (a: Float32Array, stride: number) => a.filter((_, i) => i % stride === 0);

/** Weights and momentum buffers after the fixture's steps, on `backend`. */
async function skiplabSteps(backend: "cpu" | "native"): Promise<[Float32Array, Float32Array][]> {
  await selectBackend(backend);
  const { momentum, weight_decay } = fixture.optimizer;
  const vars = fixture.tensors.map((t) =>
    tf.variable(
      tf.tensor(scaled(size(t), t.weight.seed, t.weight.scale, t.weight.offset), t.shape),
      true,
    )
  );
  const opt = new Optimizer({ type: "sgd", lr: 0.1, momentum, weightDecay: weight_decay });
  fixture.lr.forEach((lr, step) => {
    opt.lr = lr;
    const grads = fixture.tensors.map((t) =>
      tf.tensor(scaled(size(t), t.gradient.seeds[step], t.gradient.scale), t.shape)
    );
    opt.apply(
      new Map(fixture.tensors.map((t, i) => [t.name, { variable: vars[i], grad: grads[i] }])),
    );
    tf.dispose(grads);
  });
  const state = opt.getState();
  const out = fixture.tensors.map((t, i): [Float32Array, Float32Array] => [
    picked(vars[i].dataSync() as Float32Array, t.stride),
    picked(state.slots.get(`${t.name}/momentum`)!.dataSync() as Float32Array, t.stride),
  ]);
  tf.dispose([...vars, ...state.slots.values()]);
  opt.dispose();
  return out;
}

/**
 * The same steps in float64, by hand (PyTorch's convention: b ← μb + g + wd·w,
 * w ← w − lr·b), and for each weight the float32 rounding bound of one
 * implementation: per step, two roundings at the weight's size and two at
 * lr·b's feed the weight, three at b's size feed the buffer, whose error
 * then reaches the weight through up to 1/(1 − μ) = 10 later updates. So
 * |w32 − w| ≤ ε · steps · (max |w| + 32 · max lr·|b|), ε = 2⁻²⁴.
 */
function handSteps(t: ReferenceTensor): { w: number[]; bound: number[] } {
  const { momentum: mu, weight_decay: wd } = fixture.optimizer;
  const w = [...picked(scaled(size(t), t.weight.seed, t.weight.scale, t.weight.offset), t.stride)];
  const grads = t.gradient.seeds.map((s) => picked(scaled(size(t), s, t.gradient.scale), t.stride));
  const b = w.map(() => 0), maxW = w.map(Math.abs), maxStep = w.map(() => 0);
  fixture.lr.forEach((lr, step) => {
    for (let j = 0; j < w.length; j++) {
      b[j] = mu * b[j] + grads[step][j] + wd * w[j];
      w[j] -= lr * b[j];
      maxW[j] = Math.max(maxW[j], Math.abs(w[j]));
      maxStep[j] = Math.max(maxStep[j], lr * Math.abs(b[j]));
    }
  });
  const steps = fixture.lr.length;
  return { w, bound: w.map((_, j) => 2 ** -24 * steps * (maxW[j] + 32 * maxStep[j])) };
}

Deno.test("the fixture's inputs are this test's, and its PyTorch float64 steps are the hand formula", () => {
  for (const t of fixture.tensors) {
    // Else the comparisons would be of different numbers.
    const w = scaled(size(t), t.weight.seed, t.weight.scale, t.weight.offset);
    assert.deepEqual([...w.subarray(0, 4)], t.first_weights, t.name);
    const g = scaled(size(t), t.gradient.seeds.at(-1)!, t.gradient.scale);
    assert.deepEqual([...g.subarray(0, 4)], t.first_gradients, t.name);
    // Decay on every tensor, batch-norm gamma and beta and the bias included, as
    // torch.optim.SGD over model.parameters(); momentum without dampening.
    const hand = handSteps(t);
    hand.w.forEach((v, j) => {
      const d = Math.abs(v - t.torch_float64[j]);
      assert.ok(d <= 1e-15 + 1e-12 * Math.abs(v), `${t.name}[${j}]: ${v} vs ${t.torch_float64[j]}`);
      // PyTorch's own float32 steps are within the bound of the exact ones.
      assert.ok(Math.abs(t.torch_float32[j] - v) <= hand.bound[j], `${t.name}[${j}] float32`);
    });
  }
});

Deno.test("Caffe's momentum (b ← μb + lr·g, w ← w − b) is not PyTorch's after a rate drop: the fixture tells them apart", () => {
  // After the drop from 0.1 the buffer still carries steps at 0.1 in Caffe's form.
  for (const t of fixture.tensors) {
    const hand = handSteps(t);
    const far = hand.w.filter((v, j) => Math.abs(v - t.caffe_float64[j]) > 100 * hand.bound[j]);
    assert.ok(far.length > hand.w.length / 2, `${t.name}: ${far.length} of ${hand.w.length}`);
  }
});

for (const backend of ["cpu", "native"] as const) {
  Deno.test({
    name:
      `SGD momentum 0.9, weight decay 1e-4 over two rate drops equals torch.optim.SGD's (${backend})`,
    ignore: backend === "native" && ignore,
    async fn() {
      const got = await skiplabSteps(backend);
      for (const [i, t] of fixture.tensors.entries()) {
        const [w, buf] = got[i];
        const hand = handSteps(t);
        for (let j = 0; j < w.length; j++) {
          const at = `${t.name}[${j * t.stride}]`;
          assert.ok(Math.abs(w[j] - hand.w[j]) <= hand.bound[j], `${at}: ${w[j]} vs ${hand.w[j]}`);
          // Two float32 implementations, each within the bound of the exact steps.
          const torch = t.torch_float32[j];
          assert.ok(
            Math.abs(w[j] - torch) <= 2 * hand.bound[j],
            `${at}: ${w[j]} vs torch ${torch}`,
          );
        }
        // The buffers agree bit for bit: the same three float32 roundings in the same order.
        assert.deepEqual([...buf], t.torch_float32_momentum, `${t.name} momentum`);
      }
      await selectBackend("cpu");
    },
  });
}
