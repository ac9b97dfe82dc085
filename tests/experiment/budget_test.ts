import assert from "node:assert/strict";
import { iterationPlan } from "../../experiment/budget.ts";
import { ConfigError, loadExperiment, validateExperiment } from "../../experiment/load.ts";
import { overridesFromSettings } from "../../experiment/overrides.ts";

const HE = "experiment/builtin/he-cifar.yaml";

Deno.test("he-cifar.yaml is §4.2 line by line: SGD 0.9, wd 1e-4, batch 128, 0.1 ÷10 at 32k/48k, 64k, crop 4 + flip, per-channel, 45k/5k", async () => {
  const exp = await loadExperiment(HE);
  assert.deepEqual(exp.optimizer, {
    type: "sgd",
    lr: 0.1,
    momentum: 0.9,
    nesterov: false,
    weight_decay: 1e-4,
  });
  assert.equal(exp.batch_size, 128);
  assert.deepEqual(exp.schedule, { type: "multistep", milestones: [32000, 48000], gamma: 0.1 });
  assert.equal(exp.iterations, 64000);
  assert.equal(exp.data.val_size, 5000);
  assert.equal(exp.data.normalize, "per-channel");
  assert.equal(exp.init, "he");
  const plugins = Object.fromEntries(exp.plugins.map((p) => [p.name, p.options]));
  assert.deepEqual(plugins["augment/random-crop"], { padding: 4, fill: 0 });
  assert.deepEqual(plugins["augment/flip"], { p: 0.5 });
  // Resumable (`last`), and tested with the final weights as He et al. do (no `best`).
  assert.deepEqual(plugins["callbacks/model-checkpoint"], { save_best: false });
  const plan = iterationPlan(exp);
  assert.equal(plan.iterations, 64000);
});

Deno.test("he-resnet110.yaml warms up at 0.01 for 400 iterations (§4.2), and --budget scales the warm-up with the milestones", async () => {
  const exp = await loadExperiment("experiment/builtin/he-resnet110.yaml", { budget: 0.01 });
  assert.equal(exp.model, "resnet110");
  assert.deepEqual(iterationPlan(exp).schedule, {
    type: "multistep",
    milestones: [320, 480],
    gamma: 0.1,
    warmup: { iterations: 4, lr: 0.01 },
  });
  const other = await loadExperiment("experiment/builtin/he-resnet56.yaml");
  assert.equal(other.schedule.type === "multistep" && other.schedule.warmup, undefined);
});

Deno.test("--budget 0.01 scales the stop, the milestones and eval_every of he-cifar.yaml, and nothing else", async () => {
  const exp = await loadExperiment(HE, overridesFromSettings({ budget: "0.01" }));
  assert.equal(exp.budget, 0.01);
  assert.equal(exp.iterations, 64000, "the experiment keeps the recipe's numbers");
  const plan = iterationPlan(exp);
  assert.equal(plan.iterations, 640);
  assert.equal(plan.evalEvery, 40);
  assert.deepEqual(plan.schedule, { type: "multistep", milestones: [320, 480], gamma: 0.1 });
  assert.equal(exp.optimizer.lr, 0.1);
  assert.equal(exp.batch_size, 128);
  // A tiny budget still leaves at least one step everywhere.
  const tiny = iterationPlan(await loadExperiment(HE, { budget: 1e-6 }));
  assert.deepEqual([tiny.iterations, tiny.evalEvery], [1, 1]);
});

Deno.test("a budget without iterations, or milestones out of order, is refused naming the key", async () => {
  await assert.rejects(
    () => validateExperiment({ name: "x", model: "resnet20", budget: 0.5 }),
    (e: Error) =>
      e instanceof ConfigError && /budget: a budget of 0\.5 .* set 'iterations'/.test(e.message),
  );
  await assert.rejects(
    () =>
      validateExperiment({
        name: "x",
        model: "resnet20",
        schedule: { type: "multistep", milestones: [48000, 32000] },
      }),
    /schedule\.milestones: milestones must be strictly increasing/,
  );
  await assert.rejects(
    () => loadExperiment(HE, { budget: 2 }),
    /budget/,
  );
});
