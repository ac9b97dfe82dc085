/**
 * One measurement of the `train` benchmark: training and inference images/s
 * of a model on a backend with the trainer's own step and peak RSS; a caller
 * may also profile the step (bench/profile.ts does). {@link measureApart}
 * takes it in a process of its own, as the PyTorch peer is, so that no
 * earlier measurement's memory or compiled code counts; run as a program,
 * this module is that process.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { parseArgs } from "node:util";
import { type BackendName, selectBackend } from "../backends/select.ts";
import { currentThreads, sealNativeLibraries } from "../backends/native/mod.ts";
import { selectPrecision } from "../backends/precision.ts";
import { buildModel } from "../models/mod.ts";
import { Optimizer } from "../train/optimizer.ts";
import { forwardOf } from "../train/forward.ts";
import { gradientStep, trainables } from "../train/step.ts";
import type { Batch } from "../train/types.ts";

/** Backends too slow for more than one step and one round. */
export const SLOW: ReadonlySet<string> = new Set(["cpu", "wasm"]);

// Deno asks for --allow-all to touch /proc/self; the bench task grants --allow-run,
// so a shell does it for this process when the direct access is refused.
async function procSelf(file: string, write?: string): Promise<string | null> {
  const path = `/proc/${Deno.pid}/${file}`;
  try {
    if (write === undefined) return Deno.readTextFileSync(path);
    Deno.writeTextFileSync(path, write);
    return "";
  } catch {
    try {
      const script = write === undefined ? `cat ${path}` : `echo ${write} > ${path}`;
      const r = await new Deno.Command("sh", { args: ["-c", script], stdout: "piped" }).output();
      return r.success ? new TextDecoder().decode(r.stdout) : null;
    } catch {
      return null;
    }
  }
}

/** Resets the kernel's peak-RSS mark where Linux allows it. */
async function resetPeakRss(): Promise<void> {
  await procSelf("clear_refs", "5");
}

/** Peak RSS in MB since the last reset, or the largest RSS `sampled` between steps elsewhere. */
async function peakRssMb(sampled: number): Promise<number> {
  const hwm = /VmHWM:\s+(\d+) kB/.exec(await procSelf("status") ?? "");
  return Math.round(hwm ? Number(hwm[1]) / 1024 : sampled / 2 ** 20);
}

/** Images/s of `steps` calls of `fn`. */
async function timed(fn: () => Promise<unknown>, batch: number, steps: number): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < steps; i++) await fn();
  return batch * steps / ((performance.now() - t) / 1000);
}

/** Seconds of timed steps a round aims at when the step count is not given. */
export const ROUND_SECONDS = 3;

/** Steps that fill about {@link ROUND_SECONDS} at `ms` per step, 3 to 500. */
export function stepsFor(ms: number): number {
  return Math.min(500, Math.max(3, Math.ceil(ROUND_SECONDS * 1000 / Math.max(ms, 1e-3))));
}

/** What {@link measure} needs of the benchmark options. */
export interface MeasureOptions {
  readonly batch: number;
  /** Timed steps of training and of inference; undefined: {@link stepsFor} the warm-up's time. */
  readonly steps?: number;
  /** Called once after the timed rounds with the training step, to profile it (bench/profile.ts). */
  readonly profiler?: (step: () => Promise<void>) => Promise<void>;
  readonly log: (line: string) => void;
  /**
   * {@link measureApart} only: revoke FFI after loading oneDNN, as a `deno task train` that
   * imports a plugin file does (backends/native/seal.ts). @default false
   */
  readonly sealed?: boolean;
  /** What the convolutions compute in (the native backend's `precision`). @default "fp32" */
  readonly precision?: "fp32" | "bf16";
  /** oneDNN's threads, fixed (native). @default all of them, as the process chose */
  readonly threads?: number;
}

/** One measurement of a model on a backend. */
export interface Measurement {
  /** Training images/s. */
  readonly train: number;
  /** Inference images/s. */
  readonly inference: number;
  /** Peak RSS while training, MB. */
  readonly rss: number;
  /** Timed training steps (as many of inference). */
  readonly steps: number;
  /** oneDNN's threads during the measurement; absent off the native backend. */
  readonly threads?: number;
}

/**
 * Builds `model` on `backend` and measures one round of training steps (the
 * trainer's own step: `gradientStep` and `Optimizer`), then inference.
 */
