/**
 * The `data` suite: load CIFAR-10 and measure the memory it adds, then the
 * pipeline's normalised (and augmented) training images per second on one
 * thread of the cpu backend.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { cpuUsage } from "node:process";
import { fileURLToPath } from "node:url";
import { selectBackend } from "../backends/mod.ts";
import { BatchPipeline, type ImageSet, loadCifar10, syntheticDataset } from "../data/mod.ts";
import { Rng } from "../core/rng.ts";
import { brightness, cutout, flip, randomCrop } from "../plugins/augment/mod.ts";
import type { Plugin } from "../plugins/plugin.ts";
import type { StepContext } from "../train/types.ts";
import { parseArgs } from "node:util";
import type { BenchRow, Suite } from "./suite.ts";

const SHARED_ARCHIVE = fileURLToPath(
  new URL("../../shared/data/cifar-10-binary.tar.gz", import.meta.url),
);
const MB = 2 ** 20;

async function loadTrain(source: string | undefined): Promise<{ train: ImageSet; from: string }> {
  source ??= await Deno.stat(SHARED_ARCHIVE).then(() => SHARED_ARCHIVE, () => undefined);
  if (source === undefined) {
    return { train: syntheticDataset({ train: 50_000, val: 0, test: 0 }).train, from: "synthetic" };
  }
  const { train } = await loadCifar10({ source, valSize: 0 });
  return { train, from: "cifar-10" };
}

function context(rng: Rng, step: number): StepContext {
  return {
    runName: "bench",
    runDir: undefined,
    epochs: 1,
    classNames: [],
    record() {},
    log() {},
    epoch: 0,
    step,
    globalStep: step,
    rng,
  };
}

/** Images per second through the pipeline and the plugins, over `steps` batches. */
async function throughput(
  set: ImageSet,
  plugins: Plugin[],
  steps: number,
  batchSize: number,
): Promise<[perSecond: number, perCpuSecond: number]> {
  const pipeline = new BatchPipeline(set, {
    batchSize,
    shuffle: true,
    seed: 1,
    dropRemainder: true,
  });
  const rng = new Rng(1);
  let images = 0, step = 0;
  const start = performance.now(), cpu = cpuUsage();
  for await (const batch of pipeline.epoch(0)) {
    tf.tidy(() => {
      let b = batch;
      for (const p of plugins) b = p.transformBatch ? p.transformBatch(b, context(rng, step)) : b;
      b.xs.dataSync(); // make sure lazy backends have done the work
    });
    tf.dispose([batch.xs, batch.ys]);
    images += batchSize;
    if (++step >= steps) break;
  }
  const cpuSeconds = ((used) => (used.user + used.system) / 1e6)(cpuUsage(cpu));
  return [images / ((performance.now() - start) / 1000), images / cpuSeconds];
}

/** The `data` suite. */
export const dataSuite: Suite = {
  description: "CIFAR-10 load memory; pipeline + augmentation images/s (cpu backend)",
  /** Flags: `--quick` (30 batches instead of 300), `--source PATH` (default: ../shared's archive). */
  async run(args: string[]): Promise<BenchRow[]> {
    const { values } = parseArgs({
      args,
      strict: false,
      options: { quick: { type: "boolean" }, source: { type: "string" } },
    });
    const options = {
      quick: values.quick === true,
      source: typeof values.source === "string" ? values.source : undefined,
    };
    await selectBackend("cpu");
    const rssBefore = Deno.memoryUsage().rss;
    const { train, from } = await loadTrain(options.source);
    const rssAfter = Deno.memoryUsage().rss;
    const rows: BenchRow[] = [
      {
        suite: "data",
        name: "dataset bytes (uint8)",
        value: train.images.length / MB,
        unit: "MB",
        note: `${from}, ${train.count} train images`,
      },
      {
        suite: "data",
        name: "process rss after load",
        value: rssAfter / MB,
        unit: "MB",
        note: `+${((rssAfter - rssBefore) / MB).toFixed(0)} MB for the load`,
      },
    ];
    const steps = options.quick ? 30 : 300;
    const recipes: [string, Plugin[]][] = [
      ["pipeline (normalise, one-hot)", []],
      ["+ flip + brightness (paper)", [
        flip.create({ p: 0.5 }),
        brightness.create({ max_delta: 0.1 }),
      ]],
      ["+ crop + cutout", [
        flip.create({ p: 0.5 }),
        brightness.create({ max_delta: 0.1 }),
        randomCrop.create({ padding: 4 }),
        cutout.create({ size: 8, p: 1 }),
      ]],
    ];
    await throughput(train, recipes[2][1], 5, 64); // warm-up
    for (const [name, plugins] of recipes) {
      const [perSecond, perCpuSecond] = await throughput(train, plugins, steps, 64);
      rows.push({
        suite: "data",
        name,
        value: perSecond,
        unit: "images/s",
        note: `batch 64, cpu backend; ${perCpuSecond.toFixed(0)} per cpu-second`,
      });
    }
    rows.push({
      suite: "data",
      name: "process rss at end",
      value: Deno.memoryUsage().rss / MB,
      unit: "MB",
    });
    return rows;
  },
};
