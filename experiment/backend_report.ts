/**
 * What this machine can do, for `deno task backends`: every backend, whether
 * it loads (and if not, why and how to install it), its library, its device,
 * and the training and inference images/s it reaches on one model, measured
 * through the trainer as a run is; and which backend `auto` picks, filed in
 * `auto`'s cache so that the next run of that model decides at once.
 * @module
 */
import { chooseFastest } from "../backends/auto.ts";
import { writeCachedDecision } from "../backends/auto_cache.ts";
import { type BackendFacts, backendFacts } from "../backends/facts.ts";
import { selectPrecision } from "../backends/precision.ts";
import { BACKEND_CANDIDATES, type BackendCandidate, selectBackend } from "../backends/select.ts";
import { buildModel } from "../models/mod.ts";
import { measureThroughput } from "../train/throughput.ts";
import { autoCacheFolder, runCacheKey } from "./backend_choice.ts";
import { camelKeys } from "./keys.ts";
import { experimentSpec } from "./run.ts";
import type { Experiment } from "./schema.ts";

/** One backend in {@linkcode BackendReport}. */
export interface BackendReportRow extends BackendFacts {
  /** Training images/s (a lower bound when `cut`), or null when it does not load. */
  readonly train: number | null;
  /** Inference images/s of the trainer's validation pass, or null when not measured. */
  readonly infer: number | null;
  /** Why the measurement stopped early, or failed. */
  readonly cut?: string;
}

/** What {@linkcode reportBackends} found. */
export interface BackendReport {
  /** One row per backend, in `auto`'s order. */
  readonly rows: readonly BackendReportRow[];
  /** The backend `auto` picks for this model and batch. */
  readonly auto: string;
}

/** Options of {@linkcode reportBackends}. */
export interface BackendReportOptions {
  /** Seconds of training steps per backend before it is cut short. @default 20 */
  readonly seconds?: number;
  /** Timed training steps. @default 3 */
  readonly steps?: number;
  /** Folder of `auto`'s cache; undefined finds the data cache folder. */
  readonly cacheDir?: string;
  /** The backends. @default BACKEND_CANDIDATES */
  readonly candidates?: readonly BackendCandidate[];
  /** Hears each backend as it is measured. */
  readonly log?: (line: string) => void;
}

/**
 * Measures every backend that loads here on `exp`'s model, batch size and
 * optimiser (a software GPU too, by name, though `auto` never picks it), and
 * files `auto`'s pick in its cache.
 *
 * @throws {Error} when no hardware backend could be measured
 */
export async function reportBackends(
  exp: Experiment,
  options: BackendReportOptions = {},
): Promise<BackendReport> {
  const { seconds = 20, steps = 3, log = () => {} } = options;
  const candidates = options.candidates ?? BACKEND_CANDIDATES;
  const { spec } = await experimentSpec(exp);
  const facts = await backendFacts(candidates);
  const rows: BackendReportRow[] = [];
  for (const f of facts) {
    if (!f.available) {
      rows.push({ ...f, train: null, infer: null });
      continue;
    }
    log(`measuring ${f.name}…`);
    try {
      await selectBackend(f.name, { candidates });
      await selectPrecision(exp.precision, f.name, "'precision'");
      const model = buildModel(spec, { seed: exp.seed, init: exp.init });
      try {
        const m = await measureThroughput(model, {
          batchSize: exp.batch_size,
          optimizer: camelKeys(exp.optimizer),
          warmupSteps: 1,
          steps,
          evalImages: Math.max(64, Math.min(256, exp.batch_size * 2)),
          limit: { seconds },
        });
        const infer = Number.isFinite(m.eval) ? m.eval : null;
        rows.push({ ...f, train: m.train, infer, ...(m.cut ? { cut: m.cut } : {}) });
      } finally {
        model.dispose();
      }
    } catch (error) {
      const why = String((error as Error)?.message ?? error).split("\n")[0];
      rows.push({ ...f, train: null, infer: null, cut: `failed: ${why}` });
    }
  }
  // The rates are measured in full: `auto`'s rule picks among them with nothing dropped.
  const rates = new Map(rows.map((r) => [r.name, r]));
  const decision = await chooseFastest(facts, (name) => {
    const r = rates.get(name);
    if (r?.train == null) return Promise.reject(new Error(r?.cut ?? "not measured"));
    return Promise.resolve(r.cut ? { rate: r.train, cut: r.cut } : { rate: r.train });
  }, { seconds, slowerBy: Infinity });
  const dir = autoCacheFolder(options.cacheDir);
  if (dir !== undefined) {
    await writeCachedDecision(dir, await runCacheKey(exp, spec, facts), decision, log);
  }
  return { rows, auto: decision.choice };
}
