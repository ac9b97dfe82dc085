/**
 * A checkpoint written on one backend loads on every other (cpu, wasm,
 * native where oneDNN is installed, webgpu where an adapter exists) with the
 * same weights, bit for bit, and the same predictions within 1e-5.
 * @module
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { BACKENDS_UNDER_TEST } from "../backends/_helpers.ts";
import { ignore as nativeMissing } from "../backends/native/_compare.ts";
import { type BackendName, selectBackend } from "../../backends/mod.ts";
import { syntheticDataset } from "../../data/mod.ts";
import { predict, type RgbImage } from "../../inference/mod.ts";
import { buildModel, resnetSpec } from "../../models/mod.ts";
import { loadCheckpointModel, saveCheckpoint, type TrainState } from "../../train/checkpoint.ts";

const BACKENDS: BackendName[] = [
  "cpu",
  "wasm",
  ...(nativeMissing ? [] : ["native" as const]),
  ...(BACKENDS_UNDER_TEST.find((b) => b.name === "webgpu")?.skip === null
    ? ["webgpu" as const]
    : []),
];

const STATE: TrainState = {
  epoch: 1,
  step: 0,
  lr: 1e-3,
  iterations: 1,
  partial: { loss: 0, correct: 0, seen: 0, seconds: 0 },
  stepRng: [],
  dropoutRng: {},
  plugins: {},
  history: [],
  tables: {},
};

const { test } = syntheticDataset({ seed: 5, train: 0, val: 0, test: 6 });
const IMAGES: RgbImage[] = Array.from({ length: test.count }, (_, i) => ({
  width: 32,
  height: 32,
  data: test.images.subarray(i * 3072, (i + 1) * 3072),
}));

/** A small residual net (projection shortcut, batch norm, seeded dropout) with non-trivial batch-norm statistics. */
function model(): tf.LayersModel {
  const m = buildModel(
    resnetSpec({ name: "portable", layers: [1, 1], width: 4, dropout: 0.3 }),
    { seed: 7 },
  );
  let k = 1;
  const names = m.weights.map((w) => w.originalName);
  m.setWeights(
    m.getWeights().map((w, i) =>
      tf.tidy(() => {
        const r = tf.randomUniform(w.shape, 0.5, 1.5, "float32", k++);
        // Moving variances stay positive; everything else moves off its initial value.
        return names[i].includes("moving_variance") ? r : w.add(r.sub(1).mul(0.2));
      })
    ),
  );
  return m;
}

async function probabilities(m: tf.LayersModel): Promise<Float32Array[]> {
  return (await predict(m, IMAGES, { top: 1 })).map((p) => p.probabilities);
}

Deno.test({
  name: `loadCheckpointModel() reads a checkpoint of any backend on ${BACKENDS.join(", ")} alike`,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const root = await Deno.makeTempDir();
    try {
      const written: Record<string, { weights: Float32Array[]; probs: Float32Array[] }> = {};
      for (const b of BACKENDS) {
        await selectBackend(b);
        const m = model();
        await saveCheckpoint(`${root}/${b}`, m, {}, {}, STATE);
        written[b] = {
          weights: await Promise.all(m.getWeights().map((w) => w.data() as Promise<Float32Array>)),
          probs: await probabilities(m),
        };
        m.dispose();
      }
      for (const reader of BACKENDS) {
        await selectBackend(reader);
        for (const writer of BACKENDS) {
          const { model: m } = await loadCheckpointModel(`${root}/${writer}`);
          const weights = await Promise.all(
            m.getWeights().map((w) => w.data() as Promise<Float32Array>),
          );
          weights.forEach((w, i) =>
            assert.deepEqual(w, written[writer].weights[i], `${writer} → ${reader}: weight ${i}`)
          );
          const probs = await probabilities(m);
          const diff = Math.max(
            ...probs.flatMap((p, i) =>
              [...p].map((v, j) => Math.abs(v - written[writer].probs[i][j]))
            ),
          );
          assert.ok(diff < 1e-5, `${writer} → ${reader}: predictions differ by ${diff}`);
          m.dispose();
        }
      }
    } finally {
      await selectBackend("cpu");
      await Deno.remove(root, { recursive: true });
    }
  },
});
