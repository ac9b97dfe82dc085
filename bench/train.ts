/**
 * Training and inference throughput per model × backend (batch 64, Adam, a
 * custom step as the trainer runs it), peak RSS, an optional per-kernel
 * profile, and with `peer` the PyTorch peer
 * (`../shared/bench/torch_throughput.py`) run in the same invocation.
 *
 * Standalone: `deno run -A bench/train.ts --models resnet18,baseline_cnn --peer`
 * (add `--backends native,cpu`, `--steps 3`, `--profile`, `--out file.json`).
 *
 * @module
 */
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { tryRegisterNative } from "../backends/native/mod.ts";
import { buildModel } from "../models/mod.ts";
import type { BenchRow, Suite } from "./main.ts";

/** Options of {@link runTrainBench}. */
export interface TrainBenchOptions {
  /** Registered model names. @default ["baseline_cnn", "resnet18"] */
  readonly models?: readonly string[];
  /** tfjs backends; slow ones (cpu, wasm) run only one step. @default ["native"] */
  readonly backends?: readonly string[];
  /** Images per step. @default 64 */
  readonly batch?: number;
  /** Timed steps after one warm-up step. @default 3 */
  readonly steps?: number;
  /** Also run the PyTorch peer and add `peer_train_images_per_s` and `ratio`. @default false */
  readonly peer?: boolean;
  /** Print the ten kernels that took the most time in one training step. @default false */
  readonly profile?: boolean;
  /** Progress lines go here. @default console.log */
  readonly log?: (line: string) => void;
}

/** One benchmark row. */
export interface TrainBenchRow {
  model: string;
  backend: string;
  batch: number;
  train_images_per_s: number | null;
  infer_images_per_s: number | null;
  peak_rss_mb: number | null;
  peer_train_images_per_s?: number;
  ratio?: number;
  note?: string;
}

const SLOW = new Set(["cpu", "wasm"]);

/** Resets the kernel's peak-RSS mark where Linux allows it; false elsewhere. */
function resetPeakRss(): boolean {
  try {
    Deno.writeTextFileSync("/proc/self/clear_refs", "5");
    return true;
  } catch {
    return false;
  }
}

function peakRssMb(sampled: number): number {
  try {
    const hwm = /VmHWM:\s+(\d+) kB/.exec(Deno.readTextFileSync("/proc/self/status"));
    if (hwm) return Math.round(Number(hwm[1]) / 1024);
  } catch {
    // Not Linux: fall back to the largest RSS sampled between steps.
  }
  return Math.round(sampled / 2 ** 20);
}

async function measure(model: string, backend: string, o: Required<TrainBenchOptions>) {
  await tf.setBackend(backend);
  const net = buildModel(model, { seed: 0 });
  const x = tf.randomUniform([o.batch, 32, 32, 3], -1, 1, "float32", 1);
  const y = tf.oneHot(tf.randomUniform([o.batch], 0, 10, "int32", 2), 10);
  const opt = tf.train.adam(1e-3);
  const steps = SLOW.has(backend) ? 1 : o.steps;
  let rss = 0;
  const step = async () => {
    const loss = opt.minimize(
      () => tf.losses.softmaxCrossEntropy(y, net.apply(x, { training: true }) as tf.Tensor),
      true,
    )!;
    await loss.data();
    loss.dispose();
    rss = Math.max(rss, Deno.memoryUsage().rss);
  };
  try {
    resetPeakRss();
    await step();
    let t = performance.now();
    for (let i = 0; i < steps; i++) await step();
    const train = o.batch * steps / ((performance.now() - t) / 1000);
    const infer = () => tf.tidy(() => net.apply(x, { training: false }) as tf.Tensor).data();
    await infer();
    t = performance.now();
    for (let i = 0; i < steps; i++) await infer();
    const inference = o.batch * steps / ((performance.now() - t) / 1000);
    if (o.profile) {
      const p = await tf.profile(step);
      const by = new Map<string, number>();
      for (const k of p.kernels) by.set(k.name, (by.get(k.name) ?? 0) + Number(k.kernelTimeMs));
      const top = [...by].sort((a, b) => b[1] - a[1]).slice(0, 10);
      o.log(
        `  kernels ${model}/${backend}: ` +
          top.map(([k, ms]) => `${k} ${ms.toFixed(0)}ms`).join(", "),
      );
    }
    return { train, inference, rss: peakRssMb(rss) };
  } finally {
    tf.dispose([x, y]);
    opt.dispose();
    net.dispose();
  }
}

/** Runs the PyTorch peer; returns images/s per model (empty when it cannot run). */
export async function runPeer(
  models: readonly string[],
  batch: number,
  threads: number,
  log: (line: string) => void = console.log,
): Promise<Map<string, number>> {
  const script = new URL("../../shared/bench/torch_throughput.py", import.meta.url).pathname;
  const out = new Map<string, number>();
  // Debian's interpreter carries python3-torch; a pyenv `python3` earlier on PATH may not.
  for (const python of ["/usr/bin/python3", "python3"]) {
    try {
      const args = [script, ...models, "--batch", String(batch), "--threads", String(threads)];
      const r = await new Deno.Command(python, { args, stdout: "piped", stderr: "piped" }).output();
      if (!r.success) continue;
      for (const line of new TextDecoder().decode(r.stdout).split("\n")) {
        if (!line.startsWith("{")) continue;
        const row = JSON.parse(line);
        out.set(row.model, row.train_images_per_s);
      }
      return out;
    } catch {
      // Try the next interpreter.
    }
  }
  log("PyTorch peer unavailable: apt-get install -y python3-torch");
  return out;
}

