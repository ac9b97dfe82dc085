/**
 * Writes that survive `kill -9` and power loss at any instant: data goes to a
 * temporary name, is synced to disk, and only then renamed into place; the
 * folder holding the name is synced after the rename. A directory is replaced
 * in two renames (old aside, new in); {@linkcode recoverDir} finishes or
 * undoes a swap that a crash cut in half and removes stale temporaries.
 * @module
 */
import { basename, dirname, join } from "node:path";

/** Writes `data` to `path` and syncs it to disk before returning. */
export async function writeFileSynced(path: string, data: string | Uint8Array): Promise<void> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  using file = await Deno.open(path, { write: true, create: true, truncate: true });
  for (let at = 0; at < bytes.byteLength;) at += await file.write(bytes.subarray(at));
  await file.sync();
}

/** Syncs a directory, so that renames and new names in it are on disk. */
export async function syncDir(dir: string): Promise<void> {
  using d = await Deno.open(dir, { read: true });
  await d.sync();
}

/**
 * Writes a file so that readers see either the old content or the new, never
 * a part, even after a crash: write beside it, sync, rename, sync the folder.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${Deno.pid}`;
  try {
    await writeFileSynced(tmp, data);
    await Deno.rename(tmp, path);
    await syncDir(dirname(path));
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw new Error(`Cannot write '${path}': ${(e as Error).message}`, { cause: e });
  }
}

/** Temporary siblings of `dir`: `.tmp-` (being filled), `.new-` (complete), `.old-` (set aside). */
const SIBLING = /^(.*)\.(tmp|new|old)-(\d+)$/;

/**
 * Replaces directory `dir` by one that `fill` writes, atomically: a failure in
 * `fill` (a full disk, say) leaves the previous `dir` as it was, and so does a
 * crash at any instant (see {@linkcode recoverDir}). Every file `fill` writes
 * must be synced (use {@linkcode writeFileSynced}).
 */
export async function replaceDirAtomic(
  dir: string,
  fill: (tmp: string) => Promise<void>,
): Promise<void> {
  const tmp = `${dir}.tmp-${Deno.pid}`;
  const ready = `${dir}.new-${Deno.pid}`;
  const old = `${dir}.old-${Deno.pid}`;
  const parent = dirname(dir);
  try {
    await Deno.mkdir(parent, { recursive: true });
    await recoverDir(dir);
    await Deno.mkdir(tmp);
    await fill(tmp);
    await syncDir(tmp);
    // `.new-` marks a complete copy: from here on a crash is finished forward.
    await Deno.rename(tmp, ready);
    await syncDir(parent);
  } catch (e) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw new Error(`Cannot write '${dir}': ${(e as Error).message}`, { cause: e });
  }
  const had = await Deno.stat(dir).then(() => true, () => false);
  if (had) await Deno.rename(dir, old);
  await Deno.rename(ready, dir);
  await syncDir(parent);
  if (had) await Deno.remove(old, { recursive: true });
}

/**
 * Brings `dir` back to a whole state after a crash during
 * {@linkcode replaceDirAtomic}: a complete new copy whose swap was cut short
 * is moved into place (the swap is finished), a directory set aside is
 * restored when nothing replaced it, and every other temporary sibling (a
 * half-filled `.tmp-`) is removed. Returns what it
 * did, one line each (empty when there was nothing to do).
 */
export async function recoverDir(dir: string): Promise<string[]> {
  const parent = dirname(dir), name = basename(dir);
  const found: { kind: string; path: string; mtime: number }[] = [];
  try {
    for await (const e of Deno.readDir(parent)) {
      const m = SIBLING.exec(e.name);
      if (!m || m[1] !== name) continue;
      const path = join(parent, e.name);
      const mtime = (await Deno.stat(path)).mtime?.getTime() ?? 0;
      found.push({ kind: m[2], path, mtime });
    }
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  if (found.length === 0) return [];
  const done: string[] = [];
  const newest = (kind: string) =>
    found.filter((f) => f.kind === kind).sort((a, b) => b.mtime - a.mtime)[0];
  const has = await Deno.stat(dir).then(() => true, () => false);
  // A complete new copy is newer than `dir`, whether or not `dir` was set aside yet.
  const back = newest("new") ?? (has ? undefined : newest("old"));
  if (back) {
    const aside = `${dir}.old-${Date.now()}`;
    if (has) await Deno.rename(dir, aside);
    await Deno.rename(back.path, dir);
    done.push(`recovered '${dir}' from '${basename(back.path)}'`);
    found.splice(found.indexOf(back), 1);
    if (has) found.push({ kind: "old", path: aside, mtime: 0 });
  }
  for (const f of found) {
    await Deno.remove(f.path, { recursive: true });
    done.push(`removed stale '${basename(f.path)}'`);
  }
  await syncDir(parent);
  return done;
}
