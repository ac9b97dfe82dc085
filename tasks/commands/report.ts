/**
 * `deno task report DIR` and `deno task compare DIR…`: tables, charts and
 * figures re-rendered from a run's (or suite's) files; several runs in one
 * table with overlaid curves.
 * @module
 */
import { resolve } from "node:path";
import { UsageError } from "../../core/errors.ts";
import { defineCommand } from "../command.ts";
import { grant, NONE } from "../permissions.ts";

/** `deno task report`. */
export const report = defineCommand({
  name: "report",
  summary:
    "Re-render a run's or suite's tables, charts and figures from its files (--html: one offline page)",
  usage: ["<run-or-suite-dir> [--html]"],
  flags: {
    html: { type: "boolean", help: "also write one offline report.html of the dashboard's views" },
  },
  permissions: ({ positionals }, where) => {
    const dirs = positionals.map((p) => resolve(where.cwd, p));
    return grant(NONE, { read: [where.root, ...dirs], write: dirs });
  },
  async run({ values, positionals }) {
    if (positionals.length !== 1) throw new UsageError("report: give one run or suite directory");
    const { renderReport } = await import("../../analysis/mod.ts");
    console.log((await renderReport(positionals[0])).text);
    if (values.html) {
      const { writeHtmlReport } = await import("../../serve/mod.ts");
      console.log(`wrote ${await writeHtmlReport(positionals[0])}`);
    }
    return 0;
  },
});

/** `deno task compare`. */
export const compare = defineCommand({
  name: "compare",
  summary: "Several runs in one table with overlaid curves",
  usage: ["<run-dir> <run-dir> …"],
  flags: {},
  permissions: ({ positionals }, where) =>
    grant(NONE, { read: [where.root, ...positionals.map((p) => resolve(where.cwd, p))] }),
  async run({ positionals }) {
    if (positionals.length < 1) throw new UsageError("compare: give one or more run directories");
    const { compareRuns } = await import("../../analysis/mod.ts");
    console.log(await compareRuns([...positionals]));
    return 0;
  },
});
