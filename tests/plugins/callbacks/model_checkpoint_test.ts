import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../../../backends/mod.ts";
import type { ModelCheckpointOptions } from "../../../plugins/callbacks/model_checkpoint.ts";
import { modelCheckpoint } from "../../../plugins/callbacks/model_checkpoint.ts";
import { loadCheckpoint, type Plugin, train, type TrainResult } from "../../../train/mod.ts";
import { TINY_DATA, tinyModel } from "../../train/_tiny.ts";

await selectBackend("cpu");

const checkpointer = (options: Partial<ModelCheckpointOptions>) =>
  modelCheckpoint.create(modelCheckpoint.schema.parse(options));

const exists = (p: string) => Deno.stat(p).then(() => true, () => false);

/** `state.json`'s position, read synchronously: what is on disk at the instant of the call. */
function onDisk(dir: string, slot: string): { epoch: number; step: number } | undefined {
  try {
    const doc = JSON.parse(Deno.readTextFileSync(`${dir}/checkpoints/${slot}/state.json`));
    return { epoch: doc.state.epoch, step: doc.state.step };
  } catch {
    return undefined;
  }
}

/**
 * Trains the tiny model through the real trainer with `plugins`, in a fresh
 * run directory; every log line is kept with what `checkpoints/best` and
 * `checkpoints/last` held on disk when it was logged.
 */
async function run(
  plugins: Plugin[],
  options: { epochs?: number; abortAtStep?: number } = {},
): Promise<{ dir: string; result: TrainResult; logs: string[]; seen: Map<string, unknown> }> {
  const dir = await Deno.makeTempDir();
  const logs: string[] = [];
  const seen = new Map<string, unknown>();
  const ctl = new AbortController();
  const watcher: Plugin = {
    name: "test/watcher",
    onLog(message) {
      logs.push(message);
      seen.set(message, { best: onDisk(dir, "best"), last: onDisk(dir, "last") });
    },
    onStepEnd: (_m, ctx) => void (ctx.globalStep === options.abortAtStep && ctl.abort()),
  };
  const model = tinyModel();
  const result = await train({
    model,
    ...TINY_DATA,
    epochs: options.epochs ?? 3,
    batchSize: 32,
    seed: 2,
    optimizer: { type: "adam", lr: 3e-3 },
    plugins: [watcher, ...plugins],
    runDir: dir,
    signal: ctl.signal,
  });
  model.dispose();
  return { dir, result, logs, seen };
}

async function cleanup(dir: string): Promise<void> {
  await Deno.remove(dir, { recursive: true });
}

Deno.test("model-checkpoint writes best at each improvement and last every epoch, and logs them once written", async () => {
  const { dir, result, logs, seen } = await run([checkpointer({})]);
  try {
    const val = result.history.map((m) => m.val_loss);
    const improved = val.flatMap((v, i) => (val.slice(0, i).every((w) => v < w) ? [i] : []));
    const saved = logs.filter((l) => l.startsWith("saved checkpoints/best"));
    assert.deepEqual(
      saved,
      improved.map((e) => `saved checkpoints/best at the end of epoch ${e + 1}`),
    );
    for (const line of saved) {
      const epoch = Number(/epoch (\d+)$/.exec(line)![1]);
      // When the line was logged, that checkpoint was already on disk.
      assert.deepEqual((seen.get(line) as { best: unknown }).best, { epoch, step: 0 }, line);
    }
    assert.deepEqual(onDisk(dir, "best"), { epoch: improved.at(-1)! + 1, step: 0 });
    assert.deepEqual(onDisk(dir, "last"), { epoch: 3, step: 0 });
    const best = await loadCheckpoint(`${dir}/checkpoints/best`);
    assert.equal(best.state.history.length, improved.at(-1)! + 1);
    tf.dispose([...Object.values(best.weights), ...Object.values(best.optimizer)]);
  } finally {
    await cleanup(dir);
  }
});

Deno.test("model-checkpoint with save_last false writes no last checkpoint; save_best false writes no best", async () => {
  const noLast = await run([checkpointer({ save_last: false })], { epochs: 2 });
  try {
    assert.ok(await exists(`${noLast.dir}/checkpoints/best/state.json`));
    assert.equal(await exists(`${noLast.dir}/checkpoints/last`), false);
  } finally {
    await cleanup(noLast.dir);
  }
  const noBest = await run([checkpointer({ save_best: false })], { epochs: 2 });
  try {
    assert.equal(await exists(`${noBest.dir}/checkpoints/best`), false);
    assert.deepEqual(onDisk(noBest.dir, "last"), { epoch: 2, step: 0 });
    assert.ok(!noBest.logs.some((l) => /improved|saved/.test(l)), noBest.logs.join("\n"));
  } finally {
    await cleanup(noBest.dir);
  }
});

Deno.test("train() writes no checkpoint that no plugin asked for", async () => {
  const { dir } = await run([], { epochs: 1 });
  try {
    assert.equal(await exists(`${dir}/checkpoints`), false);
  } finally {
    await cleanup(dir);
  }
});

Deno.test("an interrupted run saves last at the step it stopped, only when save_last asks for it", async () => {
  // Three steps per epoch: global step 4 is the second step of epoch 2.
  const kept = await run([checkpointer({})], { abortAtStep: 4 });
  try {
    assert.equal(kept.result.interrupted, true);
    const line = "interrupted: saved checkpoints/last at epoch 2, step 2";
    assert.ok(kept.logs.includes(line), kept.logs.join("\n"));
    assert.deepEqual((kept.seen.get(line) as { last: unknown }).last, { epoch: 1, step: 2 });
    const last = await loadCheckpoint(`${kept.dir}/checkpoints/last`);
    assert.equal(last.state.stopReason, undefined, "a resumed run must go on");
    tf.dispose([...Object.values(last.weights), ...Object.values(last.optimizer)]);
  } finally {
    await cleanup(kept.dir);
  }
  const lost = await run([checkpointer({ save_last: false })], { abortAtStep: 4 });
  try {
    assert.ok(
      lost.logs.includes(
        "interrupted at epoch 2, step 2: no checkpoint saved (no plugin asked for checkpoints/last)",
      ),
      lost.logs.join("\n"),
    );
    assert.equal(await exists(`${lost.dir}/checkpoints/last`), false);
  } finally {
    await cleanup(lost.dir);
  }
});

Deno.test("model-checkpoint resumed from its saved state keeps the best value", async () => {
  const first = checkpointer({ save_last: false });
  first.setState!({ best: 0.5 });
  assert.deepEqual(await first.getState!(), { best: 0.5 });
  assert.throws(() => first.setState!({ best: "x" }), TypeError);
});
