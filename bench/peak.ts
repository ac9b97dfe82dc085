/**
 * `deno task bench peak`: what oneDNN reaches on this machine, measured on the
 * spot through skiplab's own binding (backends/native/peak.ts): a 2048³ matrix
 * product, and each pass a training step runs of every convolution and dense
 * shape of the models, in fp32 and, where the CPU has bf16 instructions, in
 * bf16, on one thread and on all of them. Each rate is the best of several
 * runs after a warm-up run (about 150 ms of runs each), each distinct shape
 * measured once however many models share it; other processes' CPU time
 * meanwhile is reported, since it lowers the rates. The rates are stored
 * (bench/peak_store.ts) for bench/roofline.ts, which `bench train` and
 * `bench profile` read; this suite always measures anew.
 *
 * Flags: `--models resnet18,baseline_cnn,resnet20,resnet56`, `--batch 64`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  othersLoad,
  type PeakPrecision,
  sampleCpu,
  tryRegisterNative,
} from "../backends/native/mod.ts";
import { buildModel } from "../models/mod.ts";
import { needKey, needsOf, type PeakNeed, peakRates } from "./peak_rates.ts";
import { opKey, type PeakEntry } from "./peak_store.ts";
import { priceCost, type TrainingCost, trainingCost } from "./roofline.ts";
import type { BenchRow, Suite } from "./suite.ts";

/** The models measured when `--models` is not given. */
export const PEAK_MODELS: readonly string[] = ["resnet18", "baseline_cnn", "resnet20", "resnet56"];

/** The matrix product every machine is compared on. */
const MATRIX: PeakNeed["op"] = {
  kind: "gemm",
  shape: { m: 2048, n: 2048, k: 2048, transA: false, transB: false },
};

const threadWord = (n: number) => `${n} thread${n === 1 ? "" : "s"}`;

/** One line per measured rate: the shape and pass, then GFLOP/s per precision × threads. */
function table(
  needs: readonly PeakNeed[],
  columns: readonly { precision: PeakPrecision; threads: number }[],
  rates: ReadonlyMap<string, PeakEntry>,
): string {
  const ops = [...new Map(needs.map((n) => [`${opKey(n.op)}|${n.pass}`, n])).values()];
  const head = ["shape", "pass", ...columns.map((c) => `${c.precision} ${c.threads}t`), "impl"];
  const body = ops.map((n) => {
    const cells = columns.map((c) =>
      rates.get(`${needKey({ ...n, precision: c.precision })}|${c.threads}`)
    );
    const impls = [...new Set(cells.filter((e) => e !== undefined).map((e) => e!.impl))];
    return [
      opKey(n.op),
      n.pass,
      ...cells.map((e) => e === undefined ? "—" : e.gflops.toFixed(0)),
      impls.join(", "),
    ];
  });
  const all = [head, ...body];
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const numeric = (i: number) => i >= 2 && i < head.length - 1;
  return all.map((r) =>
    r.map((v, i) => numeric(i) ? v.padStart(widths[i]) : v.padEnd(widths[i])).join("  ").trimEnd()
  ).join("\n");
}

/** The `peak` suite. */
export const peakSuite: Suite = {
  description: "oneDNN's GFLOP/s here: a 2048³ matmul and the models' conv passes, fp32/bf16, " +
    "1 and all threads; stored for the roofline",
  async run(args) {
    const { values } = parseArgs({
      args,
      strict: false,
      options: { models: { type: "string" }, batch: { type: "string", default: "64" } },
    });
    const batch = Number(values.batch);
    if (!Number.isInteger(batch) || batch < 1) {
      throw new RangeError(`peak: '--batch' must be a positive integer, got ${values.batch}`);
    }
    const models = typeof values.models === "string" ? values.models.split(",") : PEAK_MODELS;
    const status = await tryRegisterNative();
    if (!status.ok) throw new Error(`peak: the native backend is unavailable: ${status.reason}`);
    const s = status.bf16Support;
    const precisions: PeakPrecision[] = s.avx512Bf16 || s.amxBf16 ? ["fp32", "bf16"] : ["fp32"];
    const all = navigator.hardwareConcurrency || 1;
    const threads = [...new Set([1, all])];
    console.log(
      `peak: oneDNN ${status.version} (${status.library}), ISA ${s.isa}, ${s.model}; ` +
        `${precisions.join(" and ")}` +
        (precisions.length === 1 ? ` (no bf16: the CPU has neither AVX512-BF16 nor AMX)` : "") +
        `, on ${threads.map(threadWord).join(" and ")}`,
    );
    const costs = new Map<string, TrainingCost>();
    for (const name of models) {
      const model = buildModel(name, { seed: 0 });
      try {
        costs.set(name, trainingCost(model, batch));
      } finally {
        model.dispose();
      }
    }
    const needs: PeakNeed[] = [];
    for (const precision of precisions) {
      needs.push({ op: MATRIX, pass: "product", precision });
      for (const cost of costs.values()) needs.push(...needsOf(cost, precision));
    }
    const unique = [...new Map(needs.map((n) => [needKey(n), n])).values()];
    console.log(`peak: ${unique.length} rates to measure per thread count, batch ${batch}`);
    const rates = new Map<string, PeakEntry>();
    const byThreads = new Map<number, Map<string, PeakEntry>>();
    const busy: string[] = [];
    for (const n of threads) {
      const before = sampleCpu();
      const got = await peakRates(unique, n, { remeasure: true, log: console.log });
      const after = sampleCpu();
      const load = before && after ? othersLoad(before, after) : 0;
      // A rate measured beside another process is that process's share lower.
      if (load >= 0.2) busy.push(`${load.toFixed(1)} cores busy with others on ${threadWord(n)}`);
      byThreads.set(n, got);
      for (const [k, e] of got) rates.set(`${k}|${n}`, e);
    }
    const columns = precisions.flatMap((precision) =>
      threads.map((t) => ({ precision, threads: t }))
    );
    console.log(`\nGFLOP/s (best run), oneDNN ${status.version}, ${s.model}, ISA ${s.isa}:`);
    console.log(table(unique, columns, rates));
    if (busy.length > 0) {
      console.log(
        `warning: other processes ran meanwhile (${
          busy.join(", ")
        }): the rates are low; measure again on idle cores`,
      );
    }
    console.log("");
    for (const [name, cost] of costs) {
      const at = columns.map((c) => {
        const r = priceCost(cost, c.precision, byThreads.get(c.threads)!);
        return `${c.precision} ${threadWord(c.threads)} ${r.trainMs.toFixed(0)} ms`;
      });
      console.log(
        `roofline ${name}, batch ${batch}: ${(cost.trainFlops / 1e9).toFixed(1)} GFLOP a ` +
          `training step (${(cost.inferFlops / 1e9).toFixed(1)} inference); at peak ${
            at.join(", ")
          }`,
      );
    }
    return [...rates.values()].map((e): BenchRow => ({
      suite: "peak",
      name: `${e.op} ${e.pass} ${e.precision}`,
      value: e.gflops,
      unit: "GFLOP/s",
      note: `${threadWord(e.threads)}, ${e.impl}, oneDNN ${e.onednn}`,
    }));
  },
};
