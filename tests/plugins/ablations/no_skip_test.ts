import assert from "node:assert/strict";
import { noSkip } from "../../../plugins/ablations/no_skip.ts";
import type { ModelSpec, ResNetSpec } from "../../../models/spec.ts";

const resnet: ResNetSpec = {
  name: "tiny_resnet",
  family: "resnet",
  inputShape: [32, 32, 3],
  classes: 10,
  dropout: 0.5,
  batchNorm: true,
  block: "basic",
  skip: true,
  stem: { filters: 8, kernelSize: 3, stride: 1, pool: false },
  stages: [{ filters: 8, blocks: 2, stride: 1 }, { filters: 16, blocks: 2, stride: 2 }],
};

Deno.test("noSkip turns off the skip connections of a residual spec and keeps the rest", () => {
  const out = noSkip.create({}).transformModel!(resnet);
  assert.deepEqual(out, { ...resnet, skip: false });
  assert.equal(resnet.skip, true, "the input spec is not mutated");
});

Deno.test("noSkip rejects a plain CNN, which has no skips to remove", () => {
  const plain: ModelSpec = {
    name: "baseline_cnn",
    family: "plain_cnn",
    inputShape: [32, 32, 3],
    classes: 10,
    dropout: 0.5,
    batchNorm: true,
    blocks: [{ filters: 32, kernelSize: 3, pool: true }],
  };
  assert.throws(
    () => noSkip.create({}).transformModel!(plain),
    (e: Error) =>
      e instanceof TypeError && /needs a residual spec.*baseline_cnn.*plain_cnn/.test(e.message),
  );
});
