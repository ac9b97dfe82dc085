/**
 * skiplab's convolution layer: tfjs's values and gradients, through kernels
 * with registry gradients (lazy per input, releasable), and its fallbacks.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { conv2d, conv2dLayer } from "../../layers/conv2d.ts";
import { relativeError, seeded } from "../backends/_helpers.ts";

await tf.setBackend("cpu");

/** Values and gradients (input and every weight) of `layer` on x, summed through a fixed readout. */
function valuesAndGrads(layer: tf.layers.Layer, x: tf.Tensor4D) {
  return tf.tidy(() => {
    const out = layer.apply(x) as tf.Tensor;
    const readout = tf.tensor(seeded(out.shape, 9), out.shape);
    const f = () => tf.sum(tf.mul(layer.apply(x) as tf.Tensor, readout)) as tf.Scalar;
    const vars = layer.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
    const { grads } = tf.variableGrads(f, vars);
    const dx = tf.grad((input: tf.Tensor) =>
      tf.sum(tf.mul(layer.apply(input) as tf.Tensor, readout))
    )(x);
    return {
      y: out.dataSync(),
      dx: dx.dataSync(),
      dw: vars.map((v) => grads[v.name].dataSync()),
    };
  });
}

for (const useBias of [false, true]) {
  for (const activation of ["linear", "relu"] as const) {
    for (const [strides, padding] of [[1, "same"], [2, "valid"]] as const) {
      Deno.test(`conv2dLayer equals tf.layers.conv2d in values and gradients (bias ${useBias}, ${activation}, stride ${strides}, ${padding})`, () => {
        const args = {
          filters: 6,
          kernelSize: 3,
          strides,
          padding,
          useBias,
          activation,
          kernelInitializer: tf.initializers.randomNormal({ seed: 1 }),
          biasInitializer: tf.initializers.randomNormal({ seed: 2 }),
        };
        const x = tf.tensor4d(seeded([2, 7, 7, 4], 3), [2, 7, 7, 4]);
        const ours = conv2dLayer({ ...args, name: "ours" });
        const stock = tf.layers.conv2d({ ...args, name: "stock" });
        ours.build(x.shape);
        stock.build(x.shape);
        stock.setWeights(ours.getWeights());
        const [a, b] = [valuesAndGrads(ours, x), valuesAndGrads(stock, x)];
        assert.ok(relativeError(a.y, b.y) < 1e-6, `values: ${relativeError(a.y, b.y)}`);
        assert.ok(relativeError(a.dx, b.dx) < 1e-6, `input gradient: ${relativeError(a.dx, b.dx)}`);
        assert.equal(a.dw.length, useBias ? 2 : 1);
        a.dw.forEach((g, i) => {
          assert.ok(relativeError(g, b.dw[i]) < 1e-5, `weight ${i}: ${relativeError(g, b.dw[i])}`);
        });
        tf.dispose([x]);
      });
    }
  }
}

Deno.test("conv2dLayer's weight gradients skip the input gradient that no variable needs (the first layer's image gradient)", async () => {
  const x = tf.tensor4d(seeded([2, 8, 8, 3], 4), [2, 8, 8, 3]);
  const counts = async (layer: tf.layers.Layer) => {
    layer.build(x.shape);
    const vars = layer.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
    const p = await tf.profile(() => {
      const { value, grads } = tf.variableGrads(() => tf.sum(layer.apply(x) as tf.Tensor), vars);
      tf.dispose([value, ...Object.values(grads)]);
    });
    return p.kernels.filter((k) => k.name === "Conv2DBackpropInput").length;
  };
  for (const useBias of [false, true]) {
    const args = { filters: 4, kernelSize: 3, padding: "same" as const, useBias };
    assert.equal(await counts(conv2dLayer({ ...args, name: `ours_${useBias}` })), 0);
    // tfjs's customGrad convolution computes it anyway.
    assert.equal(await counts(tf.layers.conv2d({ ...args, name: `stock_${useBias}` })), 1);
  }
  x.dispose();
});

Deno.test("conv2d with a fused ReLU refuses a gradient, naming the fix; without it the gradient runs", () => {
  const x = tf.ones([1, 3, 3, 1]) as tf.Tensor4D, w = tf.ones([1, 1, 1, 1]) as tf.Tensor4D;
  const b = tf.zeros([1]);
  const opts = { strides: [1, 1] as [number, number], pad: "same" as const, bias: b };
  assert.throws(
    () =>
      tf.grad((t: tf.Tensor) => conv2d(t as tf.Tensor4D, w, { ...opts, activation: "relu" }))(x),
    /fused ReLU has no gradient here; apply tf\.relu/,
  );
  const g = tf.grad((t: tf.Tensor) => tf.sum(conv2d(t as tf.Tensor4D, w, opts)))(x);
  assert.deepEqual(Array.from(g.dataSync()), new Array(9).fill(1));
  tf.dispose([x, w, b, g]);
});

Deno.test("conv2dLayer takes tfjs's own call where skiplab's convolution does not apply (dilation)", () => {
  const layer = conv2dLayer({
    filters: 2,
    kernelSize: 3,
    dilationRate: 2,
    padding: "same",
    name: "dil",
  });
  const x = tf.tensor4d(seeded([1, 9, 9, 2], 5), [1, 9, 9, 2]);
  const stock = tf.layers.conv2d({
    filters: 2,
    kernelSize: 3,
    dilationRate: 2,
    padding: "same",
    name: "dil_stock",
  });
  layer.build(x.shape);
  stock.build(x.shape);
  stock.setWeights(layer.getWeights());
  const [a, b] = [layer.apply(x) as tf.Tensor, stock.apply(x) as tf.Tensor];
  assert.ok(relativeError(a.dataSync(), b.dataSync()) < 1e-6);
  tf.dispose([x, a, b]);
});
