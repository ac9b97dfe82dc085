/**
 * `auto`, measured: every backend that loads here trains a few steps of the
 * run's model, and the fastest trains the run. The timing itself is the
 * caller's (a real training step needs the trainer, which backends/ may not
 * import); this module decides in what order to time, when to give up on a
 * candidate, and which one wins. A software GPU is never timed for `auto`:
 * on llvmpipe webgpu is the slowest backend of all, and a real GPU differs
 * from it in everything that matters.
 * @module
 */
import type { BackendFacts } from "./facts.ts";

/** How long `auto` may look at one candidate, and how much slower it may be than the best. */
export interface AutoBudget {
  /** Seconds of steps per candidate before it is dropped. @default 6 */
  readonly seconds?: number;
  /** A candidate this many times slower than the best so far is dropped early. @default 3 */
  readonly slowerBy?: number;
}

/** What the caller's timing of one candidate found. */
export interface CandidateTiming {
  /** Training images/s of the steps that ran (a lower bound when cut). */
  readonly rate: number;
  /** Why the timing stopped early, if it did. */
  readonly cut?: string;
}

/** Times `name` (already made the tfjs backend by the caller) under the given limits. */
export type TimeCandidate = (
  name: BackendFacts["name"],
  limit: { readonly seconds: number; readonly minRate?: number },
) => Promise<CandidateTiming>;

/** One row of the table `auto` prints and caches. */
export interface AutoRow {
  /** Backend name. */
  readonly backend: string;
  /** Library and version ("" when it does not load). */
  readonly version: string;
  /** Device it computes on. */
  readonly device: string;
  /** Training images/s measured, or null when it was not timed. */
  readonly rate: number | null;
  /** Why it was not timed or was dropped, if so. */
  readonly note?: string;
}

/** What {@linkcode chooseFastest} decided. */
export interface AutoDecision {
  /** The fastest backend timed. */
  readonly choice: string;
  /** One row per candidate, in the order they were considered. */
  readonly rows: readonly AutoRow[];
}

/**
 * Times each available, hardware candidate of `facts` in order with `time`,
 * giving each at most `budget.seconds` and stopping one that runs
 * `budget.slowerBy` times slower than the best so far; returns the fastest.
 * A software GPU is listed but not timed. Put the likely fastest first: the
 * better the first timing, the sooner a slow candidate is dropped.
 *
 * @throws {Error} when no candidate could be timed (none loads, or each one's timing failed)
 *
 * @example
 * ```ts
 * import { chooseFastest } from "./auto.ts";
 * const facts = [
 *   { name: "wasm", available: true, version: "w", device: "cpu", software: false },
 *   { name: "cpu", available: true, version: "c", device: "cpu", software: false },
 * ] as const;
 * const rates = { wasm: 30, cpu: 2 } as Record<string, number>;
 * const { choice } = await chooseFastest(facts, async (name) => ({ rate: rates[name] }));
 * console.log(choice); // "wasm"
 * ```
 */
export async function chooseFastest(
  facts: readonly BackendFacts[],
  time: TimeCandidate,
  budget: AutoBudget = {},
): Promise<AutoDecision> {
  const { seconds = 6, slowerBy = 3 } = budget;
  if (!(seconds > 0) || !(slowerBy >= 1)) {
    throw new RangeError(
      `chooseFastest: 'seconds' must be > 0 and 'slowerBy' >= 1, got ${seconds} and ${slowerBy}`,
    );
  }
  const rows: AutoRow[] = [];
  let best: { backend: string; rate: number } | undefined;
  const failures: string[] = [];
  for (const f of facts) {
    const row = { backend: f.name, version: f.version, device: f.device };
    if (!f.available) {
      // Why, and how to install it, is `deno task backends`'s to say; a run's log stays short.
      rows.push({ ...row, rate: null, note: "not available here" });
      continue;
    }
    if (f.software) {
      rows.push({ ...row, rate: null, note: "software adapter: never chosen by auto" });
      continue;
    }
    const minRate = best ? best.rate / slowerBy : undefined;
    let timing: CandidateTiming;
    try {
      timing = await time(f.name, minRate === undefined ? { seconds } : { seconds, minRate });
    } catch (error) {
      const why = String((error as Error)?.message ?? error).split("\n")[0];
      failures.push(`${f.name}: ${why}`);
      rows.push({ ...row, rate: null, note: `failed: ${why}` });
      continue;
    }
    if (!(timing.rate > 0) || !Number.isFinite(timing.rate)) {
      rows.push({ ...row, rate: null, note: `no rate (${timing.rate})` });
      continue;
    }
    rows.push({
      ...row,
      rate: timing.rate,
      ...(timing.cut ? { note: `stopped early: ${timing.cut}` } : {}),
    });
    if (best === undefined || timing.rate > best.rate) {
      best = { backend: f.name, rate: timing.rate };
    }
  }
  if (best === undefined) {
    throw new Error(
      `auto: no backend could be timed here` +
        (failures.length ? ` (${failures.join("; ")})` : " (none loads but a software GPU)"),
    );
  }
  return { choice: best.backend, rows };
}

function cell(rate: number | null): string {
  if (rate === null) return "-";
  return rate >= 100 ? rate.toFixed(0) : rate.toPrecision(3);
}

/**
 * The rows as an aligned text table (backend, version, device, images/s, note),
 * the chosen backend marked with `*`.
 */
export function formatAutoTable(rows: readonly AutoRow[], choice: string): string {
  const cells = [
    ["  backend", "library", "device", "train img/s", "note"],
    ...rows.map((r) => [
      `${r.backend === choice ? "*" : " "} ${r.backend}`,
      r.version || "-",
      r.device || "-",
      cell(r.rate),
      r.note ?? "",
    ]),
  ];
  const widths = cells[0].map((_, c) => Math.max(...cells.map((row) => row[c].length)));
  return cells.map((row) =>
    row.map((v, c) => (c === 3 ? v.padStart(widths[c]) : v.padEnd(widths[c]))).join("  ")
      .trimEnd()
  ).join("\n");
}
