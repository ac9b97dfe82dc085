/**
 * Test helpers: run the same tensor function on the cpu and native backends
 * and compare the results; skip (ignore) when oneDNN is not installed.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { tryRegisterNative } from "../../../backends/native/mod.ts";
import { xorshift } from "../../_xorshift.ts";

const status = await tryRegisterNative();
/** Set (to 1) where oneDNN was installed for the tests, as .ci/run does: skipping is an error. */
const REQUIRED = "SKIPLAB_REQUIRE_NATIVE";
if (!status.ok) {
  if (Deno.env.get(REQUIRED) === "1") {
    throw new Error(`${REQUIRED}=1 but the native backend cannot run: ${status.reason}`);
  }
  console.log(`skipping native backend tests: ${status.reason}`);
}

/** True when the native tests must be ignored (no oneDNN here). */
export const ignore: boolean = !status.ok;

/** Deterministic pseudo-random float32 values in [-1, 1). */
export function random(size: number, seed: number): Float32Array {
  return xorshift(size, seed);
}

/** Runs `f` on `backend` and returns its outputs' values, leaving no tensors behind. */
export function runOn(backend: string, f: () => tf.Tensor | tf.Tensor[]): Float32Array[] {
  tf.setBackend(backend);
  const outs = tf.tidy(f);
  const list = Array.isArray(outs) ? outs : [outs];
  const vals = list.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(list);
  return vals;
}

/**
 * Largest difference between the cpu and native results of `f`, relative to
 * the largest magnitude of the cpu result (at least 1).
 */
export function relativeError(f: () => tf.Tensor | tf.Tensor[]): number {
  const want = runOn("cpu", f);
  const got = runOn("native", f);
  let worst = 0;
  want.forEach((w, k) => {
    const g = got[k];
    if (g.length !== w.length) throw new Error(`output ${k}: ${g.length} values, want ${w.length}`);
    let scale = 1;
    for (const v of w) if (!Number.isNaN(v)) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < w.length; i++) {
      const nan = Number.isNaN(w[i]);
      const e = nan !== Number.isNaN(g[i]) ? Infinity : nan ? 0 : Math.abs(w[i] - g[i]) / scale;
      worst = Math.max(worst, e);
    }
  });
  return worst;
}
