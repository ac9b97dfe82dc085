import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { timingMemory } from "../../../plugins/probes/timing_memory.ts";
import type { Batch } from "../../../train/types.ts";
import { fakeRun, metrics } from "../_context.ts";

await tf.setBackend("cpu");

Deno.test("timingMemory passes batches through and records one timing row per epoch", async () => {
  const plugin = timingMemory.create(timingMemory.schema.parse({}));
  const fake = fakeRun();
  const batch: Batch = { xs: tf.zeros([4, 2, 2, 3]), ys: tf.zeros([4, 2]) };
  for (let e = 0; e < 2; e++) {
    for (let s = 0; s < 3; s++) {
      assert.equal(plugin.transformBatch!(batch, fake.step(e, s)), batch);
    }
    await plugin.onEpochEnd!(metrics(e), fake.epoch(e));
  }
  tf.dispose([batch.xs, batch.ys]);
  const rows = fake.rows.timing;
  assert.deepEqual(rows.map((r) => [r.epoch, r.images]), [[0, 12], [1, 12]]);
  for (const r of rows) {
    for (const key of ["seconds", "images_per_sec", "num_tensors", "num_bytes", "rss_bytes"]) {
      assert.ok(Number.isFinite(r[key]) && (r[key] as number) >= 0, `${key} = ${r[key]}`);
    }
    assert.ok((r.rss_bytes as number) > 0);
    assert.ok((r.peak_num_bytes as number) >= (r.num_bytes as number));
    assert.ok((r.peak_rss_bytes as number) >= (r.rss_bytes as number));
  }
});

Deno.test("timingMemory keeps its peaks across a resume", () => {
  const first = timingMemory.create({});
  const state = { peak_bytes: 1e15, peak_rss: 2e15 };
  first.setState!(state);
  assert.deepEqual(first.getState!(), state);
  assert.throws(() => first.setState!({ peak_bytes: -1, peak_rss: 0 }), TypeError);
});
