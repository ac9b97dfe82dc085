/**
 * The paper recipe trains on webgpu through the path `deno task train` takes
 * (flags → experiment → runExperiment, every default plugin). Under Deno,
 * tfjs-webgpu has no synchronous read (`dataSync` needs a canvas), so any
 * hook or trainer step that reads a tensor synchronously fails this test.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { experimentFor, overridesFromSettings, runExperiment } from "../../experiment/mod.ts";
import { parseCommandLine } from "../../tasks/args.ts";
import { settingsOf } from "../../tasks/commands/_settings.ts";
import { train } from "../../tasks/commands/train.ts";
import { checkpointDir, readRunFiles, RUN_FILES } from "../../rundir/mod.ts";
import { loadCheckpoint } from "../../train/checkpoint.ts";
import { BACKENDS_UNDER_TEST } from "./_helpers.ts";

const webgpu = BACKENDS_UNDER_TEST.find((b) => b.name === "webgpu")!;

/** `deno task train baseline_cnn` with these flags: 2 steps of 64 images per epoch. */
const FLAGS = [
  "--backend",
  "webgpu",
  "--data",
  "synthetic",
  "--limit",
  "128",
  "--width",
  "0.25",
  "--epochs",
  "1",
];

const exists = (path: string) => Deno.stat(path).then(() => true, () => false);

Deno.test({
  name:
    "webgpu: the paper recipe interrupted after its first step saves every plugin's state, and resumed writes a complete run",
  ignore: webgpu.skip !== null,
  // tfjs-webgpu keeps its device and buffers for the process.
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const out = await Deno.makeTempDir();
    try {
      const exp = await experimentFor(
        "baseline_cnn",
        overridesFromSettings(settingsOf(parseCommandLine(train, FLAGS).values)),
      );
      assert.equal(exp.backend, "webgpu");
      assert.ok(exp.plugins.some((p) => "name" in p && p.name === "probes/gradient-norms"));
      const dir = join(out, "run");
      const quiet = { print: false, progress: false };

      // Aborted before it starts: the trainer finishes one step, then stops and saves
      // checkpoints/last mid-epoch, with the gradient-norms window still on the device.
      const cut = await runExperiment(exp, { ...quiet, dir, signal: AbortSignal.abort() });
      assert.equal(cut.result.stopReason, "interrupted");
      const saved = await loadCheckpoint(checkpointDir(dir, "last"));
      try {
        assert.equal(saved.state.step, 1);
        const norms = saved.state.plugins["probes/gradient-norms"] as { sums: number[] };
        assert.equal(norms.sums.length, 5, "one sum per weight layer of baseline_cnn");
        assert.ok(norms.sums.every((v) => Number.isFinite(v) && v > 0), `${norms.sums}`);
        assert.ok("probes/timing-memory" in saved.state.plugins);
      } finally {
        for (const map of [saved.weights, saved.optimizer, ...Object.values(saved.snapshots)]) {
          for (const t of Object.values(map)) t.dispose();
        }
      }

      const done = await runExperiment(exp, { ...quiet, resumeDir: dir });
      assert.equal(done.result.stopReason, "completed");
      const run = await readRunFiles(dir);
      assert.equal(run.summary?.backend, "webgpu");
      assert.equal(run.history.length, 1);
      for (const k of ["loss", "val_loss"]) assert.ok(Number.isFinite(run.history[0][k]), k);
      const at = (point: string) => run.gradients.filter((r) => r.point === point);
      // init from the first attempt (kept through the checkpoint), epoch and final rows.
      for (const point of ["init", "epoch", "final"]) {
        assert.deepEqual(at(point).map((r) => r.depth), [0, 1, 2, 3, 4], point);
        assert.ok(at(point).every((r) => Number.isFinite(r.norm) && r.norm > 0), point);
      }
      for (const f of [RUN_FILES.confusion, RUN_FILES.classes, RUN_FILES.report]) {
        assert.ok(await exists(join(dir, f)), `${f} written`);
      }
      for (const slot of ["best", "last"] as const) {
        const c = checkpointDir(dir, slot);
        assert.ok(await exists(join(c, "model.json")), `checkpoints/${slot}/model.json`);
        assert.ok(await exists(join(c, "state.json")), `checkpoints/${slot}/state.json`);
      }
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});
