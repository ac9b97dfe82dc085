/**
 * The native backend after its libraries are loaded and FFI is revoked
 * (backends/native/seal.ts), in a process of its own, with whichever oneDNN
 * the search finds (`SKIPLAB_DNNL` names 3.x to test that binding): a
 * training step runs, gives the same loss as the cpu backend's, and no
 * native library can be opened any more.
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { ignore } from "./_compare.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

const SCRIPT = `
import * as tf from "@tensorflow/tfjs";
import { sealNativeLibraries } from "${ROOT}backends/native/mod.ts";
const sealed = await sealNativeLibraries();
const ffi = Deno.permissions.querySync({ name: "ffi" }).state;
let dlopen = "allowed";
try { Deno.dlopen("libc.so.6", { getpid: { parameters: [], result: "i32" } }); }
catch (e) { dlopen = e.name; }
const losses = {};
for (const backend of ["native", "cpu"]) {
  await tf.setBackend(backend);
  const x = tf.tensor4d(Array.from({ length: 2 * 8 * 8 * 3 }, (_, i) => Math.sin(i)), [2, 8, 8, 3]);
  const w = tf.variable(tf.tensor4d(Array.from({ length: 3 * 3 * 3 * 4 }, (_, i) => Math.cos(i) / 9), [3, 3, 3, 4]));
  const f = () => tf.relu(tf.conv2d(x, w, 1, "same")).square().mean();
  const { value, grads } = tf.variableGrads(f);
  losses[backend] = [value.dataSync()[0], tf.sum(grads[w.name]).dataSync()[0]];
}
console.log(JSON.stringify({ revoked: sealed.revoked, version: sealed.native?.version, ffi, dlopen, losses }));
`;

Deno.test({
  name: "sealNativeLibraries() leaves native training working and no library openable",
  ignore,
  async fn() {
    const file = await Deno.makeTempFile({ suffix: ".ts" });
    try {
      await Deno.writeTextFile(file, SCRIPT);
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", `--config=${ROOT}deno.json`, file],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const err = new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 0, err);
      const r = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!);
      assert.equal(r.revoked, true);
      assert.match(r.version, /^[23]\./);
      assert.notEqual(r.ffi, "granted");
      assert.equal(r.dlopen, "NotCapable");
      for (let i = 0; i < 2; i++) {
        assert.ok(
          Math.abs(r.losses.native[i] - r.losses.cpu[i]) <= 1e-4 * Math.abs(r.losses.cpu[i]) + 1e-6,
          JSON.stringify(r.losses),
        );
      }
    } finally {
      await Deno.remove(file);
    }
  },
});
