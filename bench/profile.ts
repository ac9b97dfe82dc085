/**
 * `deno task bench profile <model>`: where one training step's time goes. For
 * the trainer's own step (batch 64, Adam) it lists the kernels that took the
 * most time, their share of the step and, for convolutions and matrix
 * products, GFLOP/s; beside it PyTorch's torch.profiler view of the same step
 * (`bench/pytorch/peer.py --profile`); below them, each convolution pass's
 * share of oneDNN's peak and the step's share of its roofline
 * (bench/roofline.ts). The `train` suite's `--profile` prints the same
 * per-kernel line through {@link profileStep}.
 *
 * Flags: `--backend native`, `--batch 64`, `--threads 2` (both sides), `--top 15`,
 * `--precision fp32|bf16` (both sides: skiplab's convolutions, PyTorch's autocast), `--no-peer`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { parseArgs } from "node:util";
import { tryRegisterNative } from "../backends/native/mod.ts";
import type { BenchRow, Suite } from "./suite.ts";
import { type PeerPrecision, runPeer, type TorchProfile } from "./peer.ts";
import { measure } from "./train_measure.ts";
import { type Roofline, rooflineMs } from "./roofline.ts";
import { buildModel } from "../models/mod.ts";

/** Time of one kernel name over a profiled step. */
export interface KernelTime {
  /** tfjs kernel name, e.g. `FusedConv2D`. */
  readonly name: string;
  /** Calls in the step. */
  readonly calls: number;
  /** Milliseconds summed over the calls. */
  readonly ms: number;
  /** GFLOP/s over the calls, for convolutions and matrix products; else null. */
  readonly gflops: number | null;
}

/** One training step seen kernel by kernel. */
export interface StepProfile {
  /** Wall time of the profiled step, ms. */
  readonly stepMs: number;
  /** Kernels by time, most first. */
  readonly kernels: readonly KernelTime[];
}

const size = (shape: readonly number[] | undefined) => (shape ?? []).reduce((p, v) => p * v, 1);

/**
 * Floating-point operations of one call of a convolution or matrix-product
 * kernel, from its input and output shapes (tfjs's profile has no
 * attributes); null for other kernels. A multiply-add counts as two.
 */
export function kernelFlops(
  name: string,
  inputs: readonly (readonly number[])[],
  outputs: readonly (readonly number[])[],
): number | null {
  // All three convolutions cost 2 · |output or dy| · kh · kw · cin of the HWIO filter.
  const conv = (filter: readonly number[] | undefined, y: readonly number[] | undefined) =>
    filter?.length === 4 && y !== undefined
      ? 2 * size(y) * filter[0] * filter[1] * filter[2]
      : null;
  switch (name) {
    case "Conv2D":
    case "FusedConv2D":
      return conv(inputs[1], outputs[0]);
    case "Conv2DBackpropInput":
      return conv(inputs[1], inputs[0]);
    case "Conv2DBackpropFilter":
      return conv(outputs[0], inputs[1]);
    case "BatchMatMul":
    case "_FusedMatMul": {
      const [a, out] = [inputs[0], outputs[0]];
      if (a === undefined || out === undefined || a.length < 2 || out.length < 2) return null;
      // a's last two dims are m and k in some order; out's are m and n.
      const m = out[out.length - 2];
      const k = a[a.length - 2] === m ? a[a.length - 1] : a[a.length - 2];
      return 2 * size(out) * k;
    }
    default:
      return null;
  }
}

/** Runs `step` once under tf.profile and totals its kernels by name. */
export async function profileStep(step: () => Promise<void>): Promise<StepProfile> {
  const by = new Map<string, { calls: number; ms: number; flops: number | null }>();
  const t = performance.now();
  const p = await tf.profile(step);
  const stepMs = performance.now() - t;
  const backend = tf.getBackend();
  for (const k of p.kernels) {
    // tf.profile also lists customGrad ops (`fusedConv2d__op`), whose time is their kernels'.
    if (tf.getKernel(k.name, backend) === undefined) continue;
    const ms = typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : 0;
    const flops = kernelFlops(k.name, k.inputShapes ?? [], k.outputShapes ?? []);
    const e = by.get(k.name) ?? { calls: 0, ms: 0, flops: null };
    e.calls++;
    e.ms += ms;
    if (flops !== null) e.flops = (e.flops ?? 0) + flops;
    by.set(k.name, e);
  }
  const kernels = [...by].map(([name, e]) => ({
    name,
    calls: e.calls,
    ms: e.ms,
    gflops: e.flops === null || e.ms <= 0 ? null : e.flops / (e.ms * 1e6),
  })).sort((a, b) => b.ms - a.ms);
  return { stepMs, kernels };
}

