/**
 * `deno task models`: the registered architectures with parameters, depth
 * and forward FLOPs per image.
 * @module
 */
import { defineCommand } from "../command.ts";
import { grant, NONE } from "../permissions.ts";
import { UsageError } from "../../core/errors.ts";

/** `deno task models`. */
export const models = defineCommand({
  name: "models",
  summary: "List the registered architectures with parameters, depth and FLOPs",
  usage: [""],
  flags: {},
  permissions: (_args, where) => grant(NONE, { read: [where.root] }),
  async run({ positionals }) {
    if (positionals.length) {
      throw new UsageError(`models: takes no arguments, got '${positionals[0]}'`);
    }
    const { selectBackend } = await import("../../backends/mod.ts");
    const { buildModel, createModelRegistry, summarizeModel } = await import("../../models/mod.ts");
    await selectBackend("cpu"); // building needs no speed; cpu runs everywhere
    const rows = createModelRegistry().names().map((name) => {
      const m = buildModel(name);
      const s = summarizeModel(m);
      m.dispose();
      return [
        name,
        s.trainableParams.toLocaleString("en"),
        s.totalParams.toLocaleString("en"),
        String(s.depth),
        `${(s.flops / 1e6).toFixed(1)} M`,
      ];
    });
    const head = ["model", "trainable", "total", "depth", "FLOPs/image"];
    const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (r: string[]) =>
      r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join("  ");
    console.log([line(head), w.map((n) => "-".repeat(n)).join("  "), ...rows.map(line)].join("\n"));
    return 0;
  },
});
