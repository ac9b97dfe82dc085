/**
 * `deno task bench gpu`: the check to run on the first machine with a real
 * GPU. It prints the WebGPU adapter's facts, trains each model (baseline_cnn
 * and resnet18 unless `--models` says) for a fixed number of steps on webgpu
 * and on the best CPU backend here, from the same seed, weights and batches,
 * compares the losses step by step within {@link LOSS_TOLERANCE}, and reports
 * images/s of both. A software adapter (llvmpipe, SwiftShader) measures
 * nothing about GPUs, so the suite refuses it unless `--accept-software` is
 * given (the tests do, to check the path on llvmpipe).
 * @module
 */
import { parseArgs } from "node:util";
import { UserError } from "../core/errors.ts";
import { findWebgpuAdapter, selectBackend } from "../backends/mod.ts";
import { syntheticDataset } from "../data/mod.ts";
import { buildModel, modelVariant, resolveSpec } from "../models/mod.ts";
import { train } from "../train/trainer.ts";
import type { BenchRow, Suite } from "./suite.ts";

/**
 * Largest difference allowed between the two backends' losses at any step,
 * relative to the CPU's loss (or absolute below 1). Float32 kernels sum in
 * different orders, and the difference grows as the weights drift apart
 * step by step; a wrong kernel shows as a difference of order 1.
 */
export const LOSS_TOLERANCE = 0.02;

/** The CPU backends, best first: the reference the GPU is compared with. */
const CPU_BACKENDS = ["native", "wasm", "cpu"] as const;

/** Losses and median images/s of `steps` training steps of `model` on the active backend. */
async function trainSteps(
  model: string,
  o: { width: number; steps: number; batch: number; seed: number },
): Promise<{ losses: number[]; rate: number }> {
  const spec = modelVariant(resolveSpec(model), { width: o.width });
  const net = buildModel(spec, { seed: o.seed });
  const splits = syntheticDataset({ seed: o.seed, train: o.batch * o.steps, val: 8, test: 8 });
  const losses: number[] = [], rates: number[] = [];
  try {
    await train({
      model: net,
      train: splits.train,
      val: splits.val,
      epochs: 1,
      batchSize: o.batch,
      seed: o.seed,
      // SGD without momentum: each step's loss depends on the last weights alone.
      optimizer: { type: "sgd", lr: 0.01 },
      plugins: [{
        name: "bench/gpu-losses",
        onStepEnd(m) {
          losses.push(m.batchLoss);
          rates.push(m.images / m.stepSeconds);
        },
      }],
    });
  } finally {
    net.dispose();
  }
  // The first step compiles shaders and allocates buffers: not the speed of the device.
  const timed = (rates.length > 1 ? rates.slice(1) : rates).sort((a, b) => a - b);
  return { losses, rate: timed[Math.floor(timed.length / 2)] };
}

async function bestCpuBackend(): Promise<string> {
  for (const name of CPU_BACKENDS) {
    try {
      return (await selectBackend(name)).name;
    } catch {
      // Not here: the next one.
    }
  }
  throw new Error("bench gpu: no CPU backend loads");
}

/** The `gpu` suite. */
export const gpuSuite: Suite = {
  description: "webgpu against the best CPU backend: adapter, losses step by step, images/s",
  async run(args) {
    const { values } = parseArgs({
      args,
      strict: false,
      options: {
        models: { type: "string" },
        steps: { type: "string" },
        batch: { type: "string" },
        width: { type: "string" },
        "accept-software": { type: "boolean" },
      },
    });
    const models = String(values.models ?? "baseline_cnn,resnet18").split(",").filter((m) => m);
    const o = {
      steps: Number(values.steps ?? 8),
      batch: Number(values.batch ?? 32),
      width: Number(values.width ?? 1),
      seed: 0,
    };
    for (const [k, v] of Object.entries(o)) {
      if (k !== "seed" && !(v > 0)) {
        throw new UserError(`bench gpu: --${k} must be a positive number, got ${v}`);
      }
    }
    const adapter = await findWebgpuAdapter();
    if (adapter === null) {
      throw new UserError("bench gpu: there is no WebGPU adapter here (navigator.gpu offers none)");
    }
    console.log(
      `WebGPU adapter: ${adapter.description}\n  vendor ${adapter.vendor || "-"}, architecture ` +
        `${adapter.architecture || "-"}, device ${adapter.device || "-"}, software ` +
        `${adapter.isFallbackAdapter}, max storage buffer ` +
        `${(adapter.maxStorageBufferBindingSize / 2 ** 20).toFixed(0)} MiB`,
    );
    if (adapter.isFallbackAdapter && !values["accept-software"]) {
      throw new UserError(
        `bench gpu: the adapter "${adapter.description}" is a software one, so its numbers say ` +
          "nothing about a GPU; pass --accept-software to run the check on it anyway",
      );
    }
    const rows: BenchRow[] = [];
    const failures: string[] = [];
    for (const model of models) {
      const cpu = await bestCpuBackend();
      const ref = await trainSteps(model, o);
      await selectBackend("webgpu");
      const gpu = await trainSteps(model, o);
      console.log(`\n${model}, batch ${o.batch}, width ${o.width}: loss per step`);
      console.log(`step  ${cpu.padStart(9)}     webgpu  difference`);
      let worst = 0;
      ref.losses.forEach((l, i) => {
        const g = gpu.losses[i] ?? NaN;
        const diff = Math.abs(g - l) / Math.max(1, Math.abs(l));
        worst = Number.isNaN(diff) ? Infinity : Math.max(worst, diff);
        console.log(
          `${String(i + 1).padStart(4)}  ${l.toFixed(5).padStart(9)}  ${
            g.toFixed(5).padStart(9)
          }  ${diff.toExponential(1).padStart(10)}`,
        );
      });
      const ok = worst <= LOSS_TOLERANCE && gpu.losses.length === ref.losses.length;
      console.log(
        `${ok ? "agree" : "DISAGREE"}: largest difference ${worst.toExponential(2)}, ` +
          `tolerance ${LOSS_TOLERANCE}; ${cpu} ${ref.rate.toFixed(1)} images/s, ` +
          `webgpu ${gpu.rate.toFixed(1)} images/s`,
      );
      if (!ok) failures.push(`${model} (largest difference ${worst.toExponential(2)})`);
      const note = `batch ${o.batch}, width ${o.width}, ${adapter.description}`;
      rows.push(
        { suite: "gpu", name: `${model} train webgpu`, value: gpu.rate, unit: "images/s", note },
        { suite: "gpu", name: `${model} train ${cpu}`, value: ref.rate, unit: "images/s", note },
        { suite: "gpu", name: `${model} loss difference`, value: worst, unit: "relative", note },
      );
    }
    if (failures.length) {
      throw new Error(
        `bench gpu: webgpu's losses differ from the CPU's by more than ${LOSS_TOLERANCE} for ` +
          failures.join(", "),
      );
    }
    return rows;
  },
};
