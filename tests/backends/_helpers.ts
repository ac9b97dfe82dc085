/**
 * Shared by the backend tests: seeded data, gradients computed on a chosen
 * backend from plain arrays, and a robust relative error.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { findWebgpuAdapter, selectBackend } from "../../backends/mod.ts";

/** Backends compared against cpu: wasm always, webgpu when an adapter exists. */
export interface BackendUnderTest {
  readonly name: "wasm" | "webgpu";
  /** Why the backend's tests are skipped here, or null when they run. */
  readonly skip: string | null;
}

const adapter = await findWebgpuAdapter();
/** Set (to 1) where mesa-vulkan-drivers was installed for the tests, as .ci/run does: skipping is an error. */
const REQUIRED = "SKIPLAB_REQUIRE_WEBGPU";

/** The backends to check, with a printed reason for each one skipped. */
export const BACKENDS_UNDER_TEST: readonly BackendUnderTest[] = [
  { name: "wasm", skip: null },
  {
    name: "webgpu",
    skip: adapter === null
      ? "no WebGPU adapter (apt-get install -y mesa-vulkan-drivers gives llvmpipe)"
      : null,
  },
];
for (const b of BACKENDS_UNDER_TEST) {
  if (b.skip === null) continue;
  if (b.name === "webgpu" && Deno.env.get(REQUIRED) === "1") {
    throw new Error(`${REQUIRED}=1 but ${b.skip}`);
  }
  console.log(`skipping ${b.name} tests: ${b.skip}`);
}

/** Deterministic values in [-1, 1) (a 32-bit LCG), independent of any backend. */
export function seeded(shape: readonly number[], seed: number): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  let s = (seed * 2654435761 + 1) >>> 0;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** max|a - b| / max(max|b|, floor): b is the reference. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-6): number {
  if (a.length !== b.length) throw new RangeError(`length ${a.length} vs ${b.length}`);
  let diff = 0, scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return Number.isNaN(diff) ? Infinity : diff / Math.max(scale, floor);
}

/** Input of {@link gradientsOn}: named arrays with their shapes. */
export type Inputs = Record<string, { shape: number[]; values: Float32Array }>;

/**
 * Gradients of `sum(f(inputs) · r)` with respect to every input, computed on
 * `backend` (r: fixed seeded weights, so no gradient is trivially uniform).
 * Leaves no tensors behind.
 */
export async function gradientsOn(
  backend: string,
  inputs: Inputs,
  f: (xs: Record<string, tf.Tensor>) => tf.Tensor,
): Promise<Float32Array[]> {
  await selectBackend(backend as "cpu");
  const names = Object.keys(inputs);
  const tensors = names.map((n) => tf.tensor(inputs[n].values, inputs[n].shape));
  const grads = tf.tidy(() =>
    tf.grads((...xs: tf.Tensor[]) => {
      const y = f(Object.fromEntries(names.map((n, i) => [n, xs[i]])));
      const r = tf.tensor(seeded(y.shape, 99), y.shape);
      return tf.sum(tf.mul(y, r));
    })(tensors)
  );
  const values = await Promise.all(grads.map((g) => g.data() as Promise<Float32Array>));
  tf.dispose([...tensors, ...grads]);
  return values;
}