/**
 * Measures every model × backend and returns one row each; backends that fail
 * to load or train get a row with nulls and a `note`.
 */
export async function runTrainBench(options: TrainBenchOptions = {}): Promise<TrainBenchRow[]> {
  const o: Required<TrainBenchOptions> = {
    models: options.models ?? ["baseline_cnn", "resnet18"],
    backends: options.backends ?? ["native"],
    batch: options.batch ?? 64,
    steps: options.steps ?? 3,
    peer: options.peer ?? false,
    profile: options.profile ?? false,
    log: options.log ?? console.log,
  };
  if (!Number.isInteger(o.batch) || o.batch < 1) {
    throw new RangeError(`'batch' must be a positive integer, got ${o.batch}`);
  }
  if (!Number.isInteger(o.steps) || o.steps < 1) {
    throw new RangeError(`'steps' must be a positive integer, got ${o.steps}`);
  }
  let threads = navigator.hardwareConcurrency || 1;
  if (o.backends.includes("native")) {
    const s = await tryRegisterNative();
    o.log(
      s.ok
        ? `native: oneDNN ${s.version} (${s.library}), ${s.threads} threads`
        : `native: ${s.reason}`,
    );
    if (s.ok) threads = s.threads;
  }
  const rows: TrainBenchRow[] = [];
  for (const model of o.models) {
    for (const backend of o.backends) {
      const row: TrainBenchRow = {
        model,
        backend,
        batch: o.batch,
        train_images_per_s: null,
        infer_images_per_s: null,
        peak_rss_mb: null,
      };
      try {
        const m = await measure(model, backend, o);
        row.train_images_per_s = Number(m.train.toFixed(2));
        row.infer_images_per_s = Number(m.inference.toFixed(2));
        row.peak_rss_mb = m.rss;
      } catch (e) {
        row.note = (e as Error).message.split("\n")[0];
      }
      o.log(
        `${model}/${backend}: train ${row.train_images_per_s} img/s, ` +
          `inference ${row.infer_images_per_s} img/s, peak RSS ${row.peak_rss_mb} MB` +
          (row.note ? ` (${row.note})` : ""),
      );
      rows.push(row);
    }
  }
  if (o.peer) {
    const peer = await runPeer(o.models, o.batch, threads, o.log);
    for (const row of rows) {
      const p = peer.get(row.model);
      if (p === undefined) continue;
      row.peer_train_images_per_s = p;
      if (row.train_images_per_s !== null) {
        row.ratio = Number((row.train_images_per_s / p).toFixed(3));
      }
    }
  }
  return rows;
}

function parse(args: string[], strict: boolean) {
  return parseArgs({
    args,
    strict,
    options: {
      models: { type: "string" },
      backends: { type: "string" },
      batch: { type: "string" },
      steps: { type: "string" },
      peer: { type: "boolean" },
      profile: { type: "boolean" },
      out: { type: "string" },
    },
  }).values as Record<string, string | boolean | undefined>;
}

function options(values: Record<string, string | boolean | undefined>): TrainBenchOptions {
  const str = (k: string) => typeof values[k] === "string" ? values[k] as string : undefined;
  const num = (k: string) => str(k) === undefined ? undefined : Number(str(k));
  return {
    models: str("models")?.split(","),
    backends: str("backends")?.split(","),
    batch: num("batch"),
    steps: num("steps"),
    peer: values.peer === true,
    profile: values.profile === true,
  };
}

/** Rows of {@link runTrainBench} as `deno task bench` rows. */
export function toBenchRows(rows: readonly TrainBenchRow[]): BenchRow[] {
  const out: BenchRow[] = [];
  for (const r of rows) {
    const name = `${r.model}/${r.backend}`, note = `batch ${r.batch}${r.note ? `; ${r.note}` : ""}`;
    const add = (what: string, value: number | null | undefined, unit: string) => {
      if (value !== null && value !== undefined) {
        out.push({ suite: "train", name: `${name} ${what}`, value, unit, note });
      }
    };
    add("train", r.train_images_per_s, "images/s");
    add("inference", r.infer_images_per_s, "images/s");
    add("peak RSS", r.peak_rss_mb, "MB");
    add("PyTorch train", r.peer_train_images_per_s, "images/s");
    add("skiplab/PyTorch train", r.ratio, "ratio");
  }
  return out;
}

/** The `train` suite of `deno task bench` (flags as in the module doc). */
export const trainSuite: Suite = {
  description: "Training/inference images/s and peak RSS per model x backend; --peer adds PyTorch",
  async run(args: string[]): Promise<BenchRow[]> {
    return toBenchRows(await runTrainBench(options(parse(args, false))));
  },
};

if (import.meta.main) {
  const values = parse(Deno.args, true);
  const rows = await runTrainBench(options(values));
  console.table(rows);
  const out = (values.out as string | undefined) ??
    `bench/results/train-${new Date().toISOString().slice(0, 19)}.json`;
  await Deno.mkdir(out.replace(/\/[^/]*$/, ""), { recursive: true });
  await Deno.writeTextFile(out, JSON.stringify(rows, null, 2) + "\n");
  console.log(`wrote ${out}`);
}
