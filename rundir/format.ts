/**
 * The version of a run directory's format, kept in its `format.json`, so
 * that directories written before a change still read correctly:
 *
 * - format 1 (no `format.json`, skiplab before it existed): epochs numbered
 *   from 0 in history.csv, gradients.csv and every table with an `epoch`
 *   column, summary.json's `best_epoch` and heartbeat.json's `epoch`;
 * - format 2 (`{"format": "skiplab-run/2"}`): the same files numbered from 1,
 *   as every log line and chart numbers them (rundir/epochs.ts).
 *
 * Readers convert format 1 as they read, so whoever reads through rundir/
 * sees epochs from 1 whatever wrote the files. Writers mark the directory
 * before their first file; a format-1 directory that is written to again
 * (a run resumed after an upgrade) has its files converted first, so one
 * directory never mixes the two.
 * @module
 */
import { join } from "node:path";
import { writeFileAtomic } from "./atomic.ts";
import { parseCsv, readCsvText, toCsv } from "./csv.ts";
import { RUN_FILES } from "./layout.ts";
import { readJsonFile } from "./_json.ts";

/** A run directory format: 1 (epochs from 0, no format.json) or 2 (epochs from 1). */
export type RunFormat = 1 | 2;

/** The format this version of skiplab writes. */
export const RUN_FORMAT: RunFormat = 2;

const TAG = "skiplab-run/";

/**
 * The format of the run directory `dir`: 1 when it has no format.json.
 * @throws {SyntaxError} naming the file when format.json names no format this version reads.
 */
export async function readRunFormat(dir: string): Promise<RunFormat> {
  const path = join(dir, RUN_FILES.format);
  let doc: unknown;
  try {
    doc = await readJsonFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return 1;
    throw e;
  }
  const tag = (doc as { format?: unknown } | null)?.format;
  const version = typeof tag === "string" && tag.startsWith(TAG)
    ? Number(tag.slice(TAG.length))
    : 0;
  if (version === 1 || version === 2) return version;
  throw new SyntaxError(
    `Cannot read '${path}': 'format' must be '${TAG}1' or '${TAG}${RUN_FORMAT}' ` +
      `(a newer skiplab may have written it), got ${JSON.stringify(tag)}`,
  );
}

/**
 * What a reader adds to an epoch number read from a file of the run in
 * `dir` to number it from 1: 1 for format 1, else 0.
 */
export async function epochOffset(dir: string): Promise<number> {
  return (await readRunFormat(dir)) === 1 ? 1 : 0;
}

/** Upgrades in progress, by directory, so concurrent writers of one run upgrade it once. */
const marking = new Map<string, Promise<void>>();

/**
 * Makes `dir` a directory of the current format before a writer adds to it:
 * writes format.json, after converting the files of a format-1 directory in
 * place. Every writer of a file with epochs calls it; it costs one stat once
 * the directory is marked.
 */
export async function markRunFormat(dir: string): Promise<void> {
  const path = join(dir, RUN_FILES.format);
  if (await Deno.stat(path).then(() => true, () => false)) return;
  const pending = marking.get(dir);
  if (pending) return await pending;
  const work = (async () => {
    if (await Deno.stat(path).then(() => true, () => false)) return;
    await upgradeFormat1(dir);
    await writeFileAtomic(path, JSON.stringify({ format: `${TAG}${RUN_FORMAT}` }) + "\n");
  })();
  marking.set(dir, work);
  try {
    await work;
  } finally {
    marking.delete(dir);
  }
}

/** Numbers from 1 the epochs a format-1 directory's files number from 0. */
async function upgradeFormat1(dir: string): Promise<void> {
  const entries: string[] = [];
  for await (const e of Deno.readDir(dir)) if (e.isFile) entries.push(e.name);
  for (const name of entries) {
    const path = join(dir, name);
    if (name.endsWith(".csv")) {
      const { header, rows } = parseCsv(await readCsvText(path), path);
      const at = header.indexOf("epoch");
      if (at < 0) continue;
      const shifted = rows.map((cells) =>
        Object.fromEntries(header.map((c, i) => {
          const cell = cells[i];
          return [c, i === at && cell.trim() !== "" ? String(Number(cell) + 1) : cell];
        }))
      );
      await writeFileAtomic(path, toCsv(shifted, header));
    } else if (name === RUN_FILES.summary || name === RUN_FILES.heartbeat) {
      const key = name === RUN_FILES.summary ? "best_epoch" : "epoch";
      const doc = await readJsonFile(path) as Record<string, unknown>;
      if (typeof doc?.[key] !== "number") continue;
      const text = JSON.stringify({ ...doc, [key]: (doc[key] as number) + 1 }, null, 2) + "\n";
      await writeFileAtomic(path, text);
    }
  }
}
