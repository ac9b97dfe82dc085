import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { FUSED_ADAM_KERNEL, Optimizer, type OptimizerConfig } from "../../../../train/optimizer.ts";
import { NATIVE_BACKEND } from "../../../../backends/native/mod.ts";
import { NATIVE_ELTWISE_MIN } from "../../../../backends/native/kernels.ts";
import { ignore, random } from "../_compare.ts";

/** Gradient values that stress the update: zeros, denormals, huge, NaN, ±∞. */
const SPECIAL = [0, -0, 1e-45, -1e-40, 1e19, -3e30, NaN, Infinity, -Infinity, 1e-3];

/** Step `step`'s gradient of variable `i`: random, with special values at the front of the large one. */
function gradient(v: tf.Variable, step: number, i: number, specials: boolean): tf.Tensor {
  const values = random(v.size, 10 * step + i + 7);
  if (specials && v.size >= NATIVE_ELTWISE_MIN) {
    // Every special value once per step, at positions that move with the step.
    SPECIAL.forEach((s, k) => values[k * 7 + step] = s);
  }
  return tf.tensor(values, v.shape);
}

/** Variables after four steps of `config` on `backend`, and the optimiser's slots. */
function run(backend: string, config: OptimizerConfig, specials = false): Float32Array[] {
  tf.setBackend(backend);
  // The last is large enough for the oneDNN path; the others take the JS loop.
  const shapes = [[3, 3, 4, 5], [5], [7, 2], [3, 3, 128, 128]];
  const vars = shapes.map((s, i) =>
    tf.variable(tf.tensor(random(s.reduce((p, v) => p * v, 1), i + 1), s), true, `w${i}`)
  );
  const opt = new Optimizer(config);
  const before = tf.memory().numTensors;
  for (let step = 0; step < 4; step++) {
    const grads = vars.map((v, i) => gradient(v, step, i, specials));
    opt.apply(new Map(vars.map((v, i) => [`w${i}`, { variable: v, grad: grads[i] }])));
    tf.dispose(grads);
    if (step === 0) opt.lr *= 0.5;
  }
  // The first step creates two slots per variable; later steps leak nothing.
  assert.equal(tf.memory().numTensors, before + 2 * vars.length);
  const state = opt.getState();
  const out = [
    ...vars.map((v) => v.dataSync()),
    ...[...state.slots.values()].map((t) => t.dataSync()),
  ]
    .map((a) => Float32Array.from(a));
  tf.dispose([...vars, ...state.slots.values()]);
  opt.dispose();
  return out;
}

Deno.test({
  name: "Optimizer's fused Adam kernel on native matches the composed ops on cpu",
  ignore,
  fn() {
    assert.ok(tf.getKernel(FUSED_ADAM_KERNEL, NATIVE_BACKEND) !== undefined);
    assert.equal(tf.getKernel(FUSED_ADAM_KERNEL, "cpu"), undefined, "cpu takes the composed path");
    for (const weightDecay of [0, 0.01]) {
      const config: OptimizerConfig = { type: "adam", lr: 0.01, weightDecay };
      const want = run("cpu", config), got = run(NATIVE_BACKEND, config);
      assert.equal(got.length, want.length);
      want.forEach((w, k) => {
        for (let i = 0; i < w.length; i++) {
          const err = Math.abs(w[i] - got[k][i]) / Math.max(1, Math.abs(w[i]));
          assert.ok(
            err <= 1e-6,
            `weightDecay ${weightDecay}, tensor ${k}[${i}]: ${got[k][i]} vs ${w[i]}`,
          );
        }
      });
    }
  },
});

Deno.test({
  name: "the oneDNN Adam step of a large variable matches the composed ops on special gradients",
  ignore,
  fn() {
    for (const weightDecay of [0, 0.01]) {
      const config: OptimizerConfig = { type: "adam", lr: 0.01, weightDecay };
      // Only the large variable and its two slots (indices 3, 7, 11) carry special values.
      const want = run("cpu", config, true), got = run(NATIVE_BACKEND, config, true);
      for (const k of [3, 7, 11]) {
        const [w, g] = [want[k], got[k]];
        for (let i = 0; i < w.length; i++) {
          const same = Number.isNaN(w[i]) ? Number.isNaN(g[i]) : w[i] === g[i] ||
            Math.abs(w[i] - g[i]) / Math.max(1, Math.abs(w[i])) <= 1e-6;
          assert.ok(same, `weightDecay ${weightDecay}, tensor ${k}[${i}]: ${g[i]} vs ${w[i]}`);
        }
      }
    }
  },
});

Deno.test({
  name:
    "with reuseState the fused Adam kernel writes m' and v' into m's and v's memory only where nothing else holds them, with the values it computes otherwise",
  ignore,
  fn() {
    tf.setBackend(NATIVE_BACKEND);
    const attrs = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, stepSize: 1e-3, decay: 0 };
    // A large variable (the oneDNN path) and a small one (the JS loop).
    for (const n of [NATIVE_ELTWISE_MIN, 100]) {
      const step = (reuseState: number, hold: boolean) => {
        // Kernel outputs, as an optimiser's slots are after their first step.
        const [w, m, v, g] = [1, 2, 3, 4].map((s) => tf.tensor(random(n, s)).abs());
        const other = hold ? tf.clone(m) : null; // a second holder of m's memory
        const outs = tf.engine().runKernel(
          FUSED_ADAM_KERNEL,
          { variable: w, m, v, grad: g },
          { ...attrs, reuseState },
        ) as tf.Tensor[];
        const shared = [outs[1].dataId === m.dataId, outs[2].dataId === v.dataId];
        const values = outs.map((t) => Float32Array.from(t.dataSync()));
        const held = other ? Float32Array.from(other.dataSync()) : null;
        tf.dispose([w, m, v, g, ...outs, other ?? []]);
        return { shared, values, held };
      };
      const fresh = step(0, false), alone = step(1, false), held = step(1, true);
      assert.deepEqual(fresh.shared, [false, false]);
      assert.deepEqual(alone.shared, [true, true], `n=${n}: m' and v' took m's and v's memory`);
      assert.deepEqual(held.shared, [false, true], `n=${n}: a held m is not overwritten`);
      for (const r of [alone, held]) {
        r.values.forEach((a, k) => assert.deepEqual(a, fresh.values[k]));
      }
      const m0 = tf.tidy(() => tf.tensor(random(n, 2)).abs().dataSync());
      assert.deepEqual(held.held, Float32Array.from(m0), "the other holder still sees the old m");
    }
  },
});

Deno.test({
  name: "the fused Adam kernel rejects inputs of different sizes",
  ignore,
  fn() {
    tf.setBackend(NATIVE_BACKEND);
    const [a, b] = [tf.zeros([3]), tf.zeros([4])];
    assert.throws(
      () =>
        tf.engine().runKernel(FUSED_ADAM_KERNEL, { variable: a, m: a, v: a, grad: b }, {
          beta1: 0.9,
          beta2: 0.999,
          epsilon: 1e-7,
          stepSize: 1e-3,
          decay: 0,
        }),
      /float32 of one size/,
    );
    tf.dispose([a, b]);
  },
});
