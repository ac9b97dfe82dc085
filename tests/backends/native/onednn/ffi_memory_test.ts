import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ignore, random, relativeError, runOn } from "../_compare.ts";

// oneDNN keeps the data pointer of a memory object from set_data_handle to the execute
// that follows; a garbage collection in between must not move what it points at.
Deno.test({
  name: "oneDNN primitives survive garbage collections between set_data_handle and execute",
  ignore,
  async fn() {
    const child = new URL("./_gc_child.ts", import.meta.url);
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-ffi", "--allow-read", "--v8-flags=--expose-gc", child.href],
    }).output();
    const text = new TextDecoder();
    assert.equal(code, 0, text.decode(stderr));
    const report = JSON.parse(text.decode(stdout).trim().split("\n").at(-1)!);
    assert.deepEqual(report, { arrays: 65, moved: 0, wrong: 0 });
  },
});

Deno.test({
  name: "native Relu maps -Infinity to 0 and keeps NaN and +Infinity, as the cpu kernel",
  ignore,
  fn() {
    // Small tensors take the JS kernel, large ones the native path.
    for (const n of [5, 1 << 18]) {
      const f = () => {
        const specials = tf.tensor1d([-Infinity, Infinity, NaN, -0, -1, 2]);
        return tf.relu(tf.concat([specials, tf.tensor1d(random(n, 3))]));
      };
      const [want] = runOn("cpu", f), [got] = runOn("native", f);
      // ±0 compare equal: oneDNN's max(0, -0) on the large path is -0, the cpu kernel's +0.
      const unsigned = (v: number) => v === 0 ? 0 : v;
      assert.deepEqual([...got.subarray(0, 6)].map(unsigned), [0, Infinity, NaN, 0, 0, 2]);
      const differ = want.findIndex((w, i) => !(w === got[i] || (w !== w && got[i] !== got[i])));
      assert.equal(differ, -1, `${n + 6} elements: ${want[differ]} on cpu, ${got[differ]} native`);
    }
  },
});

Deno.test({
  name: "native BatchMatMul broadcasts rank-mismatched batch dims to the cpu kernel's shape",
  ignore,
  fn() {
    const t = (shape: number[], seed: number) =>
      tf.tensor(random(shape.reduce((p, v) => p * v, 1), seed), shape);
    const cases: [number[], number[]][] = [
      [[1, 1, 3, 4], [2, 4, 5]],
      [[3, 4], [1, 4, 5]],
      [[2, 3, 4], [1, 1, 4, 5]],
      [[2, 3, 4], [4, 5]],
      [[1, 3, 4], [2, 1, 4, 5]],
    ];
    for (const [a, b] of cases) {
      let shapes: string[] = [];
      const err = relativeError(() => {
        const out = tf.matMul(t(a, 1), t(b, 2));
        shapes.push(`[${out.shape}]`);
        return out;
      });
      assert.equal(shapes[0], shapes[1], `[${a}] x [${b}]: cpu ${shapes[0]}, native ${shapes[1]}`);
      assert.ok(err <= 1e-6, `[${a}] x [${b}]: relative error ${err}`);
      shapes = [];
    }
  },
});
