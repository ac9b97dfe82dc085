/**
 * The backend a run trains on. A named one is selected as asked; `auto`
 * times a few training steps of the run's own model, batch size, optimiser
 * and precision on every backend that loads here (backends/auto.ts decides
 * the order, the budget and the winner; the steps are the trainer's own,
 * through {@linkcode measureThroughput}), prints what it measured, and files
 * the choice in the data cache folder (backends/auto_cache.ts) so that the
 * next run of that model on this machine decides at once.
 * `auto:remeasure` times them again.
 * @module
 */
import { type AutoBudget, chooseFastest, formatAutoTable } from "../backends/auto.ts";
import { autoCacheKey, readCachedDecision, writeCachedDecision } from "../backends/auto_cache.ts";
import { cpuFacts } from "../backends/cpu_facts.ts";
import { type BackendFacts, backendFacts } from "../backends/facts.ts";
import { selectPrecision } from "../backends/precision.ts";
import {
  BACKEND_CANDIDATES,
  type BackendCandidate,
  type BackendInfo,
  type BackendName,
  selectBackend,
} from "../backends/select.ts";
import { defaultCacheDir } from "../data/cache_dir.ts";
import { buildModel, type ModelSpec } from "../models/mod.ts";
import { measureThroughput } from "../train/throughput.ts";
import type { Experiment } from "./schema.ts";
import { camelKeys } from "./keys.ts";

/** Options of {@linkcode selectRunBackend}. */
export interface RunBackendOptions {
  /** Hears the table measured (or cached) and the choice, line by line. @default nothing */
  readonly log?: (line: string) => void;
  /** Folder of the cache file. @default defaultCacheDir(); none when it cannot be found */
  readonly cacheDir?: string;
  /** The backends to consider. @default BACKEND_CANDIDATES */
  readonly candidates?: readonly BackendCandidate[];
  /** Seconds per candidate and how much slower than the best one may be. */
  readonly budget?: AutoBudget;
}

/** Whether `backend` asks for a measured choice. */
export function isAutoBackend(backend: string): backend is "auto" | "auto:remeasure" {
  return backend === "auto" || backend === "auto:remeasure";
}

/** Images per step of the probe that drops a backend far behind the best without a full step. */
const PROBE_BATCH = 4;

/**
 * How much faster per image a backend may run at the run's batch than at
 * {@link PROBE_BATCH}: larger batches amortise per-step costs, so a probe is
 * only trusted to drop a backend this much further behind.
 */
const PROBE_ALLOWANCE = 4;

/** The folder of `auto`'s cache: `given`, else the data cache folder, else none (no home folder). */
export function autoCacheFolder(given?: string): string | undefined {
  if (given !== undefined) return given;
  try {
    return defaultCacheDir();
  } catch {
    return undefined; // no home folder: measure every time
  }
}

/** The key `auto`'s choice for `exp` (building `spec`) is cached under on a machine with `facts`. */
export function runCacheKey(
  exp: Experiment,
  spec: ModelSpec,
  facts: readonly BackendFacts[],
): Promise<string> {
  return autoCacheKey({
    cpu: cpuFacts(),
    backends: facts,
    model: spec,
    batch: exp.batch_size,
    precision: exp.precision,
  });
}

/**
 * Makes the backend `exp.backend` names the tfjs backend, measuring for
 * `auto` as the module doc says; `spec` is the architecture the run builds.
 *
 * @throws {Error} when a named backend cannot run here (with how to enable it),
 *   or when `auto` can time none
 * @example
 * ```ts ignore
 * const { spec } = await experimentSpec(exp);
 * const info = await selectRunBackend(exp, spec, { log: console.log });
 * ```
 */
export async function selectRunBackend(
  exp: Experiment,
  spec: ModelSpec,
  options: RunBackendOptions = {},
): Promise<BackendInfo> {
  const candidates = options.candidates ?? BACKEND_CANDIDATES;
  if (!isAutoBackend(exp.backend)) return await selectBackend(exp.backend, { candidates });
  const log = options.log ?? (() => {});
  const facts = await backendFacts(candidates);
  const key = await runCacheKey(exp, spec, facts);
  const dir = autoCacheFolder(options.cacheDir);
  const what = `${exp.model} at batch ${exp.batch_size}`;
  if (exp.backend === "auto" && dir !== undefined) {
    const cached = await readCachedDecision(dir, key, log);
    if (cached !== undefined) {
      log(
        `backend: auto, as measured ${cached.measured.slice(0, 16).replace("T", " ")} ` +
          `(cached; --backend auto:remeasure times again):`,
      );
      for (const line of formatAutoTable(cached.rows, cached.choice).split("\n")) log(line);
      explainMissingNative(facts, log);
      const info = await selectBackend(cached.choice as BackendName, { candidates });
      return {
        ...info,
        requested: "auto",
        reason: `${cached.choice}: fastest for ${what} here (cached measurement)`,
      };
    }
  }
  log(`backend: auto, timing a few training steps of ${what} on each backend…`);
  const decision = await chooseFastest(facts, async (name, limit) => {
    const info = await selectBackend(name, { candidates });
    await selectPrecision(exp.precision, info.name, "'precision'");
    const model = buildModel(spec, { seed: exp.seed, init: exp.init });
    try {
      const optimizer = camelKeys(exp.optimizer);
      if (limit.minRate !== undefined && exp.batch_size > PROBE_BATCH) {
        // One step of a slow backend at the run's batch can take a minute (the cpu backend on
        // ResNet-18); two steps of a few images say as much about one far behind the best.
        const probe = await measureThroughput(model, {
          batchSize: PROBE_BATCH,
          optimizer,
          warmupSteps: 1,
          steps: 1,
          evalImages: 0,
        });
        if (probe.train * PROBE_ALLOWANCE < limit.minRate) {
          return {
            rate: probe.train,
            cut: `${probe.train.toPrecision(3)} images/s at batch ${PROBE_BATCH}, far under ` +
              `${limit.minRate.toPrecision(3)}`,
          };
        }
      }
      const m = await measureThroughput(model, {
        batchSize: exp.batch_size,
        optimizer,
        warmupSteps: 1,
        steps: 3,
        evalImages: 0,
        limit,
      });
      return m.cut === undefined ? { rate: m.train } : { rate: m.train, cut: m.cut };
    } finally {
      model.dispose();
    }
  }, options.budget);
  for (const line of formatAutoTable(decision.rows, decision.choice).split("\n")) log(line);
  explainMissingNative(facts, log);
  if (dir !== undefined) await writeCachedDecision(dir, key, decision, log);
  const timed = decision.rows.filter((r) => r.rate !== null).length;
  const info = await selectBackend(decision.choice as BackendName, { candidates });
  return {
    ...info,
    requested: "auto",
    reason: `${decision.choice}: fastest of ${timed} backend${
      timed === 1 ? "" : "s"
    } timed for ${what}`,
  };
}

/**
 * Where the native backend cannot load, the few lines that say what was tried and why it
 * failed, the install command and what the fallback costs: the speed a user gives up.
 */
function explainMissingNative(facts: readonly BackendFacts[], log: (line: string) => void): void {
  const native = facts.find((f) => f.name === "native");
  if (native === undefined || native.available) return;
  log(native.why ?? "The native backend cannot load");
  for (const line of (native.hint ?? "").split("\n").filter((l) => l.trim())) log(line);
}
