/**
 * CIFAR-10 from a URL, a local `.tar.gz` or a folder of `.bin` files, cached
 * once verified, split into train, validation and test.
 * @module
 */
import { join, resolve } from "node:path";
import { defaultCacheDir } from "./cache_dir.ts";
import { DataIntegrityError } from "./data_error.ts";
import { downloadFile, md5File } from "./download.ts";
import type { Splits } from "./image_set.ts";
import { type Progress, progressReporter, terminalProgress } from "./progress.ts";
import { type CifarSets, readCifarBinary } from "./read_cifar_binary.ts";
import { limitImageSet, splitValidation } from "./split.ts";
import { extractTar } from "./_tar.ts";

/** The official CIFAR-10 binary archive. */
export const CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz";
/** md5 of {@linkcode CIFAR10_URL}. */
export const CIFAR10_MD5 = "c32a1d4ab5d03f1284b67883e8d87530";

/** Options of {@linkcode loadCifar10}. */
export interface Cifar10Options {
  /** URL, local `.tar.gz`/`.tgz` or folder of `.bin` files. @default CIFAR10_URL */
  readonly source?: string;
  /** Cache folder. @default defaultCacheDir() ($SKIPLAB_DATA or the user's cache) */
  readonly cacheDir?: string;
  /** Expected md5 (hex) of the archive; required for URLs other than the official one. */
  readonly checksum?: string;
  /** Called as the download, checksum and extraction progress. */
  readonly onProgress?: (p: Progress) => void;
  /** Training images held out for validation. @default 5000 */
  readonly valSize?: number;
  /** Hold out the same share of every class instead of the last images. @default false */
  readonly stratified?: boolean;
  /** At most this many images per split, or per named split. */
  readonly limit?: number | {
    readonly train?: number;
    readonly val?: number;
    readonly test?: number;
  };
}

const MAX_ARCHIVE_CONTENT = 512 * 2 ** 20;

/**
 * Loads CIFAR-10. An archive (downloaded or local) is verified against its
 * md5, extracted into a temporary folder in the cache, parsed, and only then
 * moved into `<cacheDir>/cifar-10-<md5>`: a later call with the same
 * checksum reuses it without network, and a failure leaves nothing behind.
 *
 * @throws {TypeError} for a bad option or a source of unknown kind.
 * @throws {DataIntegrityError} for a checksum mismatch, a corrupt or unsafe
 *   archive, or a download that fails.
 * @throws {RangeError} / {SyntaxError} / {Deno.errors.NotFound} for files
 *   that break the binary layout (see `readCifarBinary`).
 * @example
 * ```ts ignore
 * import { loadCifar10 } from "./cifar10.ts";
 * const { train, val, test } = await loadCifar10({ source: "cifar-10-binary.tar.gz" });
 * ```
 */
export async function loadCifar10(options: Cifar10Options = {}): Promise<Splits> {
  const { source = CIFAR10_URL, valSize = 5000, stratified = false } = options;
  if (typeof source !== "string" || source === "") {
    throw new TypeError(
      `Invalid loadCifar10 option 'source': must be a URL or path, got '${source}'`,
    );
  }
  const checksum = options.checksum?.toLowerCase() ??
    (source === CIFAR10_URL ? CIFAR10_MD5 : undefined);
  if (checksum !== undefined && !/^[0-9a-f]{32}$/.test(checksum)) {
    throw new TypeError(
      `Invalid loadCifar10 option 'checksum': must be 32 hex digits (md5), got '${checksum}'`,
    );
  }
  const limit = typeof options.limit === "number"
    ? { train: options.limit, val: options.limit, test: options.limit }
    : options.limit ?? {};
  const sinks = [options.onProgress, terminalProgress()].filter((s) => s !== undefined);
  const onProgress = (p: Progress) => sinks.forEach((s) => s(p));

  const sets = await readSource(source, checksum, options.cacheDir, onProgress);
  const { train, val } = splitValidation(sets.train, valSize, stratified);
  return {
    train: limitImageSet(train, limit.train, "train"),
    val: limitImageSet(val, limit.val, "val"),
    test: limitImageSet(sets.test, limit.test, "test"),
  };
}

