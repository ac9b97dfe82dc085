/**
 * Training and inference throughput per model × backend (batch 64, Adam, the
 * trainer's own step: `gradientStep` and `Optimizer`), peak RSS, an optional
 * per-kernel profile, and with `peer` the PyTorch peer (`bench/pytorch/peer.py`,
 * see `bench/peer.ts`) run in the same invocation,
 * with skiplab/PyTorch ratios of training, inference and peak RSS.
 *
 * The peer runs with the user's OpenMP settings (by default spinning, as
 * PyTorch's users run it); skiplab's native backend chooses its own threads'
 * wait policy when none is set (`backends/native/onednn/threads.ts`), without
 * changing the environment children inherit. Both take two warm-up steps and
 * the same number of timed ones: by default as many as fill about 3 s of
 * skiplab's training.
 *
 * Standalone: `deno run -A bench/train.ts --models resnet18,baseline_cnn --peer`
 * (add `--backends native,cpu`, `--steps 10`, `--repeat 5` (best of 5; default 3), `--busy 1`
 * (one process keeps a core busy throughout), `--precision bf16` (skiplab's convolutions in
 * bf16, the peer under autocast-bf16), `--threads 1` (both sides on one thread;
 * `--threads 1,2` measures each count in turn),
 * `--profile`, `--out file.json`).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { threadsDetail, tryRegisterNative } from "../backends/native/mod.ts";
import type { BenchRow, Suite } from "./suite.ts";
import { busyProcesses } from "./busy.ts";
import { type PeerResult, runPeer } from "./peer.ts";
import { kernelLine, profileStep } from "./profile.ts";
import { measure, measureApart, type Measurement, SLOW } from "./train_measure.ts";
import { type RooflineShare, rooflineShare } from "./roofline.ts";

/** Options of {@link runTrainBench}. */
export interface TrainBenchOptions {
  /** Registered model names. @default ["baseline_cnn", "resnet18"] */
  readonly models?: readonly string[];
  /** tfjs backends; slow ones (cpu, wasm) run only one step. @default ["native"] */
  readonly backends?: readonly string[];
  /** Images per step. @default 64 */
  readonly batch?: number;
  /**
   * Timed steps per round, after two warm-up steps; the PyTorch peer takes as
   * many. @default enough for about 3 s of training (at least 3)
   */
  readonly steps?: number;
  /** Timed rounds, alternating with the peer; the best counts (hosts are shared). @default 3 */
  readonly repeat?: number;
  /** Also run the PyTorch peer and add its numbers and the skiplab/PyTorch ratios. @default false */
  readonly peer?: boolean;
  /** Print the kernels that took the most time in one training step. @default false */
  readonly profile?: boolean;
  /**
   * Processes that each keep a core busy (`sh` loops) from before oneDNN loads
   * until the end, to measure both frameworks on shared cores. @default 0
   */
  readonly busy?: number;
  /** Progress lines go here. @default console.log */
  readonly log?: (line: string) => void;
  /** Measure with FFI revoked once oneDNN is loaded, as a train with plugin files does. @default false */
  readonly sealed?: boolean;
  /** What both sides compute in: skiplab's `precision` setting, PyTorch's autocast. @default "fp32" */
  readonly precision?: "fp32" | "bf16";
  /** Thread counts to measure, each in turn, on both sides. @default [all of oneDNN's] */
  readonly threads?: readonly number[];
}

/** One benchmark row; with the achieved GFLOP/s and shares of the roofline (bench/roofline.ts). */
export interface TrainBenchRow extends Partial<RooflineShare> {
  model: string;
  backend: string;
  batch: number;
  train_images_per_s: number | null;
  infer_images_per_s: number | null;
  peak_rss_mb: number | null;
  peer_train_images_per_s?: number;
  peer_infer_images_per_s?: number;
  peer_peak_rss_mb?: number;
  /** skiplab/PyTorch training throughput. */
  ratio?: number;
  /** skiplab/PyTorch inference throughput. */
  infer_ratio?: number;
  /** skiplab/PyTorch peak RSS (lower is better). */
  rss_ratio?: number;
  /** Busy processes that ran beside ({@link TrainBenchOptions.busy}). */
  busy?: number;
  precision: "fp32" | "bf16";
  threads: number;
  note?: string;
}

const round = (v: number, digits: number) => Number(v.toFixed(digits));

/**
 * Measures every model × backend and returns one row each; backends that fail
 * to load or train get a row with nulls and a `note`.
 */
