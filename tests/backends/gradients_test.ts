import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  BACKENDS_UNDER_TEST,
  gradientsOn,
  type Inputs,
  relativeError,
  seeded,
} from "./_helpers.ts";

const TOLERANCE = 1e-4;

interface Case {
  readonly title: string;
  readonly inputs: Inputs;
  readonly f: (xs: Record<string, tf.Tensor>) => tf.Tensor;
}

function input(shape: number[], seed: number): { shape: number[]; values: Float32Array } {
  return { shape, values: seeded(shape, seed) };
}

const convCases: Case[] = [];
for (const k of [1, 3]) {
  for (const stride of [1, 2] as const) {
    for (const pad of ["same", "valid"] as const) {
      convCases.push({
        title: `conv2d ${k}x${k} stride ${stride} ${pad}`,
        inputs: { x: input([2, 9, 9, 5], 1), w: input([k, k, 5, 6], 2) },
        f: ({ x, w }) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, pad),
      });
    }
  }
}

const CASES: Case[] = [
  ...convCases,
  {
    title: "batch norm (training mode: batch moments)",
    inputs: { x: input([4, 5, 5, 6], 3), gamma: input([6], 4), beta: input([6], 5) },
    f: ({ x, gamma, beta }) => {
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      return tf.batchNorm(x, mean, variance, beta, gamma, 1e-3);
    },
  },
  {
    title: "max pool 2x2 stride 2 and 3x3 stride 2 same",
    inputs: { x: input([2, 8, 8, 4], 6) },
    f: ({ x }) =>
      tf.add(
        tf.maxPool(x as tf.Tensor4D, 2, 2, "valid").sum(),
        tf.maxPool(x as tf.Tensor4D, 3, 2, "same").sum(),
      ),
  },
  {
    title: "average pool 2x2 stride 2, 3x3 stride 1 same, global average",
    inputs: { x: input([2, 8, 8, 4], 7) },
    f: ({ x }) =>
      tf.addN([
        tf.avgPool(x as tf.Tensor4D, 2, 2, "valid").sum(),
        tf.avgPool(x as tf.Tensor4D, 3, 1, "same").sum(),
        tf.mean(x, [1, 2]).sum(),
      ]),
  },
  {
    title: "dense + ReLU + softmax cross-entropy",
    inputs: { x: input([4, 12], 8), w: input([12, 10], 9), b: input([10], 10) },
    f: ({ x, w, b }) => {
      const logits = tf.relu(tf.add(tf.matMul(x, w), b));
      return tf.losses.softmaxCrossEntropy(tf.oneHot([1, 3, 5, 7], 10), logits);
    },
  },
];

const reference = new Map<string, Float32Array[]>();
async function cpuGradients(c: Case): Promise<Float32Array[]> {
  if (!reference.has(c.title)) reference.set(c.title, await gradientsOn("cpu", c.inputs, c.f));
  return reference.get(c.title)!;
}

for (const backend of BACKENDS_UNDER_TEST) {
  for (const c of CASES) {
    Deno.test({
      name: `${backend.name}: gradients of ${c.title} match cpu within 1e-4`,
      ignore: backend.skip !== null,
      // WebGPU keeps its device open for the process.
      sanitizeResources: backend.name !== "webgpu",
      sanitizeOps: backend.name !== "webgpu",
      fn: async () => {
        const expected = await cpuGradients(c);
        const actual = await gradientsOn(backend.name, c.inputs, c.f);
        const names = Object.keys(c.inputs);
        actual.forEach((g, i) => {
          const err = relativeError(g, expected[i]);
          assert.ok(err <= TOLERANCE, `d/d${names[i]}: relative error ${err} > ${TOLERANCE}`);
        });
      },
    });
  }
}
