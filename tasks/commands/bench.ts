/**
 * `deno task bench [suite…]`: the throughput and memory benchmarks of
 * bench/main.ts; their flags are declared here so that the command line
 * checks them like any other, and each suite reads the ones it uses.
 * @module
 */
import { resolve } from "node:path";
import { defineCommand } from "../command.ts";
import { grant } from "../permissions.ts";
import { trainingBase } from "./_settings.ts";

/** `deno task bench`. */
export const bench = defineCommand({
  name: "bench",
  summary: "Speed and memory benchmarks, beside PyTorch with --peer; writes bench/results/",
  usage: ["[data|train|profile|dashboard|gpu|peak [words…]]… [flags]"],
  details: "Runs the named suites (all but profile, dashboard, gpu and peak when none is named); " +
    "words after a\nsuite's name go to it (deno task bench profile resnet18), flags go to every " +
    "suite. peak measures\noneDNN's GFLOP/s here (a 2048³ matmul and every conv pass of the " +
    "models' shapes) and stores them\nfor the roofline share that train and profile print.",
  flags: {
    models: {
      type: "string",
      value: "LIST",
      help: "train, gpu, peak: models to measure, e.g. resnet18,baseline_cnn",
    },
    backends: {
      type: "string",
      value: "LIST",
      help: "train: backends to measure, e.g. native,cpu",
    },
    batch: { type: "string", value: "N", help: "train, profile, gpu, peak: batch size" },
    steps: { type: "string", value: "N", help: "train: timed steps per round; gpu: steps" },
    width: { type: "string", value: "X", help: "gpu: scale every layer's filters" },
    "accept-software": { type: "boolean", help: "gpu: run on a software adapter (llvmpipe)" },
    repeat: { type: "string", value: "N", help: "train, dashboard: rounds (the best is kept)" },
    peer: { type: "boolean", help: "train: measure PyTorch beside skiplab" },
    profile: { type: "boolean", help: "train: a per-kernel profile of each model" },
    busy: { type: "string", value: "N", help: "train: N busy processes beside the measurement" },
    out: { type: "string", value: "FILE", help: "train: also write the rows to FILE" },
    sealed: {
      type: "boolean",
      help: "train: revoke FFI after loading oneDNN, as a train with plugin files does",
    },
    backend: { type: "string", value: "NAME", help: "profile: backend (default native)" },
    threads: {
      type: "string",
      value: "N",
      help: "train: thread counts, each in turn (e.g. 1,2); profile: threads (default 2)",
    },
    top: { type: "string", value: "N", help: "profile: kernels to list (default 15)" },
    precision: {
      type: "string",
      value: "P",
      help: "train, profile: fp32|bf16 on both sides (default fp32)",
    },
    "no-peer": { type: "boolean", help: "profile: skip PyTorch" },
    quick: { type: "boolean", help: "data: a shorter measurement" },
    source: { type: "string", value: "SOURCE", help: "data: the CIFAR-10 archive or folder" },
    runs: { type: "string", value: "DIR", help: "dashboard: the runs to serve" },
  },
  permissions: (_args, where) =>
    grant(trainingBase(where), {
      read: [resolve(where.root, "../shared/data")],
      write: [resolve(where.root, "bench/results")],
      // The PyTorch peer, sh for /proc/self, and Deno for each measurement's own process.
      run: ["/usr/bin/python3", "python3", "sh", Deno.execPath()],
    }),
  async run(_args, { argv }) {
    const { main } = await import("../../bench/main.ts");
    return await main([...argv]);
  },
});
