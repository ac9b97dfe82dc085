import assert from "node:assert/strict";
import { selectBackend } from "../../../backends/mod.ts";
import { timingMemory } from "../../../plugins/probes/timing_memory.ts";
import { train } from "../../../train/mod.ts";
import { TINY_DATA, tinyModel } from "../../train/_tiny.ts";

await selectBackend("cpu");

Deno.test("timingMemory observes step ends of a real run and records one timing row per epoch", async () => {
  const plugin = timingMemory.create(timingMemory.schema.parse({}));
  assert.equal(plugin.transformBatch, undefined, "it leaves batches alone");
  const model = tinyModel();
  const result = await train({
    model,
    ...TINY_DATA,
    epochs: 2,
    batchSize: 32,
    optimizer: { type: "adam", lr: 1e-3 },
    plugins: [plugin],
  });
  model.dispose();
  const rows = result.tables.timing;
  assert.deepEqual(rows.map((r) => [r.epoch, r.images]), [[0, 96], [1, 96]]);
  for (const [i, r] of rows.entries()) {
    for (const key of ["seconds", "images_per_sec", "num_tensors", "num_bytes", "rss_bytes"]) {
      assert.ok(Number.isFinite(r[key]) && (r[key] as number) > 0, `${key} = ${r[key]}`);
    }
    // From the first step's start to the end of validation: at least the training steps' time.
    assert.ok((r.seconds as number) >= result.history[i].seconds * 0.99);
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
