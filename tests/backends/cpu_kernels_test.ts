import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { registerCpuKernels } from "../../backends/cpu_kernels.ts";

await tf.setBackend("cpu");

type Shape = [number, number, number, number];
const CASES: [string, Shape, Shape, number, "same" | "valid"][] = [
  ["3x3 stride 1 same", [2, 9, 9, 3], [3, 3, 3, 4], 1, "same"],
  ["3x3 stride 2 same", [2, 9, 9, 3], [3, 3, 3, 4], 2, "same"],
  ["3x3 stride 2 valid", [1, 8, 8, 2], [3, 3, 2, 5], 2, "valid"],
  ["1x1 stride 2 same", [3, 8, 8, 4], [1, 1, 4, 6], 2, "same"],
];

function filterGrads(): Float32Array[] {
  return CASES.map(([, xShape, wShape, stride, pad]) =>
    tf.tidy(() => {
      const x = tf.randomNormal(xShape, 0, 1, "float32", 1) as tf.Tensor4D;
      const w = tf.randomNormal(wShape, 0, 1, "float32", 2) as tf.Tensor4D;
      const g = tf.grad((f: tf.Tensor) =>
        tf.conv2d(x, f as tf.Tensor4D, stride, pad).square().sum()
      )(w);
      return g.dataSync() as Float32Array;
    })
  );
}

Deno.test("registerCpuKernels() Conv2DBackpropFilter equals tfjs's own within 1e-5 relative", () => {
  const reference = filterGrads(); // tfjs's kernel, before skiplab's is registered
  assert.equal(registerCpuKernels(), true);
  assert.equal(registerCpuKernels(), false, "idempotent");
  const ours = filterGrads();
  CASES.forEach(([name], i) => {
    const scale = Math.max(...reference[i].map(Math.abs));
    const err = Math.max(...ours[i].map((v, j) => Math.abs(v - reference[i][j]))) / scale;
    assert.ok(err < 1e-5, `${name}: relative error ${err}`);
  });
});