export async function runTrainBench(options: TrainBenchOptions = {}): Promise<TrainBenchRow[]> {
  const o: Resolved = {
    models: options.models ?? ["baseline_cnn", "resnet18"],
    backends: options.backends ?? ["native"],
    batch: options.batch ?? 64,
    steps: options.steps,
    repeat: options.repeat ?? 3,
    peer: options.peer ?? false,
    profile: options.profile ?? false,
    busy: options.busy ?? 0,
    log: options.log ?? console.log,
    sealed: options.sealed ?? false,
    precision: options.precision ?? "fp32",
    threads: options.threads ?? [],
  };
  if (o.precision !== "fp32" && o.precision !== "bf16") {
    throw new RangeError(`'precision' must be fp32 or bf16, got '${o.precision}'`);
  }
  for (const n of o.threads) {
    if (!Number.isInteger(n) || n < 1) {
      throw new RangeError(`'threads' must be positive integers, got ${o.threads.join(",")}`);
    }
  }
  for (const key of ["batch", "steps", "repeat"] as const) {
    if (o[key] === undefined && key === "steps") continue;
    if (!Number.isInteger(o[key]) || o[key]! < 1) {
      throw new RangeError(`'${key}' must be a positive integer, got ${o[key]}`);
    }
  }
  if (!Number.isInteger(o.busy) || o.busy < 0) {
    throw new RangeError(`'busy' must be a whole number of processes, got ${o.busy}`);
  }
  const stopBusy = busyProcesses(o.busy);
  if (o.busy > 0) o.log(`${o.busy} busy process${o.busy === 1 ? "" : "es"} running beside`);
  try {
    return await measureAll(o);
  } finally {
    await stopBusy();
  }
}

type Resolved = Required<Omit<TrainBenchOptions, "steps">> & Pick<TrainBenchOptions, "steps">;

async function measureAll(o: Resolved): Promise<TrainBenchRow[]> {
  let threads = navigator.hardwareConcurrency || 1;
  if (o.backends.includes("native")) {
    const s = await tryRegisterNative();
    o.log(
      s.ok
        ? `native: oneDNN ${s.version} (${s.library}), ${threadsDetail(s)}`
        : `native: ${s.reason}`,
    );
    if (s.ok) threads = s.threads;
  }
  const rows: TrainBenchRow[] = [];
  for (const model of o.models) {
    for (const count of o.threads.length > 0 ? o.threads : [threads]) {
      rows.push(...await measureModel(model, count, o.threads.length > 0, o));
    }
  }
  return rows;
}

