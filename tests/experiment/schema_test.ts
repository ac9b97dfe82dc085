import assert from "node:assert/strict";
import { type Experiment, ExperimentSchema } from "../../experiment/schema.ts";

// That the written-out Experiment type equals the schema's inferred output is checked at
// compile time in experiment/schema.ts; this checks the defaults a minimal file gets.
Deno.test("ExperimentSchema fills every key of an Experiment from a file naming only name and model", () => {
  const parsed: Experiment = ExperimentSchema.parse({ name: "x", model: "baseline_cnn" });
  assert.equal(parsed.epochs, 30);
  assert.equal(parsed.optimizer.type, "adam");
  assert.deepEqual(Object.keys(parsed).sort(), [
    "backend",
    "batch_size",
    "budget",
    "data",
    "epochs",
    "eval_every",
    "init",
    "iterations",
    "log_every",
    "model",
    "model_options",
    "name",
    "optimizer",
    "out",
    "plugins",
    "precision",
    "schedule",
    "seed",
  ]);
});
