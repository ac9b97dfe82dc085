/**
 * The software and machine a run runs on, as summary.json records them.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { cpus } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { EnvironmentFacts } from "../../rundir/summary.ts";

/**
 * Versions (skiplab, Deno, tfjs), the backend's library as the backend
 * reported it (`detail` of `selectBackend`), the CPU model and thread count,
 * and the git commit of the skiplab checkout when run from one. What the
 * system does not tell (no `--allow-sys=cpus`, not a checkout) is null.
 *
 * @example
 * ```ts ignore
 * const env = await environmentFacts((await selectBackend("auto")).detail);
 * ```
 */
export async function environmentFacts(backendLibrary?: string): Promise<EnvironmentFacts> {
  return {
    skiplab: await skiplabVersion(),
    deno: Deno.version.deno,
    tfjs: tf.version_core,
    backend_library: backendLibrary ?? null,
    cpu_model: cpuModel(),
    cpu_threads: navigator.hardwareConcurrency,
    git_commit: await gitCommit(new URL("../../", import.meta.url)),
  };
}

/** skiplab's version from its deno.json, read (not imported: only tasks may reach the root). */
async function skiplabVersion(): Promise<string> {
  try {
    const res = await fetch(new URL("../../deno.json", import.meta.url));
    const version = (await res.json())?.version;
    return typeof version === "string" && version !== "" ? version : "unknown";
  } catch {
    return "unknown";
  }
}

function cpuModel(): string | null {
  try {
    return cpus()[0]?.model.trim() || null;
  } catch {
    return null; // no --allow-sys=cpus
  }
}

const read = (path: string) => Deno.readTextFile(path).then((s) => s.trim(), () => undefined);

/** The commit checked out in the repository at `root`, read from .git without running git. */
async function gitCommit(root: URL): Promise<string | null> {
  if (root.protocol !== "file:") return null;
  const dotGit = join(fileURLToPath(root), ".git");
  const info = await Deno.stat(dotGit).catch(() => undefined);
  if (!info) return null;
  let gitDir = dotGit;
  if (info.isFile) {
    // A worktree: `.git` names its private git directory, whose `commondir` holds the refs.
    const link = /^gitdir:\s*(.+)$/m.exec(await read(dotGit) ?? "")?.[1];
    if (!link) return null;
    gitDir = isAbsolute(link) ? link : join(dirname(dotGit), link);
  }
  const head = await read(join(gitDir, "HEAD"));
  if (!head) return null;
  const ref = /^ref:\s*(.+)$/.exec(head)?.[1];
  if (!ref) return /^[0-9a-f]{40,64}$/.test(head) ? head : null;
  const common = await read(join(gitDir, "commondir"));
  const refsDir = common ? (isAbsolute(common) ? common : join(gitDir, common)) : gitDir;
  for (const dir of new Set([gitDir, refsDir])) {
    const loose = await read(join(dir, ref));
    if (loose && /^[0-9a-f]{40,64}$/.test(loose)) return loose;
    const packed = await read(join(dir, "packed-refs"));
    const line = packed?.split("\n").find((l) => l.endsWith(` ${ref}`));
    if (line) return line.split(" ")[0];
  }
  return null;
}
