import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { besides, kernelFlops, peakLines, profileStep } from "../../bench/profile.ts";

Deno.test("kernelFlops() counts 2·|y|·kh·kw·cin for each convolution and 2·|out|·k for matmuls", () => {
  const y = [2, 8, 8, 16], filter = [3, 3, 4, 16], x = [2, 8, 8, 4];
  const want = 2 * 2 * 8 * 8 * 16 * 3 * 3 * 4;
  assert.equal(kernelFlops("Conv2D", [x, filter], [y]), want);
  assert.equal(kernelFlops("FusedConv2D", [x, filter, [16]], [y]), want);
  assert.equal(kernelFlops("Conv2DBackpropInput", [y, filter], [x]), want);
  assert.equal(kernelFlops("Conv2DBackpropFilter", [x, y], [filter]), want);
  // [5, 3] x [3, 7] (transposed or not): k = 3.
  assert.equal(kernelFlops("BatchMatMul", [[1, 5, 3], [1, 3, 7]], [[1, 5, 7]]), 2 * 35 * 3);
  assert.equal(kernelFlops("_FusedMatMul", [[1, 3, 5], [1, 3, 7]], [[1, 5, 7]]), 2 * 35 * 3);
  assert.equal(kernelFlops("Relu", [x], [x]), null);
});

Deno.test("profileStep() totals kernels by name, GFLOP/s for convolutions, no op wrappers", async () => {
  await tf.setBackend("cpu");
  const x = tf.randomUniform([2, 8, 8, 4]), w = tf.randomUniform([3, 3, 4, 8]);
  const p = await profileStep(async () => {
    const y = tf.tidy(() =>
      tf.relu(
        tf.fused.conv2d({
          x: x as tf.Tensor4D,
          filter: w as tf.Tensor4D,
          strides: 1,
          pad: "same",
          activation: "relu",
        }),
      ).add(1)
    );
    await y.data();
    y.dispose();
  });
  const names = p.kernels.map((k) => k.name);
  assert.ok(names.includes("FusedConv2D") && names.includes("Relu"), names.join());
  assert.ok(names.every((n) => tf.getKernel(n, "cpu") !== undefined), names.join());
  const conv = p.kernels.find((k) => k.name === "FusedConv2D")!;
  assert.equal(conv.calls, 1);
  assert.ok(conv.gflops === null || conv.gflops > 0);
  assert.equal(p.kernels.find((k) => k.name === "Relu")!.gflops, null);
  assert.ok(p.stepMs >= p.kernels.reduce((s, k) => s + k.ms, 0) * 0.5);
  tf.dispose([x, w]);
});

Deno.test("besides() pads the left block so the right one starts in one column", () => {
  assert.equal(besides(["a", "bbb"], ["1", "2", "3"], 2), "a    1\nbbb  2\n     3");
});

Deno.test("peakLines() gives each convolution pass's share of the peak, then the step's share of its roofline", () => {
  const kernel = (name: string, ms: number) => ({ name, calls: 1, ms, gflops: null });
  const step = {
    stepMs: 400,
    kernels: [
      kernel("FusedConv2D", 60),
      kernel("Conv2D", 40),
      kernel("Conv2DBackpropInput", 80),
      kernel("Conv2DBackpropFilter", 100),
      kernel("Relu", 50),
    ],
  };
  const roofline = {
    trainMs: 200,
    inferMs: 50,
    convMs: { forward: 50, backwardData: 60, backwardWeights: 85 },
    trainFlops: 3e9,
    inferFlops: 1e9,
  };
  assert.deepEqual(peakLines(step, roofline, "fp32, 2 threads"), [
    "share of oneDNN's peak per pass (fp32, 2 threads):",
    "  Conv2D+FusedConv2D: 100 ms, 50 ms at peak: 50% of peak",
    "  Conv2DBackpropInput: 80 ms, 60 ms at peak: 75% of peak",
    "  Conv2DBackpropFilter: 100 ms, 85 ms at peak: 85% of peak",
    "  the step: 400 ms, its roofline 200 ms: 50% of the roofline",
  ]);
});