async function readSource(
  source: string,
  checksum: string | undefined,
  cacheDir: string | undefined,
  onProgress: (p: Progress) => void,
): Promise<CifarSets> {
  const isUrl = /^https?:\/\//i.test(source);
  if (!isUrl) {
    const info = await Deno.stat(source).catch(() => {
      throw new Deno.errors.NotFound(
        `${source}: missing; source must be a URL, a .tar.gz or a folder`,
      );
    });
    if (info.isDirectory) return await readCifarBinary(source);
    if (!/\.(tar\.gz|tgz)$/i.test(source)) {
      throw new TypeError(
        `Invalid loadCifar10 option 'source': a file must end in .tar.gz or .tgz, got '${source}'`,
      );
    }
  } else if (checksum === undefined) {
    throw new TypeError(
      `Invalid loadCifar10 option 'checksum': required for a URL other than the official one, got none for ${source}`,
    );
  }
  const root = cacheDir ?? defaultCacheDir();
  await Deno.mkdir(root, { recursive: true });
  let md5 = checksum;
  if (!isUrl) {
    md5 = await md5File(source, onProgress);
    if (checksum !== undefined && md5 !== checksum) {
      throw new DataIntegrityError(source, `md5 must be ${checksum}, got ${md5}`);
    }
  }
  const cached = join(root, `cifar-10-${md5}`);
  try {
    return await readCifarBinary(cached);
  } catch {
    // Not cached yet, or damaged by hand: fetch again below.
    await Deno.remove(cached, { recursive: true }).catch(() => {});
  }
  await removeStalePartials(root);
  const work = await Deno.makeTempDir({ dir: root, prefix: ".partial-" });
  try {
    let archive = resolve(source);
    if (isUrl) {
      archive = join(work, "archive.tar.gz");
      const got = await downloadFile(source, archive, onProgress);
      if (got !== checksum) {
        throw new DataIntegrityError(source, `md5 must be ${checksum}, got ${got}`);
      }
    }
    const out = join(work, "out");
    await Deno.mkdir(out);
    const { size } = await Deno.stat(archive);
    const report = progressReporter("extract", archive, size, onProgress);
    let read = 0;
    const counted = (await Deno.open(archive)).readable.pipeThrough(
      new TransformStream<Uint8Array<ArrayBuffer>, Uint8Array<ArrayBuffer>>({
        transform(chunk, controller) {
          report(read += chunk.length);
          controller.enqueue(chunk);
        },
      }),
    );
    try {
      await extractTar(counted.pipeThrough(new DecompressionStream("gzip")), out, {
        file: isUrl ? source : archive,
        maxBytes: MAX_ARCHIVE_CONTENT,
      });
    } catch (e) {
      if (e instanceof DataIntegrityError) throw e;
      throw new DataIntegrityError(
        isUrl ? source : archive,
        `gzip stream must be valid: ${(e as Error).message}`,
        {
          cause: e,
        },
      );
    }
    report(size, true);
    const sets = await readCifarBinary(out);
    await Deno.rename(out, cached).catch(async (e) => {
      // Another process may have finished the same archive first; theirs is as good.
      if (!(await Deno.stat(cached).then(() => true, () => false))) throw e;
    });
    return sets;
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

/** Removes work folders left a day ago or more by a process that was killed mid-way. */
async function removeStalePartials(root: string): Promise<void> {
  for await (const entry of Deno.readDir(root)) {
    if (!entry.name.startsWith(".partial-")) continue;
    const path = join(root, entry.name);
    const { mtime } = await Deno.stat(path);
    if (mtime && Date.now() - mtime.getTime() > 86_400_000) {
      await Deno.remove(path, { recursive: true }).catch(() => {});
    }
  }
}
