/**
 * `deno task bench [suite…] [flags]`: runs the named throughput suites (all
 * when none is named), prints one table and writes `bench/results/<time>.json`.
 * A suite is one entry of {@linkcode SUITES}; it parses its own flags.
 * @module
 */
import { parseArgs } from "node:util";
import { dashboardSuite } from "./dashboard.ts";
import { dataSuite } from "./data.ts";
import { gpuSuite } from "./gpu.ts";
import { peakSuite } from "./peak.ts";
import { profileSuite } from "./profile.ts";
import type { BenchRow, Suite } from "./suite.ts";
import { trainSuite } from "./train.ts";

export type { BenchRow, Suite } from "./suite.ts";

/** The suites by name; add a suite with one line here. */
export const SUITES: Record<string, Suite> = {
  data: dataSuite,
  train: trainSuite,
  profile: profileSuite,
  dashboard: dashboardSuite,
  gpu: gpuSuite,
  peak: peakSuite,
};

const USAGE = `Usage: deno task bench [suite [words...]...] [flags]
Runs the named suites (all but profile, dashboard, gpu and peak when none is named); words after a suite's
name go to it (deno task bench profile resnet18), flags go to every suite.
Suites:
${Object.entries(SUITES).map(([name, s]) => `  ${name.padEnd(10)} ${s.description}`).join("\n")}`;

/** Formats rows as an aligned text table. */
export function formatTable(rows: readonly BenchRow[]): string {
  const cells = [
    ["suite", "name", "value", "unit", "note"],
    ...rows.map((r) => [
      r.suite,
      r.name,
      r.value >= 100 ? r.value.toFixed(0) : r.value.toPrecision(3),
      r.unit,
      r.note ?? "",
    ]),
  ];
  const widths = cells[0].map((_, c) => Math.max(...cells.map((row) => row[c].length)));
  return cells.map((row) =>
    row.map((v, c) => (c === 2 ? v.padStart(widths[c]) : v.padEnd(widths[c]))).join("  ").trimEnd()
  )
    .join("\n");
}

/** Runs `deno task bench` with the words after the command; returns the exit status. */
export async function main(args: string[]): Promise<number> {
  // Leading words name suites; the flags after them belong to the suites.
  const first = args.findIndex((a) => a.startsWith("-"));
  const positionals = first < 0 ? args : args.slice(0, first);
  const flags = first < 0 ? [] : args.slice(first);
  const { values } = parseArgs({
    args: flags,
    strict: false,
    options: { help: { type: "boolean", short: "h" } },
  });
  if (values.help) return (console.log(USAGE), 0);
  // A word after a suite's name that names no suite is that suite's (`profile resnet18`).
  const words = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const word of positionals) {
    if (word in SUITES) words.set(word, current = []);
    else if (current !== undefined) current.push(word);
    else {
      console.error(`Unknown suite '${word}'. Available: ${Object.keys(SUITES).join(", ")}`);
      return 2;
    }
  }
  // Run alone, profile would only repeat what train measures; it runs when named, as do
  // dashboard, gpu (which fails on a machine without a hardware GPU) and peak (which train's
  // roofline reads, measuring only the rates it lacks).
  const names = words.size > 0
    ? [...words.keys()]
    : Object.keys(SUITES).filter((name) => !["profile", "dashboard", "gpu", "peak"].includes(name));
  const rows: BenchRow[] = [];
  for (const name of names) {
    rows.push(...await SUITES[name].run([...words.get(name) ?? [], ...flags]));
  }
  console.log(formatTable(rows));
  const date = new Date().toISOString();
  const dir = new URL("./results/", import.meta.url);
  await Deno.mkdir(dir, { recursive: true });
  const file = new URL(`${date.replace(/:/g, "-").replace(/\.\d+Z$/, "Z")}.json`, dir);
  const meta = {
    date,
    deno: Deno.version.deno,
    os: Deno.build.os,
    arch: Deno.build.arch,
    suites: names,
  };
  await Deno.writeTextFile(file, JSON.stringify({ ...meta, rows }, null, 2) + "\n");
  console.log(`\nwrote ${file.pathname}`);
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
