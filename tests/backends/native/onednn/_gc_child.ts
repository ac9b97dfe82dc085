/**
 * Child process of ffi_memory_test.ts (run with `--v8-flags=--expose-gc`):
 * prints, as JSON, whether small typed arrays kept their addresses across
 * full garbage collections, and whether oneDNN primitives computed right when
 * a collection ran between handing oneDNN a buffer and executing on it.
 *
 * @module
 */
import { openDnnl } from "../../../../backends/native/onednn/open.ts";
import { Primitive } from "../../../../backends/native/onednn/primitives.ts";
import type { Dnnl } from "../../../../backends/native/onednn/api.ts";
import { BufferPool } from "../../../../backends/native/memory/buffers.ts";

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with --v8-flags=--expose-gc");
const address = (a: ArrayBufferView) => Deno.UnsafePointer.value(Deno.UnsafePointer.of(a));

// Arrays of every size V8 could keep inside its heap (up to 64 bytes by default), and the
// JS-array fallback of the buffer pool.
const arrays: Float32Array[] = Array.from({ length: 64 }, (_, i) => new Float32Array(1 + (i % 16)));
arrays.push(new BufferPool(false).take(4));
const before = arrays.map(address);
for (let i = 0; i < 3; i++) gc();
const moved = arrays.filter((a, i) => address(a) !== before[i]).length;

// A copy primitive whose every set_data_handle is followed by a full collection.
const real = openDnnl(1);
const dnnl: Dnnl = {
  ...real,
  setDataHandle(mem: Deno.PointerValue, buffer: ArrayBufferView) {
    real.setDataHandle(mem, buffer);
    gc!();
  },
};
let wrong = 0;
for (const n of [1, 3, 8, 16, 1000]) {
  const md = dnnl.memoryDesc([n], dnnl.E.tagA);
  const copy = new Primitive(dnnl, dnnl.reorder(md, md), [
    { arg: dnnl.E.argSrc, md },
    { arg: dnnl.E.argDst, md },
  ]);
  for (let round = 0; round < 5; round++) {
    const src = Float32Array.from({ length: n }, (_, i) => i + round + 1);
    const dst = new Float32Array(n);
    copy.execute([src, dst]);
    if (dst.some((v, i) => v !== src[i])) wrong++;
  }
}
console.log(JSON.stringify({ arrays: arrays.length, moved, wrong }));
