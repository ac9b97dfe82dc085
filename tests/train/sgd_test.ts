import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Optimizer, type OptimizerConfig } from "../../train/optimizer.ts";

await tf.setBackend("cpu");

/** Runs `steps` updates of w = [1, -2] with a constant gradient g = [0.5, 1]. */
function run(config: OptimizerConfig, steps: number): number[] {
  const w = tf.variable(tf.tensor1d([1, -2]));
  const g = tf.tensor1d([0.5, 1]);
  const opt = new Optimizer(config);
  for (let i = 0; i < steps; i++) opt.apply(new Map([["w", { variable: w, grad: g }]]));
  const out = Array.from(w.dataSync());
  opt.dispose();
  tf.dispose([w, g]);
  return out;
}

const near = (a: number[], b: number[]) =>
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-6, `${a} vs ${b}`));

Deno.test("Optimizer sgd with momentum accumulates velocity like PyTorch's SGD", () => {
  // v1 = g, v2 = 0.9 g + g = 1.9 g: w = w0 - lr (1 + 1.9) g
  near(run({ type: "sgd", lr: 0.1, momentum: 0.9 }, 2), [1 - 0.29 * 0.5, -2 - 0.29]);
});

Deno.test("Optimizer sgd with Nesterov looks ahead: g + μ v", () => {
  // step1: v = g, update g + 0.9 g = 1.9 g; step2: v = 1.9 g, update g + 0.9·1.9 g = 2.71 g
  near(run({ type: "sgd", lr: 0.1, momentum: 0.9, nesterov: true }, 2), [
    1 - 0.461 * 0.5,
    -2 - 0.461,
  ]);
});

Deno.test("Optimizer sgd weight decay adds wd·w to the gradient", () => {
  // one plain step: w - lr (g + wd w)
  near(run({ type: "sgd", lr: 0.1, weightDecay: 0.01 }, 1), [
    1 - 0.1 * (0.5 + 0.01),
    -2 - 0.1 * (1 - 0.02),
  ]);
});

Deno.test("Optimizer adam's first step moves each weight by lr against the gradient's sign", () => {
  near(run({ type: "adam", lr: 0.01 }, 1), [0.99, -2.01]);
});

Deno.test("Optimizer getState()/setState() continue a run exactly", () => {
  const w = tf.variable(tf.tensor1d([1, -2]));
  const g = tf.tensor1d([0.5, 1]);
  const a = new Optimizer({ type: "adam", lr: 0.01 });
  a.apply(new Map([["w", { variable: w, grad: g }]]));
  const state = a.getState();
  const b = new Optimizer({ type: "adam", lr: 0.5 });
  b.setState(state);
  assert.equal(b.lr, 0.01);
  assert.equal(b.iterations, 1);
  const w2 = tf.variable(w.clone());
  a.apply(new Map([["w", { variable: w, grad: g }]]));
  b.apply(new Map([["w", { variable: w2, grad: g }]]));
  assert.deepEqual(Array.from(w2.dataSync()), Array.from(w.dataSync()));
  tf.dispose([w, w2, g, ...state.slots.values()]);
  a.dispose();
  b.dispose();
});

Deno.test("Optimizer rejects a learning rate that is not positive", () => {
  assert.throws(() => new Optimizer({ type: "adam", lr: 0 }), {
    name: "RangeError",
    message: /'lr' must be a positive number, got 0/,
  });
});

Deno.test("Optimizer setState() copies the slots and dispose() frees every copy", () => {
  const slot = tf.ones([3]);
  const before = tf.memory().numTensors;
  const opt = new Optimizer({ type: "adam", lr: 1e-3 });
  opt.setState({ iterations: 1, lr: 1e-3, slots: new Map([["w/m", slot]]) });
  opt.dispose();
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(Array.from(slot.dataSync()), [1, 1, 1], "the caller's tensor is untouched");
  slot.dispose();
});
