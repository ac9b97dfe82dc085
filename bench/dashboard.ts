/**
 * The `dashboard` suite: how long the dashboard takes to answer the runs
 * table (`/api/runs`) over a folder of many runs (500 by default, copies of
 * the fixture runs a real miniature training wrote), first request and
 * repeated, and how large the answer is. The folder is made under
 * bench/results/ (where bench may write) and removed afterwards.
 *
 *     deno task bench dashboard [--runs 500] [--repeat 5]
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createDashboard } from "../serve/mod.ts";
import type { BenchRow, Suite } from "./suite.ts";

const FIXTURES = fileURLToPath(new URL("../tests/fixtures/", import.meta.url));
const SOURCES = ["run_baseline_cnn", "run_resnet18", "run_resnet18_noskip"];

async function copyFiles(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) {
    if (e.isFile) await Deno.copyFile(join(from, e.name), join(to, e.name));
  }
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const out = await fn();
  return [out, performance.now() - t0];
}

/** The dashboard suite. */
export const dashboardSuite: Suite = {
  description: "dashboard: /api/runs (the runs table) over 500 runs, first and repeated",
  async run(args) {
    const { values } = parseArgs({
      args,
      strict: false,
      options: { runs: { type: "string" }, repeat: { type: "string" } },
    });
    const count = Number(values.runs ?? 500), repeat = Number(values.repeat ?? 5);
    const root = fileURLToPath(new URL(`./results/dashboard-runs-${Deno.pid}/`, import.meta.url));
    try {
      for (let i = 0; i < count; i++) {
        await copyFiles(join(FIXTURES, SOURCES[i % SOURCES.length]), join(root, `run-${i}`));
      }
      // Reading the files once first: the numbers are of a warm page cache, as a live folder is.
      for await (const _ of Deno.readDir(root)) { /* list */ }
      const [dash, startMs] = await timed(() => createDashboard({ root, poll: false }));
      try {
        const get = () => dash.handler(new Request("http://127.0.0.1/api/runs"));
        const [first, firstMs] = await timed(async () => await (await get()).text());
        const rows = JSON.parse(first).runs.length;
        if (rows !== count) throw new Error(`dashboard bench: listed ${rows} of ${count} runs`);
        const times: number[] = [];
        for (let i = 0; i < repeat; i++) {
          times.push((await timed(async () => (await get()).text()))[1]);
        }
        times.sort((a, b) => a - b);
        const note = `${count} runs`;
        return [
          { suite: "dashboard", name: "start (watch + assets)", value: startMs, unit: "ms", note },
          { suite: "dashboard", name: "/api/runs first", value: firstMs, unit: "ms", note },
          {
            suite: "dashboard",
            name: "/api/runs median",
            value: times[Math.floor(times.length / 2)],
            unit: "ms",
            note: `${note}, ${repeat} requests`,
          },
          {
            suite: "dashboard",
            name: "/api/runs size",
            value: first.length / 1024,
            unit: "KiB",
            note,
          },
        ] satisfies BenchRow[];
      } finally {
        dash.close();
      }
    } finally {
      await Deno.remove(root, { recursive: true }).catch(() => {});
    }
  },
};
