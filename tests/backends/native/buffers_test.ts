import assert from "node:assert/strict";
import { BufferPool } from "../../../backends/native/_buffers.ts";

const canFfi = Deno.permissions.querySync({ name: "ffi" }).state === "granted";

for (const native of [false, true]) {
  const mode = native ? "C memory" : "JS arrays";

  Deno.test({
    name: `BufferPool (${mode}) hands a given-back array to the next request of its length`,
    ignore: native && !canFfi,
    fn() {
      const pool = new BufferPool(native);
      const a = pool.take(1000);
      a.fill(3);
      pool.give(a);
      assert.equal(pool.take(999).length, 999, "another length gets a new array");
      const b = pool.take(1000);
      assert.equal(b, a);
      assert.equal(pool.counts.reused, 1);
    },
  });

  Deno.test({
    name: `BufferPool (${mode}) never reuses an escaped array or one it did not make`,
    ignore: native && !canFfi,
    fn() {
      const pool = new BufferPool(native);
      const a = pool.take(64);
      pool.escape(a.subarray(8, 16));
      pool.give(a);
      const foreign = new Float32Array(64);
      pool.give(foreign);
      const b = pool.take(64);
      assert.notEqual(b, a);
      assert.notEqual(b, foreign);
      assert.equal(pool.freeBytes, 0);
    },
  });

  Deno.test({
    name: `BufferPool (${mode}) keeps at most its budget, dropping the oldest arrays first`,
    ignore: native && !canFfi,
    fn() {
      const pool = new BufferPool(native, 3 * 4096);
      const arrays = [1, 2, 3, 4].map(() => pool.take(1024));
      arrays.forEach((a) => pool.give(a));
      assert.equal(pool.freeBytes, 3 * 4096);
      const again = [1, 2, 3].map(() => pool.take(1024));
      assert.ok(!again.includes(arrays[0]), "the oldest array was dropped");
      assert.equal(pool.counts.reused, 3);
    },
  });
}

Deno.test("BufferPool makes an empty array without pooling it", () => {
  const pool = new BufferPool(false);
  const a = pool.take(0);
  assert.equal(a.length, 0);
  pool.give(a);
  assert.equal(pool.freeBytes, 0);
});
