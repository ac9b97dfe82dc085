import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { INIT_SCHEMES, type InitScheme } from "../../layers/mod.ts";
import { buildModel, type ModelSpec, resnetSpec } from "../../models/mod.ts";

await tf.setBackend("cpu");

const SMALL: ModelSpec = resnetSpec({ name: "small", layers: [1, 1], width: 16, dropout: 0 });

function weight(model: tf.LayersModel, layer: string, index = 0): Float32Array {
  return model.getLayer(layer).getWeights()[index].dataSync() as Float32Array;
}

function std(v: Float32Array): number {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
}

const maxAbs = (v: Float32Array): number => v.reduce((a, b) => Math.max(a, Math.abs(b)), 0);

// stage1_block1_conv1: 3×3, 16 → 16 channels; predictions: 32 → 10.
const CONV_IN = 9 * 16, CONV_OUT = 9 * 16, DENSE_IN = 32, DENSE_OUT = 10;

/** The documented std of each scheme's kernels, and the bound of their draws (uniform: reached). */
interface Draw {
  readonly std: number;
  readonly bound: number;
  readonly uniform: boolean;
}

/** U(±b): std b/√3. */
const uniform = (bound: number): Draw => ({ std: bound / Math.sqrt(3), bound, uniform: true });

const EXPECTED: Record<InitScheme, { conv: Draw; dense: Draw }> = {
  // glorot_uniform: U(±√(6/(fan_in+fan_out))), std √(2/(fan_in+fan_out)).
  keras: {
    conv: uniform(Math.sqrt(6 / (CONV_IN + CONV_OUT))),
    dense: uniform(Math.sqrt(6 / (DENSE_IN + DENSE_OUT))),
  },
  // kaiming_uniform(a=√5): U(±1/√fan_in), std 1/√(3 fan_in).
  pytorch: {
    conv: uniform(1 / Math.sqrt(CONV_IN)),
    dense: uniform(1 / Math.sqrt(DENSE_IN)),
  },
  // He-normal convolutions, glorot-uniform dense. tfjs truncates He-normal at
  // ±2σ without rescaling (Keras divides σ by 0.8796 first), so its std is
  // 0.8796·√(2/fan_in): the std of a normal truncated at 2σ.
  he: {
    conv: {
      std: 0.87962566 * Math.sqrt(2 / CONV_IN),
      bound: 2 * Math.sqrt(2 / CONV_IN),
      uniform: false,
    },
    dense: uniform(Math.sqrt(6 / (DENSE_IN + DENSE_OUT))),
  },
};

const BATCH_NORM: Record<InitScheme, [number, number]> = {
  keras: [0.99, 1e-3],
  pytorch: [0.9, 1e-5],
  he: [0.9, 1e-3],
};

for (const init of INIT_SCHEMES) {
  Deno.test(`init "${init}": kernel statistics as the framework defines them, and its batch-norm momentum/epsilon`, () => {
    const model = buildModel(SMALL, { seed: 3, init });
    const e = EXPECTED[init];
    const layers = [["stage1_block1_conv1", e.conv], ["predictions", e.dense]] as const;
    for (const [layer, d] of layers) {
      const k = weight(model, layer), s = std(k), top = maxAbs(k);
      assert.ok(Math.abs(s - d.std) / d.std < 0.1, `${layer} std ${s}, formula ${d.std}`);
      assert.ok(top <= d.bound * 1.0001, `${layer} max |w| ${top} > bound ${d.bound}`);
      if (d.uniform) assert.ok(top > 0.9 * d.bound, `${layer} max |w| ${top} ≪ bound ${d.bound}`);
    }
    const bias = weight(model, "predictions", 1);
    if (init === "pytorch") {
      const bound = 1 / Math.sqrt(DENSE_IN);
      assert.ok(maxAbs(bias) <= bound && maxAbs(bias) > 0, `bias max |b| ${maxAbs(bias)}`);
    } else {
      assert.deepEqual(Array.from(bias), new Array(DENSE_OUT).fill(0));
    }
    const bns = model.layers.filter((l) => l.getClassName() === "BatchNormalization");
    assert.ok(bns.length >= 5);
    for (const bn of bns) {
      const { momentum, epsilon } = bn.getConfig();
      assert.deepEqual([momentum, epsilon], BATCH_NORM[init], bn.name);
    }
    model.dispose();
  });
}

Deno.test('init "pytorch" draws convolution biases from U(±1/√fan_in) where a convolution has them', () => {
  const model = buildModel("baseline_cnn", { seed: 1, init: "pytorch" });
  const b = weight(model, "block2_conv", 1); // 3×3 over 32 channels
  const bound = 1 / Math.sqrt(9 * 32);
  assert.ok(maxAbs(b) <= bound && maxAbs(b) > 0.5 * bound, `max |b| ${maxAbs(b)}, bound ${bound}`);
  assert.ok(Math.abs(std(b) - bound / Math.sqrt(3)) / (bound / Math.sqrt(3)) < 0.25);
  model.dispose();
});

Deno.test("initialisers are seeded: equal seeds give equal weights, schemes and seeds differ", () => {
  const values = (init: InitScheme | undefined, seed: number) => {
    const model = buildModel(SMALL, { seed, init });
    const v = model.getWeights().map((w) => Array.from(w.dataSync()));
    model.dispose();
    return v;
  };
  assert.deepEqual(values("pytorch", 2), values("pytorch", 2));
  assert.notDeepEqual(values("pytorch", 2), values("pytorch", 3));
  assert.notDeepEqual(values("keras", 2), values("pytorch", 2));
  // "he" is the default: models built before schemes existed rebuild identically.
  assert.deepEqual(values(undefined, 2), values("he", 2));
});

Deno.test("buildModel() rejects an unknown init scheme naming the choices", () => {
  assert.throws(
    () => buildModel(SMALL, { init: "caffe" as InitScheme }),
    /Invalid init scheme: must be one of keras, pytorch, he, got 'caffe'/,
  );
});
