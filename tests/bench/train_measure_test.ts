import assert from "node:assert/strict";
import { measureApart, stepsFor } from "../../bench/train_measure.ts";
import { ignore } from "../backends/native/_compare.ts";

Deno.test("stepsFor() fills about 3 s of steps, at least 3 and at most 500", () => {
  assert.equal(stepsFor(100), 30);
  assert.equal(stepsFor(2500), 3);
  assert.equal(stepsFor(0.01), 500);
});

Deno.test("measureApart() measures in a process of its own and returns what it measured", async () => {
  const m = await measureApart("baseline_cnn", "cpu", { batch: 2, steps: 1, log: () => {} });
  assert.equal(m.steps, 1);
  assert.ok(m.train > 0 && m.inference > 0, JSON.stringify(m));
  // The child's own peak: far below this test process's, which has run other tests.
  assert.ok(m.rss > 30 && m.rss < 2000, `peak RSS ${m.rss} MB`);
});

Deno.test("measureApart() passes on the measuring process's error", async () => {
  await assert.rejects(
    measureApart("no_such_model", "cpu", { batch: 2, steps: 1, log: () => {} }),
    { message: /^RangeError: Unknown model 'no_such_model'/ },
  );
});

Deno.test("measureApart() computes in the precision asked for, and refuses bf16 off native", async () => {
  await assert.rejects(
    measureApart("baseline_cnn", "cpu", { batch: 2, steps: 1, log: () => {}, precision: "bf16" }),
    { message: /'--precision' is 'bf16', which only the native backend/ },
  );
});

Deno.test({
  name: "measureApart() runs oneDNN on the threads asked for",
  ignore,
  async fn() {
    const o = { batch: 2, steps: 1, log: () => {}, threads: 1 };
    const m = await measureApart("baseline_cnn", "native", o);
    assert.equal(m.threads, 1);
  },
});
