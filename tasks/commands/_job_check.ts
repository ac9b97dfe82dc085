/**
 * What a worker accepts from the queue: data, never code. Anyone who can
 * write to the Redis queue can push a job, so a job is taken as possibly
 * hostile: its member and sweep names must be plain folder names (no `..`, no
 * separators), its config may not `extends` another file, and every plugin it
 * names must be a registered one or a file the worker was started with
 * (`deno task worker --plugin-file PATH`). Anything else fails that job, with
 * the reason, and the worker goes on.
 * @module
 */
import { resolve } from "node:path";
import { parse } from "yaml";
import type { MemberJob } from "../../sweep/queue.ts";

/** Most bytes of a job's config: a resolved experiment is a few kB. */
export const MAX_JOB_CONFIG_BYTES = 1 << 20;

const PLAIN_NAME = /^(?!\.{1,2}$)[^/\\\0]{1,200}$/;

/**
 * Why the worker refuses `job`, or undefined when it may train it.
 * @param job The job's data, as read from the queue (unchecked).
 * @param memberDir The folder its config.yaml would be written to (relative plugin paths resolve there).
 * @param allowedFiles Plugin files the worker was started with, resolved.
 * @param registered Whether a plugin name is registered in skiplab.
 */
export function jobRefusal(
  job: unknown,
  memberDir: (sweep: string, member: string) => string,
  allowedFiles: readonly string[],
  registered: (name: string) => boolean,
): string | undefined {
  const j = job as Partial<MemberJob> | null;
  const sweep = j?.sweep?.name, member = j?.member, config = j?.config;
  if (typeof sweep !== "string" || !PLAIN_NAME.test(sweep)) {
    return `its sweep name ${JSON.stringify(sweep)} is not a plain folder name`;
  }
  if (typeof member !== "string" || !PLAIN_NAME.test(member)) {
    return `its member name ${JSON.stringify(member)} is not a plain folder name`;
  }
  if (typeof config !== "string") return "it carries no config (YAML text)";
  if (config.length > MAX_JOB_CONFIG_BYTES) {
    return `its config is ${config.length} bytes, over the ${MAX_JOB_CONFIG_BYTES} allowed`;
  }
  let doc: unknown;
  try {
    doc = parse(config, { maxAliasCount: 100 });
  } catch (e) {
    return `its config is not YAML: ${(e as Error).message.split("\n")[0]}`;
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    return "its config is not a mapping of experiment settings";
  }
  const d = doc as Record<string, unknown>;
  if ("extends" in d) return "its config has `extends:`; a job carries a resolved experiment";
  const plugins = d.plugins ?? [];
  if (!Array.isArray(plugins)) return "its config's plugins is not a list";
  const dir = memberDir(sweep, member);
  for (const [i, p] of plugins.entries()) {
    const entry = (p ?? {}) as { name?: unknown; path?: unknown };
    if (typeof entry.path === "string") {
      const file = resolve(dir, entry.path);
      if (!allowedFiles.includes(file)) {
        return `plugins[${i}] names the plugin file ${file}, which this worker was not started ` +
          `with (give it with --plugin-file to allow it)`;
      }
    } else if (typeof entry.name === "string") {
      if (!registered(entry.name)) {
        return `plugins[${i}] names '${entry.name}', which is not a registered plugin`;
      }
    } else {
      return `plugins[${i}] names neither a registered plugin nor a plugin file`;
    }
  }
  return undefined;
}