export async function measure(
  model: string,
  backend: string,
  o: MeasureOptions,
): Promise<Measurement> {
  await tf.setBackend(backend);
  await selectPrecision(o.precision ?? "fp32", backend, "'--precision'");
  // A fixed count: the measurement asks how the step scales, not how it follows the load.
  if (o.threads !== undefined) currentThreads()?.pin(o.threads);
  const net = buildModel(model, { seed: 0 });
  const infos = trainables(net);
  const batch: Batch = {
    xs: tf.randomUniform([o.batch, 32, 32, 3], -1, 1, "float32", 1),
    ys: tf.oneHot(tf.randomUniform([o.batch], 0, 10, "int32", 2), 10) as tf.Tensor2D,
  };
  // The trainer's own step: gradientStep, then the trainer's Adam.
  const opt = new Optimizer({ type: "adam", lr: 1e-3 });
  const slow = SLOW.has(backend);
  let rss = 0;
  const step = async () => {
    const { loss, correct, grads } = gradientStep(net, infos, batch);
    opt.apply(
      new Map(infos.map((i) => [i.key, { variable: i.variable, grad: grads.get(i.key)! }])),
    );
    tf.dispose([...grads.values(), correct]);
    await loss.data();
    loss.dispose();
    rss = Math.max(rss, Deno.memoryUsage().rss);
  };
  try {
    await resetPeakRss();
    // Two warm-up steps, as the PyTorch peer takes: the first builds every primitive.
    await step();
    const t = performance.now();
    if (!slow) await step();
    const steps = slow ? 1 : o.steps ?? stepsFor(performance.now() - t);
    const train = await timed(step, o.batch, steps);
    // Inference as evaluate() and predict() run it (batch norms folded, train/forward.ts).
    const forward = forwardOf(net);
    const infer = async () => {
      const probs = forward(batch.xs, false);
      await probs.data();
      probs.dispose();
    };
    await infer();
    if (!slow) await infer();
    const inference = await timed(infer, o.batch, steps);
    forward.release();
    if (o.profiler !== undefined) await o.profiler(step);
    const threads = backend === "native" ? currentThreads()?.count : undefined;
    return { train, inference, rss: await peakRssMb(rss), steps, threads };
  } finally {
    if (o.threads !== undefined) {
      const threads = currentThreads();
      threads?.pin(undefined);
      threads?.resize(threads.wanted);
    }
    if (o.precision === "bf16") await selectPrecision("fp32", backend);
    tf.dispose([batch.xs, batch.ys]);
    opt.dispose();
    net.dispose();
  }
}

/** Where this module's process puts its result: the last line of its output. */
const RESULT = "skiplab-measurement ";

/**
 * {@link measure} in a new Deno process (read the project, FFI, the
 * environment, the CPU load, `sh` for /proc/self), so that its peak RSS is
 * its own. Throws with the child's last error line when it fails.
 */
export async function measureApart(
  model: string,
  backend: string,
  o: Omit<MeasureOptions, "profiler">,
): Promise<Measurement> {
  const root = new URL("..", import.meta.url).pathname;
  const args = [
    "run",
    "--no-prompt",
    `--config=${root}deno.json`,
    `--allow-read=${root}`,
    "--allow-ffi",
    "--allow-env",
    "--allow-sys=cpus",
    "--allow-run=sh",
    new URL(import.meta.url).pathname,
    model,
    backend,
    `--batch=${o.batch}`,
    ...(o.steps === undefined ? [] : [`--steps=${o.steps}`]),
    ...(o.sealed ? ["--sealed"] : []),
    ...(o.precision === undefined ? [] : [`--precision=${o.precision}`]),
    ...(o.threads === undefined ? [] : [`--threads=${o.threads}`]),
  ];
  const env = { NO_COLOR: "1" };
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    env,
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const text = new TextDecoder();
  const line = text.decode(out.stdout).split("\n").find((l) => l.startsWith(RESULT));
  if (!out.success || line === undefined) {
    // Deno's report of the uncaught error (uncoloured: NO_COLOR), without its prefix.
    const err = text.decode(out.stderr).split("\n").find((l) => l.startsWith("error: "))
      ?.replace(/^error: (Uncaught )?(\(in promise\) )?/, "");
    throw new Error(err ?? `the measuring process exited with ${out.code}`);
  }
  return JSON.parse(line.slice(RESULT.length));
}

if (import.meta.main) {
  const { positionals: [model, backend], values } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: {
      batch: { type: "string", default: "64" },
      steps: { type: "string" },
      sealed: { type: "boolean" },
      precision: { type: "string", default: "fp32" },
      threads: { type: "string" },
    },
  });
  // As `deno task train` runs: the native libraries loaded, then FFI revoked.
  if (values.sealed) await sealNativeLibraries();
  await selectBackend(backend as BackendName);
  const m = await measure(model, backend, {
    batch: Number(values.batch),
    steps: values.steps === undefined ? undefined : Number(values.steps),
    precision: values.precision as "fp32" | "bf16",
    threads: values.threads === undefined ? undefined : Number(values.threads),
    log: () => {},
  });
  console.log(RESULT + JSON.stringify(m));
}
