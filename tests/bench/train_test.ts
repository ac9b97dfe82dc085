import assert from "node:assert/strict";
import { runTrainBench, toBenchRows } from "../../bench/train.ts";

Deno.test("runTrainBench() refuses a precision and thread counts it cannot run, naming them", async () => {
  await assert.rejects(runTrainBench({ precision: "fp16" as "fp32", log: () => {} }), {
    name: "RangeError",
    message: "'precision' must be fp32 or bf16, got 'fp16'",
  });
  await assert.rejects(runTrainBench({ threads: [1, 0], log: () => {} }), {
    name: "RangeError",
    message: "'threads' must be positive integers, got 1,0",
  });
});

Deno.test("runTrainBench() measures each thread count asked for, in its own row", async () => {
  const rows = await runTrainBench({
    models: ["baseline_cnn"],
    backends: ["cpu"],
    batch: 2,
    steps: 1,
    repeat: 1,
    threads: [1, 2],
    log: () => {},
  });
  assert.deepEqual(rows.map((r) => [r.model, r.threads, r.precision]), [
    ["baseline_cnn", 1, "fp32"],
    ["baseline_cnn", 2, "fp32"],
  ]);
  assert.ok(rows.every((r) => (r.train_images_per_s ?? 0) > 0), JSON.stringify(rows));
  assert.match(toBenchRows(rows)[0].note ?? "", /batch 2, fp32, 1 thread$/);
});
