/**
 * `deno task backends [MODEL] [--batch N]`: what this machine can do. Every
 * backend, whether it loads (or why not, and how to install it), its library
 * and version, its device, the training and inference images/s it reaches on
 * MODEL, and the backend `auto` picks (filed in its cache, so the next run
 * decides at once). What a user runs first on a new machine, and pastes into
 * a bug report.
 * @module
 */
import { resolve } from "node:path";
import { UsageError } from "../../core/errors.ts";
import { defineCommand } from "../command.ts";
import { grant, NONE } from "../permissions.ts";

const DEFAULT_MODEL = "baseline_cnn";

function rate(r: number | null, cut?: string): string {
  if (r === null) return "-";
  const text = r >= 100 ? r.toFixed(0) : r.toPrecision(3);
  return cut ? `≥${text}` : text;
}

/** `deno task backends`. */
export const backends = defineCommand({
  name: "backends",
  summary: "List every backend here: available or why not, library, device, images/s, auto's pick",
  usage: ["[MODEL] [--batch N] [--width X]"],
  details:
    `Measures a few training steps and one inference pass of MODEL (default ${DEFAULT_MODEL}) ` +
    "on each backend\nthat loads, with the paper recipe's optimiser; `auto`'s pick is cached " +
    "for the next run.",
  flags: {
    batch: { type: "string", value: "N", default: "64", help: "images per training step" },
    width: { type: "string", value: "X", help: "scale every layer's filters, e.g. 0.25" },
    precision: { type: "string", value: "P", default: "fp32", help: "fp32|bf16|auto" },
  },
  permissions: (_args, where) => {
    const cache = where.cacheDir === undefined ? [] : [resolve(where.cacheDir)];
    return grant(NONE, {
      read: [where.root, ...cache, "/proc/cpuinfo"],
      write: cache,
      ffi: true,
      sys: ["cpus"],
    });
  },
  async run({ values, positionals }) {
    if (positionals.length > 1) {
      throw new UsageError(`backends: give at most one model name, got ${positionals.join(" ")}`);
    }
    const { experimentFor, reportBackends } = await import("../../experiment/mod.ts");
    const model = positionals[0] ?? DEFAULT_MODEL;
    const overrides: Record<string, unknown> = {
      batch_size: Number(values.batch ?? 64),
      precision: values.precision ?? "fp32",
      data: { source: "synthetic" },
    };
    if (values.width !== undefined) overrides.model_options = { width: Number(values.width) };
    const exp = await experimentFor(model, overrides);
    const log = (line: string) => console.error(line);
    const report = await reportBackends(exp, { log });
    const head = ["  backend", "library", "device", "train img/s", "infer img/s", "note"];
    const cells = report.rows.map((r) => [
      `${r.name === report.auto ? "*" : " "} ${r.name}`,
      r.version || "-",
      r.device || "-",
      rate(r.train, r.cut),
      rate(r.infer),
      !r.available
        ? `not available${r.hint ? " (below: why, and how to install it)" : `: ${r.why}`}`
        : r.software
        ? "software adapter: by name only, never auto"
        : r.cut ?? "",
    ]);
    const w = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
    const line = (c: string[]) =>
      c.map((v, i) => (i === 3 || i === 4 ? v.padStart(w[i]) : v.padEnd(w[i]))).join("  ")
        .trimEnd();
    const width = values.width === undefined ? "" : `, width ${values.width}`;
    console.log(`${model} at batch ${exp.batch_size}${width}, precision ${exp.precision}:`);
    console.log([line(head), ...cells.map(line)].join("\n"));
    console.log(
      `auto picks ${report.auto} (* above; a software GPU never; ≥: cut short, a lower bound)`,
    );
    for (const r of report.rows.filter((r) => !r.available && r.hint)) {
      console.log(`\n${r.name}: ${r.why}.\n${r.hint}`);
    }
    return 0;
  },
});
