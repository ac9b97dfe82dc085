import assert from "node:assert/strict";
import { writeHistory } from "../../rundir/mod.ts";
import { validateExperiment } from "../../experiment/load.ts";
import {
  describeRuns,
  estimateRuns,
  experimentWork,
  pendingRuns,
} from "../../experiment/estimate.ts";

const tiny = (more: Record<string, unknown> = {}) =>
  validateExperiment({
    name: "tiny",
    model: "baseline_cnn",
    model_options: { width: 0.125 },
    backend: "cpu",
    data: { source: "synthetic", limit: 64 },
    epochs: 2,
    batch_size: 8,
    ...more,
  });

Deno.test("experimentWork() sizes a run from its recipe alone: CIFAR-10 less validation, or the synthetic set", async () => {
  const cifar = experimentWork(await tiny({ data: { source: "cifar10" } }));
  assert.deepEqual(
    [cifar.trainImages, cifar.valImages, cifar.testImages, cifar.upTo],
    [45000, 5000, 10000, false],
  );
  const limited = experimentWork(await tiny({ data: { source: "x.tar.gz", limit: 512 } }));
  assert.deepEqual([limited.trainImages, limited.valImages, limited.testImages], [512, 512, 512]);
  const synthetic = experimentWork(await tiny({ data: { source: "synthetic", limit: 256 } }));
  assert.deepEqual([synthetic.trainImages, synthetic.valImages, synthetic.testImages], [
    256,
    64,
    64,
  ]);
  const stops = await tiny({ plugins: [{ name: "callbacks/early-stopping" }] });
  assert.equal(experimentWork(stops).upTo, true);
  const budget = experimentWork(await tiny({ iterations: 1000, budget: 0.1, eval_every: 50 }));
  assert.deepEqual([budget.iterations, budget.evalEvery], [100, 5]);
});

Deno.test("estimateRuns() times each distinct model once and sums every run", async () => {
  const runs = [
    { exp: await tiny({ seed: 0 }) },
    { exp: await tiny({ seed: 1 }) },
    { exp: await tiny({ model_options: { width: 0.25 } }) },
  ];
  const all = await estimateRuns(runs);
  assert.equal(all.measured, 2, "seeds share a model; another width is another model");
  assert.deepEqual(all.backends, ["cpu"]);
  assert.ok(all.seconds > 0 && Number.isFinite(all.seconds), `${all.seconds}`);
  const line = await describeRuns("suite t", runs, 3);
  assert.match(line!, /^suite t: 3 runs, about \d+ (s|min) in all on cpu$/);
  const left = await describeRuns("sweep s", runs.slice(2), 3);
  assert.match(left!, /^sweep s: 1 of 3 runs left, about .+ in all on cpu$/);
  assert.equal(await describeRuns("suite t", [], 3), undefined, "nothing left: nothing measured");
});

Deno.test("pendingRuns() leaves out finished runs and resumes the others at their recorded epochs", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const exp = await tiny();
    await Deno.mkdir(`${dir}/done`);
    await Deno.writeTextFile(`${dir}/done/summary.json`, "{}");
    await Deno.mkdir(`${dir}/half`);
    const row = { epoch: 0, loss: 2, acc: 0.1, val_loss: 2, val_acc: 0.1, lr: 1e-3, seconds: 1 };
    await writeHistory(`${dir}/half`, [row, { ...row, epoch: 1 }]);
    const runs = await pendingRuns(
      ["done", "half", "fresh"].map((m) => ({ dir: `${dir}/${m}`, exp })),
    );
    assert.deepEqual(runs.map((r) => r.done), [{ epoch: 2, step: 0 }, undefined]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