/** One row per backend for `model` on `threads` threads (`pinned`: asked for). */
async function measureModel(
  model: string,
  threads: number,
  pinned: boolean,
  o: Resolved,
): Promise<TrainBenchRow[]> {
  // Rounds alternate skiplab and the peer, so both see the same share of a busy machine.
  const best = new Map<string, Measurement>();
  const notes = new Map<string, string>();
  let peer: PeerResult | undefined;
  let steps = o.steps;
  const title = `${model}${o.precision === "bf16" ? " bf16" : ""}${
    pinned ? `, ${threads} thread${threads === 1 ? "" : "s"}` : ""
  }`;
  const apart = { ...o, threads: pinned ? threads : undefined };
  for (let r = 0; r < o.repeat; r++) {
    for (const backend of o.backends) {
      if (notes.has(backend) || (r > 0 && SLOW.has(backend))) continue;
      try {
        const profiler = o.profile && r === 0
          ? async (step: () => Promise<void>) =>
            o.log(kernelLine(`${model}/${backend}`, await profileStep(step)))
          : undefined;
        // Each round in a process of its own (as the peer's), unless profiling this one.
        const m = profiler === undefined
          ? await measureApart(model, backend, { ...apart, steps })
          : await measure(model, backend, { ...apart, steps, profiler });
        steps ??= m.steps; // the first backend's count, for the peer too
        const b = best.get(backend);
        best.set(backend, {
          train: Math.max(b?.train ?? 0, m.train),
          inference: Math.max(b?.inference ?? 0, m.inference),
          rss: Math.min(b?.rss ?? Infinity, m.rss),
          steps: m.steps,
        });
        o.log(
          `${title}/${backend} round ${r + 1}: train ${m.train.toFixed(2)} img/s, ` +
            `inference ${m.inference.toFixed(2)} img/s, peak RSS ${m.rss} MB`,
        );
      } catch (e) {
        notes.set(backend, (e as Error).message.split("\n")[0]);
      }
    }
    if (o.peer) {
      const p = (await runPeer([model], o.batch, threads, 1, o.log, {
        steps,
        precision: o.precision,
      })).get(model);
      if (p !== undefined) {
        o.log(
          `${title}/PyTorch round ${r + 1}: train ${p.train} img/s, ` +
            `inference ${p.infer} img/s, peak RSS ${p.rssMb} MB`,
        );
        peer = {
          train: Math.max(peer?.train ?? 0, p.train),
          infer: Math.max(peer?.infer ?? 0, p.infer),
          rssMb: Math.min(peer?.rssMb ?? Infinity, p.rssMb),
        };
      }
    }
  }
  const rows: TrainBenchRow[] = [];
  for (const backend of o.backends) {
    const m = best.get(backend);
    const row: TrainBenchRow = {
      model,
      backend,
      batch: o.batch,
      precision: o.precision,
      threads,
      train_images_per_s: m ? round(m.train, 2) : null,
      infer_images_per_s: m ? round(m.inference, 2) : null,
      peak_rss_mb: m ? m.rss : null,
    };
    if (o.busy > 0) row.busy = o.busy;
    if (notes.has(backend)) row.note = notes.get(backend);
    // The roofline is oneDNN's: it prices the native backend's step only.
    if (m && backend === "native") {
      Object.assign(row, await rooflineShare(model, o.batch, o.precision, threads, m, o.log));
    }
    if (peer !== undefined) {
      row.peer_train_images_per_s = peer.train;
      row.peer_infer_images_per_s = peer.infer;
      row.peer_peak_rss_mb = peer.rssMb;
      if (m) {
        row.ratio = round(m.train / peer.train, 3);
        row.infer_ratio = round(m.inference / peer.infer, 3);
        row.rss_ratio = round(m.rss / peer.rssMb, 3);
      }
    }
    o.log(
      `${title}/${backend} best of ${o.repeat}: train ${row.train_images_per_s} img/s, ` +
        `inference ${row.infer_images_per_s} img/s, peak RSS ${row.peak_rss_mb} MB` +
        (peer ? `; PyTorch ${peer.train}, ${peer.infer} img/s, ${peer.rssMb} MB` : "") +
        (row.ratio !== undefined
          ? `; ratios train ${row.ratio}, inference ${row.infer_ratio}, RSS ${row.rss_ratio}`
          : "") +
        (row.note ? ` (${row.note})` : ""),
    );
    rows.push(row);
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
      repeat: { type: "string" },
      peer: { type: "boolean" },
      profile: { type: "boolean" },
      busy: { type: "string" },
      out: { type: "string" },
      sealed: { type: "boolean" },
      precision: { type: "string" },
      threads: { type: "string" },
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
    repeat: num("repeat"),
    peer: values.peer === true,
    profile: values.profile === true,
    busy: num("busy"),
    sealed: values.sealed === true,
    precision: str("precision") as TrainBenchOptions["precision"],
    threads: str("threads")?.split(",").map(Number),
  };
}

/** Rows of {@link runTrainBench} as `deno task bench` rows. */
export function toBenchRows(rows: readonly TrainBenchRow[]): BenchRow[] {
  const out: BenchRow[] = [];
  for (const r of rows) {
    const name = `${r.model}/${r.backend}`;
    const note = `batch ${r.batch}, ${r.precision}, ${r.threads} thread${
      r.threads === 1 ? "" : "s"
    }${r.busy ? `, ${r.busy} busy` : ""}${r.note ? `; ${r.note}` : ""}`;
    const add = (what: string, value: number | null | undefined, unit: string) => {
      if (value !== null && value !== undefined) {
        out.push({ suite: "train", name: `${name} ${what}`, value, unit, note });
      }
    };
    add("train", r.train_images_per_s, "images/s");
    add("inference", r.infer_images_per_s, "images/s");
    add("peak RSS", r.peak_rss_mb, "MB");
    add("PyTorch train", r.peer_train_images_per_s, "images/s");
    add("PyTorch inference", r.peer_infer_images_per_s, "images/s");
    add("PyTorch peak RSS", r.peer_peak_rss_mb, "MB");
    add("skiplab/PyTorch train", r.ratio, "ratio");
    add("skiplab/PyTorch inference", r.infer_ratio, "ratio");
    add("skiplab/PyTorch peak RSS", r.rss_ratio, "ratio");
    add("train", r.train_gflops, "GFLOP/s");
    add("inference", r.infer_gflops, "GFLOP/s");
    const pct = (v: number | undefined) =>
      v === undefined ? undefined : Number((100 * v).toFixed(1));
    add("train share of roofline", pct(r.train_roofline_share), "%");
    add("inference share of roofline", pct(r.infer_roofline_share), "%");
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
