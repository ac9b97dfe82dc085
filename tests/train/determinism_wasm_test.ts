import assert from "node:assert/strict";
import { selectBackend } from "../../backends/mod.ts";
import { train } from "../../train/mod.ts";
import { comparable, TINY_DATA, tinyModel } from "./_tiny.ts";

await selectBackend("wasm");

Deno.test("train() on wasm with the same seed gives the same history", async () => {
  const run = async () => {
    const model = tinyModel(3);
    const r = await train({
      model,
      ...TINY_DATA,
      epochs: 2,
      batchSize: 32,
      seed: 9,
      optimizer: { type: "adam", lr: 3e-3 },
    });
    model.dispose();
    return comparable(r.history);
  };
  const first = await run();
  assert.deepEqual(await run(), first);
});
