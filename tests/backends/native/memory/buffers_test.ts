import assert from "node:assert/strict";
import { BufferPool } from "../../../../backends/native/memory/buffers.ts";

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
    name: `BufferPool (${mode}) keeps its budget below the high-water mark, the newest out first`,
    ignore: native && !canFfi,
    fn() {
      const pool = new BufferPool(native, 3 * 4096, 0);
      const pair = [1, 2].map(() => pool.take(1024)); // 8 kB in use at most, under the budget
      pair.forEach((a) => pool.give(a));
      pool.take(2048); // 8 kB more: the 12 kB budget leaves room for one 4 kB array
      assert.deepEqual([pool.freeBytes, pool.liveBytes], [4096, 2 * 4096]);
      assert.equal(pool.take(1024), pair[0], "the array given back last was dropped");
    },
  });

  Deno.test({
    name: `BufferPool (${mode}) keeps no budget beyond the high-water mark`,
    ignore: native && !canFfi,
    fn() {
      const pool = new BufferPool(native, 3 * 4096, 0);
      const arrays = [1, 2, 3, 4].map(() => pool.take(1024)); // 16 kB in use at most
      arrays.forEach((a) => pool.give(a));
      assert.equal(pool.freeBytes, 4 * 4096, "all fit below the 16 kB once in use");
      pool.take(2048); // 8 kB in use leaves 8 kB below the mark; the 12 kB budget is below it
      assert.deepEqual([pool.freeBytes, pool.liveBytes], [2 * 4096, 2 * 4096]);
      const again = [1, 2].map(() => pool.take(1024));
      assert.ok(again.every((a) => arrays.slice(0, 2).includes(a)), "the two given back last went");
      assert.equal(pool.counts.reused, 2);
    },
  });

  Deno.test({
    name: `BufferPool (${mode}) pools no more than the arrays in use leave of their most`,
    ignore: native && !canFfi,
    fn() {
      const pool = new BufferPool(native, 0, 0); // nothing beyond the high-water mark
      const small = [1, 2, 3, 4].map(() => pool.take(1024)); // 16 kB in use at most
      assert.equal(pool.liveBytes, 4 * 4096);
      small.forEach((a) => pool.give(a));
      assert.deepEqual([pool.freeBytes, pool.liveBytes], [4 * 4096, 0]);
      // 8 kB more would make 24 kB: two of the small arrays go first.
      const big = pool.take(2048);
      assert.deepEqual([pool.freeBytes, pool.liveBytes], [2 * 4096, 2 * 4096]);
      pool.take(2048);
      assert.deepEqual([pool.freeBytes, pool.liveBytes], [0, 4 * 4096]);
      pool.give(big);
      assert.equal(pool.take(2048), big, "a size in the pool comes back without any freeing");
      // An escaped array leaves the count: the garbage collector frees it.
      pool.escape(big);
      assert.equal(pool.liveBytes, 2 * 4096);
      assert.equal(pool.counts.fresh, 6);
    },
  });

  Deno.test({
    name: `BufferPool (${mode}) keeps its slack beyond the high-water mark's room`,
    ignore: native && !canFfi,
    fn() {
      const pool = new BufferPool(native, 0, 2 * 4096);
      const small = [1, 2, 3, 4].map(() => pool.take(1024)); // 16 kB in use at most
      small.forEach((a) => pool.give(a));
      // 8 kB more would make 24 kB: the slack keeps the 8 kB beyond the mark, no array goes.
      const big = pool.take(2048);
      assert.deepEqual([pool.freeBytes, pool.liveBytes], [4 * 4096, 2 * 4096]);
      pool.give(big);
      // The next phase wants the first one's lengths again: all four come from the pool.
      const again = [1, 2, 3, 4].map(() => pool.take(1024));
      assert.ok(again.every((a) => small.includes(a)));
      assert.deepEqual(pool.counts, { reused: 4, fresh: 5 });
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
