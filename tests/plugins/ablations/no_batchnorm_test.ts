import assert from "node:assert/strict";
import { noBatchnorm } from "../../../plugins/ablations/no_batchnorm.ts";
import type { PlainCnnSpec } from "../../../models/spec.ts";

Deno.test("noBatchnorm turns off batch normalisation and keeps the rest of the spec", () => {
  const spec: PlainCnnSpec = {
    name: "baseline_cnn",
    family: "plain_cnn",
    inputShape: [32, 32, 3],
    classes: 10,
    dropout: 0.5,
    batchNorm: true,
    blocks: [{ filters: 32, kernelSize: 3, pool: true }],
  };
  assert.deepEqual(noBatchnorm.create({}).transformModel!(spec), { ...spec, batchNorm: false });
  assert.equal(spec.batchNorm, true);
});

Deno.test("noBatchnorm's schema rejects options", () => {
  assert.equal(noBatchnorm.schema.safeParse({ layers: 2 }).success, false);
});