/** One line naming the kernels that took the most time (the `train` suite's `--profile`). */
export function kernelLine(title: string, p: StepProfile, top = 24): string {
  const total = p.kernels.reduce((s, k) => s + k.ms, 0);
  return `  kernels ${title} (total ${total.toFixed(0)}ms of a ${p.stepMs.toFixed(0)}ms step): ` +
    p.kernels.slice(0, top).map((k) => `${k.name} ${k.ms.toFixed(0)}ms`).join(", ");
}

/** A table row of either side: name, calls, ms, share of the step, GFLOP/s. */
type Row = [string, string, string, string, string];

function row(name: string, calls: number, ms: number, stepMs: number, gflops: number | null): Row {
  return [
    name.length > 40 ? `${name.slice(0, 39)}…` : name,
    String(calls),
    ms.toFixed(1),
    `${(100 * ms / stepMs).toFixed(1)}%`,
    gflops === null ? "—" : gflops.toFixed(1),
  ];
}

function table(title: string, rows: Row[]): string[] {
  const head: Row = ["kernel", "calls", "ms", "share", "GFLOP/s"];
  const all = [head, ...rows];
  const widths = head.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  const lines = all.map((r) =>
    r.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join("  ")
  );
  return [title, ...lines];
}

/** skiplab's side of the comparison. */
export function skiplabTable(title: string, p: StepProfile, top: number): string[] {
  const rows = p.kernels.slice(0, top).map((k) => row(k.name, k.calls, k.ms, p.stepMs, k.gflops));
  const total = p.kernels.reduce((s, k) => s + k.ms, 0);
  rows.push(
    row("(all kernels)", p.kernels.reduce((s, k) => s + k.calls, 0), total, p.stepMs, null),
  );
  return table(`${title}: step ${p.stepMs.toFixed(0)} ms`, rows);
}

/**
 * PyTorch's side: operators by self CPU time; GFLOP/s where torch.profiler
 * counts FLOPs (forward convolutions and matrix products, over their total time).
 */
export function torchTable(title: string, p: TorchProfile, top: number): string[] {
  const rows = p.ops.slice(0, top).map((o) =>
    row(o.name, o.calls, o.self_ms, p.step_ms, o.flops > 0 ? o.flops / (o.total_ms * 1e6) : null)
  );
  for (const o of p.ops.slice(top)) {
    if (o.flops > 0 && o.total_ms > 0) {
      rows.push(row(o.name, o.calls, o.total_ms, p.step_ms, o.flops / (o.total_ms * 1e6)));
    }
  }
  return table(`${title}: step ${p.step_ms.toFixed(0)} ms`, rows);
}

/** The convolution kernels by the pass they run, for {@link peakLines}. */
const CONV_KERNELS = [
  ["forward", ["Conv2D", "FusedConv2D"]],
  ["backwardData", ["Conv2DBackpropInput"]],
  ["backwardWeights", ["Conv2DBackpropFilter"]],
] as const;

/**
 * Per convolution pass, its kernels' share of oneDNN's peak for that pass
 * (their time at the `bench peak` rates over the time they took), and the
 * whole step's share of its roofline (bench/roofline.ts).
 */
export function peakLines(p: StepProfile, r: Roofline, what: string): string[] {
  const pct = (part: number, whole: number) => `${(100 * part / whole).toFixed(0)}%`;
  const lines = CONV_KERNELS.map(([pass, names]) => {
    const took = p.kernels.filter((k) => (names as readonly string[]).includes(k.name))
      .reduce((s, k) => s + k.ms, 0);
    return `  ${names.join("+")}: ${took.toFixed(0)} ms, ${r.convMs[pass].toFixed(0)} ms at ` +
      `peak: ${took > 0 ? pct(r.convMs[pass], took) : "—"} of peak`;
  });
  return [
    `share of oneDNN's peak per pass (${what}):`,
    ...lines,
    `  the step: ${p.stepMs.toFixed(0)} ms, its roofline ${r.trainMs.toFixed(0)} ms: ` +
    `${pct(r.trainMs, p.stepMs)} of the roofline`,
  ];
}

