/**
 * He et al.'s recipe (experiment/builtin/he-cifar.yaml) counts iterations, not
 * epochs: it stops mid-epoch, drops the rate at step milestones and writes
 * validation points every `eval_every` steps. A run interrupted mid-epoch
 * after a milestone, and again in its last, partial epoch after the second,
 * then resumed each time, must write what the uninterrupted run writes: the
same history.csv, curve.csv (the rate of every step), final weights and
momentum buffers, and test metrics.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { loadExperiment } from "../../experiment/load.ts";
import { main } from "../../tasks/cli.ts";
import { runExperiment } from "../../experiment/run.ts";
import { arm } from "../fixtures/plugins/abort_at_step.ts";

const RECIPE = fileURLToPath(new URL("../../experiment/builtin/he-cifar.yaml", import.meta.url));
const ABORT = fileURLToPath(new URL("../fixtures/plugins/abort_at_step.ts", import.meta.url));
// 96 images in batches of 16: 6 steps an epoch. Budget 1/2000 of 64k: 32 steps (5 epochs and 2
// steps), the rate 0.1, then 0.01 from step 17 and 0.001 from step 25.
const STEPS = 32, MILESTONES = [16, 24];
// Interrupted after step 20 (epoch 4, step 2), after step 31 (epoch 6, step 1) and during the
// last step, before its epoch's validation.
const CUTS = [20, 31, 32];

/** The columns of history.csv that vary between identical runs. */
const CLOCK = new Set(["seconds", "images_per_sec", "memory_mb"]);

async function history(dir: string): Promise<string[]> {
  const [head, ...rows] = (await Deno.readTextFile(`${dir}/history.csv`)).trim().split("\n");
  const keep = head.split(",").map((c, i) => CLOCK.has(c) ? -1 : i).filter((i) => i >= 0);
  return [head, ...rows].map((r) => keep.map((i) => r.split(",")[i]).join(","));
}

const bytes = (dir: string, file: string) => Deno.readFile(`${dir}/checkpoints/last/${file}`);

for (const evalEvery of [1, 3]) {
  Deno.test(`he-cifar at 32 iterations (eval_every ${evalEvery}) interrupted mid-epoch after each milestone and resumed equals the uninterrupted run`, async () => {
    const tmp = await Deno.makeTempDir();
    try {
      const file = `${tmp}/he-tiny.yaml`;
      await Deno.writeTextFile(
        file,
        [
          `extends: ${RECIPE}`,
          "name: he-tiny",
          "model: resnet20",
          "model_options: { width: 0.125 }",
          "data: { source: synthetic, limit: 96 }",
          "batch_size: 16",
          "epochs: 2",
          "budget: 0.0005",
          `eval_every: ${evalEvery * 2000}`,
          "plugins:",
          `  - path: ${ABORT}`,
          `    options: { after: [${CUTS}] }`,
        ].join("\n"),
      );
      const exp = await loadExperiment(file);
      const quiet = { print: false, progress: false } as const;

      arm(undefined);
      const whole = await runExperiment(exp, { ...quiet, dir: `${tmp}/whole` });
      assert.equal(whole.result.stopReason, "completed");

      const dir = `${tmp}/cut`;
      const stops: number[] = [];
      for (const [i, _] of CUTS.entries()) {
        const ctl = new AbortController();
        arm(ctl);
        const where = i === 0 ? { dir } : { resumeDir: dir };
        const { result } = await runExperiment(exp, { ...quiet, ...where, signal: ctl.signal });
        assert.equal(result.interrupted, true);
        const curve = (await Deno.readTextFile(`${dir}/curve.csv`)).trim().split("\n");
        stops.push(Number(curve.at(-1)!.split(",")[0]));
      }
      arm(undefined);
      // The last resume as a user types it. The recipe's `epochs` (2 here) is not used by a run
      // counted in iterations, and must not stop one that has trained more epochs than it says.
      assert.equal(await main(["train", "--resume", dir]), 0);
      // Finished: resuming again trains nothing, and --epochs cannot lengthen it.
      assert.equal(await main(["train", "--resume", dir]), 0);
      await assert.rejects(
        () => main(["train", "--resume", dir, "--epochs", "9"]),
        /--epochs 9: the run in .* is counted in iterations .* --epochs cannot extend it/,
      );
      // The last curve point before each cut (every step's with eval_every 1; the last step's).
      const before = (cut: number) =>
        cut === STEPS ? STEPS : Math.floor(cut / evalEvery) * evalEvery;
      assert.deepEqual(stops, CUTS.map(before));

      assert.deepEqual(await history(dir), await history(whole.dir));
      const curve = await Deno.readTextFile(`${dir}/curve.csv`);
      assert.equal(curve, await Deno.readTextFile(`${whole.dir}/curve.csv`));
      if (evalEvery === 1) {
        // One point per step: the rate of every step, 0.1 then divided by 10 after each milestone.
        const [head, ...rows] = curve.trim().split("\n").map((l) => l.split(","));
        const at = (c: string) => rows.map((r) => Number(r[head.indexOf(c)]));
        assert.deepEqual(at("iteration"), [...Array(STEPS).keys()].map((i) => i + 1));
        const want = at("iteration").map((i) =>
          0.1 * 0.1 ** MILESTONES.filter((m) => i > m).length
        );
        at("lr").forEach((lr, i) =>
          assert.ok(Math.abs(lr / want[i] - 1) < 1e-6, `step ${i + 1}: ${lr}`)
        );
      }
      // The final weights and momentum buffers, bit for bit.
      for (const f of ["weights.bin", "optimizer.bin"]) {
        assert.deepEqual(await bytes(dir, f), await bytes(whole.dir, f), f);
      }
      const summary = async (d: string) => {
        const { test_acc, test_loss, epochs_run } = JSON.parse(
          await Deno.readTextFile(`${d}/summary.json`),
        );
        return { test_acc, test_loss, epochs_run };
      };
      assert.deepEqual(await summary(dir), await summary(whole.dir));
    } finally {
      arm(undefined);
      await Deno.remove(tmp, { recursive: true });
    }
  });
}
