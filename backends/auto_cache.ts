/**
 * The cache of `auto`'s measurements: one file, `backend-choices.json`, in the
 * data cache folder, so that the next run of the same model on the same
 * machine decides at once. This module alone reads and writes it. An entry
 * is keyed by a fingerprint of what the timing depended on: the CPU, every
 * backend's availability, library version and device (a new oneDNN, an
 * installed tfjs-node or a new GPU driver makes a new key), the model, the
 * batch size and the precision. The file is bounded (the newest
 * {@linkcode AUTO_CACHE_ENTRIES} entries) and validated when read: a
 * damaged one is ignored with a one-line note and rewritten by the next
 * measurement.
 * @module
 */
import { dirname, join } from "node:path";
import { z } from "zod";
import type { AutoDecision } from "./auto.ts";
import type { CpuFacts } from "./cpu_facts.ts";
import type { BackendFacts } from "./facts.ts";

/** The cache file's name inside the data cache folder. */
export const AUTO_CACHE_FILE = "backend-choices.json";

/** Entries kept; the oldest go first. */
export const AUTO_CACHE_ENTRIES = 64;

/** Bytes read at most: a larger file is not a cache this module wrote. */
const MAX_BYTES = 1 << 20;

/** What a cached decision was measured for. */
export interface AutoCacheSubject {
  /** The processor. */
  readonly cpu: CpuFacts;
  /** Every backend's facts. */
  readonly backends: readonly BackendFacts[];
  /** The architecture as built (ablations and width applied), as JSON-able data. */
  readonly model: unknown;
  /** Images per step. */
  readonly batch: number;
  /** fp32, bf16 or auto. */
  readonly precision: string;
}

const row = z.strictObject({
  backend: z.string().max(40),
  version: z.string().max(300),
  device: z.string().max(300),
  rate: z.number().positive().nullable(),
  note: z.string().max(500).optional(),
});

const entry = z.strictObject({
  key: z.string().regex(/^[0-9a-f]{64}$/),
  measured: z.string().max(40),
  choice: z.string().min(1).max(40),
  rows: z.array(row).max(16),
});

const file = z.strictObject({ format: z.literal(1), entries: z.array(entry).max(1000) });

/** A cached decision, with when it was measured (ISO time). */
export interface CachedDecision extends AutoDecision {
  /** The fingerprint it is filed under. */
  readonly key: string;
  /** When it was measured. */
  readonly measured: string;
}

/**
 * The fingerprint of `subject`: SHA-256 of its canonical JSON, leaving out
 * what changes without changing speed (why a backend is missing, the hint).
 *
 * @example
 * ```ts
 * import { autoCacheKey } from "./auto_cache.ts";
 * const cpu = { model: "EPYC", threads: 2, isa: "avx2 fma" };
 * const key = await autoCacheKey({ cpu, backends: [], model: "resnet18", batch: 64, precision: "fp32" });
 * console.log(key.length); // 64
 * ```
 */
export function autoCacheKey(subject: AutoCacheSubject): Promise<string> {
  return cacheFingerprint([
    subject.cpu.model,
    subject.cpu.threads,
    subject.cpu.isa,
    subject.backends.map((b) => [b.name, b.available, b.version, b.device, b.software]),
    subject.model,
    subject.batch,
    subject.precision,
  ]);
}

/**
 * SHA-256 (64 hex digits) of `parts` as JSON: the key of what a cached
 * measurement depended on (this cache's entries, bench/peak_store.ts's machines).
 *
 * @example
 * ```ts
 * import { cacheFingerprint } from "./auto_cache.ts";
 * console.log((await cacheFingerprint(["EPYC", "avx2", "2.6.3"])).length); // 64
 * ```
 */
export async function cacheFingerprint(parts: readonly unknown[]): Promise<string> {
  const text = JSON.stringify(parts);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Writes `text` to `path` (its folder created if need be) through a temporary
 * file renamed over it, so that a reader never sees half of it.
 */
export async function replaceCacheFile(path: string, text: string): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${Deno.pid}.tmp`;
  await Deno.writeTextFile(tmp, text);
  await Deno.rename(tmp, path);
}

type CacheFile = z.infer<typeof file>;

/** The file's entries; `note` hears (once) why a file that exists could not be used. */
async function readEntries(
  dir: string,
  note: (line: string) => void,
): Promise<CacheFile["entries"]> {
  const path = join(dir, AUTO_CACHE_FILE);
  let text: string;
  try {
    const info = await Deno.stat(path);
    if (info.size > MAX_BYTES) {
      note(
        `auto: ignoring ${path}: ${info.size} bytes, more than a cache of ${AUTO_CACHE_ENTRIES} entries holds`,
      );
      return [];
    }
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      note(`auto: ignoring ${path}: ${(error as Error).message.split("\n")[0]}`);
    }
    return [];
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    note(
      `auto: ignoring ${path}: not JSON (${
        (error as Error).message.split("\n")[0]
      }); it will be rewritten`,
    );
    return [];
  }
  const checked = file.safeParse(parsed);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    note(
      `auto: ignoring ${path}: ${
        issue.path.join(".") || "the file"
      }: ${issue.message}; it will be rewritten`,
    );
    return [];
  }
  return checked.data.entries;
}

/**
 * The decision cached under `key` in the folder `dir`, or undefined on a miss,
 * a missing file or a damaged one (`note` then hears one line saying so).
 */
export async function readCachedDecision(
  dir: string,
  key: string,
  note: (line: string) => void = () => {},
): Promise<CachedDecision | undefined> {
  const found = (await readEntries(dir, note)).findLast((e) => e.key === key);
  if (!found) return undefined;
  if (!found.rows.some((r) => r.backend === found.choice && r.rate !== null)) {
    note(`auto: ignoring the cached choice '${found.choice}': it has no measured row`);
    return undefined;
  }
  return found;
}

/**
 * Files `decision` under `key` in `dir` (created if need be), replacing an
 * entry of the same key and keeping the newest {@linkcode AUTO_CACHE_ENTRIES}.
 * Written to a temporary file and renamed, so a reader never sees half of it.
 * A cache that cannot be written is not an error: `note` hears it.
 */
export async function writeCachedDecision(
  dir: string,
  key: string,
  decision: AutoDecision,
  note: (line: string) => void = () => {},
): Promise<void> {
  const path = join(dir, AUTO_CACHE_FILE);
  try {
    const kept = (await readEntries(dir, () => {})).filter((e) => e.key !== key);
    const fresh = {
      key,
      measured: new Date().toISOString(),
      choice: decision.choice,
      rows: decision.rows.map((r) => ({ ...r })),
    };
    const entries = [...kept, fresh].slice(-AUTO_CACHE_ENTRIES);
    const body: CacheFile = { format: 1, entries: file.parse({ format: 1, entries }).entries };
    await replaceCacheFile(path, JSON.stringify(body, null, 1) + "\n");
  } catch (error) {
    note(`auto: could not cache the choice in ${path}: ${(error as Error).message.split("\n")[0]}`);
  }
}