/** Two blocks of lines side by side. */
export function besides(left: string[], right: string[], gap = 4): string {
  const width = Math.max(0, ...left.map((l) => l.length));
  const n = Math.max(left.length, right.length);
  return Array.from(
    { length: n },
    (_, i) => ((left[i] ?? "").padEnd(width + gap) + (right[i] ?? "")).trimEnd(),
  ).join("\n");
}

/** The `profile` suite. */
export const profileSuite: Suite = {
  description: "time per kernel of one training step, beside PyTorch's profiler (model first)",
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      strict: false,
      allowPositionals: true,
      options: {
        backend: { type: "string", default: "native" },
        batch: { type: "string", default: "64" },
        threads: { type: "string", default: "2" },
        top: { type: "string", default: "15" },
        precision: { type: "string", default: "fp32" },
        "no-peer": { type: "boolean" },
      },
    });
    const model = positionals[0] ?? "resnet18";
    const backend = String(values.backend);
    const [batch, threads, top] = [values.batch, values.threads, values.top].map(Number);
    for (const [key, v] of [["batch", batch], ["threads", threads], ["top", top]] as const) {
      if (!Number.isInteger(v) || v < 1) {
        throw new RangeError(`profile: '--${key}' must be a positive integer, got ${v}`);
      }
    }
    const precision = String(values.precision);
    if (precision !== "fp32" && precision !== "bf16") {
      throw new RangeError(`profile: '--precision' must be fp32 or bf16, got '${precision}'`);
    }
    if (backend === "native") {
      const status = await tryRegisterNative();
      if (!status.ok) {
        throw new Error(`profile: the native backend is unavailable: ${status.reason}`);
      }
    }
    let profile: StepProfile | undefined;
    const profiler = async (step: () => Promise<void>) => void (profile = await profileStep(step));
    await measure(model, backend, {
      batch,
      steps: 1,
      profiler,
      log: () => {},
      precision,
      threads: backend === "native" ? threads : undefined,
    });
    const mine = profile!;
    // The roofline is oneDNN's: it prices the native backend's step only.
    const roofline = backend === "native" ? await nativeRoofline(precision) : [];
    async function nativeRoofline(p: "fp32" | "bf16"): Promise<string[]> {
      const net = buildModel(model, { seed: 0 });
      return await rooflineMs(net, batch, p, threads, { log: console.log })
        .then((r) => peakLines(mine, r, `${p}, ${threads} threads, bench peak's rates`))
        .catch((e: Error) => [`no roofline: ${e.message.split("\n")[0]}`])
        .finally(() => net.dispose());
    }
    const left = skiplabTable(
      `skiplab ${model}/${backend} ${precision}, batch ${batch}`,
      mine,
      top,
    );
    const rows: BenchRow[] = mine.kernels.slice(0, top).map((k) => ({
      suite: "profile",
      name: `${model}/${backend} ${k.name}`,
      value: k.ms,
      unit: "ms",
      note: `${(100 * k.ms / mine.stepMs).toFixed(1)}% of step` +
        (k.gflops === null ? "" : `, ${k.gflops.toFixed(1)} GFLOP/s`),
    }));
    let right = ["PyTorch: not run (--no-peer)"];
    if (values["no-peer"] !== true) {
      const peer = (await runPeer([model], batch, threads, 1, console.log, {
        precision: precision as PeerPrecision,
        profile: true,
      })).get(model)?.profile;
      right = peer === undefined
        ? ["PyTorch: unavailable"]
        : torchTable(`PyTorch ${model} ${precision}, batch ${batch}`, peer, top);
      for (const o of peer?.ops.slice(0, top) ?? []) {
        rows.push({
          suite: "profile",
          name: `${model}/pytorch-${precision} ${o.name}`,
          value: o.self_ms,
          unit: "ms",
          note: `${(100 * o.self_ms / peer!.step_ms).toFixed(1)}% of step`,
        });
      }
    }
    console.log(`\n${besides(left, right)}\n\n${roofline.join("\n")}\n`);
    return rows;
  },
};
